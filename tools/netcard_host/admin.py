# netcard admin: the card's Amendment B administration agent seen from the
# ISO 7816 side (cardos/card/admin.h, docs/remote-admin.md "The card's
# agent"): `trigger` sends ADMIN TRIGGER (80 4C 00 00) to a security
# domain, `outcome` reads and decodes GET DATA DF3A (the last session).
# The caller hands a transmit function (bytes -> R-APDU bytes with SW).
#
# SPDX-License-Identifier: Apache-2.0

ISD_AID = "A000000151000000"

TRIGGER_SW = {
    0x9000: "session started",
    0x6985: "refused: a session is running (triggers are not queued)",
    0x6A88: "refused: no triggering parameters or no PSK key for them",
    0x6A81: "refused: the card has no network address yet",
    0x6B00: "refused: wrong P1 P2",
}

OUTCOMES = {
    0: "none (no session yet)",
    1: "ok (204 reached)",
    2: "running",
    3: "retrying (waiting for the retry timer)",
    4: "failed: TLS (no retry)",
    5: "failed: HTTP status or malformed response",
    6: "failed: connection lost, no retry left",
    7: "failed: no PSK for the key reference",
    8: "failed: no memory or PCB",
}

TRIGGERS = ("command", "poll", "boot", "applet", "retry")


class AdminError(Exception):
    pass


def select(transmit, aid_hex):
    aid = bytes.fromhex(aid_hex)
    r = transmit(bytes([0x00, 0xA4, 0x04, 0x00, len(aid)]) + aid + b"\x00")
    if r[-2:] != b"\x90\x00":
        raise AdminError(f"SELECT {aid_hex.upper()} answered "
                         f"{r.hex().upper()}")


def trigger(transmit, aid_hex=ISD_AID):
    """ADMIN TRIGGER to the security domain AID; (sw, meaning)."""
    select(transmit, aid_hex)
    r = transmit(bytes.fromhex("804C0000"))
    sw = int.from_bytes(r[-2:], "big")
    return sw, TRIGGER_SW.get(sw, "refused")


def decode_outcome(data):
    """DF3A 0A outcome retries(2) detail(2) scripts(2) commands(2)
    trigger, as a dict."""
    if len(data) != 13 or data[:3] != b"\xDF\x3A\x0A":
        raise AdminError(f"GET DATA DF3A: unexpected {data.hex().upper()}")
    detail = int.from_bytes(data[6:8], "big")
    code = data[3]
    if code == 4 and detail >= 0x8000:      # a negative mbedTLS error
        detail_text = f"-0x{0x10000 - detail:04X} (mbedTLS)"
    elif detail:
        detail_text = f"HTTP {detail}" if code in (1, 5) else str(detail)
    else:
        detail_text = "-"
    return {
        "outcome": code,
        "outcome_text": OUTCOMES.get(code, f"unknown ({code})"),
        "retries_left": int.from_bytes(data[4:6], "big"),
        "detail": detail,
        "detail_text": detail_text,
        "scripts": int.from_bytes(data[8:10], "big"),
        "commands": int.from_bytes(data[10:12], "big"),
        "trigger": TRIGGERS[data[12]] if data[12] < len(TRIGGERS)
        else str(data[12]),
    }


def outcome(transmit, aid_hex=ISD_AID):
    select(transmit, aid_hex)
    r = transmit(bytes.fromhex("00CADF3A00"))
    if r[-2:] != b"\x90\x00":
        raise AdminError(f"GET DATA DF3A answered {r.hex().upper()}")
    return r[:-2], decode_outcome(r[:-2])


def format_outcome(raw, o):
    return "\n".join([
        f"DF3A:         {raw.hex().upper()}",
        f"outcome:      {o['outcome']:02X} {o['outcome_text']}",
        f"retries left: {o['retries_left']}",
        f"detail:       {o['detail_text']}",
        f"scripts:      {o['scripts']}",
        f"commands:     {o['commands']}",
        f"trigger:      {o['trigger'] if o['outcome'] else '-'}",
    ])
