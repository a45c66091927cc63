# RSA of the system-call interface 1.2 (key types NC_KEY_RSA/_PUB,
# operations NC_OP_RSA_*) through tests/applets/cryptoapp, run by
# applets_calls.crypto(). Every expected value comes from openssl(1) at
# test time (PKCS #1 v1.5 signatures are deterministic: the card's must
# be openssl's byte for byte) or from Python's pow() on openssl's key.
#
# SPDX-License-Identifier: Apache-2.0

import hashlib
import os
import subprocess

KEY_RSA, KEY_RSA_PUB, KEY_AES = 6, 7, 1
OP_AES_ECB_ENC = 1
(OP_PUBLIC, OP_PRIVATE, OP_SIGN, OP_VERIFY, OP_ENC_PKCS1, OP_DEC_PKCS1,
 OP_ENC_OAEP, OP_DEC_OAEP, OP_PUBLIC_KEY) = range(15, 24)
E_INVAL, E_NOTFOUND, E_CRYPTO = 0x6A01, 0x6A02, 0x6A08
OAEP = ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256",
        "-pkeyopt", "rsa_mgf1_md:sha256"]
PKCS1 = ["-pkeyopt", "rsa_padding_mode:pkcs1"]


def openssl(*args, data=None):
    return subprocess.run(["openssl"] + list(args), input=data,
                          capture_output=True, check=True).stdout


def xcmd(card, ins, p1=0, p2=0, data=b"", sw=0x9000):
    """An extended-length command (RSA keys and outputs pass 255)."""
    c = bytes([0x80, ins, p1, p2, 0])
    if data:
        c += len(data).to_bytes(2, "big") + data
    c += b"\x00\x00"
    data, got = card.apdu(c)
    assert got == sw, "INS %02X P1 %02X P2 %02X (%d bytes): %04X, expected " \
        "%04X" % (ins, p1, p2, len(data), got, sw)
    return data


def der_items(b):
    """The items of a DER SEQUENCE (tag, value)."""
    def length(at):
        n = b[at]
        if n < 0x80:
            return n, at + 1
        k = n & 0x7F
        return int.from_bytes(b[at + 1:at + 1 + k], "big"), at + 1 + k
    assert b[0] == 0x30
    end_len, at = length(1)
    out = []
    while at < len(b):
        tag = b[at]
        n, at = length(at + 1)
        out.append((tag, b[at:at + n]))
        at += n
    return out


def der_len(n):
    if n < 0x80:
        return bytes([n])
    k = (n.bit_length() + 7) // 8
    return bytes([0x80 | k]) + n.to_bytes(k, "big")


def der(tag, v):
    return bytes([tag]) + der_len(len(v)) + v


