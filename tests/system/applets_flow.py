#!/usr/bin/python3
# Native applets on a running card (run by tests/system/test_applets.c and
# test_pcsc.c): content management GPShell-style (INSTALL [for load], LOAD
# of C4 in 247-byte blocks with the last at P1 80, INSTALL [for install
# and make selectable], as ../shared/vectors/gp-traces/*gpshell* send
# them), the hostile applets, the wallet against a model, and 200
# load/delete cycles.
#
#   applets_flow.py (--port PORT | --reader NAME) --build BUILD SCENARIO
#
# SCENARIO: gpshell, hostile, wallet, cycles. The host's SCP03 is
# tools/netcard_host/gp.py (a convenience): what is checked are the
# card's status words and answers, from GPC 2.3.1, docs/applets.md and
# the applets' own documented behaviour. Prints "ok SCENARIO" at the end;
# any failure raises.
#
# SPDX-License-Identifier: Apache-2.0

import argparse
import hashlib
import os
import random
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import applets_calls  # noqa: E402

KEY40 = bytes(range(0x40, 0x50))
SDK_SYSCALL_H = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "..", "..", "cardos", "sdk", "netcard",
                             "syscall.h")
HELLO_PKG = bytes.fromhex("A0000000770100")
HELLO_MOD = bytes.fromhex("A000000077010001")
HOSTILE_PKG = bytes.fromhex("A00000007702")
HOSTILE_MOD = bytes.fromhex("A0000000770201")
WALLET_PKG = bytes.fromhex("A00000007703")
WALLET_MOD = bytes.fromhex("A0000000770301")


