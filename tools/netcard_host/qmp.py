# A minimal QMP client (QEMU Machine Protocol, JSON over a unix socket)
# for `netcard test`'s fault steps: the greeting, qmp_capabilities, then
# commands answered in order; events are kept aside.
#
#   q = Qmp(path, timeout_s); q.execute("qom-get", {...}) -> the return
#
# QmpError: QEMU's error answer (class and description), or the socket.
#
# SPDX-License-Identifier: Apache-2.0

import json
import socket
import time


class QmpError(Exception):
    pass


class Qmp:
    def __init__(self, path, timeout_s=10.0, alive=None):
        """Connect to PATH, retrying until it listens (QEMU starting) for
        TIMEOUT_S while ALIVE() (if given) says QEMU still runs."""
        deadline = time.monotonic() + timeout_s
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                break
            except OSError as e:
                s.close()
                if time.monotonic() > deadline or \
                        (alive is not None and not alive()):
                    raise QmpError(f"cannot connect to QMP {path}: "
                                   f"{e.strerror}")
                time.sleep(0.01)
        s.settimeout(timeout_s)
        self.sock = s
        self.buf = b""
        self.events = []
        self._read()                    # greeting
        self.execute("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            try:
                chunk = self.sock.recv(65536)
            except OSError as e:
                raise QmpError(f"QMP: {e}")
            if not chunk:
                raise QmpError("QMP: QEMU closed the connection")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return json.loads(line)

    def execute(self, command, arguments=None):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        try:
            self.sock.sendall(json.dumps(msg).encode() + b"\n")
        except OSError as e:
            raise QmpError(f"QMP: {e}")
        while True:
            r = self._read()
            if "event" in r:
                self.events.append(r)
                continue
            if "error" in r:
                e = r["error"]
                raise QmpError(f"{command}: {e.get('class')}: "
                               f"{e.get('desc')}")
            return r.get("return")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
