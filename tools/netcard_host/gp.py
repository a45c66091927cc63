# The host side of GlobalPlatform SCP03 (Card Specification 2.3.1
# Amendment D) in plain Python (standard library only: AES-128/192/256
# encryption, AES-CMAC, the SP 800-108 KDF), for `netcard gp` and the
# benchmarks. A convenience for users: no test takes its expected bytes
# from here (the tests check the card against independent vectors and
# the GlobalPlatformPro / GPShell sessions in tests/vectors/).
#
#   s = Scp03(transmit, enc, mac, dek)   transmit(bytes) -> R-APDU bytes
#   s.open(kvn=0, level=0x01)            INITIALIZE UPDATE + EXT. AUTH.
#   s.wrap(capdu) -> bytes               C-MAC (and C-DECRYPTION at 03)
#   s.send(capdu) -> (data, sw)          wrap, transmit, strip the R-MAC
#   s.put_key_data(new_kvn, key)         PUT KEY data of a 3-key AES set
#
# SPDX-License-Identifier: Apache-2.0

import os

_SBOX = []
_RCON = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1B, 0x36]


def _build_sbox():
    # FIPS 197 5.1.1: the multiplicative inverse in GF(2^8), then the
    # affine transformation.
    inv = [0] * 256
    for a in range(1, 256):
        for b in range(1, 256):
            if _gmul(a, b) == 1:
                inv[a] = b
                break
    for x in range(256):
        b = inv[x]
        s = b
        for i in range(1, 5):
            s ^= ((b << i) | (b >> (8 - i))) & 0xFF
        _SBOX.append(s ^ 0x63)


def _gmul(a, b):
    p = 0
    while b:
        if b & 1:
            p ^= a
        a = ((a << 1) ^ 0x1B) & 0xFF if a & 0x80 else a << 1
        b >>= 1
    return p