class Card:
    def __init__(self, args):
        sys.path.insert(0, os.path.join(args.build, "lib", "python"))
        from netcard_host import gp
        self.gp = gp
        if args.reader:
            try:
                from smartcard.System import readers
            except ImportError:
                raise SystemExit("pyscard is missing: apt-get install "
                                 "python3-pyscard")
            r = [x for x in readers() if args.reader in str(x)][0]
            self.conn = r.createConnection()
            self.conn.connect()
            self.tx = self._pcsc
        else:
            from netcard_host import vpcd
            self.port = args.port
            self.link = vpcd.Link("127.0.0.1", args.port, 60.0, retry=True)
            self.link.control(vpcd.POWER_OFF)
            self.link.control(vpcd.POWER_ON)
            assert self.link.atr()[:1] == b"\x3b"
            self.tx = self.link.transmit
        self.build = args.build
        self.s = None

    def reconnect(self):
        """After a power cut: a new link once the card is back."""
        from netcard_host import vpcd
        self.link.close()
        self.link = vpcd.Link("127.0.0.1", self.port, 60.0, retry=True)
        self.link.control(vpcd.POWER_OFF)
        self.link.control(vpcd.POWER_ON)
        assert self.link.atr()[:1] == b"\x3b"
        self.tx = self.link.transmit
        if self.s is not None:
            self.s.transmit = self.tx

    def _pcsc(self, apdu):
        data, sw1, sw2 = self.conn.transmit(list(apdu))
        return bytes(data + [sw1, sw2])

    def apdu(self, hexs, sw=None, what=""):
        r = self.tx(bytes.fromhex(hexs) if isinstance(hexs, str) else hexs)
        got = int.from_bytes(r[-2:], "big")
        if sw is not None and got != sw:
            raise SystemExit("%s: %s answered %04X, expected %04X" %
                             (what, hexs if isinstance(hexs, str)
                              else hexs.hex(), got, sw))
        return r[:-2], got

    def isd(self):
        self.apdu("00A4040000", 0x9000, "SELECT the ISD")
        self.s = self.gp.Scp03(self.tx, KEY40).open(kvn=0, level=0x01)
        return self.s

    def send(self, capdu):
        """A command to the ISD through the secure channel: data, SW."""
        return self.s.send(capdu)

    def blob(self, name):
        with open(os.path.join(self.build, "applets", name + ".ncap"),
                  "rb") as f:
            return f.read()

    def load(self, pkg, blob, expect_last=0x9000):
        """GPShell's way: INSTALL [for load], LOAD of C4 + the file in
        247-byte blocks (the last with P1 80)."""
        data = bytes([len(pkg)]) + pkg + b"\x00\x00\x00\x00"
        r, sw = self.send(bytes([0x80, 0xE6, 0x02, 0x00, len(data)]) + data +
                          b"\x00")
        assert sw == 0x9000, "INSTALL [for load]: %04X" % sw
        n = len(blob)
        head = (bytes([0xC4, n]) if n < 0x80 else
                bytes([0xC4, 0x81, n]) if n < 0x100 else
                bytes([0xC4, 0x82, n >> 8, n & 0xFF]))
        stream = head + blob
        blocks = [stream[i:i + 247] for i in range(0, len(stream), 247)]
        for k, b in enumerate(blocks):
            last = k == len(blocks) - 1
            r, sw = self.send(bytes([0x80, 0xE8, 0x80 if last else 0x00, k,
                                     len(b)]) + b + b"\x00")
            want = expect_last if last else 0x9000
            assert sw == want, "LOAD block %d: %04X, expected %04X" % (
                k, sw, want)
        return len(blocks)

    def install(self, pkg, mod, aid, params=b"", sw_want=0x9000):
        c9 = bytes([0xC9, len(params)]) + params
        data = (bytes([len(pkg)]) + pkg + bytes([len(mod)]) + mod +
                bytes([len(aid)]) + aid + b"\x01\x00" + bytes([len(c9)]) +
                c9 + b"\x00")
        r, sw = self.send(bytes([0x80, 0xE6, 0x0C, 0x00, len(data)]) + data +
                          b"\x00")
        assert sw == sw_want, "INSTALL %s: %04X, expected %04X" % (
            aid.hex(), sw, sw_want)

    def delete(self, aid, related=False, sw_want=0x9000):
        data = bytes([0x4F, len(aid)]) + aid
        r, sw = self.send(bytes([0x80, 0xE4, 0x00, 0x80 if related else 0,
                                 len(data)]) + data + b"\x00")
        assert sw == sw_want, "DELETE %s: %04X, expected %04X" % (
            aid.hex(), sw, sw_want)

    def select(self, aid, sw=0x9000):
        """SELECT by AID; (data, SW), SW checked unless None."""
        return self.apdu(bytes([0, 0xA4, 4, 0, len(aid)]) + aid + b"\x00", sw,
                         "SELECT %s" % aid.hex())


