# `netcard gp`: GlobalPlatform card management (gp.py, scp.py).
#
# SPDX-License-Identifier: Apache-2.0

import sys

from .cli import (DEFAULT_ISO_HOST, DEFAULT_ISO_PORT, PROG, UsageError,
                  port_number)
from .apducmd import CardLink, parse_hex


# ---------------------------------------------------------------------------
# netcard gp: GlobalPlatform card management (SCP03) over vpcd framing
# (tools/netcard_host/gp.py; docs/gp.md). A convenience: tests never take
# expected bytes from it.
# ---------------------------------------------------------------------------
GP_ACTIONS = ("list", "info", "put-key", "install", "delete", "lock",
              "unlock", "lock-card", "unlock-card", "load")


def cmd_gp(args):
    from netcard_host import gp
    link = CardLink(args.host, args.port, args.timeout)
    link.ensure_powered()
    key = parse_hex(args.key, "key")
    if link.exchange(bytes.fromhex("00A4040000"))[-2:] != b"\x90\x00":
        raise UsageError("the card's ISD does not answer SELECT")

    def need(value, what):
        if not value:
            raise UsageError(f"gp {args.action} needs {what}")
        return parse_hex(value, what)

    try:
        if args.action == "info":
            lines = gp.gp_info(link.exchange)
        else:
            s = gp.Scp03(link.exchange, key).open(kvn=args.kvn,
                                                  level=args.level)
            if args.action == "list":
                lines = gp.gp_list(s)
            elif args.action == "put-key":
                lines = gp.gp_put_key(s, args.new_kvn,
                                      need(args.new_key, "--new-key"),
                                      replace=args.replace)
            elif args.action == "install":
                lines = gp.gp_install(s, need(args.package, "--package"),
                                      need(args.module, "--module"),
                                      need(args.aid, "--aid"),
                                      parse_hex(args.params or "", "params"))
            elif args.action == "delete":
                lines = gp.gp_delete(s, need(args.aid, "--aid"),
                                     related=args.related)
            elif args.action in ("lock", "unlock"):
                lines = gp.gp_set_status(s, 0x40, 0x80 if args.action ==
                                         "lock" else 0x00,
                                         need(args.aid, "--aid"))
            elif args.action in ("lock-card", "unlock-card"):
                lines = gp.gp_set_status(s, 0x80, 0x7F if args.action ==
                                         "lock-card" else 0x0F)
            else:
                if not args.file:
                    raise UsageError("gp load needs --file")
                with open(args.file, "rb") as f:
                    blob = f.read()
                lines = gp.gp_load(s, need(args.package, "--package"), blob)
    except gp.GpError as e:
        print(f"{PROG}: gp {args.action}: {e}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


def add_parser(sub):
    gpp = sub.add_parser("gp", help="GlobalPlatform card management",
                         description="Manage the card's GlobalPlatform "
                         "content over SCP03 (docs/gp.md): list the "
                         "registry, card data, PUT KEY, INSTALL of ROM "
                         "modules, DELETE, lock/unlock, LOAD of native "
                         "load files.")
    gpp.add_argument("action", choices=GP_ACTIONS)
    gpp.add_argument("--port", type=port_number, default=DEFAULT_ISO_PORT,
                     help="the card's ISO 7816 port (default: %(default)s)")
    gpp.add_argument("--host", default=DEFAULT_ISO_HOST,
                     help="the card's host (default: %(default)s)")
    gpp.add_argument("--key", default="404142434445464748494A4B4C4D4E4F",
                     help="static ENC = MAC = DEK key (default: the test "
                     "key 40..4F)")
    gpp.add_argument("--kvn", type=lambda v: int(v, 16), default=0,
                     help="key version to open the session with (hex; "
                     "default 00: the card's default)")
    gpp.add_argument("--level", type=lambda v: int(v, 16), default=0x01,
                     help="security level (hex: 00, 01, 03; default 01)")
    gpp.add_argument("--new-kvn", type=lambda v: int(v, 16), default=0x31,
                     help="put-key: the new key version (hex)")
    gpp.add_argument("--new-key", help="put-key: the new AES key (hex), "
                     "ENC = MAC = DEK")
    gpp.add_argument("--replace", type=lambda v: int(v, 16), default=0,
                     help="put-key: the key version it replaces (hex; 00: "
                     "a new key set)")
    gpp.add_argument("--package", help="load file AID (hex)")
    gpp.add_argument("--module", help="module AID (hex)")
    gpp.add_argument("--aid", help="application AID (hex)")
    gpp.add_argument("--params", help="install: install parameters (C9 "
                     "value, hex)")
    gpp.add_argument("--related", action="store_true",
                     help="delete: with related objects")
    gpp.add_argument("--file", help="load: the load file")
    gpp.add_argument("--timeout", type=float, default=30.0,
                     help="seconds to wait for each answer")
    gpp.set_defaults(func=cmd_gp)
    return gpp
