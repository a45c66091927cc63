# `netcard admin`: ADMIN TRIGGER and the last session's outcome over vpcd
# framing (admin.py, docs/remote-admin.md).
#
# SPDX-License-Identifier: Apache-2.0

from .cli import DEFAULT_ISO_HOST, DEFAULT_ISO_PORT, UsageError, port_number
from .apducmd import CardLink, parse_hex


def cmd_admin(args):
    from netcard_host import admin
    link = CardLink(args.host, args.port, args.timeout)
    link.ensure_powered()
    aid = "".join(args.sd.split())
    parse_hex(aid, "--sd AID")
    try:
        if args.action == "trigger":
            sw, text = admin.trigger(link.exchange, aid)
            print(f"{sw:04X} {text}")
            return 0 if sw == 0x9000 else 1
        raw, o = admin.outcome(link.exchange, aid)
    except admin.AdminError as e:
        raise UsageError(str(e))
    print(admin.format_outcome(raw, o))
    return 0


def add_parser(sub):
    adm = sub.add_parser("admin", help="the card's remote administration "
                         "agent: trigger a session, read the last outcome",
                         description="trigger: ADMIN TRIGGER (80 4C 00 00) "
                         "to a security domain, the agent opens a PSK-TLS "
                         "session to its server; outcome: GET DATA DF3A "
                         "decoded (docs/remote-admin.md).")
    adm.add_argument("action", choices=("trigger", "outcome"))
    adm.add_argument("--port", type=port_number, default=DEFAULT_ISO_PORT,
                     help="the card's ISO 7816 port (default: %(default)s)")
    adm.add_argument("--host", default=DEFAULT_ISO_HOST,
                     help="the card's host (default: %(default)s)")
    adm.add_argument("--sd", default="A000000151000000", metavar="AID",
                     help="the security domain (default: the ISD "
                     "%(default)s)")
    adm.add_argument("--timeout", type=float, default=30.0,
                     help="seconds to wait for each answer")
    adm.set_defaults(func=cmd_admin)