def gpshell(card):
    """Load, install twice, select, use, delete (refused while instances
    exist), delete with related objects, reload."""
    card.isd()
    card.load(HELLO_PKG, card.blob("hello"))
    a1, a2 = HELLO_MOD, HELLO_MOD[:-1] + b"\x02"
    card.install(HELLO_PKG, HELLO_MOD, a1)
    card.install(HELLO_PKG, HELLO_MOD, a2)
    card.install(HELLO_PKG, HELLO_MOD, a1, sw_want=0x6A80)  # AID taken
    card.install(HELLO_PKG, HELLO_MOD[:-1] + b"\x09", HELLO_MOD[:-1] +
                 b"\x03", sw_want=0x6A88)                    # no such module
    for aid in (a1, a2):
        card.select(aid)
        d, _ = card.apdu("8001000000", 0x9000, "hello")
        assert d == b"Hello, card!", d
    # each instance has its own RAM: counters (of commands, the hello
    # above included) go separately
    card.select(a1)
    for want in (2, 3, 4):
        d, _ = card.apdu("8002000000", 0x9000, "count")
        assert struct.unpack(">I", d)[0] == want, (d, want)
    card.select(a2)
    d, _ = card.apdu("8002000000", 0x9000, "count")
    assert struct.unpack(">I", d)[0] == 2, d
    card.isd()
    card.delete(HELLO_PKG, sw_want=0x6985)       # instances exist
    card.delete(HELLO_PKG, related=True)
    card.select(a1, sw=0x6A82)
    card.isd()
    card.load(HELLO_PKG, card.blob("hello"))
    card.install(HELLO_PKG, HELLO_MOD, a1)
    card.select(a1)
    d, _ = card.apdu("8001000000", 0x9000, "hello after reload")
    assert d == b"Hello, card!"
    # a bad load file: a flipped byte fails the hash, nothing registered
    bad = bytearray(card.blob("hello"))
    bad[100] ^= 1
    card.isd()
    card.load(bytes.fromhex("A0000000770199"), bytes(bad),
              expect_last=0x6A80)
    card.install(bytes.fromhex("A0000000770199"), HELLO_MOD,
                 bytes.fromhex("A000000077019901"), sw_want=0x6A88)
    # the interface: the packer writes the SDK's NC_SYSCALL_MINOR; the
    # same file asking for a newer minor than the card's (hash redone) is
    # refused, and loads again as built
    with open(SDK_SYSCALL_H) as f:
        minor = int(re.search(r"#define NC_SYSCALL_MINOR (\d+)",
                              f.read()).group(1))
    good = card.blob("hello")
    assert good[8:10] == bytes([1, minor]), good[8:10].hex()
    newer = bytearray(good[:-32])
    newer[9] = minor + 1
    newer = bytes(newer) + hashlib.sha256(newer).digest()
    card.isd()
    card.delete(HELLO_PKG, related=True)
    card.load(HELLO_PKG, newer, expect_last=0x6A80)
    card.install(HELLO_PKG, HELLO_MOD, a1, sw_want=0x6A88)
    card.load(HELLO_PKG, good)
    card.install(HELLO_PKG, HELLO_MOD, a1)
    card.select(a1)
    d, _ = card.apdu("8001000000", 0x9000, "hello as built")
    assert d == b"Hello, card!"


HOSTILE = [(0x10, "read OS RAM"), (0x12, "read a key-slot register"),
           (0x13, "jump into ROM"), (0x14, "system call with an OS pointer"),
           (0x15, "system call with a huge length"), (0x16, "infinite loop"),
           (0x17, "stack overflow"), (0x18, "divide by zero"),
           (0x19, "write its own code"), (0x1A, "read the SCS"),
           (0x1B, "unknown system call"),
           (0x1D, "key generation writing OS RAM"),
           (0x1E, "crypto output into OS RAM")]


