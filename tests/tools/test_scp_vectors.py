#!/usr/bin/python3
# The host side of SCP02 and SCP03 (tools/netcard_host/scp.py) against
# osmocom pySim's vectors (tests/vectors/scp-pysim.json, values
# transcribed from pySim's tests/unittests/test_globalplatform.py): the
# host challenge from the INITIALIZE UPDATE command, the card's response,
# then EXTERNAL AUTHENTICATE and every wrapped command must be byte for
# byte pySim's, the card cryptogram must verify, and a wrapped response
# (R-MAC, R-ENCRYPTION) must unwrap to the plain one. Run by the Criterion
# test system_runner/scp_host_matches_pysim_vectors; prints one line per
# session and "N passed, N failed".
#
# SPDX-License-Identifier: Apache-2.0

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(1, os.path.join(ROOT, "tools"))
from netcard_host import scp  # noqa: E402

VECTORS = os.path.join(ROOT, "tests", "vectors", "scp-pysim.json")


def h(s):
    return bytes.fromhex(s)


def check(name, got, want, failures):
    if got != h(want):
        failures.append(f"{name}: got {got.hex().upper()}, pySim has "
                        f"{want.upper()}")


def scp02(v, failures):
    ks = v["keyset"]
    s = scp.Scp02(h(ks["enc"]), h(ks["mac"]), h(ks["dek"]))
    iu = h(v["init_update_cmd"])
    check("SCP02 INITIALIZE UPDATE", s.initialize_update(iu[2], iu[5:13]),
          v["init_update_cmd"], failures)
    ea = s.external_authenticate(h(v["init_update_rsp"]), h(v["ext_auth_cmd"])[2])
    check("SCP02 EXTERNAL AUTHENTICATE", ea, v["ext_auth_cmd"], failures)
    for i, (plain, wrapped) in enumerate(v["wrapped_after_auth_in_order"]):
        check(f"SCP02 command {i + 1}", s.wrap(h(plain)), wrapped, failures)


def scp03(v, plain, failures):
    ks = v["keyset"]
    name = v["name"]
    s = scp.Scp03(h(ks["enc"]), h(ks["mac"]), h(ks["dek"]))
    iu = h(v["init_upd_cmd"])
    check(f"{name} INITIALIZE UPDATE", s.initialize_update(iu[2], iu[5:13]),
          v["init_upd_cmd"], failures)
    level = h(v["ext_auth_cmd"])[2]
    check(f"{name} EXTERNAL AUTHENTICATE",
          s.external_authenticate(h(v["init_upd_rsp"]), level),
          v["ext_auth_cmd"], failures)
    check(f"{name} GET DATA (EID)", s.wrap(h(plain["get_eid_cmd"])),
          v["get_eid_cmd"], failures)
    data, sw = s.unwrap(h(v["get_eid_rsp"]) + b"\x90\x00")
    check(f"{name} unwrapped EID response", data, plain["get_eid_rsp"],
          failures)
    for case in ("case_1_apdu", "case_2_apdu", "case_3_apdu", "case_4_apdu"):
        check(f"{name} {case}", s.wrap(h(plain[case])), v[case], failures)


def negative(v, plain, failures):
    """A wrong MAC key must not authenticate; a flipped R-MAC must not
    verify."""
    ks = v["keyset"]
    iu = h(v["init_upd_cmd"])
    s = scp.Scp03(h(ks["enc"]), h(ks["enc"]), h(ks["dek"]))
    s.initialize_update(iu[2], iu[5:13])
    try:
        s.external_authenticate(h(v["init_upd_rsp"]), 0x33)
        failures.append("SCP03 with a wrong MAC key authenticated")
    except scp.ScpError:
        pass
    s = scp.Scp03(h(ks["enc"]), h(ks["mac"]), h(ks["dek"]))
    s.initialize_update(iu[2], iu[5:13])
    s.external_authenticate(h(v["init_upd_rsp"]), 0x33)
    s.wrap(h(plain["get_eid_cmd"]))
    rsp = bytearray(h(v["get_eid_rsp"]) + b"\x90\x00")
    rsp[-3] ^= 1        # the last byte of the R-MAC
    try:
        s.unwrap(bytes(rsp))
        failures.append("a response with a flipped R-MAC bit unwrapped")
    except scp.ScpError:
        pass


def main():
    with open(VECTORS) as f:
        vec = json.load(f)
    passed = failed = 0
    sessions = [("SCP02 i=55 KVN 20", lambda fl: scp02(vec["scp02"], fl))]
    for v in vec["scp03"]:
        sessions.append((v["name"], lambda fl, v=v: scp03(
            v, vec["scp03_plain"], fl)))
    sessions.append(("SCP03 wrong key and bad R-MAC refused",
                     lambda fl: negative(vec["scp03"][2], vec["scp03_plain"], fl)))
    for name, fn in sessions:
        failures = []
        try:
            fn(failures)
        except scp.ScpError as e:
            failures.append(f"ScpError: {e}")
        if failures:
            failed += 1
            print(f"FAIL {name}")
            for f in failures:
                print(f"  {f}")
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
