# Guest coverage of the card OS: the coverage TCG plugin
# (tools/plugins/coverage.c, BUILD/lib/plugins/libcoverage.so) records the
# executed instruction addresses; this module turns them into an lcov
# tracefile with the ELF's DWARF line table, merges tracefiles (over
# cases and shards) and renders HTML with genhtml.
#
#   spec = plugin_spec("run.cov", build)          # -plugin argument
#   info = lcov_from_raw(elf_path, ["a.cov", "b.cov"])   # tracefile text
#   merged = merge([text1, text2])
#   html(info_path, out_dir)                      # genhtml
#   main(argv)                                    # `netcard coverage ...`
#
# The line table comes from binutils' arm-none-eabi-readelf (Debian
# binutils-arm-none-eabi, installed with the card OS toolchain): every
# (file, line, address) row; a row covers the addresses up to the next
# row of its sequence. A line is instrumented when it covers at least one
# address and hit when one of them was executed. Functions are the ELF's
# FUNC symbols, named at the line of their first instruction. Source
# files that are not on this machine (the toolchain's libgcc) are left
# out.
#
# SPDX-License-Identifier: Apache-2.0

import bisect
import collections
import os
import re
import shutil
import subprocess

from . import elf

PLUGIN = "libcoverage.so"
RAW_MAGIC = "netcard-coverage 1"
READELF = "arm-none-eabi-readelf"
ROM_END = 0x80000               # the card OS image (ROM); NVM code apart


class CoverageError(Exception):
    pass


def plugin_spec(out_raw, build, start=0, end=ROM_END):
    path = os.path.join(build, "lib", "plugins", PLUGIN)
    if not os.path.isfile(path):
        raise CoverageError(f"{path} not found (build it with 'make "
                            "launcher')")
    out = os.path.abspath(out_raw).replace(",", ",,")
    return (f"{path.replace(',', ',,')},out={out},from=0x{start:x},"
            f"to=0x{end:x}")


def read_raw(path):
    """The executed addresses of a raw file the plugin wrote."""
    with open(path) as f:
        lines = f.read().split("\n")
    if lines[0] != RAW_MAGIC:
        raise CoverageError(f"{path}: not a raw coverage file (first line "
                            f"is not '{RAW_MAGIC}')")
    try:
        return {int(x, 16) for x in lines[1:] if x}
    except ValueError:
        raise CoverageError(f"{path}: not a raw coverage file")


def need_tool(tool, package):
    path = shutil.which(tool)
    if not path:
        raise CoverageError(f"{tool} not found: apt-get install {package}")
    return path


_ROW = re.compile(r"^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)")


_tables = {}


def line_table(elf_path):
    """[(address, file, line or None)] in sequence order; None ends a
    sequence. Read once per ELF (path and modification time)."""
    key = (os.path.abspath(elf_path), os.stat(elf_path).st_mtime_ns)
    if key not in _tables:
        _tables[key] = _read_line_table(elf_path)
    return _tables[key]