def hostile(card):
    """Each hostile act answers 6F00 and the card serves hello (its RAM
    intact) and the hostile applet's harmless commands right after; the
    third fault... is counted per instance: a fresh instance per act."""
    card.isd()
    card.load(HELLO_PKG, card.blob("hello"))
    card.install(HELLO_PKG, HELLO_MOD, HELLO_MOD)
    card.load(HOSTILE_PKG, card.blob("hostile"))
    card.select(HELLO_MOD)
    card.apdu("8002000000", 0x9000, "hello count")       # 1
    # the neighbour's RAM: hello's counter lives in hello's region; the
    # hostile instance learns its own address and writes below it
    n = 0
    for ins, what in HOSTILE + [(0x11, "write another applet's RAM")]:
        n += 1
        aid = HOSTILE_MOD + bytes([n])
        card.isd()
        card.install(HOSTILE_PKG, HOSTILE_MOD, aid)
        card.select(aid)
        d, _ = card.apdu("8001000000", 0x9000, "alive before " + what)
        assert d == b"alive"
        data = b""
        if ins == 0x11:
            mine, _ = card.apdu("801C000000", 0x9000, "own address")
            target = struct.unpack(">I", mine)[0] - 0x400
            data = struct.pack(">I", target)
        cmd = bytes([0x80, ins, 0, 0, len(data)]) + data if data else \
            bytes([0x80, ins, 0, 0, 0])
        r, sw = card.apdu(cmd, None, what)
        assert sw == 0x6F00 and r == b"", "%s: %s %04X" % (what, r.hex(), sw)
        # the same instance runs again at once (its data set up anew)
        d, _ = card.apdu("8001000000", 0x9000, "alive after " + what)
        assert d == b"alive"
        card.select(HELLO_MOD)
        d, _ = card.apdu("8001000000", 0x9000, "hello after " + what)
        assert d == b"Hello, card!"
    card.select(HELLO_MOD)
    d, _ = card.apdu("8002000000", 0x9000, "hello's counter")
    # hello counts every PROCESS: 1 count, one hello per act, this one
    assert struct.unpack(">I", d)[0] == 1 + (len(HOSTILE) + 1) + 1, d.hex()
    # three faults lock an instance (docs/applets.md): 6F00 twice more,
    # then it is not selectable
    aid = HOSTILE_MOD + b"\x7F"
    card.isd()
    card.install(HOSTILE_PKG, HOSTILE_MOD, aid)
    card.select(aid)
    for k in range(3):
        card.apdu("8010000000", 0x6F00, "fault %d" % (k + 1))
    card.select(aid, sw=0x6A82)
    lst = card.gp.gp_list(card.isd())
    assert any(aid.hex().upper() in line and "LOCKED" in line
               for line in lst), lst
    # a persistent counter in a transaction, across a reset
    card.select(HOSTILE_MOD + b"\x01")
    for want in (1, 2):
        d, _ = card.apdu("8002000000", 0x9000, "persistent count")
        assert d[3] == want, d.hex()


WALLET_AID = WALLET_MOD + b"\x01"
PIN = b"4321"


def wallet_channel(card, level=0x01):
    """The issuer's secure channel to the selected wallet: SCP03 with the
    ISD's keys (the wallet's security domain), INITIALIZE UPDATE and
    EXTERNAL AUTHENTICATE going through the wallet (processSecurity)."""
    card.wch = card.gp.Scp03(card.tx, KEY40).open(kvn=0, level=level)
    return card.wch


def wallet_credit(card, amount, how="ok"):
    """A credit through the channel (opened when none is): HOW ok, forged
    (one C-MAC bit flipped), replay (the previous credit's bytes again),
    plain (no secure messaging). The status word."""
    s = getattr(card, "wch", None) or wallet_channel(card)
    if how == "plain":
        return card.apdu(b"\x80\x52\x00\x00\x04" + struct.pack(">I", amount)
                         )[1]
    if how == "replay":
        cmd = card.last_credit
    else:
        cmd = s.wrap(b"\x80\x52\x00\x00\x04" + struct.pack(">I", amount))
        if how == "forged":
            cmd = cmd[:-1] + bytes([cmd[-1] ^ 1])
        else:
            card.last_credit = cmd
    sw = card.apdu(cmd)[1]
    if sw != 0x9000:
        card.wch = None         # a failed check ends the session
    return sw


def wallet_install(card):
    card.isd()
    card.load(WALLET_PKG, card.blob("wallet"))
    card.install(WALLET_PKG, WALLET_MOD, WALLET_AID, params=PIN)
    card.select(WALLET_AID)
    card.wch = None


def wallet_state(card):
    """(balance, seq, log entries) as the card tells them."""
    bal = struct.unpack(">I", card.apdu("805C000000", 0x9000)[0])[0]
    seq = struct.unpack(">H", card.apdu("8058000000", 0x9000)[0])[0]
    log, _ = card.apdu("8056000000", 0x9000)
    entries = [(chr(log[i]), struct.unpack(">H", log[i + 2:i + 4])[0],
                struct.unpack(">I", log[i + 4:i + 8])[0])
               for i in range(0, len(log), 8)]
    return bal, seq, entries


