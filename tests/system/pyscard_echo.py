#!/usr/bin/python3
# Select the netcard test applet through PC/SC and send N ECHO APDUs of
# random data (pyscard, as a host application would), checking each
# response. Prints "ok N" or exits 1 with the first mismatch.
#
#   pyscard_echo.py READER-SUBSTRING N
#
# SPDX-License-Identifier: Apache-2.0
import random
import sys

from pyscard_reader import connect

SELECT = [0x00, 0xA4, 0x04, 0x00, 0x09,
          0xF0, 0x6E, 0x65, 0x74, 0x63, 0x61, 0x72, 0x64, 0x01]
ECHO = 0x10


def main():
    name, count = sys.argv[1], int(sys.argv[2])
    conn = connect(name)
    data, sw1, sw2 = conn.transmit(SELECT)
    if (sw1, sw2) != (0x90, 0x00):
        sys.exit(f"SELECT answered {sw1:02X}{sw2:02X}")
    rng = random.Random(7)
    for i in range(count):
        payload = [rng.randrange(256) for _ in range(rng.randrange(1, 200))]
        apdu = [0x80, ECHO, 0x00, 0x00, len(payload)] + payload + [0x00]
        data, sw1, sw2 = conn.transmit(apdu)
        if (sw1, sw2) != (0x90, 0x00) or data != payload:
            sys.exit(f"APDU {i}: got {bytes(data).hex()} {sw1:02X}{sw2:02X}, "
                     f"expected {bytes(payload).hex()} 9000")
    conn.disconnect()
    print(f"ok {count}")


if __name__ == "__main__":
    main()
