# The system calls of interface 1.1 and the install quotas, on a running
# card through tests/applets/cryptoapp (run by applets_flow.py, scenarios
# "crypto" and "quotas"). Expected values come from openssl(1) at test
# time and from the applet's documented behaviour (docs/applets.md).
#
# SPDX-License-Identifier: Apache-2.0

import hashlib
import os
import struct
import subprocess
import tempfile
import time

import applets_rsa

CRYPTO_PKG = bytes.fromhex("A00000007705")
CRYPTO_MOD = bytes.fromhex("A0000000770501")
E_INVAL, E_NOTFOUND, E_STATE = 0x6A01, 0x6A02, 0x6A05
KEY_AES, KEY_DES3, KEY_P256, KEY_P256_PUB = 1, 3, 4, 5
OP_AES_ECB_ENC, OP_DES3_ECB_ENC, OP_DES3_CBC_ENC, OP_DES3_CBC_DEC = 1, 7, 9, 10
OP_SIGN, OP_VERIFY, OP_ECDH, OP_PUBLIC = 11, 12, 13, 14
SPKI_P256 = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d03010703"
                          "4200")


def openssl(*args, data=None):
    return subprocess.run(["openssl"] + list(args), input=data,
                          capture_output=True, check=True).stdout


def cmd(card, ins, p1=0, p2=0, data=b"", sw=0x9000):
    c = bytes([0x80, ins, p1, p2]) + (bytes([len(data)]) + data if data
                                      else b"") + b"\x00"
    return card.apdu(c, sw, "INS %02X" % ins)[0]


def der_int(b):
    b = b.lstrip(b"\x00") or b"\x00"
    if b[0] & 0x80:
        b = b"\x00" + b
    return bytes([2, len(b)]) + b


def sig_der(rs):
    body = der_int(rs[:32]) + der_int(rs[32:])
    return bytes([0x30, len(body)]) + body


def sig_raw(der):
    """r || s from a DER ECDSA-Sig-Value."""
    at = 2
    out = b""
    for _ in range(2):
        n = der[at + 1]
        out += der[at + 2:at + 2 + n].lstrip(b"\x00").rjust(32, b"\x00")
        at += 2 + n
    return out


def pub_pem(d, xy, name):
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(SPKI_P256 + b"\x04" + xy)
    return path


def install(card, aid, params=b""):
    card.isd()
    card.install(CRYPTO_PKG, CRYPTO_MOD, aid, params=params)


def ciphers(card):
    """3DES (2 and 3 keys, ECB and CBC) against openssl."""
    for key in (bytes(range(1, 25)), bytes(range(0x31, 0x41))):
        h = cmd(card, 0x10, KEY_DES3, 0, key)[0]
        msg = bytes(range(24))
        alg = "des-ede3" if len(key) == 24 else "des-ede"
        want = openssl("enc", "-" + alg + "-ecb", "-K", key.hex(), "-nopad",
                       data=msg)
        assert cmd(card, 0x12, h, OP_DES3_ECB_ENC, msg) == want
        iv = bytes(range(0xA0, 0xA8))
        want = openssl("enc", "-" + alg + "-cbc", "-K", key.hex(), "-iv",
                       iv.hex(), "-nopad", data=msg)
        assert cmd(card, 0x12, h, OP_DES3_CBC_ENC, iv + msg) == want
        assert cmd(card, 0x12, h, OP_DES3_CBC_DEC, iv + want) == msg
        # not a multiple of 8, an AES operation on a 3DES key
        assert cmd(card, 0x12, h, OP_DES3_ECB_ENC, msg[:7], sw=E_INVAL) == b""
        cmd(card, 0x12, h, OP_AES_ECB_ENC, bytes(16), sw=E_INVAL)
        cmd(card, 0x1C, h)
    cmd(card, 0x10, KEY_DES3, 0, bytes(8), sw=E_INVAL)


