# netcard run --web-tls: a local TLS terminator for browsers
# (docs/webapps.md "HTTPS and browsers"). Browsers offer no TLS-PSK
# cipher suites, so they cannot talk to the card's HTTPS port (4116,
# forwarded to --https-port). This process, forked by the launcher before
# it becomes QEMU, listens on 127.0.0.1:PORT with an ordinary certificate
# (self-signed, made with `openssl req` at first use in the user's state
# directory) and carries each browser connection to the card's PSK port
# through `openssl s_client -psk` (Python's ssl module of Debian 12 has no
# PSK client), holding the PSK itself. It dies with QEMU
# (PR_SET_PDEATHSIG).
#
# SPDX-License-Identifier: Apache-2.0

import os
import shutil
import signal
import socket
import ssl
import subprocess
import threading

from . import children



def state_dir():
    """$XDG_STATE_HOME/netcard/web-tls (default ~/.local/state/...)."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "netcard", "web-tls")


def ensure_certificate(folder):
    """The terminator's key and self-signed certificate (for localhost and
    127.0.0.1), made once with `openssl req`; returns (cert, key)."""
    cert = os.path.join(folder, "cert.pem")
    key = os.path.join(folder, "key.pem")
    if os.path.isfile(cert) and os.path.isfile(key):
        return cert, key, False
    openssl = shutil.which("openssl")
    if not openssl:
        raise OSError("openssl is missing: apt-get install openssl")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    r = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:P-256", "-nodes", "-days", "825",
         "-subj", "/CN=netcard local web TLS",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", key, "-out", cert],
        stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if r.returncode != 0:
        raise OSError(f"openssl req failed: {r.stderr.strip()}")
    os.chmod(key, 0o600)
    return cert, key, True


def _pump(src_read, dst_write, done):
    try:
        while True:
            data = src_read(16384)
            if not data:
                break
            dst_write(data)
    except (OSError, ValueError):
        pass
    finally:
        done()


def carry(browser, card_port, identity, psk_hex):
    """One browser connection: its plaintext to and from the card's PSK
    port through openssl s_client."""
    proc = subprocess.Popen(
        [shutil.which("openssl") or "openssl", "s_client", "-quiet",
         "-connect", f"127.0.0.1:{card_port}", "-tls1_2",
         "-psk_identity", identity, "-psk", psk_hex,
         "-cipher", "PSK-AES128-GCM-SHA256"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, bufsize=0)

    def to_card(data):
        proc.stdin.write(data)
        proc.stdin.flush()

    def close_card():
        try:
            proc.stdin.close()
        except OSError:
            pass

    def close_browser():
        try:
            browser.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    up = threading.Thread(target=_pump, args=(browser.recv, to_card,
                                              close_card), daemon=True)
    up.start()
    _pump(proc.stdout.read, browser.sendall, close_browser)
    proc.wait()
    browser.close()


def serve(listener, ctx, card_port, identity, psk_hex):
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        conn, _ = listener.accept()

        def one(c=conn):
            try:
                tls = ctx.wrap_socket(c, server_side=True)
            except (OSError, ssl.SSLError):
                c.close()
                return
            carry(tls, card_port, identity, psk_hex)

        threading.Thread(target=one, daemon=True).start()


def fork_terminator(host, port, card_port, identity, psk_hex):
    """Bind 127.0.0.1:PORT now (before QEMU starts), fork the terminator,
    return (pid, certificate path, created)."""
    cert, key, created = ensure_certificate(state_dir())
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(16)
    pid = children.fork_helper("--web-tls", serve, listener, ctx, card_port,
                               identity, psk_hex)
    listener.close()
    return pid, cert, created
