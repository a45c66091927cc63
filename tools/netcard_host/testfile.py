# `netcard test` files: YAML (python3-yaml, Debian), read into cases of
# steps, every problem reported as FILE:LINE:COLUMN: MESSAGE before any
# card starts. The format and its grammar: docs/testing-cards.md.
#
#   tf = load(path)          # raises TestFileError(where, message)
#   tf.cases[i].steps[j]     # Step(kind, where, args)
#
# Patterns (match.py) are compiled here, so a bad pattern is a load error.
#
# SPDX-License-Identifier: Apache-2.0

import os
import re

import yaml

from . import match

DEFAULT_IMAGE = "cardos.elf"
DEFAULT_ISD = "A000000151000000"
STEP_KINDS = ("apdu", "atr", "power", "reset", "scp", "tear", "link",
              "qmp", "console", "http", "set")
EXPECT_KEYS = {"sw", "data", "mask", "torn", "timeout"}
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TestFileError(Exception):
    """FILE:LINE:COLUMN: MESSAGE."""

    def __init__(self, where, message):
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class Step:
    def __init__(self, kind, where, **args):
        self.kind = kind
        self.where = where
        self.args = args

    def __repr__(self):
        return f"Step({self.kind}, {self.where})"


class Case:
    def __init__(self, tf, name, where, boot, steps, timeout, network):
        self.file = tf
        self.name = name
        self.where = where
        self.boot = boot
        self.steps = steps
        self.timeout = timeout
        self.network = network
        self.id = f"{tf.rel}::{name}"


class Fixture:
    def __init__(self, tf, name, where, boot, steps, network):
        self.file = tf
        self.name = name
        self.where = where
        self.boot = boot
        self.steps = steps
        self.network = network
        self.id = f"{tf.rel}#{name}"


class TestFile:
    def __init__(self, path, rel):
        self.path = path
        self.rel = rel
        self.suite = os.path.splitext(os.path.basename(path))[0]
        self.image = DEFAULT_IMAGE
        self.protocol = None
        self.vars = {}
        self.fixtures = {}
        self.cases = []


class _Reader:
    """Walks composed YAML nodes, with their positions for errors."""

    def __init__(self, path):
        self.path = path

    def where(self, node, offset=0):
        m = node.start_mark
        col = m.column
        # a plain or quoted scalar on one line: point into it
        if offset and isinstance(node, yaml.ScalarNode) and \
                node.start_mark.line == node.end_mark.line:
            col += offset + (1 if node.style in ("'", '"') else 0)
        return f"{self.path}:{m.line + 1}:{col + 1}"

    def fail(self, node, message, offset=0):
        raise TestFileError(self.where(node, offset), message)

    def mapping(self, node, what, known=None, required=()):
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping")
        out = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                self.fail(k, f"{what}: keys are names")
            if k.value in out:
                self.fail(k, f"{what}: '{k.value}' given twice")
            if known is not None and k.value not in known:
                self.fail(k, f"{what}: unknown key '{k.value}' (known: "
                          f"{', '.join(sorted(known))})")
            out[k.value] = (k, v)
        for r in required:
            if r not in out:
                self.fail(node, f"{what}: '{r}' is missing")
        return out

    def seq(self, node, what):
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} must be a list")
        return node.value

    def scalar(self, node, what):
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, f"{what} must be a single value")
        return node.value

    def text(self, node, what):
        return self.scalar(node, what).strip()

    def integer(self, node, what, lo=None, hi=None):
        t = self.scalar(node, what)
        try:
            v = int(t, 0)
        except ValueError:
            self.fail(node, f"{what}: '{t}' is not an integer")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            self.fail(node, f"{what}: {v} is out of range {lo}..{hi}")
        return v

    def number(self, node, what):
        t = self.scalar(node, what)
        try:
            v = float(t)
        except ValueError:
            self.fail(node, f"{what}: '{t}' is not a number")
        if v <= 0:
            self.fail(node, f"{what}: must be more than 0")
        return v

    def boolean(self, node, what):
        t = self.scalar(node, what).lower()
        if t in ("true", "yes", "on"):
            return True
        if t in ("false", "no", "off"):
            return False
        self.fail(node, f"{what}: '{t}' is not true or false")

    def choice(self, node, what, choices):
        t = self.text(node, what)
        if t not in choices:
            self.fail(node, f"{what}: '{t}' is not one of "
                      f"{', '.join(choices)}")
        return t

    def hexbytes(self, node, what, lengths=None):
        t = self.text(node, what)
        try:
            b = match.parse_hex(t)
        except match.PatternError as e:
            self.fail(node, f"{what}: {e.message}", e.offset)
        if lengths and len(b) not in lengths:
            self.fail(node, f"{what}: {len(b)} bytes, expected "
                      f"{' or '.join(map(str, lengths))}")
        return b

    def compile(self, fn, node, what, *a):
        t = self.scalar(node, what)
        try:
            return fn(t, *a)
        except match.PatternError as e:
            self.fail(node, f"{what}: {e.message}", e.offset)


