# `netcard perso PROFILE.json`: personalise a card started with run.
#
# SPDX-License-Identifier: Apache-2.0

from .cli import (DEFAULT_ISO_HOST, DEFAULT_ISO_PORT, PROG, UsageError,
                  port_number)
from .apducmd import CardLink


# ---------------------------------------------------------------------------
# netcard perso PROFILE.json: personalise a card started with run (docs/
# usim.md): ADM1 first, the files with UPDATE BINARY / RECORD, the keys and
# PINs through the personalization application (INS 50, 52).
# ---------------------------------------------------------------------------
PERSO_AID = "F06E65746361726402"
USIM_AID_PREFIX = "A0000000871002"
PERSO_KEYS = {"adm", "iccid", "imsi", "mcc", "mnc", "ki", "opc", "op", "sqn",
              "pin1", "puk1", "new_adm", "msisdn", "spn"}


def bcd_swapped(digits, length):
    """Digits as BCD with the nibbles of each byte swapped, F padded
    (TS 102 221 13.2 ICCID, TS 31.102 dialling numbers)."""
    d = digits + "F" * (2 * length - len(digits))
    return bytes.fromhex("".join(d[i + 1] + d[i] for i in range(0, len(d), 2)))


def encode_imsi(imsi):
    """TS 31.102 4.2.2: length, then digit 1 with parity / type 1."""
    d = ("9" if len(imsi) % 2 else "1") + imsi
    if len(d) % 2:
        d += "F"
    body = bytes.fromhex("".join(d[i + 1] + d[i] for i in range(0, len(d), 2)))
    return bytes([len(body)]) + body + b"\xff" * (8 - len(body))


def encode_plmn(mcc, mnc):
    """TS 24.008 10.5.1.3."""
    m3 = mnc[2] if len(mnc) == 3 else "F"
    return bytes.fromhex(mcc[1] + mcc[0] + m3 + mcc[2] + mnc[1] + mnc[0])


def pin_bytes(text, what):
    if not text.isdigit() or not 4 <= len(text) <= 8:
        raise UsageError(f"{what}: '{text}' is not 4 to 8 digits")
    return text.encode() + b"\xff" * (8 - len(text))


def hex16(profile, key):
    v = profile[key]
    try:
        b = bytes.fromhex(v)
    except (TypeError, ValueError):
        b = b""
    if len(b) != 16:
        raise UsageError(f"{key}: '{v}' is not 16 bytes of hex")
    return b


