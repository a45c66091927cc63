# Host side of the GlobalPlatform secure channels SCP02 (GP Card Spec
# 2.3 Annex E, i=15/55: three keys, C-MAC on the unmodified APDU, ICV
# encrypted) and SCP03 (GP Amendment D: AES-128/192/256, pseudo-random or
# random card challenge): the one host implementation, for `netcard test`
# (docs/testing-cards.md "Secure channels"), `netcard gp` (gp.py) and the
# benchmarks. Checked against osmocom pySim's vectors
# (tests/vectors/scp-pysim.json, tests/tools/test_scp_vectors.py); the
# card's own implementation never produced an expected byte of them.
#
#   s = Scp03(enc, mac, dek)            # or Scp02(enc, mac, dek)
#   cmd = s.initialize_update(kvn, host_challenge)   # C-APDU
#   cmd = s.external_authenticate(rsp, level)       # rsp: IU's data
#   wrapped = s.wrap(capdu); data, sw = s.unwrap(rapdu)
#
# Security levels (EXTERNAL AUTHENTICATE P1): 01 C-MAC, 03 + C-DECRYPTION,
# 11 + R-MAC, 13, 33 + R-ENCRYPTION (SCP03 only; SCP02 does C-MAC and
# C-DECRYPTION). Cryptography: blockcipher.py (plain Python, the standard
# library only).
#
# `netcard gp` and the benchmarks use a session bound to a transmit
# function:
#   ch = Channel(transmit, Scp03(enc, mac, dek)).open(kvn, level)
#   data, sw = ch.send(capdu)      # wrapped, answer unwrapped (R-MAC
#                                  # checked), sw an int
#   data, kcv = ch.put_key_data(new_kvn, key)   # PUT KEY, 3-key AES set
#
# SPDX-License-Identifier: Apache-2.0

import os

from .blockcipher import Aes, Des, Des3, aes_cmac, cbc_decrypt, \
    cbc_encrypt, ecb_encrypt

C_MAC, C_DEC, R_MAC, R_ENC = 0x01, 0x02, 0x10, 0x20


class ScpError(Exception):
    """The card's answer does not authenticate, or a bad argument."""


def pad80(data, block):
    data = data + b"\x80"
    return data + b"\x00" * (-len(data) % block)


def unpad80(data):
    i = data.rstrip(b"\x00")
    if not i.endswith(b"\x80"):
        raise ScpError("bad padding in the decrypted response")
    return i[:-1]


def _split_apdu(capdu):
    """(header 4 bytes, data, le bytes or b'') of a short C-APDU."""
    capdu = bytes(capdu)
    if len(capdu) < 4:
        raise ScpError("a C-APDU has at least 4 bytes")
    hdr, body = capdu[:4], capdu[4:]
    if not body:
        return hdr, b"", b""
    if len(body) == 1:
        return hdr, b"", body
    lc = body[0]
    if lc == 0 or len(body) not in (1 + lc, 2 + lc):
        raise ScpError("only short APDUs are wrapped (Lc 1..255)")
    return hdr, body[1:1 + lc], body[1 + lc:]


class _Session:
    block = 16

    def __init__(self, enc, mac, dek=None):
        self.enc, self.mac = bytes(enc), bytes(mac)
        self.dek = bytes(dek) if dek is not None else None
        self.level = 0
        self.host_challenge = None

    def initialize_update(self, kvn, host_challenge):
        self.host_challenge = bytes(host_challenge)
        return bytes([0x80, 0x50, kvn, 0x00, len(self.host_challenge)]) + \
            self.host_challenge + b"\x00"


