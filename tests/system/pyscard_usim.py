#!/usr/bin/python3
# The USIM and the GSM SIM through PC/SC (pcscd + vsmartcard-vpcd) with
# pyscard, as a mobile tool sees them (tests/system/test_pcsc.c runs it):
#
#   pyscard_usim.py READER-SUBSTRING files   every USIM, GSM, TELECOM and
#       MF file read (CLA 00 by FID and by SFI, CLA A0 with GET RESPONSE)
#       and compared with docs/usim.md; access rules before and after PIN1
#   pyscard_usim.py READER-SUBSTRING pins    VERIFY / UNBLOCK / CHANGE /
#       DISABLE / ENABLE on CLA 00 (TS 102 221) and CLA A0 (TS 51.011)
#   pyscard_usim.py READER-SUBSTRING auth    AUTHENTICATE and RUN GSM
#       ALGORITHM against osmo-auc-gen; SQN freshness (TS 33.102 Annex C)
#
# Expected values are written here from docs/usim.md (numbers and names
# encoded by this script: IMSI, MSISDN, PLMN, service tables) or come
# from osmo-auc-gen, never from the card. Prints "ok MODE" at the end, or
# exits 1 saying what differed.
#
# SPDX-License-Identifier: Apache-2.0
import random
import subprocess
import sys

from pyscard_reader import connect

USIM_AID = bytes.fromhex("A0000000871002FFFFFFFF894E430001")
PIN1 = b"1234" + b"\xff" * 4
PUK1 = b"12345678"
ADM1 = b"88888888"
KI = "465b5ce8b199b49faa5f0a2ee238a6bc"         # TS 35.208 set 1
OPC = "cd63cb71954a9f4e48a5994e37a02baf"


def fail(msg):
    sys.exit(msg)


# ------------------------------------------------------------ encodings

def swapped(digits):
    """Digits as BCD, low nibble first, F padded (TS 31.102 4.2.2 / 4.4.2.3)."""
    if len(digits) % 2:
        digits += "F"
    return bytes.fromhex("".join(digits[i + 1] + digits[i]
                                 for i in range(0, len(digits), 2)))


def imsi(number):
    """TS 31.102 4.2.2: length, digit 1 with odd/even and type 1 (001)."""
    body = swapped(("9" if len(number) % 2 else "1") + number)
    return bytes([len(body)]) + body


def dialling(number):
    """TS 31.102 4.4.2.3 / TS 24.008 10.5.4.7: length, TON/NPI, BCD."""
    ton = 0x91 if number.startswith("+") else 0x81
    bcd = swapped(number.lstrip("+"))
    return bytes([len(bcd) + 1, ton]) + bcd


def plmn(mcc, mnc):
    """TS 24.008 10.5.1.3: MCC2 MCC1, MNC3 MCC3, MNC2 MNC1."""
    m = mnc if len(mnc) == 3 else mnc + "F"
    return bytes([int(mcc[1] + mcc[0], 16), int(m[2] + mcc[2], 16),
                  int(m[1] + m[0], 16)])


