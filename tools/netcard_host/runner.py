# `netcard test`: loads test files (testfile.py), picks this shard's
# cases, and runs every case on a card of its own, N at a time (-j), and
# reports (report.py). docs/testing-cards.md.
#
# Snapshot-fork (snapshot.py): no case boots. A card is booted once per
# (image, protocol, network) and saved powered with its ATR answered (the
# "fresh" snapshot); a fixture is started once from its boot state's
# snapshot, its steps run, the chip power-cycled (a cold reset: only
# what the steps wrote to NVM is kept, as on a personalised card) and
# saved once it answers again; with a network, the fresh snapshot is
# saved once the card has its address (DHCP). Every case starts QEMU
# from its boot state's snapshot (-incoming) with its own NVM copy and
# ports.
#
# Each case gets a result dict (the reports read nothing else):
#   id, file, suite, name, where, status (pass | fail | error |
#   interrupted), time (s), message, details, console, log (lines),
#   properties (name -> str: JUnit <properties>, TAP diagnostics),
#   artifacts (kept files)
# Hooks lets other parts add card.Card options to a case's card (the
# plugins' apdu_cost=, coverage=) and properties to a result, without
# touching the runner (casehooks.py: --cost-csv, --coverage).
#
# SPDX-License-Identifier: Apache-2.0

import concurrent.futures as cf
import os
import shutil
import tempfile
import threading
import time
import traceback

from . import execute, testfile
from .apdu_pcap import ApduPcap
from .card import CardError
from .execute import Context, StepFailed
from .snapshot import Snapshot
from .testcard import TestCard

PCAP_CLOCK_S = 0.001        # --deterministic: exchange N stamped N ms


