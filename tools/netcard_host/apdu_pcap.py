# APDU captures that Wireshark and tshark decode as GSM SIM / ISO 7816-4:
# classic pcap (link type 228, raw IPv4), each exchange one UDP datagram
# 127.0.0.1:4729 -> 127.0.0.1:4729 carrying a GSMTAP header (version 2,
# type 4 = SIM, sub-type 0 = APDU) and the exchange as osmocom's SIMtrace
# sends it: the command header, P3 and the command data, then the
# response data and SW1 SW2. The Le of a case 4 command is dropped there
# (T=0 sends none; Wireshark's GSM SIM dissector reads P3 as the command
# data's length and the rest as the response). Power and reset events are
# not APDUs and are not written.
#
#   w = ApduPcap(path); w.exchange(capdu, rapdu); w.close()
#
# Used by `netcard test --pcap-dir` (the runner records what it sends
# through the vpcd client) and `netcard run --apdu-pcap` (apdu_relay.py).
#
# SPDX-License-Identifier: Apache-2.0

import struct
import threading
import time

LINKTYPE_IPV4 = 228
GSMTAP_PORT = 4729
GSMTAP_TYPE_SIM = 4
GSMTAP_SIM_APDU = 0


def _ip_checksum(h):
    s = sum(struct.unpack("!10H", h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def simtrace_payload(capdu, rapdu):
    """COMMAND + RESPONSE as SIMtrace: a case 4 command's Le dropped."""
    capdu, rapdu = bytes(capdu), bytes(rapdu)
    if len(capdu) > 5 and capdu[4] != 0 and len(capdu) == 6 + capdu[4]:
        capdu = capdu[:-1]
    return capdu + rapdu


def datagram(payload):
    """IPv4 + UDP + GSMTAP (SIM, APDU) around PAYLOAD."""
    gsmtap = struct.pack("!BBBBHbbIBBBB", 2, 4, GSMTAP_TYPE_SIM, 0, 0, 0, 0,
                         0, GSMTAP_SIM_APDU, 0, 0, 0) + payload
    udp = struct.pack("!HHHH", GSMTAP_PORT, GSMTAP_PORT, 8 + len(gsmtap),
                      0) + gsmtap
    lo = bytes([127, 0, 0, 1])
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000,
                     64, 17, 0, lo, lo)
    ip = ip[:10] + struct.pack("!H", _ip_checksum(ip)) + ip[12:]
    return ip + udp


class ApduPcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.lock = threading.Lock()
        self.count = 0
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535,
                                 LINKTYPE_IPV4))
        self.f.flush()

    def exchange(self, capdu, rapdu, when=None):
        """One command and its response (an empty answer is written as
        the command alone)."""
        pkt = datagram(simtrace_payload(capdu, rapdu))
        t = time.time() if when is None else when
        with self.lock:
            if self.f is None:
                return
            self.f.write(struct.pack("<IIII", int(t), int(t % 1 * 1e6),
                                     len(pkt), len(pkt)) + pkt)
            self.f.flush()
            self.count += 1

    def close(self):
        with self.lock:
            if self.f:
                self.f.close()
                self.f = None