def wallet(card):
    """Random credits and debits against a model: balance, operation
    counter, the last 8 operations; refusals change nothing."""
    wallet_install(card)
    rng = random.Random(1414)
    bal, seq, log, tries = 0, 0, [], 3
    # before any secure channel: no credit
    assert wallet_credit(card, 5, "plain") == 0x6982
    assert wallet_state(card)[0] == 0
    for i in range(60):
        op = rng.random()
        if op < 0.35:
            amt = rng.randrange(1, 5000)
            r = rng.random()
            if r < 0.1:             # a forged C-MAC
                assert wallet_credit(card, amt, "forged") == 0x6982
                continue
            if r < 0.2:             # no secure messaging
                assert wallet_credit(card, amt, "plain") == 0x6982
                continue
            assert wallet_credit(card, amt) == 0x9000
            seq += 1
            bal += amt
            log.append(("C", seq, amt))
        elif op < 0.45:
            # a replayed credit: its C-MAC no longer chains
            if seq and getattr(card, "last_credit", None):
                assert wallet_credit(card, 1, "replay") == 0x6982
        else:
            amt = rng.randrange(1, 3000)
            pin = PIN if rng.random() > 0.1 else b"0000"
            sw = card.apdu(b"\x80\x54\x00\x00\x08" + pin +
                           struct.pack(">I", amt))[1]
            if pin != PIN:
                tries -= 1
                assert sw == 0x63C0 | tries, "%04X" % sw
                continue
            tries = 3
            if amt > bal:
                assert sw == 0x6985, "%04X" % sw
                continue
            assert sw == 0x9000, "%04X" % sw
            seq += 1
            bal -= amt
            log.append(("D", seq, amt))
        got = wallet_state(card)
        want = (bal, seq, list(reversed(log[-8:])))
        assert got == want, (i, got, want)
    # C-MAC and C-DECRYPTION: the amount travels encrypted
    wallet_channel(card, level=0x03)
    assert wallet_credit(card, 77) == 0x9000
    bal += 77
    seq += 1
    # reselecting the wallet ends its channel
    card.select(WALLET_AID)
    assert card.apdu(card.last_credit)[1] == 0x6982
    card.wch = None
    # wrong PINs until the tries are gone block debits
    for left in range(tries - 1, -1, -1):
        assert card.apdu(b"\x80\x54\x00\x00\x08" + b"9999" +
                         struct.pack(">I", 1))[1] == 0x63C0 | left
    assert card.apdu(b"\x80\x54\x00\x00\x08" + PIN +
                     struct.pack(">I", 1))[1] == 0x6983
    assert wallet_state(card)[:2] == (bal, seq)


SSD_AID = bytes.fromhex("A0000000770601")
SD_ELF = bytes.fromhex("A00000015153504100")
SD_MOD = bytes.fromhex("A000000151535041")
ISD_AID = bytes.fromhex("A000000151000000")
KEY00 = bytes(range(16))


def associated_sd(card, aid, p1=0x40):
    """The associated security domain GET STATUS (P1 40 applications,
    20 load files; tag format) gives for AID: the value of its tag CC."""
    data, sw = card.isd().send(bytes([0x80, 0xF2, p1, 0x02, 0x02, 0x4F, 0,
                                      0]))
    assert sw == 0x9000, "GET STATUS: %04X" % sw
    at = 0
    while at < len(data):
        assert data[at] == 0xE3, data.hex()
        e, at = data[at + 2:at + 2 + data[at + 1]], at + 2 + data[at + 1]
        f, k = {}, 0
        while k < len(e):
            tag = e[k]
            k += 1
            if tag & 0x1F == 0x1F:
                tag = tag << 8 | e[k]
                k += 1
            f[tag] = e[k + 1:k + 1 + e[k]]
            k += 1 + e[k]
        if f.get(0x4F) == aid:
            return f.get(0xCC)
    raise AssertionError("%s not in GET STATUS" % aid.hex())


def channel_opens(card, key):
    """Can the host open SCP03 key set 30 with KEY (ENC = MAC = DEK)
    through the selected wallet?"""
    try:
        card.wch = card.gp.Scp03(card.tx, key).open(kvn=0x30, level=0x01)
        return True
    except card.gp.GpError:
        card.wch = None
        return False


