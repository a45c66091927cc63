# netcard host tools, shared by the launcher (tools/netcard.py), the
# benchmarks (tests/bench) and, through the launcher, the C tests:
#
#   qemu_cmdline  the one builder of QEMU command lines for the machine
#
# SPDX-License-Identifier: Apache-2.0
