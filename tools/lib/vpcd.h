/*
 * netcard vpcd client: the host side of the card's ISO 7816 contact
 * interface, speaking vsmartcard's vpcd framing (DESIGN.md "Host
 * interfaces", docs/iso7816.md).
 *
 * A frame is a 2-byte big-endian length and that many bytes of payload
 * (so at most 65535). A 1-byte payload is a control code: 00 power off,
 * 01 power on, 02 reset (none answered), 04 get ATR (answered with the
 * ATR; empty = no card). Any other payload is a C-APDU, answered with the
 * R-APDU (data + SW1 SW2). The card answers; the client always speaks
 * first.
 *
 * This is the one implementation of that framing on the host, in the
 * host library with the QEMU command-line builder: build/lib/
 * libnetcard-host.a, linked into the C tests (which wrap it with their
 * assertions in tests/lib/nctest_vpcd.c), and libnetcard-host.so, which
 * Python loads with ctypes (tools/netcard_host/vpcd.py: `netcard apdu`,
 * the benchmarks). So the interface uses only ints, sizes, byte buffers
 * and one opaque handle.
 *
 * Contract:
 *   - every wait has a deadline (timeout_ms; a negative value waits
 *     without one) and an optional abort callback, polled at least every
 *     100 ms while waiting, that ends the wait early (a test uses it to stop
 *     waiting for a QEMU that died);
 *   - functions returning int or long return a negative value on failure
 *     and leave the reason in the link: vpcd_status(), vpcd_errno(),
 *     vpcd_stage(), vpcd_frame_len() and a one-line vpcd_message();
 *     a success sets the status to VPCD_OK;
 *   - after a timeout or abort in the middle of a frame, the stream is out
 *     of step: close the link;
 *   - the connected socket has TCP_NODELAY (one write per frame: no
 *     Nagle delay) and FD_CLOEXEC; SIGPIPE is never raised;
 *   - no global state; one link is used by one thread at a time.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_VPCD_H
#define NETCARD_VPCD_H

#include <stdbool.h>
#include <stddef.h>

#define VPCD_MAX_PAYLOAD 0xFFFF

/* Control codes (1-byte payloads). */
#define VPCD_CTRL_POWER_OFF 0x00
#define VPCD_CTRL_POWER_ON  0x01
#define VPCD_CTRL_RESET     0x02
#define VPCD_CTRL_GET_ATR   0x04

typedef enum VpcdStatus {
    VPCD_OK = 0,
    VPCD_ERR_ARG,           /* a bad argument (payload over 65535 bytes) */
    VPCD_ERR_RESOLVE,       /* the host name does not resolve */
    VPCD_ERR_SYS,           /* a system call failed: vpcd_errno() */
    VPCD_ERR_TIMEOUT,       /* the deadline passed */
    VPCD_ERR_CLOSED,        /* the peer closed the connection */
    VPCD_ERR_TOO_LONG,      /* a frame longer than the caller's buffer */
    VPCD_ERR_ABORTED,       /* the abort callback ended the wait */
    VPCD_ERR_NOT_CONNECTED, /* no connection (never made, or closed) */
} VpcdStatus;

/* Where the last failure happened. */
typedef enum VpcdStage {
    VPCD_STAGE_NONE = 0,
    VPCD_STAGE_CONNECT,
    VPCD_STAGE_SEND,
    VPCD_STAGE_LENGTH,      /* waiting for a frame's 2-byte length */
    VPCD_STAGE_BODY,        /* waiting for a frame's payload */
} VpcdStage;

typedef struct VpcdLink VpcdLink;

/* True to stop waiting (the link then reports VPCD_ERR_ABORTED). */
typedef bool (*VpcdAbortFn)(void *opaque);

/* A new, unconnected link (NULL if out of memory). */
VpcdLink *vpcd_new(void);
/* Close and free (NULL is fine). */
void vpcd_free(VpcdLink *link);
/* Install (or, with FN NULL, remove) the abort callback. */
void vpcd_set_abort(VpcdLink *link, VpcdAbortFn fn, void *opaque);

/*
 * Connect to HOST:PORT (a name or a numeric IPv4/IPv6 address). With
 * RETRY, a refused connection is tried again every 20 ms until the
 * deadline (a card whose QEMU is still starting); without, the first
 * refusal is final. Closes a previous connection first. 0 or -1.
 */
int vpcd_connect(VpcdLink *link, const char *host, int port, int timeout_ms,
                 int retry);

/* Send one frame carrying LEN (<= 65535) bytes of PAYLOAD. 0 or -1. */
int vpcd_send(VpcdLink *link, const void *payload, size_t len);
/* Send a 1-byte control frame (VPCD_CTRL_*). 0 or -1. */
int vpcd_control(VpcdLink *link, unsigned code);
/* Send BUF as it is, without framing (tests of malformed input). */
int vpcd_send_raw(VpcdLink *link, const void *buf, size_t len);

/*
 * Receive one frame into BUF (CAP bytes) before the deadline; returns the
 * payload length (0 is a valid, empty frame) or -1. A frame longer than
 * CAP fails with VPCD_ERR_TOO_LONG (its length in vpcd_frame_len()),
 * leaving its payload unread.
 */
long vpcd_recv(VpcdLink *link, void *buf, size_t cap, int timeout_ms);
/* vpcd_send then vpcd_recv: one exchange (C-APDU, get ATR). */
long vpcd_transmit(VpcdLink *link, const void *cmd, size_t len, void *resp,
                   size_t cap, int timeout_ms);

/* 1 if something (data or end of stream) is readable within TIMEOUT_MS,
 * 0 if not, -1 on error or without a connection. */
int vpcd_pending(VpcdLink *link, int timeout_ms);
/* Close the connection (idempotent); the link can connect again. */
void vpcd_close(VpcdLink *link);
/* The socket, or -1. */
int vpcd_fd(const VpcdLink *link);

/* The last failure (VPCD_OK after a success). */
int vpcd_status(const VpcdLink *link);
int vpcd_errno(const VpcdLink *link);       /* VPCD_ERR_SYS, connect */
int vpcd_stage(const VpcdLink *link);
size_t vpcd_frame_len(const VpcdLink *link); /* announced length, if any */
const char *vpcd_message(const VpcdLink *link);

#endif /* NETCARD_VPCD_H */
