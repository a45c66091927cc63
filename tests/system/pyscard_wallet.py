#!/usr/bin/python3
# The wallet that a remote administration session loaded, installed and
# personalised (tests/system/test_admin_wallet.c), used through pcscd +
# vpcd with pyscard: the registry (GET STATUS in an SCP03 session with
# the ISD's default keys, tools/netcard_host/gp.py) has the wallet's load
# file and its instance, SELECTABLE; the balance is what the
# personalisation credited; a debit needs the PIN of the install
# parameters (not the sample's default), a wrong PIN answers 63C2; the
# log holds the credit and the debit (cardos/sdk/samples/wallet/wallet.c
# is the reference for the commands). Prints "ok wallet".
#
#   pyscard_wallet.py READER SRCDIR PIN-HEX BALANCE
#
# SPDX-License-Identifier: Apache-2.0

import struct
import sys

sys.path.insert(0, sys.argv[2] + "/tools")
from netcard_host import gp  # noqa: E402
from pyscard_reader import connect  # noqa: E402

KEY40 = bytes(range(0x40, 0x50))
PKG = "A00000007703"
AID = "A0000000770301"
PIN = bytes.fromhex(sys.argv[3])
BALANCE = int(sys.argv[4])

conn = connect(sys.argv[1])


def tx(apdu):
    data, sw1, sw2 = conn.transmit(list(apdu))
    return bytes(data + [sw1, sw2])


def expect(hexs, sw, what):
    r = tx(bytes.fromhex(hexs) if isinstance(hexs, str) else hexs)
    got = int.from_bytes(r[-2:], "big")
    if got != sw:
        raise SystemExit("%s answered %04X, expected %04X" % (what, got, sw))
    return r[:-2]


expect("00A4040000", 0x9000, "SELECT the ISD")
s = gp.Scp03(tx, KEY40).open(kvn=0, level=0x01)
listing = gp.gp_list(s)
print("\n".join(listing))
if not any(PKG in line and AID not in line for line in listing):
    raise SystemExit("no load file %s in GET STATUS" % PKG)
if not any(AID in line and "SELECTABLE" in line for line in listing):
    raise SystemExit("no selectable instance %s in GET STATUS" % AID)

expect("00A4040007" + AID, 0x9000, "SELECT the wallet")
bal = struct.unpack(">I", expect("805C000000", 0x9000, "balance"))[0]
if bal != BALANCE:
    raise SystemExit("balance %d, expected %d" % (bal, BALANCE))
wrong = bytes(b ^ 1 for b in PIN)
expect(b"\x80\x54\x00\x00\x08" + wrong + struct.pack(">I", 100), 0x63C2,
       "debit with a wrong PIN")
expect(b"\x80\x54\x00\x00\x08" + PIN + struct.pack(">I", 100), 0x9000,
       "debit of 100 with the PIN")
bal = struct.unpack(">I", expect("805C000000", 0x9000, "balance"))[0]
if bal != BALANCE - 100:
    raise SystemExit("balance %d after the debit" % bal)
log = expect("8056000000", 0x9000, "log")
if len(log) < 16 or log[0:1] != b"D" or log[8:9] != b"C" or \
        struct.unpack(">I", log[4:8])[0] != 100 or \
        struct.unpack(">I", log[12:16])[0] != BALANCE:
    raise SystemExit("log %s" % log.hex())
print("balance %d -> %d, log %s" % (BALANCE, bal, log.hex().upper()))
print("ok wallet")
