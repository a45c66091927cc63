/*
 * store_bench: measures the object store in card time (test image
 * cardos-storebench.elf, run by `make bench` under -icount). Brings the
 * mounted store to its steady state (the log wrapped, the collector
 * running), then times one-object commits of 255 bytes and mounts of the
 * full store, and prints
 *   I bench: store_commit_1obj_us=<n> store_mount_full_us=<n> mount_kib=<n>
 *            records=<n>
 * Then builds the worst case for mount time (about 500 KiB of live data,
 * a 4-byte object rewritten 17 000 times: the log as full of records as
 * the store lets it be) and prints the slowest of mounts at several points
 *   I bench: store_mount_worst_us=<n> records=<n> pages=<n> live_kib=<n>
 * Blocks the event loop while it runs (kicking the watchdog).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_CARDOS_STORE_BENCH_H
#define NETCARD_TESTS_CARDOS_STORE_BENCH_H

void store_bench_run(void);

#endif /* NETCARD_TESTS_CARDOS_STORE_BENCH_H */
