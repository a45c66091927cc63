# Block ciphers for the host side of the secure channels (scp.py), in
# plain Python (DESIGN.md "Host side": the standard library only): AES
# (FIPS 197, 128/192/256-bit keys), DES and two/three-key 3DES (FIPS
# 46-3, SP 800-67), ECB/CBC over whole blocks, AES-CMAC (SP 800-38B).
# Slow (tens of microseconds a block) and not constant-time: for test
# sessions, never for keys that matter. Checked through scp.py against
# pySim's vectors (tests/tools/test_scp_vectors.py) and the card.
#
#   Aes(key).encrypt(block16), .decrypt(block16)
#   Des3(key8|16|24).encrypt(block8), .decrypt(block8)
#   cbc_encrypt(cipher, iv, data), cbc_decrypt(...), ecb_encrypt(...)
#   aes_cmac(key, data)
#
# SPDX-License-Identifier: Apache-2.0

# -- AES -------------------------------------------------------------------
_SBOX = []
_INV_SBOX = [0] * 256
_RCON = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1B, 0x36]


def _gmul(a, b):
    p = 0
    while b:
        if b & 1:
            p ^= a
        a = ((a << 1) ^ 0x1B) & 0xFF if a & 0x80 else a << 1
        b >>= 1
    return p


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
        _INV_SBOX[s ^ 0x63] = x


class Aes:
    """AES of 16-byte blocks with a 16, 24 or 32-byte key."""
    block = 16

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
            s = [s[((c + r_) % 4) * 4 + r_] for c in range(4)
                 for r_ in range(4)]
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

    def decrypt(self, block):
        s = [b ^ k for b, k in zip(block, self.w[self.rounds])]
        for r in range(self.rounds - 1, -1, -1):
            # InvShiftRows, InvSubBytes, AddRoundKey, InvMixColumns
            s = [s[((c - r_) % 4) * 4 + r_] for c in range(4)
                 for r_ in range(4)]
            s = [_INV_SBOX[b] for b in s]
            s = [b ^ k for b, k in zip(s, self.w[r])]
            if r:
                m = []
                for c in range(4):
                    a = s[4 * c:4 * c + 4]
                    m += [_gmul(a[0], 14) ^ _gmul(a[1], 11) ^
                          _gmul(a[2], 13) ^ _gmul(a[3], 9),
                          _gmul(a[0], 9) ^ _gmul(a[1], 14) ^
                          _gmul(a[2], 11) ^ _gmul(a[3], 13),
                          _gmul(a[0], 13) ^ _gmul(a[1], 9) ^
                          _gmul(a[2], 14) ^ _gmul(a[3], 11),
                          _gmul(a[0], 11) ^ _gmul(a[1], 13) ^
                          _gmul(a[2], 9) ^ _gmul(a[3], 14)]
                s = m
        return bytes(s)


# -- DES, 3DES -------------------------------------------------------------
# FIPS 46-3's tables, 1-based bit numbers from the most significant bit.
_IP = [58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
       62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
       57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
       61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7]
