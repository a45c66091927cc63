# Reports of `netcard test` from the runner's result dicts (runner.py):
# the human one (a progress line on a terminal, each failure with its
# diff and console tail, a closing "N passed, N failed" line), JUnit XML
# (the shape of tests/schemas/junit.xsd, which Jenkins, GitLab and
# GitHub's test reporters read) and TAP version 13 with YAML diagnostics.
#
# SPDX-License-Identifier: Apache-2.0

import datetime
import socket
import sys
import xml.etree.ElementTree as ET


def counts(results):
    c = {"pass": 0, "fail": 0, "error": 0, "interrupted": 0}
    for r in results:
        c[r["status"]] += 1
    return c


def _indent(text, by="  "):
    return "\n".join(by + line if line else line for line in
                     text.splitlines())


def failure_text(r):
    """A failed case as people read it."""
    out = [f"{r['status'].upper()} {r['id']} ({r['time']:.2f} s)",
           f"  {r['message']}"]
    if r["details"]:
        out.append(_indent(r["details"]))
    if r["log"]:
        out.append("  exchanges (last 6):")
        out.extend("    " + line for line in r["log"][-6:])
    if r["console"]:
        out.append("  console (last lines):")
        out.append(_indent(r["console"], "    | "))
    for what, path in sorted(r["artifacts"].items()):
        out.append(f"  {what}: {path}")
    return "\n".join(out)


class Human:
    """Progress and results on STREAM (a terminal: one progress line
    rewritten in place; otherwise failures only, or every case with
    VERBOSE)."""

    def __init__(self, total, stream=sys.stdout, verbose=False):
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream
        self.tty = stream.isatty()
        self.verbose = verbose
        self.running = []

    def _progress(self):
        if not self.tty:
            return
        what = self.running[-1] if self.running else ""
        line = (f"[{self.done}/{self.total}] {self.failed} failed"
                + (f"  {what}" if what else ""))
        self.stream.write("\r\x1b[K" + line[:160])
        self.stream.flush()

    def started(self, case):
        self.running.append(case.id)
        self._progress()

    def finished(self, r):
        self.done += 1
        if r["id"] in self.running:
            self.running.remove(r["id"])
        if self.tty:
            self.stream.write("\r\x1b[K")
        if r["status"] != "pass":
            self.failed += 1
            self.stream.write(failure_text(r) + "\n")
        elif self.verbose:
            self.stream.write(f"PASS {r['id']} ({r['time']:.2f} s)\n")
        self._progress()

    def summary(self, results, wall, jobs, interrupted=False):
        if self.tty:
            self.stream.write("\r\x1b[K")
        c = counts(results)
        rate = len(results) / wall if wall > 0 else 0.0
        extra = []
        if c["error"]:
            extra.append(f"{c['error']} could not run")
        if c["interrupted"]:
            extra.append(f"{c['interrupted']} interrupted")
        self.stream.write(
            f"netcard test: {len(results)} cases in {wall:.1f} s "
            f"({rate:.1f} cases/s, -j {jobs})"
            + (f"; {', '.join(extra)}" if extra else "")
            + (" -- INTERRUPTED" if interrupted else "") + "\n")
        self.stream.write(f"{c['pass']} passed, "
                          f"{c['fail'] + c['error'] + c['interrupted']} "
                          "failed\n")
        self.stream.flush()


def junit(results, path, wall, name="netcard"):
    """JUnit XML: one <testsuite> per suite (test file), a <testcase>
    per case with <failure>, <error> or <skipped> (interrupted), its
    properties, the exchanges in <system-out> and the console in
    <system-err>."""
    c = counts(results)
    root = ET.Element("testsuites", name=name, tests=str(len(results)),
                      failures=str(c["fail"]), errors=str(c["error"]),
                      skipped=str(c["interrupted"]), time=f"{wall:.3f}")
    suites = {}
    for r in results:
        suites.setdefault((r["file"], r["suite"]), []).append(r)
    stamp = datetime.datetime.now().replace(microsecond=0).isoformat()
    host = socket.gethostname()
    for i, ((file, suite), rs) in enumerate(suites.items()):
        sc = counts(rs)
        ts = ET.SubElement(
            root, "testsuite", name=suite, tests=str(len(rs)),
            failures=str(sc["fail"]), errors=str(sc["error"]),
            skipped=str(sc["interrupted"]),
            time=f"{sum(r['time'] for r in rs):.3f}", timestamp=stamp,
            hostname=host, id=str(i), package=file)
        props = ET.SubElement(ts, "properties")
        ET.SubElement(props, "property", name="file", value=file)
        for r in rs:
            tc = ET.SubElement(ts, "testcase", name=r["name"],
                               classname=suite, time=f"{r['time']:.3f}",
                               file=file)
            if r["properties"]:
                p = ET.SubElement(tc, "properties")
                for k, v in sorted(r["properties"].items()):
                    ET.SubElement(p, "property", name=str(k), value=str(v))
            if r["status"] == "fail":
                f = ET.SubElement(tc, "failure", message=r["message"],
                                  type="mismatch")
                f.text = _xml_text(r["details"])
            elif r["status"] == "error":
                f = ET.SubElement(tc, "error", message=r["message"],
                                  type="error")
                f.text = _xml_text(r["details"])
            elif r["status"] == "interrupted":
                ET.SubElement(tc, "skipped", message=r["message"])
            if r["log"]:
                ET.SubElement(tc, "system-out").text = \
                    _xml_text("\n".join(r["log"]))
            if r["console"]:
                ET.SubElement(tc, "system-err").text = _xml_text(r["console"])
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)


def _xml_text(s):
    """XML 1.0 forbids most control characters, even escaped."""
    return "".join(ch if ch in "\t\n\r" or ord(ch) >= 0x20 else
                   "\\x%02x" % ord(ch) for ch in s)


def tap(results, path):
    """TAP version 13: 'ok'/'not ok' per case, a YAML block of
    diagnostics (message, where, properties) under failures and under
    every case with properties."""
    lines = ["TAP version 13", f"1..{len(results)}"]
    for i, r in enumerate(results, 1):
        ok = r["status"] == "pass"
        directive = " # SKIP interrupted" if r["status"] == "interrupted" \
            else ""
        name = r["id"].replace("#", "\\#")
        lines.append(f"{'ok' if ok else 'not ok'} {i} - {name}{directive}")
        diag = []
        if not ok and r["status"] != "interrupted":
            diag.append(f"message: {_yaml_str(r['message'])}")
            diag.append(f"severity: {r['status']}")
            if r["details"]:
                diag.append("details: |")
                diag.extend("  " + x for x in r["details"].splitlines())
        diag.append(f"duration_ms: {r['time'] * 1000:.0f}")
        if r["properties"]:
            diag.append("properties:")
            diag.extend(f"  {_yaml_str(str(k))}: {_yaml_str(str(v))}"
                        for k, v in sorted(r["properties"].items()))
        lines.append("  ---")
        lines.extend("  " + d for d in diag)
        lines.append("  ...")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def _yaml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') \
        .replace("\n", "\\n") + '"'
