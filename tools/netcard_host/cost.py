# Per-APDU instruction counts: the apdu_cost TCG plugin
# (tools/plugins/apdu_cost.c, installed as BUILD/lib/plugins/
# libapdu_cost.so) and its CSV.
#
#   spec = plugin_spec(image, "cost.csv")       # for -plugin / --plugin
#   for row in read_csv("cost.csv"):            # after QEMU exited
#       row.apdu, row.header, row.command_bytes, row.instructions
#
# The plugin's markers are four card OS functions, looked up in the image
# (docs/testing.md "Instruction counts" says how exchanges are cut).
#
# SPDX-License-Identifier: Apache-2.0

import collections
import csv
import os

from . import elf

PLUGIN = "libapdu_cost.so"
MARKERS = (("rx", "iso_card_rx"), ("tx", "iso_uart_write"),
           ("cmd", "dispatch_command"), ("reset", "reset_handler"))
COLUMNS = ("apdu", "header", "command_bytes", "instructions")

Row = collections.namedtuple("Row", COLUMNS)


class CostError(Exception):
    pass


def plugin_path(build):
    path = os.path.join(build, "lib", "plugins", PLUGIN)
    if not os.path.isfile(path):
        raise CostError(f"{path} not found (build it with 'make launcher')")
    return path


def qemu_opt(value):
    """VALUE inside a -plugin option list (commas doubled)."""
    return str(value).replace(",", ",,")


def plugin_spec(image, out_csv, build):
    """The -plugin argument that counts IMAGE's APDUs into OUT_CSV."""
    try:
        syms = elf.lookup(image, *(name for _, name in MARKERS))
    except (OSError, elf.ElfError) as e:
        raise CostError(f"card OS image: {e}")
    args = ",".join(f"{key}=0x{s.addr:x}"
                    for (key, _), s in zip(MARKERS, syms))
    return (f"{qemu_opt(plugin_path(build))},{args},"
            f"out={qemu_opt(os.path.abspath(out_csv))}")


def read_csv(path):
    """The rows of a CSV the plugin wrote (ints where numbers)."""
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise CostError(f"{path}: not an apdu_cost CSV (columns "
                            f"{reader.fieldnames})")
        return [Row(int(r["apdu"]), r["header"], int(r["command_bytes"]),
                    int(r["instructions"])) for r in reader]
