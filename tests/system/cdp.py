# A headless Chromium driven through its DevTools protocol
# (https://chromedevtools.github.io/devtools-protocol/) over a WebSocket
# (RFC 6455), with the Python standard library only: for the web
# application tests (tests/system/webapps_browser.py).
#
# SPDX-License-Identifier: Apache-2.0

import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request


class CdpError(Exception):
    pass


class WebSocket:
    """A client WebSocket: text frames out (masked, RFC 6455 5.3), whole
    messages in."""

    def __init__(self, url, timeout):
        assert url.startswith("ws://")
        hostport, _, path = url[5:].partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: %s\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n"
                           % (path, hostport, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            d = self.sock.recv(1)
            if not d:
                raise CdpError("the WebSocket handshake was cut")
            head += d
        if not head.startswith(b"HTTP/1.1 101"):
            raise CdpError("WebSocket refused: %r" % head[:80])

    def _exact(self, n):
        b = b""
        while len(b) < n:
            d = self.sock.recv(n - len(b))
            if not d:
                raise CdpError("the browser closed its WebSocket")
            b += d
        return b

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        head = bytes([0x81])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(head + mask + body)

    def recv(self):
        msg = b""
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            if b1 & 0x80:
                mask = self._exact(4)
                data = bytes(b ^ mask[i % 4] for i, b in
                             enumerate(self._exact(n)))
            else:
                data = self._exact(n)
            op = b0 & 0x0F
            if op == 0x8:
                raise CdpError("the browser closed its WebSocket")
            if op in (0x9, 0xA):
                continue                # ping / pong
            msg += data
            if b0 & 0x80:
                return msg.decode()

    def close(self):
        self.sock.close()


class Browser:
    """chromium --headless with one page; call(), events through
    on_event."""

    def __init__(self, timeout=30.0):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if exe is None:
            raise CdpError("chromium is missing: apt-get install chromium")
        self.dir = tempfile.mkdtemp(prefix="netcard-chromium.")
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking",
             "--remote-debugging-port=0", "--user-data-dir=" + self.dir,
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        port_file = os.path.join(self.dir, "DevToolsActivePort")
        deadline = time.monotonic() + timeout
        while not os.path.exists(port_file) or \
                not open(port_file).read().strip():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise CdpError("chromium did not start")
            time.sleep(0.1)
        port = int(open(port_file).read().split()[0])
        pages = []
        while not pages:
            with urllib.request.urlopen("http://127.0.0.1:%d/json/list" %
                                        port, timeout=timeout) as r:
                pages = [t for t in json.load(r) if t["type"] == "page"]
            if time.monotonic() > deadline:
                raise CdpError("chromium has no page")
        self.ws = WebSocket(pages[0]["webSocketDebuggerUrl"], timeout)
        self.next_id = 0
        self.on_event = None
        self.results = {}       # answers read by a nested call()

    def call(self, method, **params):
        """METHOD's result. Events that arrive meanwhile go to on_event,
        which may call() too (its answers are kept for the caller)."""
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method,
                                 "params": params}))
        while mid not in self.results:
            m = json.loads(self.ws.recv())
            if "id" in m:
                self.results[m["id"]] = m
            elif "method" in m and self.on_event:
                self.on_event(m["method"], m.get("params", {}))
        m = self.results.pop(mid)
        if "error" in m:
            raise CdpError("%s: %s" % (method, m["error"]))
        return m.get("result", {})

    def http_auth(self, answer):
        """Answer HTTP authentication challenges (Fetch domain):
        ANSWER(challenge) gives (user, password), or None to cancel."""
        def on_event(name, p):
            if name == "Fetch.requestPaused":
                self.call("Fetch.continueRequest", requestId=p["requestId"])
            elif name == "Fetch.authRequired":
                cred = answer(p["authChallenge"])
                r = ({"response": "CancelAuth"} if cred is None else
                     {"response": "ProvideCredentials", "username": cred[0],
                      "password": cred[1]})
                self.call("Fetch.continueWithAuth",
                          requestId=p["requestId"], authChallengeResponse=r)
        self.on_event = on_event
        self.call("Fetch.enable", handleAuthRequests=True,
                  patterns=[{"urlPattern": "*"}])

    def pump(self, seconds):
        """Serve events for SECONDS (a no-op call every 100 ms)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.call("Runtime.evaluate", expression="0")
            time.sleep(0.1)

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr,
                      returnByValue=True)
        if "exceptionDetails" in r:
            raise CdpError("%s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def close(self):
        """Chromium and its helper processes (its own session), then its
        profile."""
        if getattr(self, "ws", None):
            self.ws.close()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(10)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        time.sleep(0.2)         # helpers leaving the group last
        shutil.rmtree(self.dir, ignore_errors=True)
