#!/usr/bin/python3
# An independent HTTP Digest client (RFC 7616, qop=auth) for
# tests/system/test_webserver.c: GET URL as USER with PASSWORD, answering
# the card's challenge for ALGORITHM (MD5 or SHA-256) with hashlib, and
# print the final status code. With --reuse N it sends N more requests on
# the same nonce (nc 2, 3, ...) and prints every status.
#
#   web_digest.py URL USER PASSWORD ALGORITHM [--reuse N]
#
# SPDX-License-Identifier: Apache-2.0
import hashlib
import http.client
import os
import re
import sys
import urllib.parse


def h(alg, s):
    f = hashlib.md5 if alg == "MD5" else hashlib.sha256
    return f(s.encode()).hexdigest()


def main():
    url, user, password, alg = sys.argv[1:5]
    reuse = int(sys.argv[6]) if len(sys.argv) > 6 and sys.argv[5] == "--reuse" else 0
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
    conn.request("GET", u.path)
    r = conn.getresponse()
    r.read()
    if r.status != 401:
        print(r.status, end="")
        return
    chal = None
    for v in r.headers.get_all("WWW-Authenticate") or []:
        if v.startswith("Digest ") and re.search(r"algorithm=%s\b" % re.escape(alg), v):
            chal = dict(re.findall(r'(\w+)="?([^",]*)"?', v[7:]))
    if not chal:
        print("no-challenge", end="")
        return
    out = []
    cnonce = os.urandom(8).hex()
    for nc in range(1, reuse + 2):
        ha1 = h(alg, "%s:%s:%s" % (user, chal["realm"], password))
        ha2 = h(alg, "GET:%s" % u.path)
        ncs = "%08x" % nc
        resp = h(alg, ":".join([ha1, chal["nonce"], ncs, cnonce, "auth", ha2]))
        auth = ('Digest username="%s", realm="%s", nonce="%s", uri="%s", '
                'algorithm=%s, qop=auth, nc=%s, cnonce="%s", response="%s"' %
                (user, chal["realm"], chal["nonce"], u.path, alg, ncs, cnonce, resp))
        conn.request("GET", u.path, headers={"Authorization": auth})
        r = conn.getresponse()
        r.read()
        out.append(str(r.status))
    print(" ".join(out), end="")


main()
