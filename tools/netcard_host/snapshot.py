# Snapshot-fork: boot and personalise a card once, save it, and start
# every test case from the saved state instead of a boot.
#
#   fixture = Snapshot.create("00A4040009F06E6574636172640100",
#                             lambda card: card.transmit(...),
#                             workdir="/tmp/fx", image=...)
#   card = fixture.start("/tmp/case1")    # a running Card, already powered
#   card.transmit(...); card.stop()
#
# Steps are hex C-APDUs (sent, their answers not checked) or callables
# given the Card. Saving (method "migrate", the default, measured the
# faster in `make bench`: docs/testing.md "Snapshots"):
#   1. QMP stop: the vCPU halts, the NVM file stops changing (every
#      program/erase is written through before the instruction completes);
#   2. the NVM file is copied to WORKDIR/fixture.nvm;
#   3. QMP migrate to file:WORKDIR/fixture.state (RAM and every device's
#      VMState, the libslirp state included); QEMU quits.
# A case copies fixture.nvm to its own NVM file and starts QEMU with
# -incoming file:fixture.state on its own ports: the saved NVM and the
# saved RAM/devices are of the same instant. QEMU loads the state paused
# (it was saved stopped) and QMP cont runs it. Method "savevm" keeps the
# NVM in qcow2 (savevm's internal snapshot holds RAM, devices and NVM);
# a case copies the qcow2 and starts with -loadvm.
#
# After a restore the ISO 7816 socket has no client: the case's first
# connection gets the card as it was (powered, its ATR answered to
# get-ATR), and slirp's forwards are the case's own ports.
#
# SPDX-License-Identifier: Apache-2.0

import os
import shutil
import subprocess
import time

from .card import Card, CardError, build_dir, erased_nvm

SNAPSHOT_NAME = "fixture"
METHODS = ("migrate", "savevm")


class Snapshot:
    def __init__(self, workdir, method, card_options, card_class=Card):
        self.workdir = workdir
        self.method = method
        self.card_options = card_options
        self.card_class = card_class
        self.nvm = os.path.join(workdir, "fixture.nvm" if method == "migrate"
                                else "fixture.qcow2")
        self.state = os.path.join(workdir, "fixture.state")
        self.cases = 0

    @classmethod
    def create(cls, *steps, workdir, method="migrate", base=None,
               card_class=Card, **card_options):
        """Boot a card (Card keyword options: image, deterministic, net,
        ...; CARD_CLASS a subclass of Card), run STEPS, save it. With
        BASE (a "migrate" Snapshot) the card starts from BASE instead of
        a boot, with BASE's options. Returns the Snapshot."""
        if method not in METHODS:
            raise ValueError(f"method {method!r} is not one of {METHODS}")
        workdir = os.path.abspath(workdir)
        os.makedirs(workdir, exist_ok=True)
        if base is not None:
            if method != "migrate" or base.method != "migrate":
                raise ValueError("a snapshot from a snapshot: method "
                                 "'migrate' only")
            card_options, card_class = base.card_options, base.card_class
        snap = cls(workdir, method, card_options, card_class)
        if base is not None:
            card = base.start(os.path.join(workdir, "boot"))
            return snap._save(card, steps, card.nvm)
        build = card_options.get("build") or build_dir()
        boot_nvm = os.path.join(workdir, "boot.nvm")
        erased_nvm(boot_nvm)
        if method == "savevm":
            qemu_img = os.path.join(build, "qemu", "qemu-img")
            r = subprocess.run([qemu_img, "convert", "-q", "-f", "raw", "-O",
                                "qcow2", boot_nvm, snap.nvm],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0:
                raise CardError(f"qemu-img convert: {r.stdout.strip()}")
            boot_nvm = snap.nvm
        card = card_class(os.path.join(workdir, "boot"), nvm=boot_nvm,
                          name="fixture", **card_options).start()
        snap._save(card, steps, boot_nvm)
        if method == "migrate":
            os.unlink(boot_nvm)
        return snap

    def _save(self, card, steps, boot_nvm):
        method, snap = self.method, self
        try:
            card.wait_ready()
            for step in steps:
                if callable(step):
                    step(card)
                else:
                    card.transmit(step)
            card.disconnect()
            if method == "savevm":
                out = card.qmp.hmp(f"savevm {SNAPSHOT_NAME}")
                if out.strip():
                    raise CardError(f"savevm: {out.strip()}")
            else:
                card.qmp.execute("stop")
                shutil.copyfile(boot_nvm, snap.nvm)
                card.qmp.execute("migrate", uri=f"file:{snap.state}")
                snap._wait_migration(card)
        finally:
            card.stop()
        return snap

    @staticmethod
    def _wait_migration(card, timeout_s=60.0):
        deadline = time.monotonic() + timeout_s
        while True:
            st = card.qmp.execute("query-migrate").get("status")
            if st == "completed":
                return
            if st in ("failed", "cancelled") or time.monotonic() > deadline:
                raise CardError(f"migration to the snapshot: {st}")
            time.sleep(0.005)

    def start(self, workdir=None, wait=True, **overrides):
        """A new card running from the snapshot, in WORKDIR (default
        WORKDIR/case-N of the snapshot), with its own ports and NVM copy.
        OVERRIDES replace Card options given to create() (e.g. apdu_cost,
        coverage for this case)."""
        self.cases += 1
        workdir = os.path.abspath(workdir or os.path.join(
            self.workdir, f"case-{self.cases}"))
        os.makedirs(workdir, exist_ok=True)
        nvm = os.path.join(workdir, os.path.basename(self.nvm))
        shutil.copyfile(self.nvm, nvm)
        options = dict(self.card_options)
        options.update(overrides)
        extra = list(options.pop("extra", ()))
        if self.method == "migrate":
            extra += ["-incoming", f"file:{self.state}"]
        else:
            extra += ["-loadvm", SNAPSHOT_NAME]
        card = self.card_class(workdir, nvm=nvm, extra=extra,
                               name=f"case-{self.cases}", **options).start()
        try:
            if self.method == "migrate":
                self._resume(card)
            if wait:
                card.wait_ready()
        except BaseException:
            card.stop()
            raise
        return card

    @staticmethod
    def _resume(card, timeout_s=60.0):
        """The state was saved with the vCPU stopped, so QEMU stays paused
        once it is loaded: continue it then."""
        deadline = time.monotonic() + timeout_s
        while True:
            st = card.qmp.execute("query-status")["status"]
            if st == "running":
                return
            if st in ("paused", "postmigrate"):
                card.qmp.execute("cont")
                return
            if st != "inmigrate" or time.monotonic() > deadline:
                raise CardError(f"{card.name}: restoring the snapshot: "
                                f"QEMU is {st}")
            time.sleep(0.002)
