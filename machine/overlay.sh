#!/bin/sh
# Register the netcard board in a QEMU source tree, idempotently:
#   hw/netcard/            symlinks to machine/* and peripherals/* sources,
#                          plus trace-events made from both folders' files
#   hw/Kconfig             + source netcard/Kconfig
#   hw/meson.build         + subdir('netcard')
#   meson.build            + 'hw/netcard' in trace_events_subdirs
#   configs/devices/arm-softmmu/netcard.mak
# Files are only rewritten when their content changes, so re-running it
# does not make ninja rebuild anything.
#
# usage: overlay.sh QEMU_SRC NETCARD_SRCDIR
# SPDX-License-Identifier: Apache-2.0
set -eu
qemu=$1
src=$2
dst=$qemu/hw/netcard

[ -f "$qemu/hw/meson.build" ] || { echo "overlay: $qemu is not a QEMU tree" >&2; exit 1; }
mkdir -p "$dst"

# write_if_changed FILE: stdin -> FILE, untouched when identical
write_if_changed() {
    cat > "$1.tmp"
    if [ -f "$1" ] && cmp -s "$1.tmp" "$1"; then rm -f "$1.tmp"; else mv "$1.tmp" "$1"; fi
}

# Links for every source file; stale links to removed files are dropped.
for f in "$src"/machine/*.c "$src"/machine/*.h "$src"/machine/Kconfig \
         "$src"/machine/meson.build "$src"/peripherals/*.c "$src"/peripherals/*.h; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    if [ "$(readlink "$dst/$name" 2>/dev/null)" != "$f" ]; then
        ln -sfn "$f" "$dst/$name"
    fi
done
for l in "$dst"/*; do
    if [ -L "$l" ] && [ ! -e "$l" ]; then rm -f "$l"; fi
done

cat "$src/machine/trace-events" "$src/peripherals/trace-events" |
    write_if_changed "$dst/trace-events"

# add_line FILE ANCHOR-REGEX LINE: insert LINE after the first ANCHOR match
# (or append when ANCHOR is empty), unless LINE is already there.
add_line() {
    grep -qxF "$3" "$1" && return 0
    if [ -z "$2" ]; then
        printf '%s\n' "$3" >> "$1"
    else
        awk -v anchor="$2" -v line="$3" '
            { print } !done && $0 ~ anchor { print line; done = 1 }
            END { if (!done) exit 1 }' "$1" > "$1.tmp" || {
            rm -f "$1.tmp"; echo "overlay: no '$2' in $1" >&2; exit 1; }
        mv "$1.tmp" "$1"
    fi
}

add_line "$qemu/hw/Kconfig" "" "source netcard/Kconfig"
add_line "$qemu/hw/meson.build" "" "subdir('netcard')"
add_line "$qemu/meson.build" "^    'hw/misc',\$" "    'hw/netcard',"
write_if_changed "$qemu/configs/devices/arm-softmmu/netcard.mak" \
    < "$src/machine/netcard.mak"