class Aes:
    """AES encryption of 16-byte blocks with a 16, 24 or 32-byte key."""

    def __init__(self, key):
        if not _SBOX:
            _build_sbox()
        if len(key) not in (16, 24, 32):
            raise ValueError("AES key of %d bytes" % len(key))
        nk = len(key) // 4
        self.rounds = nk + 6
        w = [list(key[4 * i:4 * i + 4]) for i in range(nk)]
        for i in range(nk, 4 * (self.rounds + 1)):
            t = list(w[i - 1])
            if i % nk == 0:
                t = [_SBOX[b] for b in t[1:] + t[:1]]
                t[0] ^= _RCON[i // nk - 1]
            elif nk > 6 and i % nk == 4:
                t = [_SBOX[b] for b in t]
            w.append([w[i - nk][j] ^ t[j] for j in range(4)])
        self.w = [sum(w[4 * r:4 * r + 4], []) for r in range(self.rounds + 1)]

    def encrypt(self, block):
        s = [b ^ k for b, k in zip(block, self.w[0])]
        for r in range(1, self.rounds + 1):
            s = [_SBOX[b] for b in s]
            # ShiftRows (column-major state: byte c*4+r)
            s = [s[((c + r_) % 4) * 4 + r_] for c in range(4) for r_ in range(4)]
            if r != self.rounds:
                m = []
                for c in range(4):
                    a = s[4 * c:4 * c + 4]
                    m += [_gmul(a[0], 2) ^ _gmul(a[1], 3) ^ a[2] ^ a[3],
                          a[0] ^ _gmul(a[1], 2) ^ _gmul(a[2], 3) ^ a[3],
                          a[0] ^ a[1] ^ _gmul(a[2], 2) ^ _gmul(a[3], 3),
                          _gmul(a[0], 3) ^ a[1] ^ a[2] ^ _gmul(a[3], 2)]
                s = m
            s = [b ^ k for b, k in zip(s, self.w[r])]
        return bytes(s)


def _dbl(b):
    n = int.from_bytes(b, "big") << 1
    if n >> 128:
        n = (n & ((1 << 128) - 1)) ^ 0x87
    return n.to_bytes(16, "big")


def cmac(key, msg):
    """AES-CMAC (SP 800-38B), 16 bytes."""
    aes = Aes(key)
    k1 = _dbl(aes.encrypt(bytes(16)))
    k2 = _dbl(k1)
    if msg and len(msg) % 16 == 0:
        last = bytes(a ^ b for a, b in zip(msg[-16:], k1))
        body = msg[:-16]
    else:
        rest = len(msg) % 16
        pad = msg[len(msg) - rest:] + b"\x80" + bytes(15 - rest)
        last = bytes(a ^ b for a, b in zip(pad, k2))
        body = msg[:len(msg) - rest]
    x = bytes(16)
    for i in range(0, len(body), 16):
        x = aes.encrypt(bytes(a ^ b for a, b in zip(x, body[i:i + 16])))
    return aes.encrypt(bytes(a ^ b for a, b in zip(x, last)))


def kdf(key, constant, l_bits, context):
    out = b""
    i = 1
    while len(out) * 8 < l_bits:
        out += cmac(key, bytes(11) + bytes([constant, 0]) +
                    l_bits.to_bytes(2, "big") + bytes([i]) + context)
        i += 1
    return out[:l_bits // 8]


def cbc_encrypt(key, iv, data):
    aes = Aes(key)
    out = b""
    for i in range(0, len(data), 16):
        iv = aes.encrypt(bytes(a ^ b for a, b in zip(iv, data[i:i + 16])))
        out += iv
    return out


def pad80(data):
    data += b"\x80"
    return data + bytes(-len(data) % 16)


class GpError(Exception):
    pass


class Scp03:
    def __init__(self, transmit, enc, mac=None, dek=None):
        self.transmit = transmit
        self.enc, self.mac = enc, mac or enc
        self.dek = dek or enc
        self.level = 0

    def open(self, kvn=0, level=0x01, host_challenge=None):
        hc = host_challenge or os.urandom(8)
        r = self.transmit(bytes([0x80, 0x50, kvn, 0x00, 8]) + hc + b"\x00")
        if r[-2:] != b"\x90\x00" or len(r) < 31:
            raise GpError("INITIALIZE UPDATE answered %s" % r.hex().upper())
        if r[11] != 0x03:
            raise GpError("the key set is not an SCP03 key set (SCP %02X)"
                          % r[11])
        self.kvn, self.i = r[10], r[12]
        cc = r[13:21]
        ctx = hc + cc
        n = len(self.enc) * 8
        self.s_enc = kdf(self.enc, 0x04, n, ctx)
        self.s_mac = kdf(self.mac, 0x06, n, ctx)
        self.s_rmac = kdf(self.mac, 0x07, n, ctx)
        if kdf(self.s_mac, 0x00, 64, ctx) != r[21:29]:
            raise GpError("wrong card cryptogram: other keys on the card?")
        self.chain = bytes(16)
        self.counter = 0
        self.level = 0
        host = kdf(self.s_mac, 0x01, 64, ctx)
        ea = self._mac(bytes([0x84, 0x82, level, 0x00, 16]) + host)
        r = self.transmit(ea)
        if r[-2:] != b"\x90\x00":
            raise GpError("EXTERNAL AUTHENTICATE answered %s"
                          % r.hex().upper())
        self.level = level
        return self

    def _mac(self, cmd):
        m = cmac(self.s_mac, self.chain + cmd)
        self.chain = m
        return cmd + m[:8]

    def wrap(self, capdu):
        """CLA INS P1 P2 [Lc data] [Le]: short APDUs."""
        hdr, data, le = capdu[:4], b"", b""
        if len(capdu) == 5:
            le = capdu[4:]
        elif len(capdu) > 5:
            data = capdu[5:5 + capdu[4]]
            le = capdu[5 + capdu[4]:]
        if not self.level & 0x01:
            return capdu
        self.counter += 1
        if self.level & 0x02 and data:
            icv = Aes(self.s_enc).encrypt(self.counter.to_bytes(16, "big"))
            data = cbc_encrypt(self.s_enc, icv, pad80(data))
        cla = hdr[0] | (0x20 if hdr[0] & 0x40 else 0x04)
        return self._mac(bytes([cla]) + hdr[1:] +
                         bytes([len(data) + 8]) + data) + le

    def send(self, capdu):
        r = self.transmit(self.wrap(capdu))
        data, sw = r[:-2], int.from_bytes(r[-2:], "big")
        if self.level & 0x10 and (sw == 0x9000 or sw >> 8 in (0x62, 0x63)):
            data = data[:-8]        # the R-MAC (not checked here)
        return data, sw

    def put_key_data(self, new_kvn, key):
        """PUT KEY data for ENC = MAC = DEK = KEY (AES), with KCVs."""
        kcv = Aes(key).encrypt(b"\x01" * 16)[:3]
        comp = cbc_encrypt(self.dek, bytes(16), pad80(key)[:len(key)]
                           if len(key) % 16 == 0 else pad80(key))
        one = bytes([0x88, len(comp) + 1, len(key)]) + comp + b"\x03" + kcv
        return bytes([new_kvn]) + one * 3, kcv


# ---------------------------------------------------------------------------
# `netcard gp` (tools/netcard.py): card management commands over an open
# session. Each returns lines to print; GpError on a refusal.
# ---------------------------------------------------------------------------

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
