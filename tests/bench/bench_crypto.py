# netcard benchmarks for the card's crypto, in card cycles, called by
# bench.py (also runnable alone: bench_crypto.py [--build DIR]).
#
# The card runs each operation between its bench markers (test applet
# BENCH, INS 5E: cardos/applets/test_applet_bench.h) with interrupts
# masked. The insn_window TCG plugin (tests/plugins/insn_window.c) counts
# the guest instructions in each window, not counting the crypto
# driver's wait loop (wait_idle and the timer_now_ms it calls: while it
# polls, the coprocessor works, and the coprocessor's time is counted as
# its own modelled CYCLES, which BENCH returns). Card cycles = instructions + coprocessor CYCLES,
# assuming one cycle per instruction on the Cortex-M33 (a lower bound:
# the M33 needs 2 cycles for a load or a taken branch, see docs/crypto.md
# "Benchmarks"); ms = cycles / 48 000 (48 MHz system clock).
#
# Instruction counts do not depend on the host's speed: the whole
# sequence runs on two fresh boots and must give the same numbers twice.
#
# SPDX-License-Identifier: Apache-2.0

import os
import random
import subprocess
import sys

import bench_iso7816
import elfsym

SYSCLK_HZ = 48000000
SELECT = bench_iso7816.SELECT
INS_BENCH = 0x5E
BENCH_EMPTY, AES_HW, AES_SOFT, SHA256_HW = 0x00, 0x01, 0x02, 0x03
ECDSA_SIGN, ECDSA_VERIFY, RSA_CRT = 0x04, 0x05, 0x06
RSA_HALF = 128                          # RSA-2048: 1024-bit p and q
RSA_KEY_SEED = 2048                     # fixed: the same key every run
# Counted apart: the crypto driver's wait loop (cardos/drivers/crypto.c)
# and the clock it reads for its time-out.
WAIT_SYMBOLS = ("wait_idle", "timer_now_ms")

# docs/crypto.md "Timing model": what the coprocessor alone is modelled to
# take for these operations (defaults of the QOM properties).
MODEL_MS = {ECDSA_SIGN: 4.0, ECDSA_VERIFY: 7.0, RSA_CRT: 40.0}


class BenchError(Exception):
    pass


# ------------------------------------------------------------ RSA test key

def _is_probable_prime(n, rng, rounds=40):
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(rng, bits, e):
    while True:
        # Top two bits set (so p*q has 2 * bits bits), odd.
        c = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if (c - 1) % e != 0 and _is_probable_prime(c, rng):
            return c


def rsa_crt_key(half=RSA_HALF, seed=RSA_KEY_SEED, e=65537):
    """A deterministic RSA key (Miller-Rabin on a seeded stream: the same
    key on every run) as p || q || dP || dQ || qInv, HALF bytes each."""
    rng = random.Random(seed)
    while True:
        p = _prime(rng, half * 8, e)
        q = _prime(rng, half * 8, e)
        if p != q:
            break
    d = pow(e, -1, (p - 1) * (q - 1))
    parts = (p, q, d % (p - 1), d % (q - 1), pow(q, -1, p))
    return b"".join(x.to_bytes(half, "big") for x in parts)


# ---------------------------------------------------------------- the card

def bench_apdu(op, data=b""):
    if not data:
        return bytes([0x80, INS_BENCH, op, 0x00, 0x00])
    n = len(data)
    return (bytes([0x80, INS_BENCH, op, 0x00, 0x00, n >> 8, n & 255]) + data
            + b"\x00\x00")


def read_windows(path):
    """The plugin's lines: [(insns, excluded)] in window order."""
    out = []
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return out
    for line in lines:
        fields = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
        out.append((int(fields["insns"]), int(fields["excluded"])))
    return out


def plugin_arg(build, elf, out):
    so = os.path.join(build, "tests", "plugins", "libinsn_window.so")
    if not os.path.exists(so):
        raise BenchError("plugin %s not built: make tests" % so)
    try:
        syms = elfsym.lookup(elf, "bench_mark_begin", "bench_mark_end",
                             *WAIT_SYMBOLS)
    except (OSError, elfsym.ElfError) as e:
        raise BenchError("%s (the bench needs the markers and the crypto "
                         "driver's wait loop as functions of their own)" % e)
    begin, end = syms[0], syms[1]
    excludes = "".join(",exclude=0x%x-0x%x" % (s.addr, s.addr + s.size)
                       for s in syms[2:])
    return ("%s,begin=0x%x,end=0x%x%s,out=%s"
            % (so, begin.addr, end.addr, excludes, out))


