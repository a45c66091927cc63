# `netcard test FILES|DIRS`: the command line of the conformance runner
# (runner.py). Exit status 0 when every case passed, 1 when a case
# failed, 2 when a file is malformed, a case could not run, or the run
# was interrupted (Ctrl-C: the cards are stopped and the reports written
# with what ran). docs/testing-cards.md.
#
# SPDX-License-Identifier: Apache-2.0

import argparse
import os
import sys
import time

from . import casehooks, cost, coverage, report, runner


def shard_arg(text):
    i, _, n = text.partition("/")
    try:
        i, n = int(i), int(n)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not I/N")
    if not 1 <= i <= n:
        raise argparse.ArgumentTypeError(f"shard {text}: I must be 1..N")
    return i, n


def jobs_arg(text):
    try:
        j = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number")
    if not 1 <= j <= 256:
        raise argparse.ArgumentTypeError(f"-j {j}: 1..256")
    return j


def add_parser(sub, default_qemu, default_image_dir):
    p = sub.add_parser(
        "test", help="run conformance test files (docs/testing-cards.md)",
        description="Run test files (YAML; folders are searched for "
        "*.yaml) on virtual cards, one card per case. Exit status: 0 all "
        "passed, 1 a case failed, 2 a file is malformed, a case could not "
        "run, or the run was interrupted.")
    p.add_argument("paths", metavar="FILE|DIR", nargs="+")
    p.add_argument("-j", "--jobs", type=jobs_arg, default=1, metavar="N",
                   help="cards running at once (default: 1)")
    p.add_argument("--shard", type=shard_arg, metavar="I/N",
                   help="run the I-th of N parts (I = 1..N): cases sorted "
                   "by id, every N-th from the I-th")
    p.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    p.add_argument("--tap", metavar="FILE", help="write a TAP 13 report "
                   "('-': on stdout instead of the human report)")
    p.add_argument("--keep-failed", metavar="DIR",
                   help="keep the NVM image, console and QEMU log of each "
                   "failed case in DIR/CASE/")
    p.add_argument("--pcap-dir", metavar="DIR",
                   help="write each case's APDUs to DIR/CASE.pcap (GSMTAP, "
                   "Wireshark decodes them as GSM SIM / ISO 7816-4)")
    p.add_argument("--deterministic", action="store_true",
                   help="seeded TRNG, -icount, fixed RTC, the card's "
                   "clock waiting for the runner (cases without HTTP), "
                   "derived SCP host challenges and capture timestamps: "
                   "the same APDUs, answers and instruction counts run to "
                   "run")
    p.add_argument("--cost", action="store_true",
                   help="count each APDU's guest instructions into the "
                   "case's properties (JUnit, TAP)")
    p.add_argument("--cost-csv", metavar="FILE",
                   help="--cost, and every APDU's count in FILE (case, "
                   "apdu, header, command_bytes, instructions)")
    p.add_argument("--coverage", metavar="DIR",
                   help="card OS coverage: DIR/raw/CASE.cov per case, "
                   "DIR/coverage.info (lcov, merged over the cases), "
                   "DIR/html/ (genhtml)")
    p.add_argument("-k", "--filter", metavar="TEXT",
                   help="only cases whose id contains TEXT")
    p.add_argument("--list", action="store_true",
                   help="list the cases (after --shard, --filter) and exit")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S",
                   help="seconds to wait for each answer (default: 10)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="a line for every case, passed ones too")
    p.add_argument("--image-dir", default=default_image_dir, metavar="DIR",
                   help="where image names (cardos.elf) are found "
                   "(default: %(default)s)")
    p.add_argument("--qemu", default=default_qemu, metavar="BIN",
                   help="qemu-system-arm (default: %(default)s)")
    p.set_defaults(func=main)
    return p


def main(args):
    say = lambda text: print(f"netcard test: {text}", file=sys.stderr)
    files, errors = runner.load_all(args.paths)
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        say(f"{len(errors)} malformed test file(s); no card started")
        return 2
    cases = [c for tf in files for c in tf.cases]
    if args.filter:
        cases = [c for c in cases if args.filter in c.id]
    if args.shard:
        cases = runner.shard(cases, *args.shard)
    if args.list:
        for c in cases:
            print(c.id)
        return 0
    if not cases:
        say("no cases to run")
        return 2
    if not os.path.isfile(args.qemu):
        say(f"QEMU {args.qemu} not found: build it with 'make qemu'")
        return 2
    for d in (args.keep_failed, args.pcap_dir, args.coverage):
        if d:
            os.makedirs(d, exist_ok=True)
    hooks = casehooks.CaseHooks(None, cost=args.cost,
                                cost_csv=args.cost_csv,
                                coverage_dir=args.coverage)
    try:
        hooks.check()
    except coverage.CoverageError as e:
        say(str(e))
        return 2
    tap_stdout = args.tap == "-"
    human = report.Human(len(cases), sys.stderr if tap_stdout else
                         sys.stdout, args.verbose)
    lock = __import__("threading").Lock()

    def started(case):
        with lock:
            human.started(case)

    def finished(r):
        with lock:
            human.finished(r)

    run = runner.Runner(os.path.abspath(args.qemu),
                        os.path.abspath(args.image_dir), jobs=args.jobs,
                        keep_failed=args.keep_failed, pcap_dir=args.pcap_dir,
                        step_timeout=args.timeout, hooks=hooks,
                        on_result=finished, on_start=started,
                        deterministic=args.deterministic)
    hooks.image_for = run.image_for
    t0 = time.monotonic()
    interrupted = False
    try:
        results = run.run(cases)
    except KeyboardInterrupt:
        interrupted = True
        results = run.results
    wall = time.monotonic() - t0
    if args.junit:
        report.junit(results, args.junit, wall)
    if args.tap:
        report.tap(results, "/dev/stdout" if tap_stdout else args.tap)
    human.summary(results, wall, args.jobs, interrupted)
    try:
        for line in hooks.finish(results):
            print(line, file=sys.stderr if tap_stdout else sys.stdout)
    except (coverage.CoverageError, cost.CostError, OSError) as e:
        say(str(e))
        return 2
    c = report.counts(results)
    if interrupted or c["error"] or c["interrupted"]:
        return 2
    return 1 if c["fail"] else 0
