#!/usr/bin/python3
# Read EF_ICCID (2FE2) through PC/SC with pyscard, as a SIM tool would:
# SELECT MF, SELECT 2FE2 asking for the FCP (ETSI TS 102 221 11.1.1,
# P2 = 04), check the FCP names the file and its size, then READ BINARY
# the 10 bytes. Prints "iccid <hex>" and "ok", or exits 1 saying what
# differed from the expected bytes given on the command line.
#
#   pyscard_iccid.py READER-SUBSTRING EXPECTED-HEX
#
# SPDX-License-Identifier: Apache-2.0
import sys

from pyscard_reader import connect


def transmit(conn, apdu, what):
    data, sw1, sw2 = conn.transmit(apdu)
    if sw1 == 0x61:             # T=0 card left the data for GET RESPONSE
        data, sw1, sw2 = conn.transmit([0x00, 0xC0, 0x00, 0x00, sw2])
    if (sw1, sw2) != (0x90, 0x00):
        sys.exit(f"{what}: {bytes(apdu).hex()} answered {sw1:02X}{sw2:02X}")
    return data


def tlv(data):
    """Top-level BER-TLV objects (one-byte tags and lengths) of DATA."""
    out, i = {}, 0
    while i + 2 <= len(data):
        tag, length = data[i], data[i + 1]
        out[tag] = data[i + 2:i + 2 + length]
        i += 2 + length
    return out


def main():
    name, expected = sys.argv[1], bytes.fromhex(sys.argv[2])
    conn = connect(name)
    transmit(conn, [0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00], "SELECT MF")
    fcp = transmit(conn, [0x00, 0xA4, 0x00, 0x04, 0x02, 0x2F, 0xE2, 0x00],
                   "SELECT EF_ICCID")
    # TS 102 221 11.1.1.3: FCP template 62 with the file identifier (83)
    # and, for an EF, the file size (80).
    if len(fcp) < 2 or fcp[0] != 0x62 or fcp[1] != len(fcp) - 2:
        sys.exit(f"SELECT EF_ICCID: not an FCP template: {bytes(fcp).hex()}")
    inner = tlv(fcp[2:])
    if inner.get(0x83) != [0x2F, 0xE2]:
        sys.exit(f"FCP file identifier is not 2FE2: {bytes(fcp).hex()}")
    size = inner.get(0x80)
    if not size or int.from_bytes(bytes(size), "big") != len(expected):
        sys.exit(f"FCP file size is not {len(expected)}: {bytes(fcp).hex()}")
    data = transmit(conn, [0x00, 0xB0, 0x00, 0x00, len(expected)],
                    "READ BINARY")
    print("iccid " + bytes(data).hex())
    if bytes(data) != expected:
        sys.exit(f"EF_ICCID reads {bytes(data).hex()}, expected "
                 f"{expected.hex()}")
    conn.disconnect()
    print("ok")


if __name__ == "__main__":
    main()
