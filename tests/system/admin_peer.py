#!/usr/bin/env python3
# A small Amendment B server for tests/system/test_admin.c that is not
# netcard-ras: `openssl s_server -psk ... -nocert -tls1_2 -quiet
# -naccept 1` is the TLS front (an independent PSK-TLS peer for the
# card's client), this script the HTTP behind it, one s_server process per
# TCP connection (a new one listens again when a connection ends). It
# serves the scripts it is given, one per POST, then 204, and can
# misbehave on its first connection (hold: never answer; cut: close in
# the middle of a chunk; big: a script of N bytes). Every request the
# card sends is logged as a JSON line (conn, method, path, headers with
# lower-case names, body in hex, chunked), so the test asserts what the
# card really sent.
#
#   admin_peer.py --port P --psk HEX --log FILE [--script HEX]...
#       [--target //aid/RID/PIX] [--chunked] [--hold-first] [--cut-first]
#       [--big N] [--cipher LIST] [--msg PREFIX]
#
# SPDX-License-Identifier: Apache-2.0

import argparse
import json
import os
import signal
import subprocess
import sys
import time

CT = "application/vnd.globalplatform.card-content-mgt;version=1.0"


def listening(port):
    """True once a socket listens on PORT (/proc/net/tcp, state 0A)."""
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if cols[3] == "0A" and \
                            int(cols[1].rsplit(":", 1)[1], 16) == port:
                        return True
        except OSError:
            pass
    return False


class Conn:
    def __init__(self, args, conn_no):
        self.proc = subprocess.Popen(
            ["openssl", "s_server", "-accept", f"127.0.0.1:{args.port}",
             "-psk", args.psk, "-psk_identity", args.identity, "-nocert",
             "-tls1_2", "-cipher", args.cipher, "-quiet",
             "-naccept", "1"] +
            (["-msg", "-msgfile", f"{args.msg}.{conn_no}"] if args.msg
             else []),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self.buf = b""

    def _more(self):
        d = os.read(self.proc.stdout.fileno(), 65536)
        if not d:
            raise EOFError
        self.buf += d

    def _line(self):
        while b"\r\n" not in self.buf:
            self._more()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _take(self, n):
        while len(self.buf) < n:
            self._more()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def request(self):
        """One HTTP request: (method, path, headers, body, chunked)."""
        method, path, _ = self._line().decode().split(" ", 2)
        headers = {}
        while True:
            line = self._line()
            if not line:
                break
            k, _, v = line.decode().partition(":")
            headers[k.strip().lower()] = v.strip()
        body = b""
        chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        if chunked:
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    self._line()
                    break
                body += self._take(size)
                self._line()
        else:
            body = self._take(int(headers.get("content-length", "0")))
        return method, path, headers, body, chunked

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait()


def response(status, headers, body, chunked):
    head = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'No Content'}"]
    head += [f"{k}: {v}" for k, v in headers]
    if status == 200:
        if chunked:
            head.append("Transfer-Encoding: chunked")
            parts = [body[i:i + 7] for i in range(0, len(body), 7)]
            body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) \
                + b"0\r\n\r\n"
        else:
            head.append(f"Content-Length: {len(body)}")
    else:
        head.append("Connection: close")
        body = b""
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def big_script(n):
    """AA with a 3-byte BER length and N-5 zero bytes of content."""
    return bytes([0xAA, 0x83]) + (n - 5).to_bytes(3, "big") + bytes(n - 5)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--psk", required=True)
    ap.add_argument("--identity", default="netcard-admin")
    ap.add_argument("--log", required=True)
    ap.add_argument("--script", action="append", default=[])
    ap.add_argument("--target")
    ap.add_argument("--chunked", action="store_true")
    ap.add_argument("--hold-first", action="store_true")
    ap.add_argument("--cut-first", action="store_true")
    ap.add_argument("--big", type=int, default=0)
    # s_server's cipher list, and its -msg trace (one file per connection:
    # MSG.1, MSG.2, ...)
    ap.add_argument("--cipher",
                    default="PSK-AES128-GCM-SHA256:PSK-AES128-CBC-SHA256")
    ap.add_argument("--msg")
    args = ap.parse_args()
    scripts = [bytes.fromhex(s) for s in args.script]
    if args.big:
        scripts.insert(0, big_script(args.big))
    log = open(args.log, "a", buffering=1)
    served = 0
    conn_no = 0
    while True:
        conn_no += 1
        c = Conn(args, conn_no)
        while not listening(args.port) and c.proc.poll() is None:
            time.sleep(0.02)
        if c.proc.poll() is not None:
            sys.exit(f"admin_peer: openssl s_server exited {c.proc.returncode}")
        print(f"admin_peer: listening conn={conn_no}", flush=True)
        try:
            while True:
                method, path, headers, body, chunked = c.request()
                log.write(json.dumps({
                    "conn": conn_no, "method": method, "path": path,
                    "headers": headers, "body": body.hex().upper(),
                    "chunked": chunked}) + "\n")
                if conn_no == 1 and args.hold_first:
                    while True:         # never answer; the card gives up
                        c._more()
                if served < len(scripts):
                    hdr = [("X-Admin-Protocol",
                            "globalplatform-remote-admin/1.0"),
                           ("Content-Type", CT),
                           ("X-Admin-Next-URI", f"/peer/next/{served + 1}")]
                    if args.target:
                        hdr.append(("X-Admin-Targeted-Application",
                                    args.target))
                    r = response(200, hdr, scripts[served], args.chunked)
                    if conn_no == 1 and args.cut_first:
                        # the head and part of the first chunk, then close
                        cut = r.index(b"\r\n\r\n") + 4 + 6
                        c.send(r[:cut])
                        time.sleep(0.5)
                        break
                    served += 1
                    c.send(r)
                else:
                    c.send(response(204, [("X-Admin-Protocol",
                               "globalplatform-remote-admin/1.0")], b"",
                               False))
        except (EOFError, BrokenPipeError):
            pass
        c.close()


if __name__ == "__main__":
    main()
