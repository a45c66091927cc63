/*
 * store_bench: measures the object store in card time (test image
 * cardos-storebench.elf, run by `make bench` under -icount). Brings the
 * mounted store to its steady state (the log wrapped, the collector
 * running), then times one-object commits of 255 bytes and mounts of the
 * full store, and prints
 *   I bench: store_commit_1obj_us=<n> store_mount_full_us=<n> mount_kib=<n>
 * Blocks the event loop while it runs (kicking the watchdog).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_KERNEL_STORE_BENCH_H
#define CARDOS_KERNEL_STORE_BENCH_H

void store_bench_run(void);

#endif /* CARDOS_KERNEL_STORE_BENCH_H */
