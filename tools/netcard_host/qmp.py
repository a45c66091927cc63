# A small QMP client (QEMU Machine Protocol over a unix socket), for the
# cards card.py starts: quit, savevm-style commands through the human
# monitor, migration, qom-set for fault injection.
#
#   q = Qmp(path, timeout_s=30)        # connects (retrying), negotiates
#   q.execute("qom-get", path="/machine/soc/sysctl", property="reset-cause")
#   q.hmp("savevm fixture")            # human-monitor-command; its text
#   q.wait_event("STOP")
#
# Errors raise QmpError (a QMP "error" answer, or the socket failing).
#
# SPDX-License-Identifier: Apache-2.0

import json
import socket
import time


class QmpError(Exception):
    pass


class Qmp:
    def __init__(self, path, timeout_s=30.0, alive=None):
        """Connect to QEMU's QMP server at PATH within TIMEOUT_S; ALIVE
        (a callable) stops the retries early when it returns False."""
        deadline = time.monotonic() + timeout_s
        self.timeout_s = timeout_s
        self.events = []
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                break
            except OSError as e:
                s.close()
                if time.monotonic() > deadline or (alive and not alive()):
                    raise QmpError(f"cannot connect to QMP {path}: "
                                   f"{e.strerror}")
                time.sleep(0.005)
        self.sock = s
        self.file = s.makefile("rwb", buffering=0)
        s.settimeout(timeout_s)
        self._read()                       # greeting
        self.execute("qmp_capabilities")

    def _read(self):
        try:
            line = self.file.readline()
        except OSError as e:
            raise QmpError(f"QMP: {e}")
        if not line:
            raise QmpError("QMP: QEMU closed the connection")
        return json.loads(line)

    def execute(self, command, **arguments):
        """Run COMMAND; its "return" value."""
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        try:
            self.file.write(json.dumps(msg).encode() + b"\n")
        except OSError as e:
            raise QmpError(f"QMP {command}: {e}")
        while True:
            r = self._read()
            if "event" in r:
                self.events.append(r)
            elif "error" in r:
                raise QmpError(f"QMP {command}: {r['error'].get('desc')}")
            elif "return" in r:
                return r["return"]

    def hmp(self, command_line):
        """A human monitor command (savevm, loadvm, ...); its output."""
        return self.execute("human-monitor-command",
                            **{"command-line": command_line})

    def wait_event(self, name, timeout_s=None):
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        while True:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    return self.events.pop(i)
            if time.monotonic() > deadline:
                raise QmpError(f"QMP: no {name} event")
            self.events.append(self._read())

    def close(self):
        try:
            self.file.close()
            self.sock.close()
        except OSError:
            pass
