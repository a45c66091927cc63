# `netcard run --apdu-pcap FILE`: the launcher puts itself in the card's
# ISO 7816 path. QEMU listens on a private loopback port; this relay,
# forked by the launcher before it becomes QEMU, takes the host side's
# frames (a vpcd client connecting to the port `--iso` names, or pcscd's
# vpcd that it connects to with `--pcsc`), passes each to the card
# through the one vpcd client (vpcd.py) and writes every command with
# its response to FILE (apdu_pcap.py: GSMTAP, Wireshark's GSM SIM).
# Control frames (power, reset) pass without being captured; get ATR is
# passed and answered but not captured either.
#
# The host-facing side reads requests and writes answers, the card's half
# of vpcd framing (2-byte big-endian length, payload), which the client
# library does not offer. The relay dies with the launcher's QEMU
# (PR_SET_PDEATHSIG), and a capture is complete after every exchange.
#
# SPDX-License-Identifier: Apache-2.0

import os
import signal
import socket
import struct
import sys
import time

from . import children, vpcd
from .apdu_pcap import ApduPcap



def _recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def read_frame(sock):
    head = _recv_exact(sock, 2)
    if head is None:
        return None
    (n,) = struct.unpack("!H", head)
    return _recv_exact(sock, n) if n else b""


def write_frame(sock, payload):
    sock.sendall(struct.pack("!H", len(payload)) + payload)


def relay_session(host_sock, card_port, pcap, say):
    """Frames of one host connection, until it closes."""
    link = vpcd.Link("127.0.0.1", card_port, 30.0, retry=True)
    link.timeout_ms = -1            # the card answers when it answers
    try:
        while True:
            frame = read_frame(host_sock)
            if frame is None:
                return
            if len(frame) == 1 and frame[0] in (vpcd.POWER_OFF,
                                                vpcd.POWER_ON, vpcd.RESET):
                link.control(frame[0])
                continue
            answer = link.transmit(frame)
            write_frame(host_sock, answer)
            if len(frame) > 1:
                pcap.exchange(frame, answer)
    except (OSError, vpcd.VpcdError) as e:
        say(f"APDU relay: {e}")
    finally:
        link.close()


def serve(upstream, card_port, pcap_path, listener=None):
    """UPSTREAM: ("listen", LISTENER socket) or ("connect", HOST, PORT)."""
    say = lambda text: print(f"netcard: {text}", file=sys.stderr)
    pcap = ApduPcap(pcap_path)

    def bye(*_):
        pcap.close()
        os._exit(0)

    signal.signal(signal.SIGTERM, bye)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        while True:
            if upstream[0] == "listen":
                conn, _ = listener.accept()
            else:
                conn = socket.socket()
                try:
                    conn.connect(upstream[1:])
                except OSError:
                    conn.close()
                    time.sleep(0.5)
                    continue
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            relay_session(conn, card_port, pcap, say)
            conn.close()
    finally:
        pcap.close()


def fork_relay(upstream, card_port, pcap_path):
    """Fork the relay; the parent goes on (to exec QEMU). For "listen"
    the socket is bound here, before QEMU starts."""
    listener = None
    if upstream[0] == "listen":
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(upstream[1:])
        listener.listen(4)
    ApduPcap(pcap_path).close()     # the file exists (empty) from now on
    pid = children.fork_helper("APDU relay", serve, upstream, card_port,
                               pcap_path, listener)
    if listener:
        listener.close()
    return pid
