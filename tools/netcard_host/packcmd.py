# `netcard pack APP.ELF -o APP.NCAP`: the SDK's packer
# (cardos/sdk/ncap_pack.py, docs/applets.md).
#
# SPDX-License-Identifier: Apache-2.0

import os
import sys

from .cli import SRCDIR, UsageError


def cmd_pack(argv):
    """netcard pack APP.ELF -o APP.NCAP: the SDK's packer
    (cardos/sdk/ncap_pack.py, docs/applets.md)."""
    sdk = os.path.join(SRCDIR, "cardos", "sdk")
    if not os.path.isfile(os.path.join(sdk, "ncap_pack.py")):
        raise UsageError(f"the SDK is not at {sdk}")
    sys.path.insert(0, sdk)
    import ncap_pack
    return ncap_pack.main(argv)
