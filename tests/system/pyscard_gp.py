#!/usr/bin/python3
# A GlobalPlatform session through pcscd with pyscard (run by
# tests/system/test_pcsc.c inside a private pcscd): authenticate with the
# default SCP03 key set, GET STATUS, PUT KEY of a new key set 31,
# authenticate with it, install the sample ROM module twice under two
# AIDs, lock and unlock one, delete it, lock and unlock the card.
#
# The host's SCP03 is tools/netcard_host/gp.py (a convenience); what is
# checked are the card's status words and registry contents, from GPC
# 2.3.1 and docs/gp.md. Prints "ok gp" at the end; any failure raises.
#
#   pyscard_gp.py READER SRCDIR
#
# SPDX-License-Identifier: Apache-2.0

import sys

sys.path.insert(0, sys.argv[2] + "/tools")
from netcard_host import gp  # noqa: E402
from smartcard.System import readers  # noqa: E402

KEY40 = bytes(range(0x40, 0x50))
NEW = bytes(range(0x00, 0x10))
ELF = bytes.fromhex("F06E6574636172640300")
MOD = bytes.fromhex("F06E65746361726403")
AID1 = bytes.fromhex("A0000000AA01")
AID2 = bytes.fromhex("A0000000AA02")

reader = [r for r in readers() if sys.argv[1] in str(r)][0]
conn = reader.createConnection()
conn.connect()


def tx(apdu):
    data, sw1, sw2 = conn.transmit(list(apdu))
    return bytes(data + [sw1, sw2])


def expect(apdu, sw, what):
    r = tx(apdu)
    got = int.from_bytes(r[-2:], "big")
    if got != sw:
        raise SystemExit("%s: %s answered %04X, expected %04X"
                         % (what, apdu.hex(), got, sw))
    return r[:-2]


def isd_session(kvn=0, key=KEY40):
    expect(bytes.fromhex("00A4040000"), 0x9000, "SELECT the ISD")
    return gp.Scp03(tx, key).open(kvn=kvn, level=0x01)


s = isd_session()
listing = gp.gp_list(s)
assert any(line.startswith("ISD: A000000151000000 SECURED") for line in listing), \
    listing
assert any("F06E6574636172640300" in line for line in listing), listing

# PUT KEY of a new key set 31, then a session with it
gp.gp_put_key(s, 0x31, NEW)
s = isd_session(0x31, NEW)
d, sw = s.send(bytes.fromhex("80F28002024F0000"))
assert sw == 0x9000 and d[15] == 0x0F, (hex(sw), d.hex())

# the sample module twice, each with its own parameters
gp.gp_install(s, ELF, MOD, AID1, bytes.fromhex("0102"))
gp.gp_install(s, ELF, MOD, AID2, bytes.fromhex("FF"))
expect(b"\x00\xA4\x04\x00\x06" + AID1, 0x9000, "SELECT instance 1")
assert expect(bytes.fromhex("8001000000"), 0x9000, "HELLO 1") == \
    b"\x4F\x06" + AID1 + b"\xC9\x02\x01\x02"
expect(b"\x00\xA4\x04\x00\x06" + AID2, 0x9000, "SELECT instance 2")
assert expect(bytes.fromhex("8001000000"), 0x9000, "HELLO 2") == \
    b"\x4F\x06" + AID2 + b"\xC9\x01\xFF"

# lock and unlock instance 1, then delete it
s = isd_session(0x31, NEW)
gp.gp_set_status(s, 0x40, 0x80, AID1)
expect(b"\x00\xA4\x04\x00\x06" + AID1, 0x6A82, "SELECT of a locked one")
s = isd_session(0x31, NEW)
gp.gp_set_status(s, 0x40, 0x00, AID1)
expect(b"\x00\xA4\x04\x00\x06" + AID1, 0x9000, "SELECT after unlock")
s = isd_session(0x31, NEW)
gp.gp_delete(s, AID1)
expect(b"\x00\xA4\x04\x00\x06" + AID1, 0x6A82, "SELECT of a deleted one")

# lock the card: only the ISD can be selected; unlock it
s = isd_session(0x31, NEW)
gp.gp_set_status(s, 0x80, 0x7F)
expect(b"\x00\xA4\x04\x00\x06" + AID2, 0x6A82, "SELECT on a locked card")
s = isd_session(0x31, NEW)
gp.gp_set_status(s, 0x80, 0x0F)
expect(b"\x00\xA4\x04\x00\x06" + AID2, 0x9000, "SELECT after unlock")
print("ok gp")
