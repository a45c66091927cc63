# One running card for programs: QEMU started from the one command-line
# builder (qemu_cmdline.py) with its own free ports, NVM file, console file
# and QMP socket in a work folder; the vpcd link (vpcd.py) and QMP (qmp.py)
# to it. The test runner, snapshots (snapshot.py), `netcard run
# --instances` and the benchmarks start cards through here.
#
#   card = Card(workdir="/tmp/c1", deterministic=True,
#               apdu_cost="/tmp/c1/cost.csv").start()
#   card.wait_ready()                  # ISO 7816 answers: ATR known
#   card.transmit(bytes.fromhex("00A4040000"))   -> R-APDU bytes
#   card.stop()                        # QMP quit: the plugins write files
#
# QEMU dies with the thread that started it (PR_SET_PDEATHSIG, SIGKILL):
# a launcher or runner killed outright (SIGKILL, OOM) leaves no card
# behind. Start cards from a thread that outlives them (the runner's
# workers do).
#
# SPDX-License-Identifier: Apache-2.0

import os
import socket
import shutil
import subprocess
import tempfile
import threading
import time

from . import children, cost, coverage, hostlib, qemu_cmdline, vpcd
from .qmp import Qmp, QmpError

CARD_HTTP_PORT = 80
CARD_HTTPS_PORT = 4116
NVM_SIZE = 2 * 1024 * 1024      # the machine's default nvm-size
class CardError(Exception):
    """A card did not start or answer: one line, with its log's tail."""


def build_dir():
    """BUILD: this package is BUILD/lib/python/netcard_host when
    installed, SRCDIR/tools/netcard_host in the source tree."""
    here = os.path.dirname(os.path.abspath(__file__))
    up2 = os.path.dirname(os.path.dirname(here))
    if os.path.basename(os.path.dirname(here)) == "python":
        return os.path.dirname(up2)
    return os.path.join(os.path.dirname(os.path.dirname(here)), "build")


_ports_lock = threading.Lock()
_ports_given = set()