def ust(services, size):
    """TS 31.102 4.2.8: service n is bit (n-1) % 8 of byte (n-1) // 8."""
    out = bytearray(size)
    for n in services:
        out[(n - 1) // 8] |= 1 << ((n - 1) % 8)
    return bytes(out)


def sst(services, size):
    """TS 51.011 10.3.7: two bits per service, allocated and activated."""
    out = bytearray(size)
    for n in services:
        out[(n - 1) // 4] |= 3 << (2 * ((n - 1) % 4))
    return bytes(out)


def pad(data, size):
    return data + b"\xff" * (size - len(data))


# -------------------------------------------------- docs/usim.md values

TEST_PLMN = plmn("001", "01")
ACT = bytes.fromhex("C080")             # E-UTRAN, UTRAN; GSM
LAI = TEST_PLMN + bytes.fromhex("FFFE")
SMSP = (pad(b"netcard", 10) + b"\xfd" + b"\xff" * 12 +
        pad(dialling("+15550100000"), 12) + b"\xff" * 3)

# name, FID, SFI (None: none), (size,) or (record length, records),
# access rule (ADF.USIM's EF.ARR record), content (each record for
# record EFs; None: not compared)
T, L = "transparent", "linear"
USIM_FILES = [
    ("EF.ARR", 0x6F06, 0x17, L, (32, 5), 1, None),
    ("EF.IMSI", 0x6F07, 0x07, T, 9, 4, imsi("001010000000001")),
    ("EF.AD", 0x6FAD, 0x03, T, 4, 1, bytes.fromhex("00000002")),
    ("EF.UST", 0x6F38, 0x04, T, 11, 4,
     ust([10, 12, 19, 20, 21, 27, 33, 42, 43, 85], 11)),
    ("EF.EST", 0x6F56, 0x05, T, 1, 3, b"\x00"),
    ("EF.ACC", 0x6F78, 0x06, T, 2, 4, bytes.fromhex("0002")),
    ("EF.SPN", 0x6F46, None, T, 17, 4, b"\x01netcard"),
    ("EF.LI", 0x6F05, 0x02, T, 10, 2, b"en"),
    ("EF.HPPLMN", 0x6F31, 0x12, T, 1, 4, b"\x05"),
    ("EF.PLMNwAcT", 0x6F60, 0x0A, T, 40, 3, TEST_PLMN + ACT),
    ("EF.OPLMNwAcT", 0x6F61, 0x11, T, 40, 4, TEST_PLMN + ACT),
    ("EF.HPLMNwAcT", 0x6F62, 0x13, T, 5, 4, TEST_PLMN + ACT),
    ("EF.FPLMN", 0x6F7B, 0x0D, T, 12, 3, b""),
    ("EF.LOCI", 0x6F7E, 0x0B, T, 11, 3,
     b"\xff" * 4 + LAI + bytes.fromhex("FF01")),
    ("EF.PSLOCI", 0x6F73, 0x0C, T, 14, 3,
     b"\xff" * 7 + LAI + bytes.fromhex("FF01")),
    ("EF.EPSLOCI", 0x6FE3, 0x1E, T, 18, 3, b"\xff" * 12 + LAI + b"\x01"),
    ("EF.EPSNSC", 0x6FE4, 0x18, L, (54, 1), 3, [bytes.fromhex("A000")]),
    ("EF.KEYS", 0x6F08, 0x08, T, 33, 3, b"\x07"),
    ("EF.KEYSPS", 0x6F09, 0x09, T, 33, 3, b"\x07"),
    ("EF.START-HFN", 0x6F5B, 0x0F, T, 6, 3, bytes.fromhex("F00000F00000")),
    ("EF.THRESHOLD", 0x6F5C, 0x10, T, 3, 4, b""),
    ("EF.ECC", 0x6FB7, 0x01, L, (4, 1), 1, [bytes.fromhex("11F2FF00")]),
    ("EF.MSISDN", 0x6F40, None, L, (24, 1), 3,
     [b"\xff" * 10 + dialling("+15550100001")]),
    ("EF.SMS", 0x6F3C, None, L, (176, 10), 3, [b"\x00"] * 10),
    ("EF.SMSP", 0x6F42, None, L, (38, 1), 3, [SMSP]),
    ("EF.SMSS", 0x6F43, None, T, 2, 3, b""),
]
KC = b"\xff" * 8 + b"\x07"
GSM_ACCESS_FILES = [            # DF.GSM-ACCESS 5F3B in ADF.USIM
    ("EF.Kc", 0x4F20, 0x01, T, 9, 3, KC),
    ("EF.KcGPRS", 0x4F52, 0x02, T, 9, 3, KC),
]
BY_NAME = {f[0]: f for f in USIM_FILES + GSM_ACCESS_FILES}


def link(name, fid, target):
    """A DF.GSM / DF.TELECOM file with the content of the USIM's TARGET."""
    t = BY_NAME[target]
    return (name, fid, None, t[3], t[4], t[5], t[6])


GSM_FILES = [                   # DF.GSM 7F20
    ("EF.PLMNsel", 0x6F30, None, T, 24, 3, TEST_PLMN),
    ("EF.SST", 0x6F38, None, T, 12, 4,
     sst([1, 2, 4, 7, 9, 12, 17, 38, 43, 44, 45], 12)),
    link("EF.IMSI", 0x6F07, "EF.IMSI"),
    link("EF.Kc", 0x6F20, "EF.Kc"),
    link("EF.HPPLMN", 0x6F31, "EF.HPPLMN"),
    link("EF.ACC", 0x6F78, "EF.ACC"),
    link("EF.FPLMN", 0x6F7B, "EF.FPLMN"),
    link("EF.LOCI", 0x6F7E, "EF.LOCI"),
    link("EF.AD", 0x6FAD, "EF.AD"),
    link("EF.SPN", 0x6F46, "EF.SPN"),
    link("EF.PLMNwAcT", 0x6F60, "EF.PLMNwAcT"),
    link("EF.OPLMNwAcT", 0x6F61, "EF.OPLMNwAcT"),
    link("EF.HPLMNwAcT", 0x6F62, "EF.HPLMNwAcT"),
    link("EF.KcGPRS", 0x6F52, "EF.KcGPRS"),
    link("EF.LOCIGPRS", 0x6F53, "EF.PSLOCI"),
    link("EF.ARR", 0x6F06, "EF.ARR"),
]
TELECOM_FILES = [               # DF.TELECOM 7F10
    ("EF.ADN", 0x6F3A, None, L, (30, 10), 3, [b""] * 10),
    link("EF.MSISDN", 0x6F40, "EF.MSISDN"),
    link("EF.SMS", 0x6F3C, "EF.SMS"),
    link("EF.SMSP", 0x6F42, "EF.SMSP"),
    link("EF.SMSS", 0x6F43, "EF.SMSS"),
    link("EF.ARR", 0x6F06, "EF.ARR"),
]
# TS 51.011 9.3 access condition levels of each rule: READ | UPDATE,
# INCREASE | RFU, REHABILITATE | INVALIDATE (docs/usim.md)
GSM_AC = {1: "0AFFAA", 2: "01FFAA", 3: "11FFAA", 4: "1AFFAA"}


def size_of(f):
    return f[4] if f[3] == T else f[4][0] * f[4][1]


def expected(f):
    """The file's content as a list: one element (transparent) or one per
    record, FF padded; None: not compared."""
    if f[6] is None:
        return None
    if f[3] == T:
        return [pad(f[6], f[4])]
    return [pad(r, f[4][0]) for r in f[6]]


# ------------------------------------------------------------ transport

class Card:
    def __init__(self, conn):
        self.conn = conn

    def tx(self, apdu, sw=None, what=""):
        """Send APDU (hex or bytes); fetch what a T=0 61xx leaves, resend
        on 6Cxx; check the status word against SW (int or tuple)."""
        if isinstance(apdu, str):
            apdu = bytes.fromhex(apdu.replace(" ", ""))
        data, sw1, sw2 = self.conn.transmit(list(apdu))
        if sw1 == 0x6C:
            data, sw1, sw2 = self.conn.transmit(list(apdu[:4]) + [sw2])
        while sw1 == 0x61:
            more, sw1, sw2 = self.conn.transmit([apdu[0], 0xC0, 0, 0, sw2])
            data += more
        got = sw1 << 8 | sw2
        if sw is not None and got not in (sw if isinstance(sw, tuple)
                                          else (sw,)):
            want = sw if isinstance(sw, tuple) else (sw,)
            fail(f"{what}: {apdu.hex().upper()} answered {got:04X} "
                 f"(data {bytes(data).hex()}), expected "
                 f"{' or '.join('%04X' % w for w in want)}")
        return bytes(data), got

    def ok(self, apdu, what):
        return self.tx(apdu, 0x9000, what)[0]

    def reset(self):
        from smartcard.scard import SCARD_RESET_CARD
        self.conn.reconnect(disposition=SCARD_RESET_CARD)


def case3(header, data):
    return bytes.fromhex(header) + bytes([len(data)]) + data


def select_usim(c):
    c.ok(case3("00A4040C", USIM_AID), "SELECT ADF.USIM")


def tlv(data):
    out, i = {}, 0
    while i + 2 <= len(data):
        out[data[i]] = data[i + 2:i + 2 + data[i + 1]]
        i += 2 + data[i + 1]
    return out


# ---------------------------------------------------------------- files

def read_iso(c, f, where, by_sfi=False):
    """READ f (selected, or by its SFI) with CLA 00; its content list."""
    if f[3] == T:
        n = size_of(f)
        p1 = 0x80 | f[2] if by_sfi else 0
        return [c.ok(bytes([0, 0xB0, p1, 0, n]), f"{where}/{f[0]} READ "
                     f"BINARY{' SFI' if by_sfi else ''}")]
    rl, nrec = f[4]
    p2 = (f[2] << 3 if by_sfi else 0) | 4
    return [c.ok(bytes([0, 0xB2, r, p2, rl]), f"{where}/{f[0]} READ RECORD "
                 f"{r}{' SFI' if by_sfi else ''}")
            for r in range(1, nrec + 1)]


def check_fcp(fcp, f, where):
    """TS 102 221 11.1.1.3: 83 FID, 82 descriptor, 80 size, 88 SFI."""
    if len(fcp) < 2 or fcp[0] != 0x62:
        fail(f"{where}/{f[0]}: no FCP template: {fcp.hex()}")
    t = tlv(fcp[2:])
    if t.get(0x83) != f[1].to_bytes(2, "big"):
        fail(f"{where}/{f[0]}: FCP 83 {t.get(0x83)!r}, expected {f[1]:04X}")
    d = t.get(0x82, b"")
    if f[3] == T:
        good = d[:1] == b"\x41"
    else:
        good = (d[:1] == b"\x42" and len(d) == 5 and
                int.from_bytes(d[2:4], "big") == f[4][0] and d[4] == f[4][1])
    if not good:
        fail(f"{where}/{f[0]}: descriptor {d.hex()} for a {f[3]} EF {f[4]}")
    if int.from_bytes(t.get(0x80, b""), "big") != size_of(f):
        fail(f"{where}/{f[0]}: FCP 80 {t.get(0x80, b'').hex()}, expected "
             f"{size_of(f)} bytes")
    sfi = bytes([f[2] << 3]) if f[2] else b""
    if t.get(0x88) != sfi:
        fail(f"{where}/{f[0]}: FCP 88 {t.get(0x88)!r}, expected {sfi!r} "
             "(TS 102 221 11.1.1.4.8: empty when the EF has no SFI)")


def compare(f, where, got):
    want = expected(f)
    if want is not None and got != want:
        fail(f"{where}/{f[0]} reads {[g.hex() for g in got]}, docs/usim.md "
             f"says {[w.hex() for w in want]}")


def read_df_iso(c, select_df, files, where):
    for f in files:
        select_df()
        fcp = c.ok(bytes([0, 0xA4, 0, 4, 2]) + f[1].to_bytes(2, "big") +
                   b"\x00", f"{where}/{f[0]} SELECT")
        check_fcp(fcp, f, where)
        compare(f, where, read_iso(c, f, where))
        if f[2]:
            compare(f, where, read_iso(c, f, where, by_sfi=True))
    print(f"{where}: {len(files)} files as documented (CLA 00)")


def read_df_gsm(c, df, files, where):
    """CLA A0: SELECT answers 9Fxx, GET RESPONSE the 9.2.1 data."""
    for f in files:
        for fid in (0x3F00, df, f[1]):
            _, sw = c.tx(bytes([0xA0, 0xA4, 0, 0, 2]) + fid.to_bytes(2, "big"),
                         what=f"{where}/{f[0]} A0 SELECT {fid:04X}")
            if sw >> 8 != 0x9F:
                fail(f"{where}/{f[0]}: A0 SELECT {fid:04X} answered {sw:04X}")
        rsp = c.ok(bytes([0xA0, 0xC0, 0, 0, sw & 0xFF]), "A0 GET RESPONSE")
        struct = 0 if f[3] == T else 1
        rl = 0 if f[3] == T else f[4][0]
        want = (b"\x00\x00" + size_of(f).to_bytes(2, "big") +
                f[1].to_bytes(2, "big") + b"\x04\x00" +
                bytes.fromhex(GSM_AC[f[5]]) + bytes([1, 2, struct, rl]))
        if rsp != want:
            fail(f"{where}/{f[0]}: A0 GET RESPONSE {rsp.hex()}, expected "
                 f"{want.hex()} (TS 51.011 9.2.1)")
        if f[3] == T:
            got = [c.ok(bytes([0xA0, 0xB0, 0, 0, size_of(f)]),
                        f"{where}/{f[0]} A0 READ BINARY")]
        else:
            got = [c.ok(bytes([0xA0, 0xB2, r, 4, f[4][0]]),
                        f"{where}/{f[0]} A0 READ RECORD {r}")
                   for r in range(1, f[4][1] + 1)]
        compare(f, where, got)
    print(f"{where}: {len(files)} files as documented (CLA A0)")


def access_before_pin1(c):
    """Rules 1 and 2 read ALW, rules 3 and 4 need PIN1 (6982)."""
    for f in USIM_FILES:
        select_usim(c)
        c.ok(bytes([0, 0xA4, 0, 0x0C, 2]) + f[1].to_bytes(2, "big"),
             f"SELECT {f[0]}")
        read = (bytes([0, 0xB0, 0, 0, 1]) if f[3] == T
                else bytes([0, 0xB2, 1, 4, f[4][0]]))
        c.tx(read, 0x9000 if f[5] in (1, 2) else 0x6982,
             f"{f[0]} (rule {f[5]}) read before PIN1")


def access_after_pin1(c):
    """Update: rules 2 and 3 with PIN1, rules 1 and 4 need ADM1 (6982);
    written back with their own content."""
    for f in USIM_FILES:
        if f[6] is None:
            continue
        select_usim(c)
        c.ok(bytes([0, 0xA4, 0, 0x0C, 2]) + f[1].to_bytes(2, "big"),
             f"SELECT {f[0]}")
        first = expected(f)[0]
        if f[3] == T:
            apdu = case3("00D60000", first)
        else:
            apdu = case3("00DC0104", first)
        c.tx(apdu, 0x9000 if f[5] in (2, 3) else 0x6982,
             f"{f[0]} (rule {f[5]}) update after PIN1")


def files(c):
    # MF: EF.ICCID (docs/fs.md), EF.DIR record 2 (ADF.USIM), EF.UMPC
    c.ok("00A4000C023F00", "SELECT MF")
    c.ok("00A4000C022FE2", "SELECT EF.ICCID")
    if c.ok("00B000000A", "READ EF.ICCID") != swapped("8949020000123456789"):
        fail("EF.ICCID is not 8949020000123456789")
    c.ok("00A4000C022F00", "SELECT EF.DIR")
    rec = c.ok("00B2020420", "READ EF.DIR record 2")
    want = pad(b"\x61\x18\x4f\x10" + USIM_AID + b"\x50\x04USIM", 32)
    if rec != want:
        fail(f"EF.DIR record 2 {rec.hex()}, expected {want.hex()}")
    umpc = ("EF.UMPC", 0x2F08, 0x08, T, 5, 1, bytes.fromhex("3205000000"))
    read_df_iso(c, lambda: c.ok("00A4000C023F00", "SELECT MF"), [umpc], "MF")

    access_before_pin1(c)
    c.ok(case3("00200001", PIN1), "VERIFY PIN1")
    read_df_iso(c, lambda: select_usim(c), USIM_FILES, "ADF.USIM")

    def gsm_access():
        select_usim(c)
        c.ok("00A4000C025F3B", "SELECT DF.GSM-ACCESS")
    read_df_iso(c, gsm_access, GSM_ACCESS_FILES, "ADF.USIM/DF.GSM-ACCESS")
    read_df_iso(c, lambda: c.ok("00A4080C027F20", "SELECT DF.GSM"),
                GSM_FILES, "DF.GSM")
    read_df_iso(c, lambda: c.ok("00A4080C027F10", "SELECT DF.TELECOM"),
                TELECOM_FILES, "DF.TELECOM")
    read_df_gsm(c, 0x7F20, GSM_FILES, "DF.GSM")
    read_df_gsm(c, 0x7F10, TELECOM_FILES, "DF.TELECOM")
    access_after_pin1(c)
    print("access rules as documented")


# ----------------------------------------------------------------- PINs

def df_chv_status(c, df=0x7F20):
    """TS 51.011 9.2.1: bytes 14 (file characteristics), 19 and 20 (CHV1,
    UNBLOCK CHV1 status: b8 initialised, b4..b1 tries left)."""
    _, sw = c.tx(bytes([0xA0, 0xA4, 0, 0, 2]) + df.to_bytes(2, "big"),
                 what="A0 SELECT DF")
    if sw >> 8 != 0x9F:
        fail(f"A0 SELECT {df:04X} answered {sw:04X}")
    r = c.ok(bytes([0xA0, 0xC0, 0, 0, sw & 0xFF]), "A0 GET RESPONSE")
    return r[13], r[18], r[19]


def expect_chv(c, chv1, unblock, disabled=False):
    fc, s1, s2 = df_chv_status(c)
    if (s1, s2) != (chv1, unblock) or bool(fc & 0x80) != disabled:
        fail(f"DF.GSM: file characteristics {fc:02X}, CHV1 {s1:02X}, "
             f"UNBLOCK CHV1 {s2:02X}; expected CHV1 {chv1:02X}, UNBLOCK "
             f"{unblock:02X}, CHV1 {'disabled' if disabled else 'enabled'}")


def pins_gsm(c):
    """CLA A0 (TS 51.011 9.2.9-9.2.13, status words 9.4)."""
    wrong = b"9999" + b"\xff" * 4
    expect_chv(c, 0x83, 0x8A)
    c.tx("A0A40000026F07", 0x9F0F, "A0 SELECT EF.IMSI")
    c.tx("A0B0000009", 0x9804, "A0 READ EF.IMSI without CHV1")
    c.tx(case3("A0200001", wrong), 0x9804, "A0 VERIFY wrong CHV1 (1)")
    c.tx(case3("A0200001", wrong), 0x9804, "A0 VERIFY wrong CHV1 (2)")
    c.tx(case3("A0200001", wrong), 0x9840, "A0 VERIFY wrong CHV1 (3)")
    expect_chv(c, 0x80, 0x8A)
    c.tx(case3("A0200001", PIN1), 0x9840, "A0 VERIFY CHV1 when blocked")
    c.tx(case3("A02C0000", b"00000000" + PIN1), 0x9804,
         "A0 UNBLOCK CHV1 with a wrong UNBLOCK CHV1")
    expect_chv(c, 0x80, 0x89)
    c.tx(case3("A02C0000", PUK1 + PIN1), 0x9000, "A0 UNBLOCK CHV1")
    expect_chv(c, 0x83, 0x8A)
    c.tx(case3("A0200001", PIN1), 0x9000, "A0 VERIFY CHV1")
    c.tx("A0A40000026F07", 0x9F0F, "A0 SELECT EF.IMSI")
    if c.ok("A0B0000009", "A0 READ EF.IMSI") != imsi("001010000000001"):
        fail("A0 READ EF.IMSI: not 001010000000001")
    new = b"4321" + b"\xff" * 4
    c.tx(case3("A0240001", PIN1 + new), 0x9000, "A0 CHANGE CHV1")
    c.tx(case3("A0200001", PIN1), 0x9804, "A0 VERIFY the old CHV1")
    c.tx(case3("A0240001", new + PIN1), 0x9000, "A0 CHANGE CHV1 back")
    c.tx(case3("A0260001", PIN1), 0x9000, "A0 DISABLE CHV1")
    expect_chv(c, 0x83, 0x8A, disabled=True)
    c.tx(case3("A0200001", PIN1), 0x9808, "A0 VERIFY a disabled CHV1")
    c.reset()
    c.tx("A0A40000027F20", 0x9F16, "A0 SELECT DF.GSM")
    c.tx("A0A40000026F07", 0x9F0F, "A0 SELECT EF.IMSI")
    c.ok("A0B0000009", "A0 READ EF.IMSI, CHV1 disabled, after a reset")
    c.tx(case3("A0280001", PIN1), 0x9000, "A0 ENABLE CHV1")
    expect_chv(c, 0x83, 0x8A)
    c.tx(case3("A0200002", PIN1), 0x9802, "A0 VERIFY CHV2 (none)")
    print("CLA A0: VERIFY, UNBLOCK, CHANGE, DISABLE, ENABLE CHV1 as "
          "TS 51.011")


def pins_iso(c):
    """CLA 00 (TS 102 221 11.1.9-11.1.13)."""
    wrong = b"9999" + b"\xff" * 4
    select_usim(c)
    c.tx("00B0870001", 0x6982, "READ EF.IMSI without PIN1")
    c.tx("00200001", 0x63C3, "VERIFY PIN1 without data")
    for left in (2, 1, 0):
        c.tx(case3("00200001", wrong), 0x63C0 | left, "VERIFY wrong PIN1")
    c.tx("00200001", (0x63C0, 0x6983), "VERIFY without data, blocked")
    c.tx(case3("00200001", PIN1), 0x6983, "VERIFY PIN1 when blocked")
    c.tx("002C0001", 0x63CA, "UNBLOCK without data: PUK1 tries")
    c.tx(case3("002C0001", b"00000000" + PIN1), 0x63C9,
         "UNBLOCK PIN1 with a wrong PUK1")
    new = b"4321" + b"\xff" * 4
    c.tx(case3("002C0001", PUK1 + new), 0x9000, "UNBLOCK PIN1, new value")
    c.tx("002C0001", 0x63CA, "UNBLOCK without data after a success")
    c.reset()
    select_usim(c)
    c.tx("00200001", 0x63C3, "VERIFY without data after UNBLOCK")
    c.tx(case3("00200001", PIN1), 0x63C2, "VERIFY the old PIN1")
    c.tx(case3("00200001", new), 0x9000, "VERIFY the new PIN1")
    c.tx("00200001", 0x9000, "VERIFY without data, verified")
    if c.ok("00B0870009", "READ EF.IMSI") != imsi("001010000000001"):
        fail("READ EF.IMSI: not 001010000000001")
    c.tx(case3("00240001", new + PIN1), 0x9000, "CHANGE PIN1 back")
    c.tx(case3("00260001", PIN1), 0x9000, "DISABLE PIN1")
    c.reset()
    select_usim(c)
    c.tx("00200001", 0x9000, "VERIFY without data, PIN1 disabled")
    c.ok("00B0870009", "READ EF.IMSI, PIN1 disabled")
    c.tx(case3("00280001", PIN1), 0x9000, "ENABLE PIN1")
    c.reset()
    select_usim(c)
    c.tx("00B0870009", 0x6982, "READ EF.IMSI, PIN1 enabled again")
    c.tx(case3("0020000A", b"87654321"), 0x63C9, "VERIFY wrong ADM1 "
         "(docs/fs.md: 10 tries)")
    c.tx(case3("0020000A", ADM1), 0x9000, "VERIFY ADM1")
    print("CLA 00: VERIFY, UNBLOCK, CHANGE, DISABLE, ENABLE PIN1 and ADM1 "
          "as TS 102 221")


def pins(c):
    pins_gsm(c)
    c.reset()
    pins_iso(c)


# ------------------------------------------------------------- AUTHENTICATE

def osmo(*args):
    out = subprocess.run(["osmo-auc-gen", "-3", "-a", "milenage"] +
                         list(args), capture_output=True, text=True,
                         check=True).stdout
    return dict(line.split(":\t", 1) for line in out.splitlines()
                if ":\t" in line)


def vector(ki, opc, sqn, rnd):
    return osmo("-k", ki, "-o", opc, "-s", str(sqn), "-r", rnd.hex(),
                "-f", "8000")


def authenticate(c, rnd, autn, sw=0x9000):
    return c.tx(case3("00880081", b"\x10" + rnd + b"\x10" + autn), sw,
                "AUTHENTICATE 3G")[0]


def accepted(c, ki, opc, sqn, rnd, what):
    v = vector(ki, opc, sqn, rnd)
    r = authenticate(c, rnd, bytes.fromhex(v["AUTN"]))
    want = (b"\xdb\x08" + bytes.fromhex(v["RES"]) + b"\x10" +
            bytes.fromhex(v["CK"]) + b"\x10" + bytes.fromhex(v["IK"]) +
            b"\x08" + bytes.fromhex(v["Kc"]))
    if r != want:
        fail(f"{what}: SQN {sqn}: AUTHENTICATE {r.hex()}, osmo-auc-gen "
             f"{want.hex()}")
    return v


def sqn_ms(c, ki, opc, rnd, autn, what):
    """A stale AUTN: DC 0E AUTS; osmo-auc-gen -A finds SQN_MS in it."""
    r = authenticate(c, rnd, autn)
    if r[:2] != b"\xdc\x0e" or len(r) != 16:
        fail(f"{what}: {r.hex()}, expected a synchronisation failure")
    return int(osmo("-k", ki, "-o", opc, "-A", r[2:].hex(), "-r",
                    rnd.hex())["SQN.MS"])


def auth_round(c, ki, opc, rng):
    select_usim(c)
    c.ok(case3("00200001", PIN1), "VERIFY PIN1")
    base = rng.randrange(1, 1 << 20) << 5
    sqn = base + 32 + rng.randrange(32)
    rnd = rng.randbytes(16)
    v = accepted(c, ki, opc, sqn, rnd, "a fresh SQN")
    autn = bytes.fromhex(v["AUTN"])
    # replayed: synchronisation failure naming the accepted SQN
    if sqn_ms(c, ki, opc, rnd, autn, "replay") != sqn:
        fail("AUTS after a replay does not name the accepted SQN")
    # Delta (C.2.1): SEQ - SEQ_MS beyond 2^28
    far = sqn + ((1 << 28) + 1 << 5)
    fv = vector(ki, opc, far, rnd)
    if sqn_ms(c, ki, opc, rnd, bytes.fromhex(fv["AUTN"]), "beyond") != sqn:
        fail("a SQN beyond 2^28 moved SQN_MS")
    # a lower SEQ in another IND slot, never used: fresh (C.2.2)
    other = (base + 32) | ((sqn + 1) % 32)
    accepted(c, ki, opc, other, rng.randbytes(16), "another IND slot")
    # a bit of MAC-A flipped: 9862, nothing changes
    bad = bytearray(autn)
    bad[15] ^= 1
    authenticate(c, rng.randbytes(16), bytes(bad), 0x9862)
    # GSM context and RUN GSM ALGORITHM: SRES = c2, Kc = c3
    g = c.ok(case3("00880080", b"\x10" + rnd), "AUTHENTICATE GSM")
    if g != b"\x04" + bytes.fromhex(v["SRES"]) + b"\x08" + \
            bytes.fromhex(v["Kc"]):
        fail(f"GSM context {g.hex()}, osmo-auc-gen SRES {v['SRES']} "
             f"Kc {v['Kc']}")
    c.tx("A0A40000027F20", 0x9F16, "A0 SELECT DF.GSM")
    c.tx(case3("A0880000", rnd), 0x9F0C, "RUN GSM ALGORITHM")
    g = c.ok("A0C000000C", "A0 GET RESPONSE")
    if g != bytes.fromhex(v["SRES"] + v["Kc"]):
        fail(f"RUN GSM ALGORITHM {g.hex()}, osmo-auc-gen SRES {v['SRES']} "
             f"Kc {v['Kc']}")
    return sqn


def auth(c):
    rng = random.Random()
    c.tx(case3("00880081", b"\x10" + bytes(16) + b"\x10" + bytes(16)),
         0x6985, "AUTHENTICATE outside ADF.USIM")
    select_usim(c)
    c.tx(case3("00880081", b"\x10" + bytes(16) + b"\x10" + bytes(16)),
         0x6982, "AUTHENTICATE without PIN1")
    auth_round(c, KI, OPC, rng)
    print("AUTHENTICATE with the documented keys (TS 35.208 set 1) as "
          "osmo-auc-gen")
    # random keys through the personalization application (ADM1)
    for _ in range(2):
        ki, opc = rng.randbytes(16).hex(), rng.randbytes(16).hex()
        c.ok(case3("0020000A", ADM1), "VERIFY ADM1")
        c.ok("00A4040009F06E6574636172640200", "SELECT perso")
        c.ok(case3("80500000", bytes.fromhex("0110" + ki + "0210" + opc) +
                   bytes.fromhex("0406") + (0).to_bytes(6, "big")),
             "SET USIM KEYS")
        auth_round(c, ki, opc, rng)
    print("AUTHENTICATE with random keys as osmo-auc-gen")


def main():
    name, mode = sys.argv[1], sys.argv[2]
    c = Card(connect(name))
    {"files": files, "pins": pins, "auth": auth}[mode](c)
    c.conn.disconnect()
    print("ok " + mode)


if __name__ == "__main__":
    main()