def wallet_ssd(card):
    """The wallet loaded and installed through a supplementary security
    domain (SD + Authorized Management privileges) whose key set 30 is
    not the ISD's: GET STATUS names the SSD as its associated SD (CC);
    the wallet's secure channel is the SSD's (its keys open it, the
    ISD's do not; a credit needs its C-MAC); extradited to the ISD
    (INSTALL [for extradition]), the ISD's keys open it and the SSD's no
    longer do."""
    s = card.isd()
    card.gp.gp_install(s, SD_ELF, SD_MOD, SSD_AID, privileges=b"\x80\x40\x00")
    card.select(SSD_AID)
    card.s = card.gp.Scp03(card.tx, KEY40).open(kvn=0x30, level=0x01)
    card.gp.gp_put_key(card.s, 0x30, KEY00, replace=0x30)
    card.load(WALLET_PKG, card.blob("wallet"))
    card.install(WALLET_PKG, WALLET_MOD, WALLET_AID, params=PIN)
    assert associated_sd(card, WALLET_AID) == SSD_AID
    assert associated_sd(card, WALLET_PKG, 0x20) == SSD_AID
    card.select(WALLET_AID)
    assert not channel_opens(card, KEY40), "the ISD's keys opened it"
    plain = b"\x80\x52\x00\x00\x04" + struct.pack(">I", 5)
    assert card.apdu(plain)[1] == 0x6982
    assert channel_opens(card, KEY00), "the SSD's keys did not open it"
    assert wallet_credit(card, 40) == 0x9000
    assert wallet_credit(card, 2, "forged") == 0x6982
    assert wallet_state(card)[0] == 40
    # an ISD session wraps a credit: not the wallet's channel
    isd = card.isd()
    credit = isd.wrap(b"\x80\x52\x00\x00\x04" + struct.pack(">I", 9))
    card.select(WALLET_AID)
    assert card.apdu(credit)[1] == 0x6982
    # extradition to the ISD (GPC 2.3.1 11.5.2.3.3: P1 10)
    data = (bytes([len(ISD_AID)]) + ISD_AID + b"\x00" +
            bytes([len(WALLET_AID)]) + WALLET_AID + b"\x00\x00\x00")
    r, sw = card.isd().send(bytes([0x80, 0xE6, 0x10, 0x00, len(data)]) +
                            data + b"\x00")
    assert sw == 0x9000, "INSTALL [for extradition]: %04X" % sw
    assert associated_sd(card, WALLET_AID) == ISD_AID
    card.select(WALLET_AID)
    assert not channel_opens(card, KEY00), "the SSD's keys still open it"
    assert channel_opens(card, KEY40), "the ISD's keys do not open it"
    assert wallet_credit(card, 2) == 0x9000
    assert wallet_state(card)[0] == 42


def wallet_prepare(card):
    """For the tear campaign: a wallet with balance 1000 (log: one
    credit)."""
    wallet_install(card)
    assert wallet_credit(card, 1000) == 0x9000


def wallet_debit(card):
    """One debit of 7 (the power may go during it)."""
    try_(lambda: (card.select(WALLET_AID),
                  card.apdu(b"\x80\x54\x00\x00\x08" + PIN +
                            struct.pack(">I", 7))))


def wallet_check(card):
    """After a cut: the old state or the new one, balance and log agree."""
    card.select(WALLET_AID)
    bal, seq, log = wallet_state(card)
    old = (1000, 1, [("C", 1, 1000)])
    new = (993, 2, [("D", 2, 7), ("C", 1, 1000)])
    assert (bal, seq, log) in (old, new), (bal, seq, log)
    print("state %s" % ("new" if bal == 993 else "old"))


def listed(card, aid):
    return any(aid.hex().upper() in line for line in
               card.gp.gp_list(card.isd()))