def _apdu_step(r, tf, where, keys, known_vars):
    k, v = keys["apdu"]
    tmpl = r.compile(match.compile_template, v, "apdu")
    for name, off in tmpl.refs():
        if name not in known_vars:
            r.fail(v, f"apdu: variable '{name}' is not set by an earlier "
                   "step or vars", off)
    args = {"template": tmpl, "sw": None, "data": None, "torn": False,
            "timeout": None}
    if "torn" in keys:
        args["torn"] = r.boolean(keys["torn"][1], "torn")
        if args["torn"] and ("sw" in keys or "data" in keys):
            r.fail(keys["torn"][0], "torn: the torn exchange has no answer "
                   "to check (no sw or data)")
    if not args["torn"]:
        sw = keys.get("sw")
        args["sw"] = match.compile_sw("9000") if sw is None else \
            _sw(r, sw[1])
    if "data" in keys:
        mask = None
        if "mask" in keys:
            mask = r.hexbytes(keys["mask"][1], "mask")
        args["data"] = r.compile(match.compile_data, keys["data"][1],
                                 "data", mask)
        for name, off in args["data"].refs():
            if name not in known_vars:
                r.fail(keys["data"][1], f"data: variable '{name}' is not "
                       "set by an earlier step or vars", off)
        known_vars.update(args["data"].captures())
    elif "mask" in keys:
        r.fail(keys["mask"][0], "mask goes with data")
    if "timeout" in keys:
        args["timeout"] = r.number(keys["timeout"][1], "timeout")
    return Step("apdu", where, **args)


def _sw(r, node):
    if isinstance(node, yaml.SequenceNode):
        alts = [r.compile(match.compile_sw, n, "sw") for n in node.value]
        if not alts:
            r.fail(node, "sw: an empty list matches nothing")
        return match.SwAny(alts)
    return r.compile(match.compile_sw, node, "sw")