def cmd_perso(args):
    import json
    try:
        with open(args.profile) as f:
            profile = json.load(f)
    except OSError as e:
        raise UsageError(f"cannot read {args.profile}: {e.strerror}")
    except ValueError as e:
        raise UsageError(f"{args.profile}: not JSON: {e}")
    unknown = set(profile) - PERSO_KEYS
    if unknown:
        raise UsageError(f"{args.profile}: unknown keys {sorted(unknown)} "
                         f"(known: {sorted(PERSO_KEYS)})")
    link = CardLink(args.host, args.port, args.timeout)
    link.ensure_powered()

    def send(hex_apdu, what, ok=("9000",)):
        rsp = link.exchange(bytes.fromhex(hex_apdu))
        sw = rsp[-2:].hex().upper()
        if sw not in ok:
            raise UsageError(f"{what}: the card answered {sw} to {hex_apdu}")
        return rsp[:-2]

    def update_binary(path, data, what):
        send("00A4080C%02X%s" % (len(path) // 2, path), f"{what}: SELECT")
        send("00D60000%02X%s" % (len(data), data.hex()), what)
        print(f"{PROG} perso: {what}: ok")

    def select_usim(fid):
        send("00A4040C07" + USIM_AID_PREFIX, "SELECT ADF.USIM")
        send("00A4000C02" + fid, f"SELECT {fid}")

    adm = pin_bytes(profile.get("adm", "88888888"), "adm")
    send("0020000A08" + adm.hex(), "VERIFY ADM1")
    if "iccid" in profile:
        update_binary("2FE2", bcd_swapped(profile["iccid"], 10), "EF.ICCID")
    if "imsi" in profile:
        imsi = profile["imsi"]
        select_usim("6F07")
        send("00D6000009" + encode_imsi(imsi).hex(), "EF.IMSI")
        print(f"{PROG} perso: EF.IMSI: ok")
        acc = 1 << int(imsi[-1])
        select_usim("6F78")
        send("00D6000002%04X" % acc, "EF.ACC")
        print(f"{PROG} perso: EF.ACC: ok")
    if "mcc" in profile and "mnc" in profile:
        plmn = encode_plmn(profile["mcc"], profile["mnc"])
        for fid, name in (("6F60", "EF.PLMNwAcT"), ("6F61", "EF.OPLMNwAcT"),
                          ("6F62", "EF.HPLMNwAcT")):
            select_usim(fid)
            send("00D6000005" + plmn.hex() + "C080", name)
            print(f"{PROG} perso: {name}: ok")
        select_usim("6FAD")
        send("00D6000004000000%02X" % len(profile["mnc"]), "EF.AD")
        update_binary("7F206F30", plmn, "DF.GSM/EF.PLMNsel")
    if "spn" in profile:
        name = profile["spn"].encode()[:16]
        select_usim("6F46")
        send("00D6000011" + (b"\x01" + name + b"\xff" * (16 - len(name))).hex(),
             "EF.SPN")
        print(f"{PROG} perso: EF.SPN: ok")
    if "msisdn" in profile:
        number = profile["msisdn"]
        ton = 0x91 if number.startswith("+") else 0x81
        digits = number.lstrip("+")
        bcd = bcd_swapped(digits, (len(digits) + 1) // 2)
        rec = b"\xff" * 10 + bytes([len(bcd) + 1, ton]) + bcd
        rec += b"\xff" * (24 - len(rec))
        select_usim("6F40")
        send("00DC010418" + rec.hex(), "EF.MSISDN")
        print(f"{PROG} perso: EF.MSISDN: ok")
    keys = b""
    if "ki" in profile:
        keys += b"\x01\x10" + hex16(profile, "ki")
        if "opc" in profile:
            keys += b"\x02\x10" + hex16(profile, "opc")
        elif "op" in profile:
            keys += b"\x03\x10" + hex16(profile, "op")
        else:
            raise UsageError("ki needs opc or op")
    if "sqn" in profile:
        if not keys:
            raise UsageError("sqn goes with ki and opc/op")
        sqn = profile["sqn"]
        sqn = int(sqn, 0) if isinstance(sqn, str) else int(sqn)
        keys += b"\x04\x06" + sqn.to_bytes(6, "big")
    if keys or "pin1" in profile or "new_adm" in profile:
        send("00A4040009" + PERSO_AID + "00", "SELECT perso")
    if keys:
        send("80500000%02X" % len(keys) + keys.hex(), "SET USIM KEYS")
        print(f"{PROG} perso: Ki, OPc{', SQN' if 'sqn' in profile else ''}: ok")
    if "pin1" in profile:
        data = pin_bytes(profile["pin1"], "pin1")
        if "puk1" in profile:
            data += pin_bytes(profile["puk1"], "puk1")
        send("80520001%02X" % len(data) + data.hex(), "SET PIN1")
        print(f"{PROG} perso: PIN1{'/PUK1' if 'puk1' in profile else ''}: ok")
    if "new_adm" in profile:
        send("8052000A08" + pin_bytes(profile["new_adm"], "new_adm").hex(),
             "SET ADM1")
        print(f"{PROG} perso: ADM1: ok")
    return 0


def add_parser(sub):
    perso = sub.add_parser("perso", help="personalise a card started with "
                           "run from a JSON profile (docs/usim.md)",
                           description="Personalise the card: VERIFY ADM1, "
                           "then ICCID, IMSI, PLMN, SPN, MSISDN with UPDATE "
                           "BINARY/RECORD, Ki/OPc/SQN and PINs through the "
                           "personalization application.")
    perso.add_argument("profile", metavar="PROFILE.json")
    perso.add_argument("--port", type=port_number, default=DEFAULT_ISO_PORT,
                       help="the card's ISO 7816 port (default: %(default)s)")
    perso.add_argument("--host", default=DEFAULT_ISO_HOST,
                       help="the card's host (default: %(default)s)")
    perso.add_argument("--timeout", type=float, default=30.0,
                       help="seconds to wait for each answer")
    perso.set_defaults(func=cmd_perso)
    return perso
