/*
 * System controller driver (peripherals/netcard_sysctl.h): chip identity,
 * why the chip last reset, the four scratch words that survive warm resets,
 * and the software reset request.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_DRIVERS_SYSCTL_H
#define CARDOS_DRIVERS_SYSCTL_H

#include <stdint.h>
#include <stdnoreturn.h>

#include "kernel/reset_cause.h"
#include "netcard_sysctl.h"

uint32_t sysctl_chip_id(void);              /* NETCARD_SYSCTL_CHIP_ID */
uint32_t sysctl_revision_major(void);
uint32_t sysctl_revision_minor(void);
enum reset_cause sysctl_reset_cause(void);
uint32_t sysctl_reset_count(void);          /* resets since power-on */
uint32_t sysctl_sysclk_hz(void);

uint32_t sysctl_scratch_read(unsigned index);       /* index < 4 */
void sysctl_scratch_write(unsigned index, uint32_t value);

/* The scratch words as struct scratch_ops (kernel/reset_cause.h). */
struct scratch_ops;
extern const struct scratch_ops sysctl_scratch_ops;

/*
 * Warm reset with cause "software": RAM and the scratch words are kept.
 * Falls back to AIRCR.SYSRESETREQ should the sysctl request not take.
 */
noreturn void sysctl_software_reset(void);

#endif /* CARDOS_DRIVERS_SYSCTL_H */
