# make bench rows of the conformance runner's building blocks (issue 12
# part B), through the same package the runner uses
# (tools/netcard_host: card.py, snapshot.py, instances.py):
#
#   case_start_ms          a case from the snapshot (-incoming file:, QMP
#                          cont) to its first APDU answered; baseline: a
#                          fresh boot of the same image to its first APDU
#   case_start_savevm_ms   the same with savevm/-loadvm on a qcow2 NVM;
#                          baseline: case_start_ms (the method chosen)
#   card_rss_mib           mean RSS of 50 idle cards with network;
#                          baseline: the 40 MiB target
#   cards_per_gib          1024 / card_rss_mib; baseline: 25.6 (40 MiB)
#   idle_cpu_pct_per_card  host CPU of the 50 idle cards over a window,
#                          % of a core per card; baseline: 0.5 target
#
# SPDX-License-Identifier: Apache-2.0

import os
import statistics
import time

from netcard_host.card import Card, CardError
from netcard_host.instances import start_many, stop_all
from netcard_host.snapshot import Snapshot

SELECT_TEST = "00A4040009F06E6574636172640100"
ECHO = "801000000301020300"
POOL = 50
RSS_TARGET_MIB = 40.0
IDLE_TARGET_PCT = 0.5


class BenchError(Exception):
    pass


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise BenchError(f"no VmRSS for pid {pid}")


def first_answer_ms(start):
    """START() returns a Card; ms from the call to ECHO answered."""
    t0 = time.monotonic()
    card = start()
    try:
        if card.transmit(ECHO).hex() != "0102039000":
            raise BenchError("ECHO was not answered 9000")
        return (time.monotonic() - t0) * 1000.0
    finally:
        card.stop()


def case_start(b):
    n = 5 if b.quick else 20
    opts = dict(build=b.build, image=b.test_elf, qemu=b.qemu)
    work = os.path.join(b.tmp, "snapshot")
    fixtures = {m: Snapshot.create(SELECT_TEST, workdir=f"{work}-{m}",
                                   method=m, **opts)
                for m in ("migrate", "savevm")}
    boot, case = [], {"migrate": [], "savevm": []}

    def fresh():
        d = os.path.join(b.tmp, f"boot-{len(boot)}")
        card = Card(d, **opts).start()
        card.wait_ready()
        card.transmit(SELECT_TEST)
        return card

    for _ in range(n):              # interleaved: the same load for all
        boot.append(first_answer_ms(fresh))
        for m, fx in fixtures.items():
            case[m].append(first_answer_ms(fx.start))
    mig = round(statistics.median(case["migrate"]), 1)
    b.row("case_start_ms", mig, "ms", round(statistics.median(boot), 1),
          f"median of {n}: snapshot (migrate to file, -incoming) to the "
          "first APDU answered; baseline: fresh boot to the same APDU")
    b.row("case_start_savevm_ms",
          round(statistics.median(case["savevm"]), 1), "ms", mig,
          f"median of {n}: savevm/-loadvm with a qcow2 NVM; baseline: "
          "case_start_ms")


def many_cards(b):
    seconds = 10.0 if b.quick else 30.0
    cards = start_many(POOL, os.path.join(b.tmp, "pool"), build=b.build,
                       image=b.elf, qemu=b.qemu)
    try:
        time.sleep(3.0)             # DHCP and the first ping settled
        rss = [rss_mib(c.proc.pid) for c in cards]
        c0, t0 = sum(cpu_s(c.proc.pid) for c in cards), time.monotonic()
        time.sleep(seconds)
        c1, t1 = sum(cpu_s(c.proc.pid) for c in cards), time.monotonic()
        if not all(c.alive() for c in cards):
            raise BenchError("a card of the pool stopped")
    finally:
        stop_all(cards)
    mean = statistics.mean(rss)
    b.row("card_rss_mib", round(mean, 1), "MiB", RSS_TARGET_MIB,
          f"mean RSS of {POOL} idle product cards with network; baseline: "
          "target")
    b.row("cards_per_gib", round(1024.0 / mean, 1), "cards",
          round(1024.0 / RSS_TARGET_MIB, 1),
          f"1 GiB / mean RSS of {POOL} idle cards; baseline: the 40 MiB "
          "target")
    b.row("idle_cpu_pct_per_card",
          round(100.0 * (c1 - c0) / (t1 - t0) / POOL, 3), "%",
          IDLE_TARGET_PCT, f"{POOL} idle cards over {seconds:.0f} s, % of "
          "a core per card; baseline: target")


def run(b):
    try:
        case_start(b)
        many_cards(b)
    except CardError as e:
        raise BenchError(str(e))
