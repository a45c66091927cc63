# The runner's measurements (runner.Hooks): per-APDU instruction counts
# (--cost, --cost-csv: cost.py's apdu_cost plugin on each case's card) and
# guest coverage (--coverage DIR: coverage.py's plugin, one raw file per
# case, one lcov tracefile over the cases, genhtml HTML).
#
#   hooks = CaseHooks(image_for, cost=True, cost_csv="cost.csv",
#                     coverage_dir="cov")
#   Runner(..., hooks=hooks).run(cases)
#   hooks.finish(results)     # CSV, DIR/coverage.info, DIR/html/
#
# A case's properties (JUnit <properties>, TAP diagnostics):
#   apdu.count          exchanges the plugin cut (docs/testing.md
#                       "Instruction counts")
#   apdu.instructions   their guest instructions, summed
#   apdu.NNN            "HEADER INSTRUCTIONS" of the NNN-th (from 001)
#
# SPDX-License-Identifier: Apache-2.0

import csv
import os

from . import cost, coverage
from .runner import Hooks, safe_name

CSV_COLUMNS = ("case",) + cost.COLUMNS


class CaseHooks(Hooks):
    def __init__(self, image_for, *, cost=False, cost_csv=None,
                 coverage_dir=None):
        self.image_for = image_for          # TestFile -> ELF path
        self.cost = cost or bool(cost_csv)
        self.cost_csv = cost_csv
        self.coverage_dir = coverage_dir
        self.rows = {}                      # case id -> [cost.Row]
        self.raw = {}                       # case id -> (elf, raw path)

    def check(self):
        """Missing tools before any card starts: CoverageError/CostError
        with what to install."""
        if self.coverage_dir:
            coverage.need_tool(coverage.READELF, "binutils-arm-none-eabi")
            coverage.need_tool("genhtml", "lcov")

    def qemu_options(self, case, workdir):
        o = {}
        if self.cost:
            o["apdu_cost"] = os.path.join(workdir, "cost.csv")
        if self.coverage_dir:
            raw = os.path.join(self.coverage_dir, "raw",
                               safe_name(case.id) + ".cov")
            os.makedirs(os.path.dirname(raw), exist_ok=True)
            o["coverage"] = raw
        return o

    def case_finished(self, case, result, workdir):
        props = result["properties"]
        path = os.path.join(workdir, "cost.csv")
        if self.cost and os.path.exists(path):
            try:
                rows = cost.read_csv(path)
            except cost.CostError as e:
                props["apdu.error"] = str(e)
                rows = []
            self.rows[case.id] = rows
            props["apdu.count"] = str(len(rows))
            props["apdu.instructions"] = str(sum(r.instructions
                                                 for r in rows))
            for r in rows:
                props[f"apdu.{r.apdu:03d}"] = f"{r.header} {r.instructions}"
        if self.coverage_dir:
            raw = os.path.join(self.coverage_dir, "raw",
                               safe_name(case.id) + ".cov")
            if os.path.exists(raw):
                self.raw[case.id] = (self.image_for(case.file), raw)

    def finish(self, results):
        """Writes the run's files; returns lines for the human report."""
        out = []
        if self.cost_csv:
            with open(self.cost_csv, "w", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(CSV_COLUMNS)
                for r in results:
                    for row in self.rows.get(r["id"], ()):
                        w.writerow((r["id"],) + tuple(row))
            out.append(f"instruction counts: {self.cost_csv}")
        if self.coverage_dir and self.raw:
            texts = []
            for r in results:
                if r["id"] in self.raw:
                    image, raw = self.raw[r["id"]]
                    texts.append(coverage.lcov_from_raw(image, [raw],
                                                        r["id"]))
            info = os.path.join(self.coverage_dir, "coverage.info")
            with open(info, "w") as f:
                f.write(coverage.merge(texts))
            index = coverage.html(info, os.path.join(self.coverage_dir,
                                                     "html"))
            out.append(f"coverage: {info} ({len(texts)} cases), {index}")
        return out