_FP = [_IP.index(i) + 1 for i in range(1, 65)]
_E = [(4 * (i // 6) + i % 6 - 1) % 32 + 1 for i in range(48)]
_P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
      2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25]
_PC1 = [57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
        10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
        63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
        14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4]
_PC2 = [14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10,
        23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
        41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48,
        44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32]
_SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1]
_S = [
    "E4D12FB83A6C5907 0F74E2D1A6CB9538 41E8D62BFC973A50 FC8249175B3EA06D",
    "F18E6B34972DC05A 3D47F28EC01A69B5 0E7BA4D158C6932F D8A13F42B67C05E9",
    "A09E63F51DC7B428 D709346A285ECBF1 D6498F30B12C5AE7 1AD069874FE3B52C",
    "7DE3069A1285BC4F D8B56F03472C1AE9 A690CB7DF13E5284 3F06A1D8945BC72E",
    "2C417AB6853FD0E9 EB2C47D150FA3986 421BAD78F9C5630E B8C71E2D6F09A453",
    "C1AF92680D34E75B AF427C9561DE0B38 9EF528C3704A1DB6 432C95FABE17608D",
    "4B2EF08D3C975A61 D0B7491AE35C2F86 14BDC37EAF680592 6BD814A7950FE23C",
    "D2846FB1A93E50C7 1FD8A374C56B0E92 7B419CE206ADF358 21E74A8DFC90356B"]
_SBOXES = [[int(c, 16) for c in row.replace(" ", "")] for row in _S]


def _permute(value, table, width):
    out = 0
    for bit in table:
        out = (out << 1) | ((value >> (width - bit)) & 1)
    return out


class Des:
    """Single DES of 8-byte blocks."""
    block = 8

    def __init__(self, key):
        if len(key) != 8:
            raise ValueError("DES key of %d bytes" % len(key))
        cd = _permute(int.from_bytes(key, "big"), _PC1, 64)
        c, d = cd >> 28, cd & 0xFFFFFFF
        self.subkeys = []
        for n in _SHIFTS:
            c = ((c << n) | (c >> (28 - n))) & 0xFFFFFFF
            d = ((d << n) | (d >> (28 - n))) & 0xFFFFFFF
            self.subkeys.append(_permute((c << 28) | d, _PC2, 56))

    def _crypt(self, block, keys):
        v = _permute(int.from_bytes(block, "big"), _IP, 64)
        left, right = v >> 32, v & 0xFFFFFFFF
        for k in keys:
            x = _permute(right, _E, 32) ^ k
            f = 0
            for i in range(8):
                six = (x >> (42 - 6 * i)) & 0x3F
                row = ((six >> 4) & 2) | (six & 1)
                f = (f << 4) | _SBOXES[i][row * 16 + ((six >> 1) & 0xF)]
            left, right = right, left ^ _permute(f, _P, 32)
        return _permute((right << 32) | left, _FP, 64).to_bytes(8, "big")

    def encrypt(self, block):
        return self._crypt(block, self.subkeys)

    def decrypt(self, block):
        return self._crypt(block, self.subkeys[::-1])


class Des3:
    """3DES EDE with a 24-byte key, a 16-byte (K1 K2 K1) or an 8-byte one
    (single DES)."""
    block = 8

    def __init__(self, key):
        if len(key) not in (8, 16, 24):
            raise ValueError("3DES key of %d bytes" % len(key))
        k = key + key[:8] if len(key) == 16 else key * (3 if len(key) == 8
                                                        else 1)
        self.k1, self.k2, self.k3 = (Des(k[i:i + 8]) for i in (0, 8, 16))

    def encrypt(self, block):
        return self.k3.encrypt(self.k2.decrypt(self.k1.encrypt(block)))

    def decrypt(self, block):
        return self.k1.decrypt(self.k2.encrypt(self.k3.decrypt(block)))


# -- modes -----------------------------------------------------------------
def _xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def _blocks(cipher, data):
    n = cipher.block
    if len(data) % n:
        raise ValueError("data of %d bytes: not whole blocks" % len(data))
    return [data[i:i + n] for i in range(0, len(data), n)]


def ecb_encrypt(cipher, data):
    return b"".join(cipher.encrypt(b) for b in _blocks(cipher, data))


def cbc_encrypt(cipher, iv, data):
    out = []
    for b in _blocks(cipher, data):
        iv = cipher.encrypt(_xor(iv, b))
        out.append(iv)
    return b"".join(out)


def cbc_decrypt(cipher, iv, data):
    out = []
    for b in _blocks(cipher, data):
        out.append(_xor(iv, cipher.decrypt(b)))
        iv = b
    return b"".join(out)


def _dbl(b):
    n = int.from_bytes(b, "big") << 1
    if n >> 128:
        n = (n & ((1 << 128) - 1)) ^ 0x87
    return n.to_bytes(16, "big")


def aes_cmac(key, msg):
    """AES-CMAC (SP 800-38B), 16 bytes."""
    aes = Aes(key)
    k1 = _dbl(aes.encrypt(bytes(16)))
    k2 = _dbl(k1)
    if msg and len(msg) % 16 == 0:
        last = _xor(msg[-16:], k1)
        body = msg[:-16]
    else:
        rest = len(msg) % 16
        last = _xor(msg[len(msg) - rest:] + b"\x80" + bytes(15 - rest), k2)
        body = msg[:len(msg) - rest]
    x = cbc_encrypt(aes, bytes(16), body)[-16:] if body else bytes(16)
    return aes.encrypt(_xor(x, last))