def hello_works(card, aid=HELLO_MOD):
    card.select(aid)
    d, _ = card.apdu("8001000000", 0x9000, "hello")
    assert d == b"Hello, card!", d


def try_(fn):
    try:
        fn()
        print("completed")
    except (Exception, SystemExit) as e:    # the cut
        print("cut: %s" % (e,))


def torn_load(card):
    try_(lambda: (card.isd(), card.load(HELLO_PKG, card.blob("hello"))))


def check_load(card):
    """Loaded and runnable, or not registered at all and loadable again
    (its pages taken back)."""
    new = listed(card, HELLO_PKG)
    if not new:
        card.install(HELLO_PKG, HELLO_MOD, HELLO_MOD, sw_want=0x6A88)
        card.load(HELLO_PKG, card.blob("hello"))
    card.install(HELLO_PKG, HELLO_MOD, HELLO_MOD)
    hello_works(card)
    print("state %s" % ("new" if new else "old"))


def prep_install(card):
    card.isd()
    card.load(HELLO_PKG, card.blob("hello"))


def torn_install(card):
    try_(lambda: (card.isd(), card.install(HELLO_PKG, HELLO_MOD, HELLO_MOD)))


def check_install(card):
    _, sw = card.select(HELLO_MOD, sw=None)
    new = sw == 0x9000
    if not new:
        assert sw == 0x6A82, "%04X" % sw
        card.isd()
        card.install(HELLO_PKG, HELLO_MOD, HELLO_MOD)
    hello_works(card)
    print("state %s" % ("new" if new else "old"))


def prep_delete(card):
    prep_install(card)
    card.install(HELLO_PKG, HELLO_MOD, HELLO_MOD)


def torn_delete(card):
    try_(lambda: (card.isd(), card.delete(HELLO_PKG, related=True)))


def check_delete(card):
    """Both gone (and the file loadable again), or both there."""
    new = not listed(card, HELLO_PKG)
    _, sw = card.select(HELLO_MOD, sw=None)
    if new:
        assert sw == 0x6A82, "%04X" % sw
        card.isd()
        card.load(HELLO_PKG, card.blob("hello"))
        card.install(HELLO_PKG, HELLO_MOD, HELLO_MOD)
    hello_works(card)
    print("state %s" % ("new" if new else "old"))


def cleanup_load(card):
    card.isd()
    card.delete(HELLO_PKG, related=True)


def cleanup_install(card):
    card.isd()
    card.delete(HELLO_MOD)


def cleanup_wallet(card):
    card.isd()
    card.delete(WALLET_PKG, related=True)
    wallet_prepare(card)


CAMPAIGNS = {
    # name: (prepare, torn, check, back to the prepared state)
    "load": (None, torn_load, check_load, cleanup_load),
    "install": (prep_install, torn_install, check_install, cleanup_install),
    "delete": (prep_delete, torn_delete, check_delete, None),
    "wallet": (wallet_prepare, wallet_debit, wallet_check, cleanup_wallet),
}


def tear_campaign(card, args):
    """A power cut at every flash operation of the torn step (modes
    before, partial, after; docs/nvm.md), armed through QMP: the check
    must find the old or the new state, whole, and the step must have
    been seen completing untorn at the end."""
    import io
    import contextlib
    sys.path.insert(0, os.path.join(args.build, "lib", "python"))
    from netcard_host import qmp
    q = qmp.Qmp(args.qmp)
    nvm = "/machine/soc/nvm"
    prep, torn, check, cleanup = CAMPAIGNS[args.campaign]
    if prep:
        prep(card)
    seen = {"old": 0, "new": 0}
    cuts = 0
    for n in range(1, 200):
        done = False
        for mode in ("before", "partial", "after"):
            tears = q.execute("qom-get", path=nvm, property="tears")
            q.execute("qom-set", path=nvm, property="tear-mode", value=mode)
            q.execute("qom-set", path=nvm, property="tear-after", value=n)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                torn(card)
            cut = q.execute("qom-get", path=nvm, property="tears") != tears
            if not cut:
                q.execute("qom-set", path=nvm, property="tear-after",
                          value=0)
                done = True
            else:
                cuts += 1
                card.reconnect()
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                check(card)
            state = "new" if "state new" in out.getvalue() else "old"
            assert cut or state == "new", "untorn but old (n=%d)" % n
            seen[state] += 1
            if cleanup:
                cleanup(card)
            if done:
                break
        if done:
            break
    print("%s: %d cuts, %d old, %d new" % (args.campaign, cuts, seen["old"],
                                           seen["new"]))
    assert cuts > 0 and seen["old"] > 0 and seen["new"] > 1, seen