def ecc(card, d):
    """P-256: the card's signature checked by openssl, openssl's checked
    by the card, ECDH both ways, an imported private key's public key."""
    key = os.path.join(d, "k.pem")
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
            key)
    der = openssl("ec", "-in", key, "-outform", "DER")
    priv = der[7:39]                    # ECPrivateKey: 30 77 02 01 01 04 20
    xy = openssl("ec", "-in", key, "-pubout", "-outform", "DER")[-64:]
    msg = b"netcard applet " * 5
    h = hashlib.sha256(msg).digest()
    with open(os.path.join(d, "msg"), "wb") as f:
        f.write(msg)
    # a generated key: its public key out, its signature verified outside
    r = cmd(card, 0x14, KEY_P256, 0)
    kh, card_xy = r[0], r[1:]
    assert len(card_xy) == 64
    assert cmd(card, 0x12, kh, OP_PUBLIC) == card_xy
    rs = cmd(card, 0x12, kh, OP_SIGN, h)
    with open(os.path.join(d, "sig"), "wb") as f:
        f.write(sig_der(rs))
    out = openssl("dgst", "-sha256", "-verify",
                  pub_pem(d, card_xy, "card.der"), "-keyform", "DER",
                  "-signature", os.path.join(d, "sig"),
                  os.path.join(d, "msg"))
    assert b"Verified OK" in out, out
    # openssl's signature verified by the card with the public key alone
    sig = sig_raw(openssl("dgst", "-sha256", "-sign", key,
                          os.path.join(d, "msg")))
    ph = cmd(card, 0x10, KEY_P256_PUB, 0, xy)[0]
    assert cmd(card, 0x12, ph, OP_VERIFY, sig + h) == b"\x01"
    bad = sig[:10] + bytes([sig[10] ^ 1]) + sig[11:]
    assert cmd(card, 0x12, ph, OP_VERIFY, bad + h) == b"\x00"
    cmd(card, 0x12, ph, OP_SIGN, h, sw=E_INVAL)     # no private half
    # the imported private key has openssl's public key
    ih = cmd(card, 0x10, KEY_P256, 0, priv)[0]
    assert cmd(card, 0x12, ih, OP_PUBLIC) == xy
    # ECDH: the card's d with openssl's public key = openssl's d with the
    # card's public key
    z = cmd(card, 0x12, kh, OP_ECDH, xy)
    want = openssl("pkeyutl", "-derive", "-inkey", key, "-peerkey",
                   pub_pem(d, card_xy, "peer.der"), "-peerform", "DER")
    assert z == want, (z.hex(), want.hex())
    cmd(card, 0x12, kh, OP_ECDH, bytes(64), sw=E_INVAL)    # not a point
    cmd(card, 0x10, KEY_P256, 0, bytes(32), sw=E_INVAL)    # d = 0
    for k in (kh, ph, ih):
        cmd(card, 0x1C, k)


def persistent(card, other):
    """A generated AES key saved, found again after a reset; never by
    another instance; erased."""
    h = cmd(card, 0x14, KEY_AES, 16)[0]
    block = bytes(range(16))
    c1 = cmd(card, 0x12, h, OP_AES_ECB_ENC, block)
    cmd(card, 0x16, h, 2)
    # another instance: neither the handle nor the slot
    card.select(other)
    cmd(card, 0x12, h, OP_AES_ECB_ENC, block, sw=E_NOTFOUND)
    cmd(card, 0x18, 0, 2, sw=E_NOTFOUND)
    card.reconnect()                    # a power cycle: RAM keys gone
    card.select(CRYPTO_MOD + b"\x01")
    cmd(card, 0x12, h, OP_AES_ECB_ENC, block, sw=E_NOTFOUND)
    h2 = cmd(card, 0x18, 0, 2)[0]
    assert cmd(card, 0x12, h2, OP_AES_ECB_ENC, block) == c1
    cmd(card, 0x1A, 0, 2)
    cmd(card, 0x18, 0, 2, sw=E_NOTFOUND)
    cmd(card, 0x1A, 0, 2, sw=E_NOTFOUND)
    cmd(card, 0x16, h2, 8, sw=E_INVAL)             # slots 0..7
    cmd(card, 0x1C, h2)


def timers(card):
    now = struct.unpack(">i", cmd(card, 0x20, 0, 0))[0]
    assert now >= 0
    cmd(card, 0x20, 2, 1, sw=E_STATE)               # never started
    cmd(card, 0x20, 1, 9, struct.pack(">I", 10), sw=E_INVAL)
    cmd(card, 0x20, 1, 0, struct.pack(">I", 400))
    left = struct.unpack(">i", cmd(card, 0x20, 2, 0))[0]
    assert 0 < left <= 400, left
    time.sleep(0.8)
    assert struct.unpack(">i", cmd(card, 0x20, 2, 0))[0] == 0
    later = struct.unpack(">i", cmd(card, 0x20, 0, 0))[0]
    assert later - now >= 700, (now, later)
    cmd(card, 0x20, 3, 0)
    cmd(card, 0x20, 2, 0, sw=E_STATE)


