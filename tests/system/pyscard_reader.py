# Shared by the pyscard scripts of the PC/SC system tests
# (pyscard_echo.py, pyscard_iccid.py): wait for a card in the PC/SC reader
# whose name contains a substring and connect to it.
#
# SPDX-License-Identifier: Apache-2.0
import sys
import time

try:
    from smartcard.System import readers
    from smartcard.Exceptions import NoCardException, CardConnectionException
except ImportError:
    sys.exit("pyscard not found; install it with: apt-get install python3-pyscard")


def connect(name, timeout=20):
    """Connection to the card in the first reader named like NAME; exits
    the script when none is there within TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    while True:
        matching = [r for r in readers() if name in str(r)]
        if matching:
            conn = matching[0].createConnection()
            try:
                conn.connect()
                return conn
            except (NoCardException, CardConnectionException):
                pass
        if time.monotonic() > deadline:
            sys.exit(f"no card in a reader named like '{name}' within "
                     f"{timeout} s")
        time.sleep(0.1)
