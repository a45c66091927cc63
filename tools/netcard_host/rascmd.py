# `netcard ras`: the remote administration server (BUILD/bin/netcard-ras).
#
# SPDX-License-Identifier: Apache-2.0

import os
import sys

from .cli import BUILD, PROG


# ---------------------------------------------------------------------------
# netcard ras: the remote administration server (net/ras, Amendment B).
# Everything after 'ras' goes to BUILD/bin/netcard-ras unchanged:
# serve | card | cards | enqueue | status | log (docs/remote-admin.md).
# ---------------------------------------------------------------------------
RAS_BIN = os.path.join(BUILD, "bin", "netcard-ras")


def cmd_ras(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(f"usage: {PROG} ras serve|card|cards|enqueue|status|log "
              "[OPTIONS]\n\nThe remote administration server "
              f"({RAS_BIN}); '{PROG} ras COMMAND --help'\nlists a command's "
              "options.")
        return 0 if argv else 2
    if not os.access(RAS_BIN, os.X_OK):
        print(f"{PROG}: {RAS_BIN} is missing: run make", file=sys.stderr)
        return 1
    os.execv(RAS_BIN, [RAS_BIN] + argv)
