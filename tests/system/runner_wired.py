#!/usr/bin/python3
# System tests of the building blocks wired into `netcard test` (issue
# 12): --deterministic, --cost/--cost-csv, --coverage and snapshot-fork,
# run by tests/system/test_runner_blocks.c, one case a process:
#
#   runner_wired.py CASE WORKDIR
#
# Each runs the installed launcher (NETCARD_BIN/netcard) on the example
# suites (tests/suites/), asserts, and exits 0; a failure is a message on
# stderr and exit 1.
#
# SPDX-License-Identifier: Apache-2.0

import csv
import filecmp
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

BIN = os.environ["NETCARD_BIN"]
NETCARD = os.path.join(BIN, "netcard")
SUITES = os.path.join(os.environ["NETCARD_SRCDIR"], "tests", "suites")
# no web cases: slirp's packets come in host time (docs/testing.md
# "Determinism"); uicc-fs has a fixture, gp-basics secure channels
DET_SUITES = [os.path.join(SUITES, n) for n in
              ("iso7816-basics.yaml", "uicc-fs.yaml", "gp-basics.yaml")]


class Failed(Exception):
    pass


def check(cond, fmt, *args):
    if not cond:
        raise Failed(fmt % args if args else fmt)


def netcard_test(work, *args):
    r = subprocess.run([NETCARD, "test", *args], cwd=work,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, env=dict(os.environ, TMPDIR=work))
    check(r.returncode == 0, "netcard test %s: exit %d\n%s", " ".join(args),
          r.returncode, r.stdout[-4000:])
    return r.stdout


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def case_deterministic_suites(work):
    """Two --deterministic runs of the same suites: byte-identical APDU
    captures (every case's) and the same instruction count CSV, every row
    equal (docs/testing.md "Determinism": the card's clock stands still
    while the host thinks), the rows around a warm reset included; each
    case's counts in its JUnit properties and TAP diagnostics."""
    runs = []
    for i in (1, 2):
        d = os.path.join(work, f"run{i}")
        os.makedirs(d)
        netcard_test(work, *DET_SUITES, "-j", "2", "--deterministic",
                     "--pcap-dir", os.path.join(d, "pcap"), "--cost-csv",
                     os.path.join(d, "cost.csv"), "--junit",
                     os.path.join(d, "junit.xml"), "--tap",
                     os.path.join(d, "run.tap"))
        runs.append(d)
    a, b = (os.path.join(d, "pcap") for d in runs)
    names = sorted(os.listdir(a))
    check(len(names) >= 25 and names == sorted(os.listdir(b)),
          "captures: %s vs %s", names, sorted(os.listdir(b)))
    _, differ, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    check(not differ and not errors, "captures differ run to run: %s %s",
          differ, errors)
    rows = [read_csv(os.path.join(d, "cost.csv")) for d in runs]
    check(len(rows[0]) >= 60, "too few CSV rows: %d", len(rows[0]))
    key = lambda r: (r["case"], r["apdu"], r["header"], r["command_bytes"])
    check([key(r) for r in rows[0]] == [key(r) for r in rows[1]],
          "the CSVs' rows differ")
    for a, b in zip(*rows):
        check(a["instructions"] == b["instructions"], "instruction counts "
              "differ run to run:\n%s\n%s", a, b)
    check(any("warm reset" in r["case"] for r in rows[0]),
          "no row of the warm reset case")
    check(all(int(r["instructions"]) > 0 for r in rows[0]),
          "a row without instructions")
    # JUnit: every passed case has its counts; they add up to the CSV's
    per_case = {}
    for r in rows[0]:
        per_case[r["case"]] = per_case.get(r["case"], 0) + \
            int(r["instructions"])
    tree = ET.parse(os.path.join(runs[0], "junit.xml"))
    seen = 0
    for tc in tree.iter("testcase"):
        props = {p.get("name"): p.get("value") for p in tc.iter("property")}
        check("apdu.instructions" in props and "apdu.count" in props and
              ("apdu.001" in props) == (props["apdu.count"] != "0"),
              "case %s: no instruction properties: %s", tc.get("name"),
              props)
        seen += int(props["apdu.instructions"])
    check(seen == sum(per_case.values()), "JUnit total %d, CSV total %d",
          seen, sum(per_case.values()))
    with open(os.path.join(runs[0], "run.tap")) as f:
        tap = f.read()
    check(re.search(r'"apdu\.instructions": "[1-9]\d*"', tap) and
          re.search(r'"apdu\.001": "[0-9A-F]{8} [1-9]\d*"', tap),
          "no counts in the TAP diagnostics:\n%s", tap[:2000])


def case_coverage_html(work):
    """--coverage DIR: a raw file per case, one tracefile over them, HTML;
    the READ BINARY handler the suite runs is covered."""
    suite = os.path.join(SUITES, "iso7816-basics.yaml")
    out = netcard_test(work, suite, "-j", "2", "--coverage", "cov")
    raws = os.listdir(os.path.join(work, "cov", "raw"))
    check(len(raws) == 14, "raw files: %s", raws)
    check(os.path.isfile(os.path.join(work, "cov", "html", "index.html")),
          "no cov/html/index.html:\n%s", out)
    with open(os.path.join(work, "cov", "coverage.info")) as f:
        info = f.read()
    m = re.search(r"^FNDA:(\d+),fsa_read_binary$", info, re.M)
    check(m and int(m.group(1)) >= 2, "fsa_read_binary not covered by "
          "two cases or more: %s", m and m.group(0))
    check(re.search(r"^SF:.*cardos/fs/fs_ef\.c$", info, re.M),
          "fs_ef.c not in the tracefile")
    check("coverage:" in out, "no coverage line in the report:\n%s", out)


def case_fixture_snapshot(work):
    """Cases of a fixture start from its snapshot: what its steps wrote to
    NVM is there, its volatile state (PIN1 verified) is not (the fixture
    ends powered off: a case's power-on is a cold reset)."""
    suite = os.path.join(work, "fx.yaml")
    with open(suite, "w") as f:
        f.write("""suite: fx
vars:
  PIN1: 31 32 33 34 FF FF FF FF
fixtures:
  once:
    steps:
      - apdu: 00 20 00 01 08 $PIN1
      - apdu: 00 A4 00 0C 02 2F05
      - apdu: 00 B0 00 00 02
        data: 65 6E                      # "en": the first run of the steps
      - apdu: 00 D6 00 00 02 6672        # "fr"
cases:
""" + "".join(f"""  - name: case {i}
    boot: once
    steps:
      - apdu: 00 A4 00 0C 02 2F05
      - apdu: 00 B0 00 00 02
        data: 66 72
      - apdu: 00 D6 00 00 02 6465        # rejected: PIN1 not verified
        sw: 6982                         # after the fixture's power-off
""" for i in range(4)))
    netcard_test(work, suite, "-j", "2", "--pcap-dir", "p")
    check(len(os.listdir(os.path.join(work, "p"))) == 4, "captures")


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}


def main(argv):
    if len(argv) != 2 or argv[0] not in CASES:
        print(f"usage: runner_wired.py {'|'.join(CASES)} WORKDIR",
              file=sys.stderr)
        return 2
    start = time.monotonic()
    try:
        CASES[argv[0]](os.path.abspath(argv[1]))
    except Failed as e:
        print(f"runner_wired {argv[0]}: {e}", file=sys.stderr)
        return 1
    print(f"runner_wired {argv[0]}: ok ({time.monotonic() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
