# Python binding (ctypes) of netcard's one vpcd client, tools/lib/vpcd.[ch]
# (vpcd.h has the framing and the contract) in the host library
# build/lib/libnetcard-host.so (hostlib.py finds it). Used by `netcard apdu`
# and the benchmarks, so that they and the C tests share one
# implementation of the framing.
#
#   link = Link(host, port, timeout_s, retry=False)
#   atr = link.transmit(bytes([GET_ATR]))
#   link.control(POWER_ON)
#   rapdu = link.transmit(capdu)
#
# Failures raise VpcdError (status, errno, stage, message), with the
# subclasses Timeout and Closed for the two a caller usually words itself;
# hostlib.LibraryError if the library is missing.
#
# SPDX-License-Identifier: Apache-2.0

import ctypes
import os

from . import hostlib
from .hostlib import LibraryError  # noqa: F401  (for callers)

MAX_PAYLOAD = 0xFFFF
POWER_OFF, POWER_ON, RESET, GET_ATR = 0x00, 0x01, 0x02, 0x04

# enum VpcdStatus and enum VpcdStage (vpcd.h)
OK, ERR_ARG, ERR_RESOLVE, ERR_SYS, ERR_TIMEOUT, ERR_CLOSED, ERR_TOO_LONG, \
    ERR_ABORTED, ERR_NOT_CONNECTED = range(9)
STAGE_NONE, STAGE_CONNECT, STAGE_SEND, STAGE_LENGTH, STAGE_BODY = range(5)


class VpcdError(Exception):
    """A failure reported by the library; str() is its one-line message."""

    def __init__(self, status, errno_, stage, message):
        super().__init__(message)
        self.status = status
        self.errno = errno_
        self.stage = stage
        if errno_:
            self.strerror = os.strerror(errno_)
        elif status == ERR_RESOLVE:     # "cannot resolve HOST: <reason>"
            self.strerror = message.rpartition(": ")[2]
        else:
            self.strerror = message


class Timeout(VpcdError):
    pass


class Closed(VpcdError):
    pass


def _ms(timeout_s):
    return -1 if timeout_s is None else max(0, int(timeout_s * 1000))


class Link:
    """One connection to a card's ISO 7816 host socket (vpcd framing)."""

    def __init__(self, host, port, timeout_s=30.0, retry=False):
        """Connect to HOST:PORT within TIMEOUT_S (None: no bound); with
        RETRY, keep trying while the connection is refused. TIMEOUT_S is
        also each later answer's bound."""
        self._link = None
        self.lib = lib = hostlib.load()
        self.where = f"{host}:{port}"
        self.timeout_ms = _ms(timeout_s)
        self._link = lib.vpcd_new()
        if not self._link:
            raise MemoryError("vpcd_new")
        self._buf = ctypes.create_string_buffer(MAX_PAYLOAD)
        if lib.vpcd_connect(self._link, host.encode(), port,
                            self.timeout_ms, 1 if retry else 0) < 0:
            err = self._error()
            self.close()
            raise err

    def _error(self):
        lib, link = self.lib, self._link
        status = lib.vpcd_status(link)
        cls = {ERR_TIMEOUT: Timeout, ERR_CLOSED: Closed}.get(status,
                                                              VpcdError)
        return cls(status, lib.vpcd_errno(link), lib.vpcd_stage(link),
                   (lib.vpcd_message(link) or b"").decode("utf-8",
                                                           "replace"))

    def send(self, payload):
        """One frame (PAYLOAD: bytes, at most 65535)."""
        if self.lib.vpcd_send(self._link, bytes(payload), len(payload)) < 0:
            raise self._error()

    def control(self, code):
        """A control frame: POWER_OFF, POWER_ON, RESET (not answered)."""
        if self.lib.vpcd_control(self._link, code) < 0:
            raise self._error()

    def recv(self, timeout_s=False):
        """One frame's payload (timeout: the link's unless given)."""
        ms = self.timeout_ms if timeout_s is False else _ms(timeout_s)
        n = self.lib.vpcd_recv(self._link, self._buf, MAX_PAYLOAD, ms)
        if n < 0:
            raise self._error()
        return ctypes.string_at(self._buf, n)

    def transmit(self, payload, timeout_s=False):
        """Send PAYLOAD and return the answer frame's payload."""
        ms = self.timeout_ms if timeout_s is False else _ms(timeout_s)
        payload = bytes(payload)
        n = self.lib.vpcd_transmit(self._link, payload, len(payload),
                                   self._buf, MAX_PAYLOAD, ms)
        if n < 0:
            raise self._error()
        return ctypes.string_at(self._buf, n)

    def atr(self):
        """Get ATR: the ATR, empty when no card is active."""
        return self.transmit(bytes([GET_ATR]))

    def close(self):
        if self._link:
            self.lib.vpcd_free(self._link)
            self._link = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