def _scp_step(r, tf, where, node):
    if isinstance(node, yaml.ScalarNode):
        r.choice(node, "scp", ("close",))
        return Step("scp", where, close=True)
    m = r.mapping(node, "scp", {"version", "kvn", "key", "enc", "mac", "dek",
                                "level", "isd", "host_challenge"},
                  required=("version",))
    version = r.integer(m["version"][1], "scp: version", 2, 3)
    keys = {}
    if "key" in m:
        if any(x in m for x in ("enc", "mac", "dek")):
            r.fail(m["key"][0], "scp: 'key' (one key for all three) "
                   "excludes enc, mac, dek")
        key = r.hexbytes(m["key"][1], "scp: key", (16, 24, 32))
        keys = dict.fromkeys(("enc", "mac", "dek"), key)
    else:
        for n in ("enc", "mac", "dek"):
            if n not in m:
                r.fail(node, f"scp: '{n}' is missing (or give 'key')")
            keys[n] = r.hexbytes(m[n][1], f"scp: {n}", (16, 24, 32))
    if version == 2 and len(keys["enc"]) != 16:
        r.fail(node, "scp: SCP02 keys are 16 bytes (two-key 3DES)")
    level = r.integer(m["level"][1], "scp: level", 0, 0xFF) \
        if "level" in m else 0x01
    if level not in (0x00, 0x01, 0x03, 0x11, 0x13, 0x33):
        r.fail(m["level"][1], f"scp: level {level:#04x} is not 00, 01, 03, "
               "11, 13 or 33 (hex: write 0x33)")
    if version == 2 and level & 0x30:
        r.fail(m["level"][1], "scp: SCP02 levels here are 00, 01, 03 (no "
               "R-MAC on the host side)")
    kvn = r.integer(m["kvn"][1], "scp: kvn", 0, 0x7F) if "kvn" in m else 0
    isd = r.hexbytes(m["isd"][1], "scp: isd") if "isd" in m else \
        bytes.fromhex(DEFAULT_ISD)
    hc = r.hexbytes(m["host_challenge"][1], "scp: host_challenge", (8,)) \
        if "host_challenge" in m else None
    return Step("scp", where, close=False, version=version, kvn=kvn,
                level=level, isd=isd, host_challenge=hc, **keys)


def _http_step(r, where, keys):
    k, v = keys["http"]
    t = r.text(v, "http")
    method, _, path = t.partition(" ")
    path = path.strip()
    if method not in ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS") \
            or not path.startswith("/"):
        r.fail(v, f"http: '{t}' is not 'METHOD /path'")
    args = {"method": method, "path": path, "send": None, "status": 200,
            "body": None, "json": None, "headers": {}, "port": 80}
    if "send" in keys:
        args["send"] = r.scalar(keys["send"][1], "send").encode()
    if "status" in keys:
        args["status"] = r.integer(keys["status"][1], "status", 100, 599)
    if "port" in keys:
        args["port"] = int(r.choice(keys["port"][1], "port", ("80", "3516")))
    if "body" in keys:
        args["body"] = _regex(r, keys["body"][1], "body")
    if "json" in keys:
        args["json"] = yaml.safe_load(yaml.serialize(keys["json"][1]))
        if not isinstance(args["json"], dict):
            r.fail(keys["json"][1], "json: a mapping of the keys to check")
    if "headers" in keys:
        for hk, hv in r.mapping(keys["headers"][1], "headers").values():
            args["headers"][hk.value.lower()] = _regex(r, hv, "headers")
    return Step("http", where, **args)


def _regex(r, node, what):
    t = r.scalar(node, what)
    try:
        return re.compile(t)
    except re.error as e:
        r.fail(node, f"{what}: not a regular expression: {e}",
               e.pos or 0)


STEP_KEYS = {
    "apdu": {"apdu"} | EXPECT_KEYS,
    "atr": {"atr"},
    "power": {"power"},
    "reset": {"reset"},
    "scp": {"scp"},
    "tear": {"tear"},
    "link": {"link"},
    "qmp": {"qmp", "arguments", "return"},
    "console": {"console", "timeout"},
    "http": {"http", "send", "status", "body", "json", "headers", "port"},
    "set": {"set"},
}


