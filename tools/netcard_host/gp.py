# `netcard gp` (tools/netcard.py): GlobalPlatform card management
# commands (Card Specification 2.3.1) over an SCP03 session of scp.py,
# the one host implementation of the secure channels (the runner's too).
# A convenience for users: no test takes its expected bytes from here
# (the tests check the card against independent vectors and the
# GlobalPlatformPro / GPShell sessions in tests/vectors/).
#
#   s = Scp03(transmit, enc, mac, dek)   transmit(bytes) -> R-APDU bytes
#   s.open(kvn=0, level=0x01)            INITIALIZE UPDATE + EXT. AUTH.
#   s.send(capdu) -> (data, sw)          wrapped; R-MAC checked, stripped
#   gp_list(s), gp_put_key(s, ...), ...  lines to print
#   cmac(key, data)                      AES-CMAC (blockcipher.py)
#
# SPDX-License-Identifier: Apache-2.0

from . import scp
from .blockcipher import aes_cmac as cmac   # noqa: F401 (for scripts)

GpError = scp.ScpError


def Scp03(transmit, enc, mac=None, dek=None):
    """An SCP03 channel (scp.Channel) with ENC, MAC (default ENC) and DEK
    (default ENC); open() it."""
    return scp.Channel(transmit, scp.Scp03(enc, mac or enc, dek or enc))


# Card management commands over an open session. Each returns lines to
# print; GpError on a refusal.

ISD_AID = bytes.fromhex("A000000151000000")
LIFE = {0x01: "LOADED", 0x03: "INSTALLED", 0x07: "SELECTABLE",
        0x0F: "SECURED", 0x7F: "CARD_LOCKED", 0xFF: "TERMINATED"}


def _ok(sw, what):
    if sw != 0x9000:
        raise GpError("%s answered %04X" % (what, sw))


def _tlvs(data):
    """Top-level BER-TLVs of DATA (1- or 2-byte tags, short lengths)."""
    i = 0
    while i + 2 <= len(data):
        tag = data[i]
        i += 1
        if tag & 0x1F == 0x1F:
            tag = tag << 8 | data[i]
            i += 1
        n = data[i]
        i += 1
        if n == 0x81:
            n = data[i]
            i += 1
        yield tag, data[i:i + n]
        i += n


def _life(v, kind):
    if kind == "card":
        return LIFE.get(v, "%02X" % v)
    name = {0x01: "LOADED", 0x03: "INSTALLED", 0x07: "SELECTABLE",
            0x0F: "PERSONALIZED"}.get(v & 0x7F, "%02X" % v)
    return name + (" LOCKED" if v & 0x80 else "")


def gp_list(s):
    out = []
    for p1, kind in ((0x80, "ISD"), (0x40, "APP"), (0x20, "PKG")):
        p2 = 0x02
        while True:
            data, sw = s.send(bytes([0x80, 0xF2, p1, p2, 2, 0x4F, 0, 0]))
            if sw == 0x6A88:
                break
            if sw not in (0x9000, 0x6310):
                raise GpError("GET STATUS %02X answered %04X" % (p1, sw))
            for tag, e in _tlvs(data):
                f = dict(_tlvs(e))
                line = "%s: %s %s" % (kind, f.get(0x4F, b"").hex().upper(),
                                      _life(f.get(0x9F70, b"\0")[0],
                                            "card" if p1 == 0x80 else ""))
                if 0xC5 in f:
                    line += " privileges %s" % f[0xC5].hex().upper()
                if 0xCE in f:
                    line += " version %d.%d" % (f[0xCE][0], f[0xCE][1])
                out.append(line)
            if sw == 0x9000:
                break
            p2 = 0x03
    return out


def gp_info(transmit):
    out = []
    for tag, name in ((0x0042, "IIN"), (0x0045, "CIN"), (0x00CF, "KDD"),
                      (0x00C1, "sequence counter"), (0x00E0, "key info"),
                      (0x0066, "card data"), (0x9F7F, "CPLC")):
        r = transmit(bytes([0x80, 0xCA, tag >> 8, tag & 0xFF, 0]))
        if r[-2:] == b"\x90\x00":
            out.append("%s: %s" % (name, r[:-2].hex().upper()))
    return out


def gp_put_key(s, new_kvn, key, replace=0):
    data, kcv = s.put_key_data(new_kvn, key)
    r, sw = s.send(bytes([0x80, 0xD8, replace, 0x81, len(data)]) + data +
                   b"\x00")
    _ok(sw, "PUT KEY")
    return ["key set %02X: KCV %s" % (r[0], kcv.hex().upper())]


def _lv(b):
    return bytes([len(b)]) + b


def gp_install(s, elf, module, aid, params=b"", privileges=b"\x00"):
    data = (_lv(elf) + _lv(module) + _lv(aid) + _lv(privileges) +
            _lv(b"\xC9" + _lv(params)) + b"\x00")
    r, sw = s.send(bytes([0x80, 0xE6, 0x0C, 0x00, len(data)]) + data +
                   b"\x00")
    _ok(sw, "INSTALL")
    return ["installed %s" % aid.hex().upper()]


def gp_delete(s, aid, related=False):
    data = b"\x4F" + _lv(aid)
    r, sw = s.send(bytes([0x80, 0xE4, 0x00, 0x80 if related else 0x00,
                          len(data)]) + data + b"\x00")
    _ok(sw, "DELETE")
    return ["deleted %s" % aid.hex().upper()]


def gp_set_status(s, p1, p2, aid=b""):
    r, sw = s.send(bytes([0x80, 0xF0, p1, p2]) +
                   (bytes([len(aid)]) + aid if aid else b""))
    _ok(sw, "SET STATUS")
    return []


def gp_load(s, elf, blob, block=239):
    """INSTALL [for load] then LOAD of BLOB (the load file's bytes) in
    C4-wrapped blocks."""
    data = _lv(elf) + _lv(b"") + b"\x00\x00\x00"
    r, sw = s.send(bytes([0x80, 0xE6, 0x02, 0x00, len(data)]) + data +
                   b"\x00")
    _ok(sw, "INSTALL [for load]")
    n = len(blob)
    if n < 0x80:
        head = bytes([0xC4, n])
    elif n < 0x100:
        head = bytes([0xC4, 0x81, n])
    elif n < 0x10000:
        head = bytes([0xC4, 0x82, n >> 8, n & 0xFF])
    else:
        head = bytes([0xC4, 0x83, n >> 16, (n >> 8) & 0xFF, n & 0xFF])
    stream = head + blob
    blocks = [stream[i:i + block] for i in range(0, len(stream), block)]
    for k, b in enumerate(blocks):
        last = k == len(blocks) - 1
        r, sw = s.send(bytes([0x80, 0xE8, 0x80 if last else 0x00, k,
                              len(b)]) + b + b"\x00")
        _ok(sw, "LOAD block %d" % k)
    return ["loaded %s: %d bytes in %d blocks" % (elf.hex().upper(), n,
                                                 len(blocks))]
