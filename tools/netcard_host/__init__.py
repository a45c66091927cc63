# netcard host tools, shared by the launcher (tools/netcard.py), the
# benchmarks (tests/bench) and, through the launcher, the C tests:
#
#   qemu_cmdline  the one builder of QEMU command lines for the machine
#   vpcd          the one vpcd framing client (ctypes binding of the C
#                 library tools/vpcd, build/lib/libnetcard-vpcd.so)
#
# SPDX-License-Identifier: Apache-2.0
