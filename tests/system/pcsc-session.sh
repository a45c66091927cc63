#!/bin/sh
# Run a command against a private pcscd with one vsmartcard vpcd reader.
#
#   pcsc-session.sh WORKDIR VPCD_PORT COMMAND [ARGS...]
#
# pcscd's client socket is fixed at /run/pcscd/pcscd.comm, so each session
# gets its own mount namespace with a tmpfs there (notes/pcsc-and-vpcd.md):
# nothing on the host is touched and sessions can run side by side. vpcd
# listens on 127.0.0.1... VPCD_PORT (and VPCD_PORT+1 for its second slot);
# the card connects to it ('netcard run --pcsc=VPCD_PORT'). COMMAND runs
# inside the namespace once pcscd answers (and, with NETCARD_PCSC_WAIT_CARD=1,
# once opensc-tool sees a card in reader 0); its exit status is returned.
# pcscd's log is WORKDIR/pcscd.log.
#
# SPDX-License-Identifier: Apache-2.0
set -eu
[ $# -ge 3 ] || { echo "usage: $0 WORKDIR VPCD_PORT COMMAND..." >&2; exit 2; }
work=$1 port=$2
shift 2
for tool in unshare pcscd; do
    command -v $tool >/dev/null 2>&1 ||
        { echo "pcsc-session: $tool not found; install it with: apt-get install pcscd util-linux" >&2; exit 2; }
done
vpcd=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
[ -f $vpcd ] ||
    { echo "pcsc-session: $vpcd not found; install it with: apt-get install vsmartcard-vpcd" >&2; exit 2; }

mkdir -p "$work/reader.conf.d"
cat > "$work/reader.conf.d/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$port
LIBPATH      $vpcd
CHANNELID    $port
CONF

if [ "${NETCARD_PCSC_INNER:-}" != 1 ]; then
    mkdir -p /run/pcscd
    NETCARD_PCSC_INNER=1 exec unshare -m --propagation private "$0" "$work" "$port" "$@"
fi

# Inside the private mount namespace.
mount -t tmpfs tmpfs /run/pcscd
pcscd --foreground --debug --apdu -c "$work/reader.conf.d" > "$work/pcscd.log" 2>&1 &
pcscd_pid=$!
trap 'kill $pcscd_pid 2>/dev/null; wait $pcscd_pid 2>/dev/null || true' EXIT
i=0
while [ ! -S /run/pcscd/pcscd.comm ]; do
    i=$((i + 1))
    if [ $i -gt 200 ] || ! kill -0 $pcscd_pid 2>/dev/null; then
        echo "pcsc-session: pcscd did not start; its log:" >&2
        tail -n 20 "$work/pcscd.log" >&2
        exit 2
    fi
    sleep 0.05
done
if [ "${NETCARD_PCSC_WAIT_CARD:-}" = 1 ]; then
    i=0
    until opensc-tool -r 0 -a >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 200 ]; then
            echo "pcsc-session: no card in reader 0 within 20 s; pcscd's log:" >&2
            tail -n 20 "$work/pcscd.log" >&2
            exit 3
        fi
        sleep 0.1
    done
fi
set +e
"$@"
rc=$?
exit $rc
