# The byte patterns of `netcard test` files (docs/testing-cards.md
# "Patterns"): APDU templates with variables, response data patterns with
# nibble wildcards, '*' runs, bit masks and captures, and status-word
# patterns. Compiled once when a file loads (PatternError carries the
# offset of the problem in the text), matched per exchange.
#
#   t = compile_template("00B0 0000 $len")      t.render(vars) -> bytes
#   p = compile_data("62 XX 82 02 (fd:2) *")    p.match(data, vars) -> dict
#   s = compile_sw("61XX")                       s.match(sw) -> bool
#
# SPDX-License-Identifier: Apache-2.0

import re

HEX = "0123456789abcdefABCDEF"
_TOKEN = re.compile(r"\s+|[:.]|\*|\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?|"
                    r"\(([A-Za-z_][A-Za-z0-9_]*)(?::(\d+|\*))?\)|"
                    r"([0-9A-Fa-fXx]{2})")


class PatternError(Exception):
    def __init__(self, message, offset=0):
        super().__init__(message)
        self.message = message
        self.offset = offset


def parse_hex(text):
    """Bytes of hex TEXT; spaces and ':' between bytes are allowed."""
    digits = []
    for i, c in enumerate(text):
        if c in HEX:
            digits.append(c)
        elif c not in " \t\n:":
            raise PatternError(f"'{c}' is not a hex digit", i)
    if len(digits) % 2:
        raise PatternError("an odd number of hex digits", len(text) - 1)
    return bytes.fromhex("".join(digits))


def _tokens(text, allowed):
    """(kind, value, offset) of TEXT; kinds: byte (value, mask), any,
    var (name), cap (name, count or None)."""
    out = []
    i = 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            if text[i] in HEX + "Xx" and i + 1 < len(text) and \
                    not text[i + 1].isspace():
                raise PatternError(f"'{text[i + 1]}' is not a hex digit",
                                   i + 1)
            if text[i] in HEX + "Xx":
                raise PatternError("an odd number of hex digits", i)
            raise PatternError(f"unexpected '{text[i]}'", i)
        s = m.group(0)
        if s.isspace() or s in (":", "."):
            pass
        elif s == "*":
            out.append(("any", None, i))
        elif s.startswith("$"):
            out.append(("var", m.group(1), i))
        elif s.startswith("("):
            n = m.group(3)
            out.append(("cap", (m.group(2), None if n in (None, "*")
                                else int(n)), i))
        else:
            value = mask = 0
            for c in s:
                value <<= 4
                mask <<= 4
                if c not in "Xx":
                    value |= int(c, 16)
                    mask |= 0xF
            out.append(("byte", (value, mask), i))
        if out and out[-1][0] not in allowed:
            what = {"any": "'*'", "var": "a variable", "cap": "a capture",
                    "byte": "a wildcard"}[out[-1][0]]
            raise PatternError(f"{what} is not allowed here", i)
        i = m.end()
    return out


class Template:
    """An APDU: hex bytes and $variables."""

    def __init__(self, text):
        self.text = text
        self.toks = _tokens(text, ("byte", "var"))
        for kind, v, off in self.toks:
            if kind == "byte" and v[1] != 0xFF:
                raise PatternError("X wildcards are for expectations, not "
                                   "APDUs", off)
        if not self.toks:
            raise PatternError("an empty APDU")

    def refs(self):
        return [(v, off) for k, v, off in self.toks if k == "var"]

    def render(self, variables):
        out = bytearray()
        for kind, v, _ in self.toks:
            out += bytes([v[0]]) if kind == "byte" else variables[v]
        return bytes(out)


def compile_template(text):
    return Template(text)