def _step(r, tf, node, known_vars):
    if isinstance(node, yaml.ScalarNode):
        # shorthands: '- warm-reset', '- cold-reset', '- power-off' ...
        short = {"warm-reset": ("reset", "warm"), "cold-reset":
                 ("reset", "cold"), "power-off": ("power", "off"),
                 "power-on": ("power", "on"), "power-cut": ("power", "cut"),
                 "link-down": ("link", "down"), "link-up": ("link", "up")}
        if node.value not in short:
            r.fail(node, f"'{node.value}' is not a step (a mapping like "
                   f"'apdu: ...', or one of {', '.join(short)})")
        kind, value = short[node.value]
        return Step(kind, r.where(node), value=value)
    m = r.mapping(node, "step")
    kinds = [k for k in m if k in STEP_KINDS]
    if len(kinds) != 1:
        r.fail(node, "a step has exactly one of " + ", ".join(STEP_KINDS) +
               (f" (found {', '.join(kinds)})" if kinds else ""))
    kind = kinds[0]
    for key, (kn, _) in m.items():
        if key not in STEP_KEYS[kind]:
            r.fail(kn, f"{kind} step: unknown key '{key}' (known: "
                   f"{', '.join(sorted(STEP_KEYS[kind]))})")
    where = r.where(node)
    v = m[kind][1]
    if kind == "apdu":
        return _apdu_step(r, tf, where, m, known_vars)
    if kind == "atr":
        if isinstance(v, yaml.ScalarNode) and v.value.strip() == "any":
            return Step("atr", where, data=None)
        return Step("atr", where, data=r.compile(match.compile_data, v,
                                                 "atr", None))
    if kind == "power":
        return Step("power", where,
                    value=r.choice(v, "power", ("on", "off", "cut")))
    if kind == "reset":
        return Step("reset", where,
                    value=r.choice(v, "reset", ("warm", "cold")))
    if kind == "link":
        return Step("link", where, value=r.choice(v, "link", ("up", "down")))
    if kind == "scp":
        return _scp_step(r, tf, where, v)
    if kind == "tear":
        t = r.mapping(v, "tear", {"after", "mode", "seed"},
                      required=("after",))
        return Step("tear", where,
                    after=r.integer(t["after"][1], "tear: after", 0,
                                    1000000),
                    mode=r.choice(t["mode"][1], "tear: mode",
                                  ("before", "partial", "after"))
                    if "mode" in t else "before",
                    seed=r.integer(t["seed"][1], "tear: seed", 0,
                                   2 ** 64 - 1) if "seed" in t else None)
    if kind == "qmp":
        cmd = r.text(v, "qmp")
        arguments = yaml.safe_load(yaml.serialize(m["arguments"][1])) \
            if "arguments" in m else {}
        ret = yaml.safe_load(yaml.serialize(m["return"][1])) \
            if "return" in m else None
        return Step("qmp", where, execute=cmd, arguments=arguments,
                    expect=ret, has_expect="return" in m)
    if kind == "console":
        timeout = r.number(m["timeout"][1], "timeout") \
            if "timeout" in m else None
        return Step("console", where, regex=_regex(r, v, "console"),
                    timeout=timeout)
    if kind == "http":
        return _http_step(r, where, m)
    if kind == "set":
        values = {}
        for kn, vn in r.mapping(v, "set").values():
            if not NAME_RE.match(kn.value):
                r.fail(kn, f"set: '{kn.value}' is not a variable name")
            values[kn.value] = r.hexbytes(vn, f"set: {kn.value}")
        known_vars.update(values)
        return Step("set", where, values=values)
    raise AssertionError(kind)


def _steps(r, tf, node, what, known_vars):
    steps = [_step(r, tf, n, known_vars) for n in r.seq(node, what)]
    if not steps:
        r.fail(node, f"{what}: no steps")
    return steps


def _needs_network(steps):
    return any(s.kind in ("http", "link") for s in steps)


