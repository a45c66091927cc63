# `netcard test`: loads test files (testfile.py), picks this shard's
# cases, builds the fixtures they boot from (each once: its steps run on a
# fresh card, its NVM image kept), then runs every case on a card of its
# own, N at a time (-j), and reports (report.py). docs/testing-cards.md.
#
# Each case gets a result dict (the reports read nothing else):
#   id, file, suite, name, where, status (pass | fail | error |
#   interrupted), time (s), message, details, console, log (lines),
#   properties (name -> str: JUnit <properties>, TAP diagnostics),
#   artifacts (kept files)
# Hooks lets other parts add QEMU options to a card (plugins, -icount)
# and properties to a result, without touching the runner.
#
# SPDX-License-Identifier: Apache-2.0

import concurrent.futures as cf
import os
import shutil
import tempfile
import threading
import time
import traceback

from . import testfile
from .apdu_pcap import ApduPcap
from .testcard import Card, CardError
from .execute import Context, StepFailed

NVM_SIZE = 2 * 1024 * 1024


class Hooks:
    """Extension points; subclass and pass to Runner(hooks=...)."""

    def qemu_options(self, case, workdir):
        """Extra qemu_cmdline.qemu_argv keyword options for CASE's card
        (e.g. plugin=..., icount=..., seed=...; globals_=[...])."""
        return {}

    def case_finished(self, case, result, workdir):
        """Called with the result before the case's folder is removed;
        may add to result["properties"] or result["artifacts"]."""


def shard(cases, index, count):
    """Cases of shard INDEX (1..COUNT): sorted by id, every COUNT-th from
    the INDEX-th, so every case is in exactly one shard."""
    ordered = sorted(cases, key=lambda c: c.id)
    return [c for i, c in enumerate(ordered) if i % count == index - 1]


def load_all(paths):
    """(test files, errors): every file is read, all errors returned."""
    files, errors = [], []
    try:
        found = testfile.find(paths)
    except testfile.TestFileError as e:
        return [], [str(e)]
    for path, rel in found:
        try:
            files.append(testfile.load(path, rel))
        except testfile.TestFileError as e:
            errors.append(str(e))
    return files, errors