class DataPattern:
    """Expected bytes: XX / 9X nibble wildcards, '*' any run, $var its
    bytes, (name:N) capture N bytes, (name) or (name:*) capture a run."""

    def __init__(self, text, mask=None):
        self.text = text
        self.toks = _tokens(text, ("byte", "any", "var", "cap"))
        if mask is not None:
            nbytes = [t for t in self.toks if t[0] == "byte"]
            if len(nbytes) != len(self.toks) or len(mask) != len(nbytes):
                raise PatternError(f"a mask ({len(mask)} bytes) goes with "
                                   "a data pattern of as many plain bytes")
            self.toks = [("byte", (v & m, vm & m), off) for
                         (_, (v, vm), off), m in zip(self.toks, mask)]

    def refs(self):
        return [(v, off) for k, v, off in self.toks if k == "var"]

    def captures(self):
        return {v[0]: b"" for k, v, _ in self.toks if k == "cap"}

    def match(self, data, variables):
        """The captures (a dict) if DATA matches, else None."""
        toks = self.toks
        memo = set()

        def go(ti, di, caps):
            if (ti, di) in memo:
                return None
            if ti == len(toks):
                return caps if di == len(data) else None
            kind, v, _ = toks[ti]
            if kind == "byte":
                if di < len(data) and data[di] & v[1] == v[0]:
                    return go(ti + 1, di + 1, caps)
            elif kind == "var":
                b = variables.get(v, b"")
                if data[di:di + len(b)] == b:
                    return go(ti + 1, di + len(b), caps)
            elif kind == "cap" and v[1] is not None:
                if di + v[1] <= len(data):
                    return go(ti + 1, di + v[1],
                              dict(caps, **{v[0]: data[di:di + v[1]]}))
            else:       # '*' or a run capture: shortest run first
                for end in range(di, len(data) + 1):
                    c = caps if kind == "any" else \
                        dict(caps, **{v[0]: data[di:end]})
                    r = go(ti + 1, end, c)
                    if r is not None:
                        return r
            memo.add((ti, di))
            return None

        return go(0, 0, {})

    def expected_text(self, variables):
        """The pattern with variables filled in, for failure messages."""
        parts = []
        for kind, v, _ in self.toks:
            if kind == "byte":
                parts.append("".join("X" if (v[1] >> s) & 0xF == 0 else
                                     "%X" % ((v[0] >> s) & 0xF)
                                     for s in (4, 0)))
            elif kind == "any":
                parts.append("*")
            elif kind == "var":
                parts.append(variables.get(v, b"").hex().upper() or
                             f"${v}")
            else:
                parts.append(f"({v[0]}:{'*' if v[1] is None else v[1]})")
        return " ".join(parts)


def compile_data(text, mask=None):
    return DataPattern(text, mask)


class Sw:
    def __init__(self, text):
        t = "".join(text.split()).upper()
        self.text = t
        if t == "ANY":
            self.value, self.mask = 0, 0
            return
        if len(t) != 4 or any(c not in "0123456789ABCDEFX" for c in t):
            raise PatternError(f"'{text}' is not a status word (4 hex "
                               "digits, X any, or 'any')")
        self.value = int(t.replace("X", "0"), 16)
        self.mask = int("".join("0" if c == "X" else "F" for c in t), 16)

    def match(self, sw):
        return (int.from_bytes(sw, "big") & self.mask) == self.value

    def __str__(self):
        return "any" if self.text == "ANY" else self.text


class SwAny:
    def __init__(self, alts):
        self.alts = alts

    def match(self, sw):
        return any(a.match(sw) for a in self.alts)

    def __str__(self):
        return " or ".join(str(a) for a in self.alts)


def compile_sw(text):
    return Sw(str(text))


def spaced(b):
    return " ".join("%02X" % x for x in b) if b else "(none)"


def diff(expected_text, got):
    """Two aligned lines and a caret line under the first differing byte,
    for a data pattern without runs."""
    exp = expected_text.split()
    g = ["%02X" % x for x in got]
    first = None
    for i in range(max(len(exp), len(g))):
        e = exp[i] if i < len(exp) else None
        b = g[i] if i < len(g) else None
        if e is None or b is None or not all(
                ec in ("X", bc) for ec, bc in zip(e, b)):
            first = i
            break
    lines = [f"  expected: {' '.join(exp) or '(none)'}",
             f"  got:      {' '.join(g) or '(none)'}"]
    if first is not None and all(len(x) == 2 for x in exp):
        lines.append("            " + "   " * first +
                     f"^^ byte {first}")
    return "\n".join(lines)