def der_uint(x):
    b = x.to_bytes((x.bit_length() + 8) // 8, "big")
    return der(0x02, b)


def spki(n, e):
    """SubjectPublicKeyInfo (RFC 8017 A.1.1, RFC 5280) of n, e."""
    alg = der(0x30, bytes.fromhex("06092a864886f70d0101010500"))
    rsapub = der(0x30, der_uint(n) + der_uint(e))
    return der(0x30, alg + der(0x03, b"\x00" + rsapub))


def key_parts(path):
    """openssl's RSAPrivateKey (PKCS #1): n, e, d, p, q, dP, dQ, qInv."""
    items = der_items(openssl("rsa", "-in", path, "-traditional",
                              "-outform", "DER"))
    return [int.from_bytes(v, "big") for _, v in items[1:9]]


def write(d, name, data):
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def rsa(card, d, mine, other):
    """Import, operations both ways against openssl, generation, a
    persistent key, and the refusals."""
    key = os.path.join(d, "rsa.pem")
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt",
            "rsa_keygen_bits:2048", "-out", key)
    n, e, dd, p, q, dp, dq, qi = key_parts(key)
    k = 256
    half = lambda x: x.to_bytes(k // 2, "big")  # noqa: E731
    priv = b"".join(half(x) for x in (p, q, dp, dq, qi)) + e.to_bytes(4, "big")
    pub = n.to_bytes(k, "big") + e.to_bytes(4, "big")
    pub_der = write(d, "pub.der", spki(n, e))
    msg = b"netcard RSA applet " * 7
    mpath = write(d, "msg", msg)
    h = hashlib.sha256(msg).digest()

    kh = xcmd(card, 0x10, KEY_RSA, 0, priv)[0]
    ph = xcmd(card, 0x10, KEY_RSA_PUB, 0, pub)[0]
    assert xcmd(card, 0x12, kh, OP_PUBLIC_KEY) == pub
    assert xcmd(card, 0x12, ph, OP_PUBLIC_KEY) == pub
    # PKCS #1 v1.5 with SHA-256: openssl's signature exactly
    sig = xcmd(card, 0x12, kh, OP_SIGN, h)
    assert sig == openssl("dgst", "-sha256", "-sign", key, mpath)
    out = openssl("dgst", "-sha256", "-verify", pub_der, "-keyform", "DER",
                  "-signature", write(d, "sig", sig), mpath)
    assert b"Verified OK" in out, out
    # the card verifies openssl's signature with the public key alone
    assert xcmd(card, 0x12, ph, OP_VERIFY, sig + h) == b"\x01"
    bad = sig[:-1] + bytes([sig[-1] ^ 1])
    assert xcmd(card, 0x12, ph, OP_VERIFY, bad + h) == b"\x00"
    assert xcmd(card, 0x12, ph, OP_VERIFY, sig + bytes(32)) == b"\x00"
    # raw operations
    x = int.from_bytes(hashlib.sha512(b"x").digest() * 4, "big") % n
    xb = x.to_bytes(k, "big")
    assert xcmd(card, 0x12, ph, OP_PUBLIC, xb) == pow(x, e, n).to_bytes(k, "big")
    assert xcmd(card, 0x12, kh, OP_PRIVATE, xb) == \
        pow(x, dd, n).to_bytes(k, "big")
    xcmd(card, 0x12, kh, OP_PRIVATE, n.to_bytes(k, "big"), sw=E_INVAL)
    # openssl encrypts, the card decrypts (v1.5 and OAEP SHA-256)
    secret = b"a session key, 32 bytes long...."
    for pad, op in ((PKCS1, OP_DEC_PKCS1), (OAEP, OP_DEC_OAEP)):
        ct = openssl("pkeyutl", "-encrypt", "-pubin", "-keyform", "DER",
                     "-inkey", pub_der, *pad, data=secret)
        assert xcmd(card, 0x12, kh, op, ct) == secret, op
        # a ciphertext of the other padding does not decode
        other_op = OP_DEC_OAEP if op == OP_DEC_PKCS1 else OP_DEC_PKCS1
        xcmd(card, 0x12, kh, other_op, ct, sw=E_CRYPTO)
    # the card encrypts with the public key, openssl decrypts
    for pad, op in ((PKCS1, OP_ENC_PKCS1), (OAEP, OP_ENC_OAEP)):
        ct = xcmd(card, 0x12, ph, op, secret)
        assert len(ct) == k
        assert openssl("pkeyutl", "-decrypt", "-inkey", key, *pad,
                       data=ct) == secret, op
    xcmd(card, 0x12, ph, OP_ENC_PKCS1, bytes(k - 10), sw=E_INVAL)
    xcmd(card, 0x12, ph, OP_ENC_OAEP, bytes(k - 65), sw=E_INVAL)
    # an output into OS RAM stops the applet (6F00), which runs on
    xcmd(card, 0x2A, kh, OP_PUBLIC_KEY, sw=0x6F00)
    xcmd(card, 0x2A, kh, OP_SIGN, h, sw=0x6F00)
    assert xcmd(card, 0x12, kh, OP_PUBLIC_KEY) == pub
    # what a public key or a non-RSA key cannot do
    xcmd(card, 0x12, ph, OP_SIGN, h, sw=E_INVAL)
    xcmd(card, 0x12, ph, OP_DEC_PKCS1, sig, sw=E_INVAL)
    xcmd(card, 0x12, kh, OP_AES_ECB_ENC, bytes(16), sw=E_INVAL)
    aes = xcmd(card, 0x14, KEY_AES, 16)[0]
    xcmd(card, 0x12, aes, OP_SIGN, h, sw=E_INVAL)
    xcmd(card, 0x1C, aes)
    # an inconsistent private key (qInv changed) fails its pairwise check
    broken = priv[:4 * (k // 2)] + bytes([priv[4 * (k // 2)] ^ 1]) + \
        priv[4 * (k // 2) + 1:]
    xcmd(card, 0x10, KEY_RSA, 0, broken, sw=E_INVAL)
    xcmd(card, 0x10, KEY_RSA_PUB, 0, pub[:-4] + b"\x00\x00\x00\x02",
         sw=E_INVAL)                            # an even e
    xcmd(card, 0x10, KEY_RSA, 0, priv[:-5], sw=E_INVAL)
    # a persistent copy signs the same after a reset; never another's
    xcmd(card, 0x16, kh, 3)
    card.select(other)
    xcmd(card, 0x12, kh, OP_SIGN, h, sw=E_NOTFOUND)
    xcmd(card, 0x18, 0, 3, sw=E_NOTFOUND)
    card.reconnect()
    card.select(mine)
    xcmd(card, 0x12, kh, OP_SIGN, h, sw=E_NOTFOUND)
    kh2 = xcmd(card, 0x18, 0, 3)[0]
    assert xcmd(card, 0x12, kh2, OP_SIGN, h) == sig
    xcmd(card, 0x1A, 0, 3)
    xcmd(card, 0x1C, kh2)
    # a generated key (1024 bits: the prime search runs in software):
    # its n out, its signature checked by openssl with n and 65537
    r = xcmd(card, 0x14, KEY_RSA, 128 // 8)
    gh, gn = r[0], int.from_bytes(r[1:], "big")
    assert len(r) == 129 and gn.bit_length() == 1024, r.hex()
    assert xcmd(card, 0x12, gh, OP_PUBLIC_KEY) == r[1:] + b"\x00\x01\x00\x01"
    gsig = xcmd(card, 0x12, gh, OP_SIGN, h)
    out = openssl("dgst", "-sha256", "-verify",
                  write(d, "gen.der", spki(gn, 65537)), "-keyform", "DER",
                  "-signature", write(d, "gsig", gsig), mpath)
    assert b"Verified OK" in out, out
    xcmd(card, 0x14, KEY_RSA, 100 // 8, sw=E_INVAL)     # k 96: too short
    xcmd(card, 0x14, KEY_RSA_PUB, 128 // 8, sw=E_INVAL)
    for hdl in (gh,):
        xcmd(card, 0x1C, hdl)