class Hooks:
    """Extension points; subclass and pass to Runner(hooks=...)."""

    def qemu_options(self, case, workdir):
        """Extra card.Card keyword options for CASE's card (e.g.
        apdu_cost=CSV, coverage=RAW, extra=[QEMU arguments])."""
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
                 on_result=None, on_start=None, deterministic=False):
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
        self.deterministic = deterministic
        self.tmp = None
        self.snaps = {}         # key -> {"lock", "snap" | "error"}
        self.snaps_lock = threading.Lock()

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

    def snapshot(self, tf, boot, network):
        """The Snapshot a case of TF booting from BOOT (fresh or a
        fixture) starts from; made on first use, once (other threads
        wait for it). A failure is remembered: CardError each time."""
        image = self.image_for(tf)
        key = ("fresh", image, tf.protocol, network) if boot == "fresh" \
            else (tf.path, boot, network)
        with self.snaps_lock:
            entry = self.snaps.setdefault(key, {"lock": threading.Lock()})
        with entry["lock"]:
            if "error" in entry:
                raise CardError(entry["error"])
            if "snap" not in entry:
                try:
                    entry["snap"] = self._make_snapshot(tf, boot, network,
                                                        image)
                except CardError as e:
                    entry["error"] = str(e)
                    raise
                # the consoles of the card's history: the boot's, then
                # each fixture's (shown before a failed case's own)
                base = [] if boot == "fresh" else self.snaps[
                    (tf.path, tf.fixtures[boot].boot, network)
                    if tf.fixtures[boot].boot != "fresh" else
                    ("fresh", image, tf.protocol, network)]["consoles"]
                entry["consoles"] = base + [os.path.join(
                    entry["snap"].workdir, "boot", "console.log")]
            return entry["snap"]

    def _make_snapshot(self, tf, boot, network, image):
        workdir = tempfile.mkdtemp(prefix="snap-", dir=self.tmp)
        if boot == "fresh":
            # with a network, saved once the card has its address (cases
            # do not wait for the DHCP line in their own console)
            steps = (lambda card: card.console_wait(
                execute.NET_UP, execute.NET_UP_TIMEOUT_S),) if network \
                else ()
            try:
                return Snapshot.create(
                    *steps, workdir=workdir, card_class=TestCard,
                    qemu=self.qemu, image=image, net=network, protocol=tf.protocol,
                    deterministic=self.deterministic,
                    timeout_s=self.step_timeout)
            except CardError as e:
                raise CardError(f"booting {os.path.basename(image)}: {e}")
        fx = tf.fixtures[boot]
        base = self.snapshot(tf, fx.boot, network)
        seed = f"fixture {tf.rel} {boot}" if self.deterministic else None

        def personalise(card):
            Context(card, tf.vars, seed).run(fx.steps)
            # a cold reset of the chip (what a case booting from the
            # fixture's NVM would see), saved once it answers again
            card.qmp.execute("qom-set", path="/machine/soc/sysctl",
                             property="power-cycle", value=True)
            card.power_on()
        try:
            return Snapshot.create(personalise, workdir=workdir, base=base)
        except StepFailed as e:
            raise CardError(f"fixture '{boot}' failed: {e}\n{e.details}"
                            .rstrip())
        except CardError as e:
            raise CardError(f"fixture '{boot}' failed: {e}")

    def _card(self, snap, workdir, pcap, case):
        options = dict(self.hooks.qemu_options(case, workdir))
        options.update(pcap=pcap, pcap_clock=PCAP_CLOCK_S
                       if self.deterministic else None)
        for attempt in range(3):
            card = snap.start(workdir, wait=False, **options)
            with self.cards_lock:
                self.cards.add(card)
            if self.stopping.is_set():
                raise _Started(card, CardError("interrupted"))
            try:
                card.power_on()
                return card
            except CardError as e:
                if "in use" in card.tail() and attempt < 2:
                    card.stop()
                    self._release(card)
                    continue
                raise _Started(card, e)

    def _release(self, card):
        with self.cards_lock:
            self.cards.discard(card)

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
        card = None
        ctx = None
        history = []
        t0 = time.monotonic()
        try:
            snap = self.snapshot(tf, case.boot, case.network)
            history = self._history(tf, case.boot, case.network)
            t0 = time.monotonic()
            try:
                card = self._card(snap, workdir, pcap, case)
            except _Started as started:
                card = started.card
                raise started.error
            ctx = Context(card, tf.vars, case.id if self.deterministic
                          else None)
            ctx.net_up = case.network   # waited for in the snapshot
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
                    self._prepend_history(card.console, history)
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
        for name, what, src in (
                ("card.nvm", "nvm", self._nvm_of(workdir)),
                ("console.log", "console", os.path.join(workdir,
                                                        "console.log")),
                ("qemu.log", "qemu_log", os.path.join(workdir, "qemu.log"))):
            if src and os.path.exists(src):
                shutil.copyfile(src, os.path.join(dest, name))
                kept[what] = os.path.join(dest, name)
        return kept

    def _history(self, tf, boot, network):
        key = ("fresh", self.image_for(tf), tf.protocol, network) \
            if boot == "fresh" else (tf.path, boot, network)
        return self.snaps[key]["consoles"]

    @staticmethod
    def _prepend_history(console, history):
        """A failed case's console file gets the card's history first: the
        lines printed before its snapshot was saved (the boot, fixtures)."""
        try:
            with open(console, "rb") as f:
                own = f.read()
            with open(console, "wb") as f:
                for path in history:
                    with open(path, "rb") as h:
                        f.write(h.read())
                    f.write(b"-- netcard test: saved here, restored for "
                            b"this case --\n")
                f.write(own)
        except OSError:
            pass

    @staticmethod
    def _nvm_of(workdir):
        for name in ("fixture.nvm", "fixture.qcow2", "card.nvm"):
            if os.path.exists(os.path.join(workdir, name)):
                return os.path.join(workdir, name)
        return None

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


class _Started(Exception):
    """A card started but not ready: stopped by run_case's cleanup."""

    def __init__(self, card, error):
        super().__init__(str(error))
        self.card, self.error = card, error


def safe_name(case_id):
    keep = "-_.+"
    return "".join(ch if ch.isalnum() or ch in keep else "_"
                   for ch in case_id).strip("_.")[:150]