class Scp03(_Session):
    """GP Amendment D (v1.1.2+) host side."""

    def _kdf(self, key, const, bits, context):
        out = b""
        for i in range(1, (bits + 127) // 128 + 1):
            out += aes_cmac(key, b"\x00" * 11 + bytes([const, 0]) +
                            bits.to_bytes(2, "big") + bytes([i]) + context)
        return out[:bits // 8]

    def external_authenticate(self, rsp, level):
        """RSP: INITIALIZE UPDATE's response data (no SW)."""
        rsp = bytes(rsp)
        if len(rsp) not in (29, 32) or rsp[11] != 0x03:
            raise ScpError(f"not an SCP03 INITIALIZE UPDATE response: "
                           f"{rsp.hex().upper()}")
        card_challenge, card_crypto = rsp[13:21], rsp[21:29]
        ctx = self.host_challenge + card_challenge
        bits = len(self.enc) * 8
        self.s_enc = self._kdf(self.enc, 0x04, bits, ctx)
        self.s_mac = self._kdf(self.mac, 0x06, bits, ctx)
        self.s_rmac = self._kdf(self.mac, 0x07, bits, ctx)
        if self._kdf(self.s_mac, 0x00, 64, ctx) != card_crypto:
            raise ScpError("the card cryptogram does not verify (wrong keys?)")
        host_crypto = self._kdf(self.s_mac, 0x01, 64, ctx)
        self.chain = b"\x00" * 16
        self.counter = 0
        self.level = 0
        cmd = self._mac_cmd(bytes([0x84, 0x82, level, 0x00]), host_crypto,
                            b"")
        self.level = level
        return cmd

    def _mac_cmd(self, hdr, data, le):
        hdr = bytes([hdr[0] | 0x04]) + hdr[1:]
        body = hdr + bytes([len(data) + 8]) + data
        self.chain = aes_cmac(self.s_mac, self.chain + body)
        return body + self.chain[:8] + le

    def wrap(self, capdu):
        hdr, data, le = _split_apdu(capdu)
        self.counter += 1
        if self.level & C_DEC and data:
            aes = Aes(self.s_enc)
            icv = aes.encrypt(self.counter.to_bytes(16, "big"))
            data = cbc_encrypt(aes, icv, pad80(data, 16))
        if not self.level & C_MAC:
            return hdr + (bytes([len(data)]) + data if data else b"") + le
        return self._mac_cmd(hdr, data, le)

    def unwrap(self, rapdu):
        """(data, sw) of a response: R-MAC checked, R-ENC decrypted."""
        rapdu = bytes(rapdu)
        if len(rapdu) < 2:
            raise ScpError("a response has at least SW1 SW2")
        data, sw = rapdu[:-2], rapdu[-2:]
        if not self.level & R_MAC or (sw[0] not in (0x90, 0x62, 0x63)):
            return data, sw
        if len(data) < 8:
            raise ScpError("the response has no R-MAC")
        data, rmac = data[:-8], data[-8:]
        if aes_cmac(self.s_rmac, self.chain + data + sw)[:8] != rmac:
            raise ScpError("the R-MAC does not verify")
        if self.level & R_ENC and data:
            aes = Aes(self.s_enc)
            icv = aes.encrypt(b"\x80" + self.counter.to_bytes(15, "big"))
            try:
                data = unpad80(cbc_decrypt(aes, icv, data))
            except ValueError as e:
                raise ScpError(f"R-ENCRYPTION: {e}")
        return data, sw


class Scp02(_Session):
    """GP Card Spec 2.3 Annex E, i=15/55 (three keys, C-MAC on the
    unmodified APDU, ICV encryption); C-MAC and C-DECRYPTION."""
    block = 8

    def _session_key(self, key, const, seq):
        return cbc_encrypt(Des3(key), bytes(8), const + seq + bytes(12))

    def _full_mac(self, key, data):
        return cbc_encrypt(Des3(key), bytes(8), pad80(data, 8))[-8:]

    def _retail_mac(self, key, icv, data):
        data = pad80(data, 8)
        h = icv
        if len(data) > 8:
            h = cbc_encrypt(Des(key[:8]), icv, data[:-8])[-8:]
        return cbc_encrypt(Des3(key), h, data[-8:])

    def external_authenticate(self, rsp, level):
        rsp = bytes(rsp)
        if len(rsp) != 28 or rsp[11] != 0x02:
            raise ScpError(f"not an SCP02 INITIALIZE UPDATE response: "
                           f"{rsp.hex().upper()}")
        if level & (R_MAC | R_ENC):
            raise ScpError("SCP02 R-MAC is not implemented on the host side")
        seq, card_challenge, card_crypto = rsp[12:14], rsp[14:20], rsp[20:28]
        self.s_enc = self._session_key(self.enc, b"\x01\x82", seq)
        self.s_mac = self._session_key(self.mac, b"\x01\x01", seq)
        want = self._full_mac(self.s_enc, self.host_challenge + seq +
                              card_challenge)
        if want != card_crypto:
            raise ScpError("the card cryptogram does not verify (wrong keys?)")
        host_crypto = self._full_mac(self.s_enc, seq + card_challenge +
                                     self.host_challenge)
        self.icv = None
        self.level = 0
        cmd = self._mac_cmd(bytes([0x84, 0x82, level, 0x00]), host_crypto,
                            b"")
        self.level = level
        return cmd

    def _mac_cmd(self, hdr, data, le):
        hdr = bytes([hdr[0] | 0x04]) + hdr[1:]
        body = hdr + bytes([len(data) + 8]) + data
        if self.icv is None:
            icv = b"\x00" * 8
        else:
            icv = ecb_encrypt(Des(self.s_mac[:8]), self.icv)
        self.icv = self._retail_mac(self.s_mac, icv, body)
        return body + self.icv + le

    def wrap(self, capdu):
        hdr, data, le = _split_apdu(capdu)
        if not self.level & C_MAC:
            return bytes(capdu)
        cmd = bytes([hdr[0] | 0x04]) + hdr[1:]
        mac = self._mac_cmd(hdr, data, b"")[-8:]
        if self.level & C_DEC and data:
            data = cbc_encrypt(Des3(self.s_enc), bytes(8), pad80(data, 8))
        return cmd + bytes([len(data) + 8]) + data + mac + le

    def unwrap(self, rapdu):
        rapdu = bytes(rapdu)
        if len(rapdu) < 2:
            raise ScpError("a response has at least SW1 SW2")
        return rapdu[:-2], rapdu[-2:]


def session(version, enc, mac, dek=None):
    """An Scp02 or Scp03 host session for VERSION 2 or 3."""
    if version == 2:
        return Scp02(enc, mac, dek)
    if version == 3:
        return Scp03(enc, mac, dek)
    raise ScpError(f"SCP{version:02d} is not supported (02 or 03)")


class Channel:
    """A session (Scp02, Scp03) bound to TRANSMIT(bytes) -> R-APDU bytes;
    the ISD is selected by the caller."""

    def __init__(self, transmit, session):
        self.transmit = transmit
        self.session = session

    @property
    def level(self):
        return self.session.level

    def open(self, kvn=0, level=C_MAC, host_challenge=None):
        s = self.session
        r = self.transmit(s.initialize_update(
            kvn, host_challenge or os.urandom(8)))
        if r[-2:] != b"\x90\x00":
            raise ScpError(f"INITIALIZE UPDATE answered {r.hex().upper()}")
        r = self.transmit(s.external_authenticate(r[:-2], level))
        if r[-2:] != b"\x90\x00":
            raise ScpError(f"EXTERNAL AUTHENTICATE answered "
                           f"{r.hex().upper()}")
        return self

    def wrap(self, capdu):
        return self.session.wrap(capdu)

    def send(self, capdu):
        """(data, sw as an int): CAPDU wrapped, the answer unwrapped."""
        data, sw = self.session.unwrap(self.transmit(self.wrap(capdu)))
        return data, int.from_bytes(sw, "big")

    def put_key_data(self, new_kvn, key):
        """PUT KEY data for ENC = MAC = DEK = KEY (AES, encrypted with the
        static DEK), with the key check values; (data, kcv)."""
        s = self.session
        kcv = Aes(key).encrypt(b"\x01" * 16)[:3]
        comp = cbc_encrypt(Aes(s.dek or s.enc), bytes(16), key
                           if len(key) % 16 == 0 else pad80(key, 16))
        one = bytes([0x88, len(comp) + 1, len(key)]) + comp + b"\x03" + kcv
        return bytes([new_kvn]) + one * 3, kcv