def free_port():
    """A free loopback TCP port (bound, released), never the same twice in
    this process (cards started at once do not race for one)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with _ports_lock:
            if port not in _ports_given:
                _ports_given.add(port)
                return port


def erased_nvm(path, size=NVM_SIZE):
    with open(path, "wb") as f:
        f.write(b"\xff" * size)


class Card:
    """One card in QEMU. Keyword options: image (ELF; default the product
    image), qemu, nvm (raw image path; default WORKDIR/card.nvm, created
    erased), net (True: libslirp with HTTP and HTTPS forwarded to free
    ports), deterministic, seed, apdu_cost (CSV path), coverage (raw
    path), globals_ (["DRIVER.PROP=VALUE"]), extra (more QEMU arguments),
    name. http_ports maps the forwarded guest ports (GUEST_PORTS) to
    their host ports."""

    GUEST_PORTS = (CARD_HTTP_PORT, CARD_HTTPS_PORT)

    def __init__(self, workdir, *, build=None, image=None, qemu=None,
                 nvm=None, net=True, deterministic=False, seed=None,
                 apdu_cost=None, coverage=None, globals_=(), extra=(),
                 name="card"):
        self.build = build or build_dir()
        if not os.path.isfile(os.path.join(hostlib._default_libdir(),
                                           hostlib.LIBNAME)):
            hostlib.use(os.path.join(self.build, "lib"))   # source tree
        self.workdir = os.path.abspath(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.image = os.path.abspath(image or os.path.join(
            self.build, "cardos", "cardos.elf"))
        self.qemu = qemu or os.environ.get("NETCARD_QEMU") or os.path.join(
            self.build, "qemu", "qemu-system-arm")
        self.nvm = os.path.abspath(nvm or os.path.join(self.workdir,
                                                       "card.nvm"))
        self.net = net
        self.deterministic = deterministic
        self.seed = seed
        self.apdu_cost = apdu_cost
        self.coverage = coverage
        self.globals_ = list(globals_)
        self.extra = list(extra)
        self.name = name
        self.console = os.path.join(self.workdir, "console.log")
        self.log = os.path.join(self.workdir, "qemu.log")
        self.qmp_path = os.path.join(self.workdir, "qmp.sock")
        self._sockdir = None
        if len(os.fsencode(self.qmp_path)) > 100:   # sun_path: 108 bytes
            self._sockdir = tempfile.mkdtemp(prefix="ncqmp-", dir="/tmp")
            self.qmp_path = os.path.join(self._sockdir, "qmp.sock")
        self.iso_port = free_port()
        self.http_ports = {g: free_port() for g in self.GUEST_PORTS} \
            if net else {}
        self.http_port = self.http_ports.get(CARD_HTTP_PORT)
        self.https_port = self.http_ports.get(CARD_HTTPS_PORT)
        self.proc = None
        self._link = None
        self._qmp = None
        self.started_at = None

    def argv(self):
        plugins = []
        if self.apdu_cost:
            plugins.append(cost.plugin_spec(self.image, self.apdu_cost,
                                            self.build))
        if self.coverage:
            plugins.append(coverage.plugin_spec(self.coverage, self.build))
        net = dict(net="none")
        if self.net:
            net = dict(net="user", hostfwd=tuple(
                (h, g) for g, h in self.http_ports.items()))
        return qemu_cmdline.qemu_argv(
            self.qemu, image=self.image, nvm=self.nvm,
            console=f"file:{self.console}",
            iso=("listen", "127.0.0.1", self.iso_port),
            qmp=("listen", self.qmp_path), seed=self.seed,
            deterministic=self.deterministic, plugin=plugins,
            globals_=self.globals_, extra=self.extra, **net)

    def start(self):
        if not os.path.exists(self.nvm):
            erased_nvm(self.nvm)
        for stale in (self.qmp_path, self.console):
            if os.path.exists(stale):
                os.unlink(stale)
        argv = self.argv()
        self.started_at = time.monotonic()
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log,
                                         start_new_session=True,
                                         preexec_fn=children.die_with_parent())
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def tail(self, n=800):
        out = []
        for path in (self.log, self.console):
            try:
                with open(path, "rb") as f:
                    f.seek(0, 2)
                    f.seek(max(0, f.tell() - n))
                    text = f.read().decode("utf-8", "replace").strip()
                if text:
                    out.append(f"{os.path.basename(path)}: ...{text}")
            except OSError:
                pass
        return "\n".join(out)

    def _fail(self, what):
        state = "running" if self.alive() else \
            f"exited {self.proc.returncode if self.proc else '?'}"
        return CardError(f"{self.name}: {what} (QEMU {state})\n{self.tail()}")

    @property
    def qmp(self):
        if self._qmp is None:
            try:
                self._qmp = Qmp(self.qmp_path, alive=self.alive)
            except QmpError as e:
                raise self._fail(str(e))
        return self._qmp

    def link(self, timeout_s=30.0):
        """The vpcd link to the card (connected once, retrying while QEMU
        starts)."""
        if self._link is None:
            try:
                self._link = vpcd.Link("127.0.0.1", self.iso_port, timeout_s,
                                       retry=True)
            except vpcd.VpcdError as e:
                raise self._fail(f"ISO 7816 port {self.iso_port}: {e}")
        return self._link

    def wait_ready(self, timeout_s=30.0):
        """Until the card answers get-ATR with its ATR (powering it on if
        it reports none); returns the ATR."""
        deadline = time.monotonic() + timeout_s
        link = self.link(timeout_s)
        while True:
            try:
                atr = link.atr()
                if not atr:
                    link.control(vpcd.POWER_ON)
                    atr = link.atr()
            except vpcd.VpcdError as e:
                raise self._fail(f"get ATR: {e}")
            if atr:
                return atr
            if time.monotonic() > deadline or not self.alive():
                raise self._fail("no ATR")
            time.sleep(0.01)

    def transmit(self, apdu):
        if isinstance(apdu, str):
            apdu = bytes.fromhex("".join(apdu.split()))
        try:
            return self.link().transmit(apdu)
        except vpcd.VpcdError as e:
            raise self._fail(f"APDU {apdu.hex().upper()}: {e}")

    def disconnect(self):
        if self._link is not None:
            self._link.close()
            self._link = None

    def stop(self, timeout_s=20.0):
        """QMP quit (the plugins write their files at exit), else SIGTERM,
        else SIGKILL. Returns QEMU's exit status."""
        self.disconnect()
        if self.alive():
            try:
                self.qmp.execute("quit")
            except (QmpError, CardError):
                self.proc.terminate()
        if self._qmp is not None:
            self._qmp.close()
            self._qmp = None
        status = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            status = self.proc.returncode
        if self._sockdir:
            shutil.rmtree(self._sockdir, ignore_errors=True)
        return status

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
