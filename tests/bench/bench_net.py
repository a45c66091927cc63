# The benchmarks' HTTP and TLS clients and baselines (bench.py "network"
# and "tls" steps): a keep-alive load generator, pipelined requests over
# plain TCP and openssl s_client, TLS-PSK handshakes, the Python
# http.server baseline.
#
# SPDX-License-Identifier: Apache-2.0

import http.client
import os
import re
import select
import shutil
import socket
import statistics
import subprocess
import time


class BenchError(Exception):
    """A benchmark step could not run (bench.py reports it and goes on)."""


# ------------------------------------------------------------------ HTTP

BASELINE_SERVER = r"""
import http.server, socketserver, sys, os
os.chdir(sys.argv[2])
class H(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def log_message(self, *a):
        pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def proc_cpu_s(pid):
    """CPU seconds (user + system, all threads) used by process PID."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise BenchError("nothing listens on 127.0.0.1:%d" % port)


class HttpConn:
    """A keep-alive HTTP/1.1 client connection (Content-Length bodies)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def request(self, path):
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: bench\r\n\r\n"
                           % path).encode())
        while b"\r\n\r\n" not in self.buf:
            self.recv()
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v)
        if not head.startswith(b"HTTP/1.1 200"):
            raise BenchError("GET %s: %r" % (path, head[:40]))
        while len(rest) < length:
            rest += self.recv_chunk()
        self.buf = rest[length:]
        return rest[:length]

    def recv_chunk(self):
        d = self.sock.recv(262144)
        if not d:
            raise BenchError("connection closed by the server")
        return d

    def recv(self):
        self.buf += self.recv_chunk()

    def close(self):
        self.sock.close()


def http_get(port, path):
    c = HttpConn(port)
    try:
        return c.request(path)
    finally:
        c.close()


def keepalive_load(port, path, nconn, seconds):
    """NCONN keep-alive connections driven from one thread (select), one
    request in flight on each; returns the list of latencies (s)."""
    import selectors
    sel = selectors.DefaultSelector()
    conns = [HttpConn(port) for _ in range(nconn)]
    req = ("GET %s HTTP/1.1\r\nHost: bench\r\n\r\n" % path).encode()
    lat = []
    state = {}
    end = time.monotonic() + seconds
    for c in conns:
        c.sock.setblocking(False)
        sel.register(c.sock, selectors.EVENT_READ, c)
        c.sock.send(req)
        state[c] = time.monotonic()
    try:
        while time.monotonic() < end:
            for key, _ in sel.select(timeout=1.0):
                c = key.data
                d = c.sock.recv(65536)
                if not d:
                    raise BenchError("connection closed during the load")
                c.buf += d
                while b"\r\n\r\n" in c.buf:
                    head, _, rest = c.buf.partition(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n")[1:]:
                        k, _, v = line.partition(b":")
                        if k.strip().lower() == b"content-length":
                            length = int(v)
                    if len(rest) < length:
                        break
                    if not head.startswith(b"HTTP/1.1 200"):
                        raise BenchError("load: %r" % head[:40])
                    c.buf = rest[length:]
                    now = time.monotonic()
                    lat.append(now - state[c])
                    if now < end:
                        state[c] = now
                        c.sock.send(req)
    finally:
        for c in conns:
            c.close()
    return lat


def download_kib_s(port, path, count):
    c = HttpConn(port)
    try:
        c.request(path)                 # warm up
        t0 = time.monotonic()
        total = sum(len(c.request(path)) for _ in range(count))
        t1 = time.monotonic()
    finally:
        c.close()
    return total / 1024.0 / (t1 - t0)


TEST_PSK_IDENTITY = "netcard-test"          # docs/network.md
TEST_PSK_HEX = "000102030405060708090a0b0c0d0e0f"


def openssl():
    path = shutil.which("openssl")
    if not path:
        raise BenchError("openssl not found; install it with: apt-get "
                         "install openssl")
    return path


def s_client_argv(port, extra=()):
    return [openssl(), "s_client", "-connect", "127.0.0.1:%d" % port,
            "-tls1_2", "-psk_identity", TEST_PSK_IDENTITY, "-psk",
            TEST_PSK_HEX, "-cipher", "PSK-AES128-GCM-SHA256",
            "-no_ticket"] + list(extra)


def handshake_ms(build, port, n):
    """Median TLS 1.2 PSK handshake, connect() to handshake done, timed
    inside one client process (build/tests/tls-psk-handshake, host
    mbedTLS), so process start-up is not counted. The first handshake
    warms caches and is dropped."""
    tool = os.path.join(build, "tests", "tls-psk-handshake")
    if not os.path.exists(tool):
        raise BenchError("%s not found: build it with `make tests`" % tool)
    r = subprocess.run([tool, "127.0.0.1", str(port), TEST_PSK_IDENTITY,
                        TEST_PSK_HEX, str(n + 1)], capture_output=True,
                       text=True, timeout=120)
    if r.returncode != 0:
        raise BenchError("TLS-PSK handshakes with port %d failed: %s"
                         % (port, r.stderr.strip()))
    times = [float(x) for x in r.stdout.split()][1:]
    return statistics.median(times)


def count_responses(data):
    return data.count(b"HTTP/1.1 200 ")


def pipelined_req_per_s(reader_writer, n, path):
    """Send N keep-alive requests (pipelined) and time the N responses."""
    send, recv = reader_writer
    req = ("GET %s HTTP/1.1\r\nHost: bench\r\n\r\n" % path).encode()
    t0 = time.monotonic()
    send(req * n)
    data = b""
    while count_responses(data) < n:
        chunk = recv()
        if not chunk:
            raise BenchError("connection ended after %d of %d responses"
                             % (count_responses(data), n))
        data += chunk
    return n / (time.monotonic() - t0)


def https_req_per_s(port, n, path):
    # The card has 4 KiB TLS record buffers (docs/network.md): negotiate
    # max_fragment_length so pipelined requests fit its records.
    p = subprocess.Popen(s_client_argv(port, ["-quiet", "-ign_eof",
                                              "-maxfraglen", "4096"]),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    try:
        def send(b):
            p.stdin.write(b)
            p.stdin.flush()
        return pipelined_req_per_s(
            (send, lambda: os.read(p.stdout.fileno(), 65536)), n, path)
    finally:
        p.kill()
        p.wait()


def http_pipelined_req_per_s(port, n, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        return pipelined_req_per_s((s.sendall, lambda: s.recv(65536)), n,
                                   path)
    finally:
        s.close()


def http_put(port, path, body, content_type, repeat_to=None):
    """PUT BODY to the card's test-image content-store route; the status.
    REPEAT_TO: the resource is BODY repeated to that many bytes (the test
    image's X-Repeat-To, tests/cardos/test_web_admin.c)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    headers = {"Content-Type": content_type}
    if repeat_to:
        headers["X-Repeat-To"] = str(repeat_to)
    try:
        c.request("PUT", path, body=body, headers=headers)
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


def wrk_req_per_s(port, path, seconds):
    """wrk, 2 threads, 4 keep-alive connections: requests per second (and
    a BenchError if wrk saw socket errors or non-2xx answers)."""
    wrk = shutil.which("wrk")
    if not wrk:
        raise BenchError("wrk is missing: apt-get install wrk "
                         "(configure --install-deps)")
    out = subprocess.run(
        [wrk, "-t2", "-c4", "-d%ds" % max(1, int(seconds)),
         "http://127.0.0.1:%d%s" % (port, path)],
        capture_output=True, text=True, timeout=seconds + 30).stdout
    if "Socket errors" in out or "Non-2xx" in out:
        raise BenchError("wrk on %s saw errors:\n%s" % (path, out))
    m = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    if not m:
        raise BenchError("wrk printed no Requests/sec:\n%s" % out)
    return float(m.group(1))