def crypto(card):
    card.isd()
    card.load(CRYPTO_PKG, card.blob("cryptoapp"))
    a, b = CRYPTO_MOD + b"\x01", CRYPTO_MOD + b"\x02"
    install(card, a)
    install(card, b)
    card.select(a)
    # the install event ran once for each instance (its object 0 counts)
    assert cmd(card, 0x22) == b"\x01"
    for alg, name in ((3, "sha256"), (4, "sha384"), (5, "sha512")):
        assert cmd(card, 0x24, alg, 0, b"abc") == \
            hashlib.new(name, b"abc").digest()
    cmd(card, 0x24, 1, 0, b"abc", sw=E_INVAL)
    ciphers(card)
    with tempfile.TemporaryDirectory(prefix="applets-ec.") as d:
        ecc(card, d)
        applets_rsa.rsa(card, d, a, b)
        card.select(a)
    persistent(card, b)
    card.select(a)
    assert cmd(card, 0x22) == b"\x01"       # not again after the reset
    timers(card)
    card.select(b)
    assert cmd(card, 0x22) == b"\x01"


def quotas(card):
    """INSTALL's EF C7/C8 quotas override the load file's, within limits
    (docs/applets.md "Content management")."""
    card.isd()
    card.load(CRYPTO_PKG, card.blob("cryptoapp"))

    def ef(c7=None, c8=None):
        v = b""
        if c7 is not None:
            v += b"\xC7\x02" + struct.pack(">H", c7)
        if c8 is not None:
            v += b"\xC8\x02" + struct.pack(">H", c8)
        return bytes([0xEF, len(v)]) + v

    def install_ef(aid, tail, sw=0x9000):
        data = (bytes([len(CRYPTO_PKG)]) + CRYPTO_PKG +
                bytes([len(CRYPTO_MOD)]) + CRYPTO_MOD + bytes([len(aid)]) +
                aid + b"\x01\x00")
        params = b"\xC9\x00" + tail
        data += bytes([len(params)]) + params + b"\x00"
        r, got = card.send(bytes([0x80, 0xE6, 0x0C, 0x00, len(data)]) + data +
                           b"\x00")
        assert got == sw, "INSTALL %s: %04X, expected %04X" % (
            aid.hex(), got, sw)

    small, big = CRYPTO_MOD + b"\x11", CRYPTO_MOD + b"\x12"
    plain = CRYPTO_MOD + b"\x10"
    install_ef(plain, b"")
    # C8: 8 bytes of persistent objects (the file says 64)
    install_ef(small, ef(c8=8))
    # C7: a 4 KiB RAM (the file: 1 KiB of stack), C8 300 bytes
    install_ef(big, ef(c7=4096, c8=300))
    # within limits: 65535 bytes of objects; out of them: 65537, RAM
    # over 32 KiB, RAM below the file's data and bss
    install_ef(CRYPTO_MOD + b"\x13", ef(c8=0xFFFF))
    card.delete(CRYPTO_MOD + b"\x13")
    install_ef(CRYPTO_MOD + b"\x14", b"\xEF\x06\xC8\x04\x00\x01\x00\x01",
               sw=0x6A80)
    install_ef(CRYPTO_MOD + b"\x15", ef(c7=0x8400), sw=0x6A80)
    install_ef(CRYPTO_MOD + b"\x16", ef(c7=64), sw=0x6A80)
    # objects: the install event wrote object 0 (1 byte)
    card.select(small)
    cmd(card, 0x26, 1, 0, bytes(7))
    cmd(card, 0x26, 2, 0, bytes(1), sw=0x6A03)
    card.select(plain)
    cmd(card, 0x26, 1, 0, bytes(63))
    cmd(card, 0x26, 2, 0, bytes(1), sw=0x6A03)
    card.select(big)
    cmd(card, 0x26, 1, 0, bytes(250))
    cmd(card, 0x26, 2, 0, bytes(49))
    cmd(card, 0x26, 3, 0, bytes(1), sw=0x6A03)
    # the stack: 2 KiB is too deep for the file's 1 KiB, not for C7's
    card.select(plain)
    cmd(card, 0x28, 0x08, 0x00, sw=0x6F00)
    card.select(big)
    cmd(card, 0x28, 0x08, 0x00)
    # the quotas stay after a reset (kept in the registry entry)
    card.reconnect()
    card.select(big)
    cmd(card, 0x28, 0x08, 0x00)
    cmd(card, 0x26, 3, 0, bytes(1), sw=0x6A03)