def hello_ready(card):
    """hello loaded, installed and run once (the card logs where its code
    and data are)."""
    card.isd()
    card.load(HELLO_PKG, card.blob("hello"))
    card.install(HELLO_PKG, HELLO_MOD, HELLO_MOD)
    hello_works(card)


def hello_loop(card):
    """hello's INS 01 every 300 ms (a debugger may hold one of them)."""
    import time
    card.select(HELLO_MOD)
    for _ in range(100):
        card.apdu("8001000000")
        time.sleep(0.3)


def cycles(card):
    """200 load/delete cycles of files of different sizes, up to four
    six loaded at once: first fit never runs out (docs/applets.md)."""
    card.isd()
    rng = random.Random(14)
    base = card.blob("hello")
    live = []
    for i in range(200):
        if len(live) == 6 or (live and rng.random() < 0.4):
            pkg = live.pop(rng.randrange(len(live)))
            card.delete(pkg)
            continue
        pkg = bytes([0xA0, 0, 0, 0, 0x77, 0x90, i])
        # files of 1..10 pages: a bigger code image
        blob = repack(base, pkg, rng.randrange(0, 10 * 4096 - 400))
        card.load(pkg, blob)
        live.append(pkg)
    for pkg in live:
        card.delete(pkg)


def repack(blob, pkg, extra):
    """BLOB with package AID PKG and EXTRA bytes of code appended after
    its code (zeros), header and hash made right again (the format of
    docs/applets.md; a test helper, not the packer)."""
    import hashlib
    hdr_size = struct.unpack_from("<H", blob, 6)[0]
    code, data, _, _, _, _, nrel, _ = struct.unpack_from("<8I", blob, 32)
    extra &= ~3
    b = bytearray(blob[:-32])
    b[11] = len(pkg)
    b[12:28] = pkg + bytes(16 - len(pkg))
    struct.pack_into("<I", b, 32, code + extra)
    at = hdr_size + code
    b[at:at] = bytes(extra)
    return bytes(b) + hashlib.sha256(bytes(b)).digest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int)
    ap.add_argument("--reader")
    ap.add_argument("--build", required=True)
    ap.add_argument("--qmp", help="tear: a QMP socket of the card")
    ap.add_argument("--campaign", choices=sorted(CAMPAIGNS))
    ap.add_argument("scenario")
    args = ap.parse_args()
    card = Card(args)
    if args.scenario == "tear":
        tear_campaign(card, args)
        print("ok tear")
        return
    {"gpshell": gpshell, "hostile": hostile, "cycles": cycles,
     "wallet": wallet, "wallet-prepare": wallet_prepare,
     "wallet-ssd": wallet_ssd,
     "crypto": lambda c: applets_calls.crypto(c),
     "quotas": lambda c: applets_calls.quotas(c),
     "wallet-debit": wallet_debit, "wallet-check": wallet_check,
     "hello-ready": hello_ready, "hello-loop": hello_loop,
     "torn-load": torn_load, "check-load": check_load,
     "prep-install": prep_install, "torn-install": torn_install,
     "check-install": check_install, "prep-delete": prep_delete,
     "torn-delete": torn_delete, "check-delete": check_delete}[
        args.scenario](card)
    print("ok %s" % args.scenario)


if __name__ == "__main__":
    main()