def load(path, rel=None):
    """The test file at PATH (REL: its name in reports)."""
    rel = rel or path
    r = _Reader(rel)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise TestFileError(f"{rel}:1:1", f"cannot read: {e.strerror}")
    except UnicodeDecodeError as e:
        raise TestFileError(f"{rel}:1:1", f"not UTF-8: {e.reason}")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        m = e.problem_mark or e.context_mark
        line, col = (m.line + 1, m.column + 1) if m else (1, 1)
        raise TestFileError(f"{rel}:{line}:{col}",
                            f"YAML: {e.problem or e.context}")
    if root is None:
        raise TestFileError(f"{rel}:1:1", "empty test file")
    tf = TestFile(path, rel)
    top = r.mapping(root, "a test file", {"suite", "image", "protocol",
                                          "vars", "fixtures", "cases"},
                    required=("cases",))
    if "suite" in top:
        tf.suite = r.text(top["suite"][1], "suite")
    if "image" in top:
        tf.image = r.text(top["image"][1], "image")
        if not tf.image.endswith(".elf"):
            r.fail(top["image"][1], "image: a card OS image name "
                   "(cardos.elf, cardos-test.elf) or path to an .elf")
    if "protocol" in top:
        tf.protocol = r.choice(top["protocol"][1], "protocol", ("t0", "t1"))
    if "vars" in top:
        for kn, vn in r.mapping(top["vars"][1], "vars").values():
            if not NAME_RE.match(kn.value):
                r.fail(kn, f"vars: '{kn.value}' is not a variable name")
            tf.vars[kn.value] = r.hexbytes(vn, f"vars: {kn.value}")
    if "fixtures" in top:
        fx = r.mapping(top["fixtures"][1], "fixtures")
        for name, (kn, vn) in fx.items():
            m = r.mapping(vn, f"fixture {name}", {"boot", "steps"},
                          required=("steps",))
            boot = r.text(m["boot"][1], "boot") if "boot" in m else "fresh"
            if boot != "fresh" and boot not in tf.fixtures:
                r.fail(m["boot"][1], f"boot: '{boot}' is not fresh or a "
                       "fixture defined above")
            steps = _steps(r, tf, m["steps"][1], f"fixture {name}: steps",
                           dict(tf.vars))
            tf.fixtures[name] = Fixture(tf, name, r.where(kn), boot, steps,
                                        _needs_network(steps))
    names = set()
    for cn in r.seq(top["cases"][1], "cases"):
        m = r.mapping(cn, "a case", {"name", "boot", "steps", "timeout",
                                     "network"}, required=("name", "steps"))
        name = r.text(m["name"][1], "name")
        if not name:
            r.fail(m["name"][1], "name: empty")
        if name in names:
            r.fail(m["name"][1], f"a case named '{name}' is already in "
                   "this file")
        names.add(name)
        boot = r.text(m["boot"][1], "boot") if "boot" in m else "fresh"
        if boot != "fresh" and boot not in tf.fixtures:
            r.fail(m["boot"][1], f"boot: '{boot}' is not fresh or a fixture "
                   f"of this file ({', '.join(tf.fixtures) or 'none'})")
        steps = _steps(r, tf, m["steps"][1], "steps", dict(tf.vars))
        timeout = r.number(m["timeout"][1], "timeout") \
            if "timeout" in m else 60.0
        network = r.boolean(m["network"][1], "network") \
            if "network" in m else False
        fx = tf.fixtures.get(boot)
        network = network or _needs_network(steps) or \
            bool(fx and fx.network)
        tf.cases.append(Case(tf, name, r.where(cn), boot, steps, timeout,
                             network))
    if not tf.cases:
        r.fail(top["cases"][1], "cases: no cases")
    return tf


def find(paths):
    """Test files under PATHS (files, or folders searched for *.yaml and
    *.yml, sorted), as (path, name relative to the current folder)."""
    out = []
    for p in paths:
        if os.path.isdir(p):
            for d, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    if f.endswith((".yaml", ".yml")):
                        out.append(os.path.join(d, f))
        elif os.path.exists(p):
            out.append(p)
        else:
            raise TestFileError(f"{p}:1:1", "no such file or folder")
    seen, files = set(), []
    for p in out:
        a = os.path.abspath(p)
        p = os.path.normpath(p)
        if a not in seen:
            seen.add(a)
            rel = os.path.relpath(a)
            files.append((a, p if rel.startswith("..") else rel))
    return files
