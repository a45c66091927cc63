#!/usr/bin/python3
# lint_layers: the card OS's include rules (docs/cardos.md "Layers").
#
#   tools/lint_layers.py [--root DIR] [--self-test]
#
# Every file under cardos/ belongs to the layer named by its first folder.
# Layers, lowest first:
#
#   kernel arch drivers store crypto iso7816 apdu fs gp sys net applets card
#
# A file may include headers of its own layer and of layers below it, never
# above (data flows up by return values and by callbacks registered from
# above). Besides:
#   - register headers of peripherals/ (netcard_*.h) are for arch/ and
#     drivers/ only: everything else reaches hardware through a driver;
#   - cardos/sdk/ (what applets build against) includes only sdk/;
#   - nothing in cardos/ includes tests/ (test code lives in test images);
#   - no two modules (foo.c + foo.h) include each other, directly or in a
#     longer circle, within a layer either.
# Includes of third-party headers (lwIP, mbedTLS, the C library) are not
# checked. Prints one line per violation and exits 1 if there is any.
#
# SPDX-License-Identifier: Apache-2.0

import argparse
import os
import re
import shutil
import sys
import tempfile

LAYERS = ["kernel", "arch", "drivers", "store", "crypto", "iso7816", "apdu",
          "fs", "gp", "sys", "net", "applets", "card"]
RANK = {name: i for i, name in enumerate(LAYERS)}
ALIASES = {}
HARDWARE_LAYERS = {"arch", "drivers"}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def layer_of(rel):
    """Layer of a path relative to cardos/ ("fs/fs.c" -> "fs")."""
    top = rel.split("/", 1)[0]
    return ALIASES.get(top, top)


def resolve(root, src_rel, inc):
    """Where #include "INC" in cardos/SRC_REL lands, as ("cardos", rel),
    ("peripherals", name), ("tests", rel) or None (third party)."""
    cardos = os.path.join(root, "cardos")
    here = os.path.dirname(src_rel)
    # the same search order as the card's build: the file's folder, the
    # cardos/ root, the lwIP port (net/port for lwIP's "arch/cc.h"),
    # peripherals/, the repository root (test images only)
    for base in (here, "", "net/port"):
        cand = os.path.normpath(os.path.join(base, inc))
        if os.path.isfile(os.path.join(cardos, cand)):
            return ("cardos", cand)
    if os.path.isfile(os.path.join(root, "peripherals", inc)):
        return ("peripherals", inc)
    if inc.startswith("tests/"):
        return ("tests", inc)
    return None


def sources(root):
    cardos = os.path.join(root, "cardos")
    for dirpath, _, files in os.walk(cardos):
        for f in sorted(files):
            if f.endswith((".c", ".h", ".S")):
                yield os.path.relpath(os.path.join(dirpath, f), cardos)


def module_of(rel):
    return os.path.splitext(rel)[0]


def check(root):
    errors = []
    edges = {}          # module -> {module: (file, line, inc)}
    for rel in sources(root):
        layer = layer_of(rel)
        with open(os.path.join(root, "cardos", rel), encoding="utf-8") as f:
            text = f.read()
        for m in INCLUDE_RE.finditer(text):
            inc = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            where = "cardos/%s:%d" % (rel, line)
            target = resolve(root, rel, inc)
            if target is None:
                continue
            kind, trel = target
            if kind == "tests":
                errors.append("%s: includes %s: test code stays in test "
                              "images (tests/cardos/)" % (where, inc))
                continue
            if kind == "peripherals":
                if layer not in HARDWARE_LAYERS:
                    errors.append("%s: includes the register header %s: only "
                                  "arch/ and drivers/ reach hardware" %
                                  (where, inc))
                continue
            tlayer = layer_of(trel)
            if layer == "sdk" or tlayer == "sdk":
                if layer != tlayer:
                    errors.append("%s: includes %s: sdk/ and the OS do not "
                                  "include each other" % (where, trel))
                continue
            if layer not in RANK or tlayer not in RANK:
                errors.append("%s: %s is in no layer (%s)" %
                              (where, trel if tlayer not in RANK else rel,
                               " < ".join(LAYERS)))
                continue
            if RANK[tlayer] > RANK[layer]:
                errors.append("%s: includes %s: %s/ is above %s/ (%s)" %
                              (where, trel, tlayer, layer, " < ".join(LAYERS)))
            a, b = module_of(rel), module_of(trel)
            if a != b:
                edges.setdefault(a, {}).setdefault(b, (where, trel))
    errors.extend(find_circles(edges))
    return errors


def find_circles(edges):
    """One line per include circle between modules (Tarjan's SCCs)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, {})):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                scc.sort()
                hops = ["%s (%s)" % (edges[x][y][0], y)
                        for x in scc for y in sorted(edges.get(x, {}))
                        if y in scc]
                out.append("include circle between %s: %s" %
                           (", ".join(scc), "; ".join(hops)))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def self_test():
    """The checker finds what it is for, on a small tree of its own."""
    tmp = tempfile.mkdtemp(prefix="lint-layers.")
    try:
        files = {
            "cardos/kernel/log.h": "",
            "cardos/kernel/bad.c": '#include "drivers/uart.h"\n',
            "cardos/drivers/uart.h": '#include "netcard_uart.h"\n',
            "cardos/fs/fs.c": '#include "fs/profile.h"\n#include "netcard_uart.h"\n',
            "cardos/fs/fs.h": '#include "kernel/log.h"\n',
            "cardos/fs/profile.c": '#include "fs/fs.h"\n',
            "cardos/fs/profile.h": "",
            "cardos/card/main.c": '#include "tests/cardos/image.h"\n'
                                  '#include "lwip/tcp.h"\n#include "fs/fs.h"\n',
            "peripherals/netcard_uart.h": "",
        }
        for rel, text in files.items():
            path = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        got = check(tmp)
        want = ["cardos/kernel/bad.c:1: includes drivers/uart.h: drivers/ is "
                "above kernel/",
                "cardos/fs/fs.c:2: includes the register header netcard_uart.h",
                "cardos/card/main.c:1: includes tests/cardos/image.h",
                "include circle between fs/fs, fs/profile"]
        missing = [w for w in want if not any(g.startswith(w) for g in got)]
        if missing or len(got) != len(want):
            print("lint_layers self-test failed: expected %s, got %s" %
                  (want, got), file=sys.stderr)
            return 1
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", default=os.path.dirname(
        os.path.dirname(os.path.realpath(__file__))),
        help="repository root (default: this script's)")
    ap.add_argument("--self-test", action="store_true",
                    help="check the checker on a small tree of its own")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    errors = check(args.root)
    for e in errors:
        print(e)
    if errors:
        print("lint_layers: %d problem(s); the rules are in docs/cardos.md "
              "\"Layers\"" % len(errors), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