def _read_line_table(elf_path):
    readelf = need_tool(READELF, "binutils-arm-none-eabi")
    r = subprocess.run([readelf, "--debug-dump=decodedline", "-W",
                        elf_path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise CoverageError(f"{READELF} {elf_path}: {r.stderr.strip()}")
    rows = []
    current = None
    for text in r.stdout.splitlines():
        if text.startswith("CU: "):
            current = text[4:].rstrip(":")
            continue
        if text.startswith("/") and text.endswith(":"):
            current = text[:-1]
            continue
        m = _ROW.match(text)
        if not m or current is None:
            continue
        name, line, addr = m.groups()
        path = current
        if os.path.basename(current) != name:
            path = os.path.join(os.path.dirname(current), name)
        path = os.path.normpath(path)
        rows.append((int(addr, 16), path, None if line == "-" else
                     int(line)))
    if not rows:
        raise CoverageError(f"{elf_path} has no DWARF line table (built "
                            "without -g?)")
    return rows


def lcov_from_raw(elf_path, raw_paths, test_name="netcard"):
    """An lcov tracefile (text) for the executed addresses of RAW_PATHS
    (raw files of the plugin) in the card OS image ELF_PATH."""
    executed = set()
    for p in raw_paths:
        executed |= read_raw(p)
    return lcov_from_addresses(elf_path, executed, test_name)


def lcov_from_addresses(elf_path, executed, test_name="netcard"):
    hits = sorted(executed)
    lines = collections.defaultdict(dict)     # file -> {line: hit}
    first_line = {}                           # address -> (file, line)
    rows = line_table(elf_path)
    for (addr, path, line), nxt in zip(rows, rows[1:] + [(None,) * 3]):
        if line is None or nxt[0] is None or nxt[0] <= addr:
            continue
        first_line.setdefault(addr, (path, line))
        i = bisect.bisect_left(hits, addr)
        hit = i < len(hits) and hits[i] < nxt[0]
        lines[path][line] = lines[path].get(line, False) or hit
    funcs = collections.defaultdict(list)     # file -> [(line, name, hit)]
    try:
        symbols = elf.symbols(elf_path)
    except (OSError, elf.ElfError) as e:
        raise CoverageError(str(e))
    for name, s in symbols.items():
        if s.kind != "func" or not s.size or s.addr not in first_line:
            continue
        path, line = first_line[s.addr]
        i = bisect.bisect_left(hits, s.addr)
        funcs[path].append((line, name, i < len(hits) and
                            hits[i] < s.addr + s.size))
    out = [f"TN:{test_name}"]
    # sources not on this machine (the toolchain's libgcc) stay out
    for path in sorted(p for p in lines if os.path.isfile(p)):
        out.append(f"SF:{path}")
        fl = sorted(funcs.get(path, ()))
        out += [f"FN:{ln},{name}" for ln, name, _ in fl]
        out += [f"FNDA:{int(hit)},{name}" for _, name, hit in fl]
        out += [f"FNF:{len(fl)}", f"FNH:{sum(1 for f in fl if f[2])}"]
        ls = lines[path]
        out += [f"DA:{ln},{int(hit)}" for ln, hit in sorted(ls.items())]
        out += [f"LF:{len(ls)}", f"LH:{sum(1 for h in ls.values() if h)}",
                "end_of_record"]
    return "\n".join(out) + "\n"


def parse(text):
    """{file: (lines {n: count}, fns {name: line}, fnda {name: count})}"""
    files = {}
    cur = None
    for raw in text.splitlines():
        key, _, val = raw.partition(":")
        if key == "SF":
            cur = files.setdefault(val, ({}, {}, {}))
        elif cur is None:
            continue
        elif key == "DA":
            n, count = val.split(",")[:2]
            cur[0][int(n)] = cur[0].get(int(n), 0) + int(count)
        elif key == "FN":
            n, name = val.split(",", 1)
            cur[1][name] = int(n)
        elif key == "FNDA":
            count, name = val.split(",", 1)
            cur[2][name] = cur[2].get(name, 0) + int(count)
        elif key == "end_of_record":
            cur = None
    return files


def merge(texts, test_name="netcard"):
    """One tracefile from several (counts added: over cases, shards)."""
    files = {}
    for text in texts:
        for path, (ls, fns, fnda) in parse(text).items():
            m = files.setdefault(path, ({}, {}, {}))
            for n, c in ls.items():
                m[0][n] = m[0].get(n, 0) + c
            m[1].update(fns)
            for name, c in fnda.items():
                m[2][name] = m[2].get(name, 0) + c
    out = [f"TN:{test_name}"]
    for path in sorted(files):
        ls, fns, fnda = files[path]
        fl = sorted((ln, name) for name, ln in fns.items())
        out.append(f"SF:{path}")
        out += [f"FN:{ln},{name}" for ln, name in fl]
        out += [f"FNDA:{fnda.get(name, 0)},{name}" for _, name in fl]
        out += [f"FNF:{len(fl)}",
                f"FNH:{sum(1 for _, n in fl if fnda.get(n, 0))}"]
        out += [f"DA:{n},{c}" for n, c in sorted(ls.items())]
        out += [f"LF:{len(ls)}", f"LH:{sum(1 for c in ls.values() if c)}",
                "end_of_record"]
    return "\n".join(out) + "\n"


def html(info_path, out_dir, title="netcard card OS"):
    """genhtml INFO_PATH into OUT_DIR; returns OUT_DIR/index.html."""
    genhtml = need_tool("genhtml", "lcov")
    r = subprocess.run([genhtml, "--quiet", "--title", title,
                        "--output-directory", out_dir, info_path],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if r.returncode != 0:
        raise CoverageError(f"genhtml failed: {r.stdout.strip()[-400:]}")
    return os.path.join(out_dir, "index.html")


def main(argv, default_elf):
    """`netcard coverage lcov|merge|html ...`; returns the exit status.
    Raises CoverageError (one line) on a problem."""
    import argparse
    p = argparse.ArgumentParser(prog="netcard coverage",
                                description="Card OS coverage reports "
                                "(docs/testing.md \"Coverage\").")
    sub = p.add_subparsers(dest="what", required=True)
    lc = sub.add_parser("lcov", help="raw files of `netcard run --coverage` "
                        "to an lcov tracefile")
    lc.add_argument("raw", nargs="+", metavar="RAW",
                    help="raw files (or folders of *.cov files)")
    lc.add_argument("--elf", default=default_elf,
                    help="the card OS image that ran (default: %(default)s)")
    lc.add_argument("-o", dest="out", required=True, metavar="OUT.info")
    lc.add_argument("--test-name", default="netcard")
    mg = sub.add_parser("merge", help="merge lcov tracefiles")
    mg.add_argument("infos", nargs="+", metavar="IN.info")
    mg.add_argument("-o", dest="out", required=True, metavar="OUT.info")
    ht = sub.add_parser("html", help="render a tracefile with genhtml")
    ht.add_argument("info", metavar="IN.info")
    ht.add_argument("-o", dest="out", required=True, metavar="DIR")
    a = p.parse_args(argv)
    if a.what == "lcov":
        raws = []
        for r in a.raw:
            if os.path.isdir(r):
                raws += sorted(os.path.join(r, f) for f in os.listdir(r)
                               if f.endswith(".cov"))
            else:
                raws.append(r)
        if not raws:
            raise CoverageError("no raw coverage files given")
        text = lcov_from_raw(a.elf, raws, a.test_name)
        what = f"{len(raws)} raw file(s)"
    elif a.what == "merge":
        texts = []
        for path in a.infos:
            with open(path) as f:
                texts.append(f.read())
        text = merge(texts)
        what = f"{len(texts)} tracefile(s)"
    else:
        index = html(a.info, a.out)
        print(f"netcard coverage: {index}")
        return 0
    with open(a.out, "w") as f:
        f.write(text)
    files = parse(text)
    lf = sum(len(v[0]) for v in files.values())
    lh = sum(1 for v in files.values() for c in v[0].values() if c)
    print(f"netcard coverage: {a.out}: {what}, {lh} of {lf} lines hit "
          f"in {len(files)} files")
    return 0
