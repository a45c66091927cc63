# The shared pieces of the `netcard` commands (tools/netcard.py, the
# entry point; one module a command family: runcmd, gdbcmd, apducmd,
# persocmd, gpcmd, rascmd, testcmd, coverage): the build's paths and
# defaults, one-line usage errors, argument types, the host library's
# refusals as usage errors.
#
# SPDX-License-Identifier: Apache-2.0

import argparse
import errno
import os

from . import hostlib, qemu_cmdline
from .card import build_dir

PROG = "netcard"
BUILD = build_dir()
SRCDIR = os.path.dirname(BUILD)
DEFAULT_QEMU = os.path.join(BUILD, "qemu", "qemu-system-arm")
DEFAULT_IMAGE = os.path.join(BUILD, "cardos", "cardos.elf")
DEFAULT_NVM = "card.nvm"
DEFAULT_GDB_PORT = 1234
DEFAULT_ISO_HOST = "127.0.0.1"
DEFAULT_ISO_PORT = 35963        # vsmartcard's vpcd port
DEFAULT_HTTP_PORT = 8080        # -> card port 80 (web server)
DEFAULT_HTTPS_PORT = 8443       # -> card port 4116 (HTTPS, TLS-PSK)
CARD_HTTP_PORT = 80
CARD_HTTPS_PORT = 4116
NET_HOST = qemu_cmdline.LOOPBACK
NVM_SIZE = 2 * 1024 * 1024      # NETCARD_NVM_SIZE_DEFAULT (netcard_memmap.h)
NVM_SIZE_MIN = 1024 * 1024      # NETCARD_NVM_SIZE_MIN
NVM_SIZE_MAX = 16 * 1024 * 1024  # NETCARD_NVM_SIZE_MAX
NVM_PAGE = 4096                 # NETCARD_NVM_PAGE_SIZE
NVM_ERASED = b"\xff"
GDB = "gdb-multiarch"


class UsageError(Exception):
    """A problem with the command line or the environment: one line."""


class Parser(argparse.ArgumentParser):
    # argparse prints the whole usage on errors; we print one line.
    def error(self, message):
        raise UsageError(f"{message} (see '{self.prog} --help')")


def version():
    try:
        with open(os.path.join(SRCDIR, "VERSION")) as f:
            return f.read().strip()
    except OSError:
        return "unknown"


def port_number(text):
    try:
        port = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number")
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range 1-65535")
    return port


def seed_number(text):
    try:
        seed = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed '{text}' is not an integer")
    if seed < 0:
        raise argparse.ArgumentTypeError(f"seed {seed} is negative")
    return seed


def iso_endpoint(text):
    """--iso tcp:HOST:PORT (the card listens there for a vpcd client)."""
    if text == "none":
        return None
    kind, _, rest = text.partition(":")
    host, _, port = rest.rpartition(":")
    if kind != "tcp" or not host or not port:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not tcp:HOST:PORT (or none)")
    return (host, port_number(port))


def check_port_free(port, what, host="127.0.0.1"):
    """Refuse to start when a port QEMU must listen on is taken."""
    import socket
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise UsageError(f"cannot resolve {host} ({what}): {e.strerror}")
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind(addr)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} on {host} is in use ({what})")
            raise UsageError(f"cannot listen on {host}:{port} ({what}): "
                             f"{e.strerror}")


def check_file(path, what, hint):
    if not os.path.isfile(path):
        raise UsageError(f"{what} {path} not found: {hint}")


def host_library(fn, *args, **kwargs):
    """FN of a binding of the host library; a missing library is a usage
    error (one line)."""
    try:
        return fn(*args, **kwargs)
    except hostlib.LibraryError as e:
        raise UsageError(f"host library: {e}")


def qemu_argv(qemu, **options):
    """qemu_cmdline.qemu_argv, its refusals as one-line usage errors."""
    try:
        return host_library(qemu_cmdline.qemu_argv, qemu, **options)
    except ValueError as e:
        raise UsageError(str(e))
