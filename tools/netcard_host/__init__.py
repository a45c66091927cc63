# netcard host tools, shared by the launcher (tools/netcard.py) and the
# benchmarks (tests/bench); the C tests link the same library:
#
#   hostlib       loads the host library build/lib/libnetcard-host.so
#                 (tools/lib, in C) for the two bindings:
#   qemu_cmdline  the one builder of QEMU command lines for the machine
#   vpcd          the one vpcd framing client
#
# SPDX-License-Identifier: Apache-2.0