def one_run(bench, run, rsa_key):
    """Boot a fresh card with the plugin, run every BENCH operation once;
    returns {op: (insns, excluded, coprocessor_cycles)}."""
    out = os.path.join(bench.tmp, "windows-%d.txt" % run)
    port = bench_iso7816.free_port()
    proc = bench.start_iso_card(
        port, plugin=plugin_arg(bench.build, bench.test_elf, out))
    results = {}
    try:
        link = bench_iso7816.connect(port, timeout=120.0)
        link.control(bench_iso7816.vpcd.POWER_ON)
        if not link.atr():
            raise BenchError("no ATR after power-on")
        if link.transmit(SELECT)[-2:] != b"\x90\x00":
            raise BenchError("SELECT of the test applet failed")
        ops = (BENCH_EMPTY, AES_SOFT, AES_HW, SHA256_HW, ECDSA_SIGN,
               ECDSA_VERIFY, RSA_CRT)
        for op in ops:
            r = link.transmit(bench_apdu(op, rsa_key if op == RSA_CRT
                                         else b""))
            if len(r) != 6 or r[-2:] != b"\x90\x00":
                raise BenchError("BENCH %02X answered %s" % (op, r.hex()))
            windows = read_windows(out)
            if len(windows) != len(results) + 1:
                raise BenchError("BENCH %02X: %d plugin windows after %d "
                                 "commands" % (op, len(windows),
                                               len(results) + 1))
            insns, excluded = windows[-1]
            results[op] = (insns, excluded, int.from_bytes(r[:4], "big"))
        link.close()
    finally:
        bench.stop_card(proc)
    return results


def run(bench):
    """Add the crypto rows to BENCH (bench.py's Bench)."""
    rsa_key = rsa_crt_key()
    first = one_run(bench, 1, rsa_key)
    second = one_run(bench, 2, rsa_key)
    # The wait loop's own count follows the host's speed; the rest not.
    counted = [{op: (v[0], v[2]) for op, v in r.items()}
               for r in (first, second)]
    if counted[0] != counted[1]:
        raise BenchError("card cycles differ between two runs: %r then %r"
                         % tuple(counted))

    def cycles(op):
        insns, _excluded, hw = first[op]
        return insns + hw

    def kcycles(op):
        return round(cycles(op) / 1000.0, 1)

    def ms(op):
        return round(cycles(op) * 1000.0 / SYSCLK_HZ, 2)

    sw, hw = cycles(AES_SOFT), cycles(AES_HW)
    bench.row("aes128_cbc_16k_card_sw_kcycles", kcycles(AES_SOFT), "kcycles",
              kcycles(AES_HW), "the card's own AES (crypto/aes_soft.c), "
              "instructions at 1 cycle each; baseline: the coprocessor, "
              "same image, same run")
    bench.row("aes128_cbc_16k_coproc_kcycles", kcycles(AES_HW), "kcycles",
              round(first[AES_HW][2] / 1000.0, 1),
              "card instructions + coprocessor CYCLES; baseline: the "
              "coprocessor's modelled CYCLES alone")
    bench.row("aes_coproc_speedup", round(sw / hw, 1), "x", 10,
              "aes128_cbc_16k_card_sw / _coproc; baseline: the issue's "
              "target (at least 10x)")
    bench.row("sha256_16k_coproc_kcycles", kcycles(SHA256_HW), "kcycles",
              round(first[SHA256_HW][2] / 1000.0, 1),
              "card instructions + coprocessor CYCLES; baseline: CYCLES "
              "alone")
    for op, name in ((ECDSA_SIGN, "ecdsa_p256_sign_ms"),
                     (ECDSA_VERIFY, "ecdsa_p256_verify_ms"),
                     (RSA_CRT, "rsa2048_crt_ms")):
        bench.row(name, ms(op), "ms", MODEL_MS[op],
                  "card cycles / 48 MHz (%d instructions + %d coprocessor "
                  "cycles); baseline: docs/crypto.md's timing model for the "
                  "engine alone" % (first[op][0], first[op][2]))
    bench.crypto_windows = first


def main():
    import argparse
    import bench as bench_main
    ap = argparse.ArgumentParser(description="crypto rows of make bench")
    ap.add_argument("--build", default=os.path.join(bench_main.SRCDIR,
                                                    "build"))
    args = ap.parse_args()
    b = bench_main.Bench(args.build, True)
    try:
        run(b)
    except (BenchError, bench_iso7816.BenchError,
            bench_iso7816.vpcd.VpcdError, bench_iso7816.vpcd.LibraryError,
            OSError) as e:
        print("bench_crypto: %s" % e, file=sys.stderr)
        return 1
    finally:
        b.close()
    bench_main.print_table(b.rows)
    for op, (insns, excluded, hw) in sorted(b.crypto_windows.items()):
        print("BENCH %02X: %d instructions (+%d waiting), %d coprocessor "
              "cycles" % (op, insns, excluded, hw))
    return 0


if __name__ == "__main__":
    sys.exit(main())