class Runner:
    def __init__(self, qemu, image_dir, *, jobs=1, keep_failed=None,
                 pcap_dir=None, step_timeout=10.0, hooks=None,
                 on_result=None, on_start=None):
        self.qemu = qemu
        self.image_dir = image_dir
        self.jobs = max(1, jobs)
        self.keep_failed = keep_failed
        self.pcap_dir = pcap_dir
        self.step_timeout = step_timeout
        self.hooks = hooks or Hooks()
        self.on_result = on_result or (lambda r: None)
        self.on_start = on_start or (lambda c: None)
        self.stopping = threading.Event()
        self.cards = set()
        self.cards_lock = threading.Lock()
        self.tmp = None
        self.fixture_images = {}
        self.fixture_errors = {}

    # -- the pieces --------------------------------------------------------
    def image_for(self, tf):
        if os.path.isabs(tf.image) or os.sep in tf.image:
            p = tf.image if os.path.isabs(tf.image) else os.path.join(
                os.path.dirname(tf.path), tf.image)
        else:
            p = os.path.join(self.image_dir, tf.image)
        if not os.path.isfile(p):
            raise CardError(f"card OS image {p} not found (make cardos)")
        return p

    def _card(self, tf, workdir, boot, network, pcap, case):
        nvm = os.path.join(workdir, "card.nvm")
        if boot == "fresh":
            with open(nvm, "wb") as f:
                f.write(b"\xff" * NVM_SIZE)
        else:
            key = (tf.path, boot)
            if key in self.fixture_errors:
                raise CardError(f"fixture '{boot}' failed: "
                                f"{self.fixture_errors[key]}")
            shutil.copyfile(self.fixture_images[key], nvm)
        extra = self.hooks.qemu_options(case, workdir) if case else {}
        card = Card(self.qemu, self.image_for(tf), nvm, workdir,
                    network=network, protocol=tf.protocol, pcap=pcap,
                    extra=extra, timeout_s=self.step_timeout)
        with self.cards_lock:
            if self.stopping.is_set():
                raise CardError("interrupted")
            self.cards.add(card)
        card.start()
        card.power_on()
        return card

    def _release(self, card):
        with self.cards_lock:
            self.cards.discard(card)

    def build_fixture(self, fx):
        workdir = tempfile.mkdtemp(prefix="fx-", dir=self.tmp)
        card = None
        try:
            card = self._card(fx.file, workdir, fx.boot, fx.network, None,
                              None)
            Context(card, fx.file.vars).run(fx.steps)
            card.power_off()
            card.quit()
            self.fixture_images[(fx.file.path, fx.name)] = \
                os.path.join(workdir, "card.nvm")
        except (CardError, StepFailed) as e:
            self.fixture_errors[(fx.file.path, fx.name)] = str(e)
        except Exception as e:
            self.fixture_errors[(fx.file.path, fx.name)] = \
                f"{type(e).__name__}: {e}"
        finally:
            if card:
                card.stop()
                self._release(card)

    def run_case(self, case):
        self.on_start(case)
        tf = case.file
        result = {"id": case.id, "file": tf.rel, "suite": tf.suite,
                  "name": case.name, "where": case.where, "status": "pass",
                  "time": 0.0, "message": "", "details": "", "console": "",
                  "log": [], "properties": {}, "artifacts": {}}
        workdir = tempfile.mkdtemp(prefix="case-", dir=self.tmp)
        pcap = None
        if self.pcap_dir:
            path = os.path.join(self.pcap_dir, safe_name(case.id) + ".pcap")
            pcap = ApduPcap(path)
            result["artifacts"]["pcap"] = path
        t0 = time.monotonic()
        card = None
        ctx = None
        try:
            card = self._card(tf, workdir, case.boot, case.network, pcap,
                              case)
            ctx = Context(card, tf.vars)
            timer = threading.Timer(case.timeout, card.kill)
            timer.start()
            try:
                ctx.run(case.steps)
            finally:
                timer.cancel()
            if not card.alive():
                raise CardError("QEMU exited during the case")
        except StepFailed as e:
            result.update(status="fail", message=str(e), details=e.details)
            if time.monotonic() - t0 >= case.timeout:
                result["message"] += f" (case timeout {case.timeout:g} s)"
        except CardError as e:
            lines = str(e).splitlines()
            status = "interrupted" if self.stopping.is_set() else (
                "fail" if card and card.proc else "error")
            result.update(status=status, message=f"{case.where}: "
                          f"{lines[0]}", details="\n".join(lines[1:]))
        except Exception as e:     # the runner's own trouble: not the card's
            result.update(status="error", message=f"{case.where}: "
                          f"{type(e).__name__}: {e}",
                          details=traceback.format_exc())
        finally:
            result["time"] = time.monotonic() - t0
            if self.stopping.is_set() and result["status"] != "pass":
                result["status"] = "interrupted"
            if ctx:
                result["log"] = ctx.log
            if card:
                card.stop()
                self._release(card)
                if result["status"] != "pass":
                    result["console"] = card.console_tail()
            if pcap:
                pcap.close()
            self.hooks.case_finished(case, result, workdir)
            if result["status"] in ("fail", "error") and self.keep_failed:
                result["artifacts"].update(self._keep(case, workdir))
            shutil.rmtree(workdir, ignore_errors=True)
        return result

    def _keep(self, case, workdir):
        dest = os.path.join(self.keep_failed, safe_name(case.id))
        os.makedirs(dest, exist_ok=True)
        kept = {}
        for name, what in (("card.nvm", "nvm"), ("console.log", "console"),
                           ("qemu.log", "qemu_log")):
            src = os.path.join(workdir, name)
            if os.path.exists(src):
                shutil.copyfile(src, os.path.join(dest, name))
                kept[what] = os.path.join(dest, name)
        return kept

    # -- the run ------------------------------------------------------------
    def stop(self):
        """Ctrl-C: no new card starts, running ones are killed."""
        self.stopping.set()
        with self.cards_lock:
            cards = list(self.cards)
        for c in cards:
            c.kill()

    def _pool_map(self, fn, items):
        """FN over ITEMS on -j threads; stays responsive to Ctrl-C."""
        results = {}
        with cf.ThreadPoolExecutor(self.jobs) as pool:
            futs = {pool.submit(fn, it): i for i, it in enumerate(items)}
            try:
                pending = set(futs)
                while pending:
                    done, pending = cf.wait(pending, timeout=0.2)
                    for f in done:
                        results[futs[f]] = f.result()
            except KeyboardInterrupt:
                self.stop()
                for f in futs:
                    f.cancel()
                for f in futs:
                    if not f.cancelled():
                        try:
                            results[futs[f]] = f.result()
                        except Exception:
                            pass
                raise
            finally:
                self._partial = results
        return [results[i] for i in range(len(items))]

    def run(self, cases):
        """Results in CASES' order; on Ctrl-C, KeyboardInterrupt with
        self.results holding what finished and the rest 'interrupted'."""
        self.tmp = tempfile.mkdtemp(prefix="netcard-test-")
        self.results = []
        try:
            for level in fixture_levels(cases):
                self._pool_map(self.build_fixture, level)
            out = self._pool_map(self._run_reported, cases)
            self.results = out
            return out
        except KeyboardInterrupt:
            done = getattr(self, "_partial", {})
            self.results = [done.get(i) or interrupted(c)
                            for i, c in enumerate(cases)]
            raise
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _run_reported(self, case):
        if self.stopping.is_set():
            return interrupted(case)
        r = self.run_case(case)
        self.on_result(r)
        return r


def interrupted(case):
    return {"id": case.id, "file": case.file.rel, "suite": case.file.suite,
            "name": case.name, "where": case.where, "status": "interrupted",
            "time": 0.0, "message": "not run: interrupted", "details": "",
            "console": "", "log": [], "properties": {}, "artifacts": {}}


def fixture_levels(cases):
    """The fixtures CASES boot from (and theirs), in levels: each level's
    fixtures boot from fresh or from a fixture of an earlier level."""
    need = {}
    for c in cases:
        name = c.boot
        while name != "fresh":
            fx = c.file.fixtures[name]
            need[(c.file.path, name)] = fx
            name = fx.boot
    levels, placed = [], set()
    while len(placed) < len(need):
        level = [fx for k, fx in need.items() if k not in placed and
                 (fx.boot == "fresh" or (fx.file.path, fx.boot) in placed)]
        placed.update((fx.file.path, fx.name) for fx in level)
        levels.append(level)
    return levels


def safe_name(case_id):
    keep = "-_.+"
    return "".join(ch if ch.isalnum() or ch in keep else "_"
                   for ch in case_id).strip("_.")[:150]
