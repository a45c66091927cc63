# netcard benchmarks for the USIM (docs/usim.md), called by bench.py:
# through pyscard, a private pcscd and vsmartcard-vpcd (as a handset's
# modem or a SIM tool reaches a card), on the test image with an erased
# RAM NVM (first boot: the documented USIM, keys of TS 35.208 set 1):
#
#  - authenticate_milenage_ms: AUTHENTICATE in the 3G context with a
#    fresh AUTN each time (osmo-auc-gen makes them: SEQ 1, 2, ...): the
#    whole command, MILENAGE on the crypto coprocessor and the SQN
#    array's secure commit; baseline: the test application's ECHO of the
#    same 34 data bytes (same transport, no crypto, no flash). The card's
#    own time is the difference.
#  - usim_select_read_imsi_ms: SELECT ADF.USIM by AID and SELECT EF.IMSI,
#    both asking for the FCP, and READ BINARY of its 9 bytes (what a tool
#    does to read the IMSI); baseline: three test application commands
#    with the same data in (ECHO 16 bytes, ECHO 2 bytes, GENERATE 9).
#
# SPDX-License-Identifier: Apache-2.0

import json
import os
import shutil
import socket
import subprocess

import bench_iso7816

KI = "465b5ce8b199b49faa5f0a2ee238a6bc"         # docs/usim.md
OPC = "cd63cb71954a9f4e48a5994e37a02baf"
USIM_AID = "A0000000871002FFFFFFFF894E430001"


class BenchError(Exception):
    pass


# Runs inside the pcscd session: argv[1] = a JSON file of
# {"auth": [APDU hex...], "n": N}; prints {"auth": [ms...], ...}.
SCRIPT = r"""
import json, sys, time
from smartcard.System import readers
cfg = json.load(open(sys.argv[1]))
r = [x for x in readers() if 'Virtual PCD 00 00' in str(x)][0]
c = r.createConnection()
c.connect()

def tx(hexstr, what):
    apdu = list(bytes.fromhex(hexstr))
    t = time.perf_counter()
    data, sw1, sw2 = c.transmit(apdu)
    while sw1 == 0x61:
        more, sw1, sw2 = c.transmit([apdu[0], 0xC0, 0, 0, sw2])
        data += more
    dt = (time.perf_counter() - t) * 1000.0
    if (sw1, sw2) != (0x90, 0x00):
        sys.exit("%s: %s answered %02X%02X" % (what, hexstr, sw1, sw2))
    return bytes(data), dt

aid = cfg["aid"]
out = {"auth": [], "echo34": [], "imsi": [], "base3": []}
tx("00A4040C10" + aid, "SELECT ADF.USIM")
tx("002000010831323334FFFFFFFF", "VERIFY PIN1")
for apdu in cfg["auth"]:
    data, dt = tx(apdu, "AUTHENTICATE")
    if data[:1] != b"\xdb":
        sys.exit("AUTHENTICATE answered %s" % data.hex())
    out["auth"].append(dt)
for i in range(cfg["n"]):
    t = 0.0
    t += tx("00A4040410" + aid + "00", "SELECT ADF.USIM")[1]
    t += tx("00A40004026F0700", "SELECT EF.IMSI")[1]
    data, dt = tx("00B0000009", "READ BINARY EF.IMSI")
    if data != bytes.fromhex("080910100000000010"):
        sys.exit("EF.IMSI reads %s" % data.hex())
    out["imsi"].append(t + dt)
tx("00A4040009F06E6574636172640100", "SELECT the test application")
echo34 = "8010000022" + "A5" * 34 + "00"
for i in range(len(cfg["auth"])):
    out["echo34"].append(tx(echo34, "ECHO 34")[1])
for i in range(cfg["n"]):
    t = tx("8010000010" + "5A" * 16 + "00", "ECHO 16")[1]
    t += tx("80100000023F0000", "ECHO 2")[1]
    t += tx("8012000909", "GENERATE 9")[1]
    out["base3"].append(t)
print(json.dumps(out))
"""


def vectors(n):
    """N AUTHENTICATE APDUs with fresh AUTNs for a first-boot card: SQN
    SEQ 1..N, IND 0 (osmo-auc-gen, TS 35.206 MILENAGE)."""
    tool = shutil.which("osmo-auc-gen")
    if not tool:
        raise BenchError("osmo-auc-gen not found: apt-get install "
                         "libosmocore-utils")
    rnd = "23553cbe9637a89d218ae64dae47bf35"
    out = []
    for seq in range(1, n + 1):
        r = subprocess.run([tool, "-3", "-a", "milenage", "-k", KI, "-o", OPC,
                            "-s", str(seq << 5), "-r", rnd, "-f", "8000"],
                           capture_output=True, text=True, timeout=30)
        autn = [ln.split("\t", 1)[1] for ln in r.stdout.splitlines()
                if ln.startswith("AUTN:\t")]
        if r.returncode != 0 or not autn:
            raise BenchError("osmo-auc-gen: %s" % r.stderr.strip())
        out.append("0088008122" + "10" + rnd + "10" + autn[0] + "00")
    return out


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def run(bench):
    n = 30 if bench.quick else 200
    cfg = os.path.join(bench.tmp, "usim-bench.json")
    with open(cfg, "w") as f:
        json.dump({"auth": vectors(n), "n": n, "aid": USIM_AID}, f)
    session = os.path.join(bench.srcdir, "tests", "system", "pcsc-session.sh")
    port = bench_iso7816.free_port()
    while True:                  # vpcd listens on PORT and PORT + 1
        try:
            with socket.socket() as s:
                s.bind(("", port + 1))
            break
        except OSError:
            port = bench_iso7816.free_port()
    proc = bench.start_iso_card(port, client=True)
    try:
        env = dict(os.environ, NETCARD_PCSC_WAIT_CARD="1")
        r = subprocess.run(
            [session, os.path.join(bench.tmp, "pcsc-usim"), str(port),
             "/usr/bin/python3", "-c", SCRIPT, cfg],
            capture_output=True, text=True, timeout=600, env=env)
        if r.returncode != 0:
            raise BenchError("pyscard through pcscd failed: %s"
                             % r.stderr.strip()[-500:])
        t = json.loads(r.stdout.strip().splitlines()[-1])
    finally:
        bench.stop_card(proc)
    auth, echo = median(t["auth"]), median(t["echo34"])
    imsi, base = median(t["imsi"]), median(t["base3"])
    bench.row("authenticate_milenage_ms", round(auth, 3), "ms",
              round(echo, 3),
              "median of %d AUTHENTICATE (3G, fresh SQN: MILENAGE on the "
              "coprocessor + SQN commit) through pcscd; the card's part "
              "%.3f ms; baseline: ECHO of the same 34 bytes (real SIMs: "
              "30-100 ms)" % (n, auth - echo))
    bench.row("usim_select_read_imsi_ms", round(imsi, 3), "ms",
              round(base, 3),
              "median of %d SELECT ADF.USIM + SELECT EF.IMSI (FCP) + READ "
              "BINARY 9 through pcscd; baseline: ECHO 16, ECHO 2, GENERATE 9"
              % n)
