# The one builder of QEMU command lines for the netcard machine.
#
# Every program that starts the card's QEMU takes its argv from qemu_argv():
# the launcher (`netcard run`), the benchmarks (tests/bench, by import) and
# the C test harness (tests/lib, through `netcard qemu-cmdline --format
# nul`). It is a pure function of its arguments: it checks their shape, but
# never looks at files, ports or processes (callers that need such checks,
# like `netcard run`, make them first).
#
# Contract of the argv (DESIGN.md "Host interfaces"):
#   - the first -serial is the debug console (serial_hd(0)), always given
#     (default "null"), so that the ISO 7816 chardev is always the second
#     -serial (serial_hd(1));
#   - the ISO 7816 contact interface is the socket chardev "iso7816",
#     vpcd framing, TCP_NODELAY on;
#   - no HMP monitor and no display; QMP only where asked;
#   - network "default" gives no -nic option at all (QEMU's default NIC:
#     user networking without forwards), "none" gives "-nic none", "user"
#     the netcard-nic on libslirp with the requested forwards;
#   - EXTRA arguments come last, so they can override what precedes.
#
# Standard library only.
#
# SPDX-License-Identifier: Apache-2.0

MACHINE = "netcard"
ISO_CHARDEV = "iso7816"
QMP_CHARDEV = "qmp"
NET_ID = "net0"
NIC_MODEL = "netcard-nic"
LOOPBACK = "127.0.0.1"
ISO_RECONNECT_MS = 500          # `netcard run --pcsc`: vpcd listens late
NETS = ("default", "none", "user")


def opt_escape(value):
    """QEMU's option parser splits key=value lists at ','; a ',' inside a
    value is written ',,'."""
    return str(value).replace(",", ",,")


def _port(value, what):
    if isinstance(value, bool) or not isinstance(value, int) \
            or not 1 <= value <= 65535:
        raise ValueError(f"{what}: port {value!r} is not in 1-65535")
    return value


def _iso_args(iso, reconnect_ms):
    """ISO 7816 host side: ("listen", HOST, PORT) makes the card a vpcd
    server (`netcard run --iso`), ("connect", HOST, PORT) a client of
    pcscd's vpcd that retries every RECONNECT_MS (`netcard run --pcsc`)."""
    try:
        mode, host, port = iso
    except (TypeError, ValueError):
        raise ValueError(f"iso: {iso!r} is not (listen|connect, HOST, PORT)")
    _port(port, "iso")
    if not host:
        raise ValueError("iso: empty host")
    spec = f"socket,id={ISO_CHARDEV},host={opt_escape(host)},port={port},"
    if mode == "listen":
        spec += "server=on,wait=off,nodelay=on"
    elif mode == "connect":
        if not isinstance(reconnect_ms, int) or reconnect_ms <= 0:
            raise ValueError(f"iso: reconnect {reconnect_ms!r} ms")
        spec += f"nodelay=on,reconnect-ms={reconnect_ms}"
    else:
        raise ValueError(f"iso: mode {mode!r} is not listen or connect")
    return ["-chardev", spec, "-serial", f"chardev:{ISO_CHARDEV}"]


def _qmp_args(qmp):
    """("listen", PATH): QEMU serves QMP on a unix socket; ("connect",
    PATH): QEMU connects to a unix socket the caller listens on."""
    try:
        mode, path = qmp
    except (TypeError, ValueError):
        raise ValueError(f"qmp: {qmp!r} is not (listen|connect, PATH)")
    if not path:
        raise ValueError("qmp: empty path")
    if mode == "listen":
        return ["-qmp", f"unix:{opt_escape(path)},server=on,wait=off"]
    if mode == "connect":
        return ["-chardev", f"socket,id={QMP_CHARDEV},path={opt_escape(path)}",
                "-mon", f"chardev={QMP_CHARDEV},mode=control"]
    raise ValueError(f"qmp: mode {mode!r} is not listen or connect")


def nvm_format_of(path):
    """raw, or qcow2 for a name ending in .qcow2 (snapshots)."""
    return "qcow2" if path.endswith(".qcow2") else "raw"


def _net_args(net, hostfwd, net_host, mac, pcap):
    if net not in NETS:
        raise ValueError(f"net: {net!r} is not one of {', '.join(NETS)}")
    if net != "user" and (hostfwd or mac or pcap):
        raise ValueError("net: forwards, MAC and capture need net 'user'")
    if net == "default":
        return []
    if net == "none":
        return ["-nic", "none"]
    nic = f"user,id={NET_ID},model={NIC_MODEL}"
    if mac:
        nic += f",mac={mac}"
    for fwd in hostfwd:
        try:
            host_port, guest_port = fwd
        except (TypeError, ValueError):
            raise ValueError(f"hostfwd: {fwd!r} is not (HOSTPORT, GUESTPORT)")
        _port(host_port, "hostfwd")
        _port(guest_port, "hostfwd")
        nic += f",hostfwd=tcp:{net_host}:{host_port}-:{guest_port}"
    args = ["-nic", nic]
    if pcap:
        args += ["-object", f"filter-dump,id=pcap0,netdev={NET_ID},"
                 f"file={opt_escape(pcap)}"]
    return args


def qemu_argv(qemu, *, machine=MACHINE, image=None,
              nvm=None, nvm_format=None, nvm_readonly=False,
              console="null", iso=None, iso_reconnect_ms=ISO_RECONNECT_MS,
              qmp=None, qtest=None, accel=None,
              halted=False, gdb_port=None, seed=None, icount=None,
              net="default", hostfwd=(), net_host=LOOPBACK, mac=None,
              pcap=None, plugin=None, globals_=(), extra=()):
    """The argv (a list of str) that starts QEMU for the netcard machine.

    qemu          path of qemu-system-arm
    machine       -M value: "netcard", "netcard,ram-size=64K", "none"
    image         card OS ELF (-kernel), or None
    nvm           NVM image for the pflash drive, or None (the machine's
                  erased RAM-backed NVM); nvm_format raw|qcow2 (default:
                  from the name); nvm_readonly
    console       QEMU serial backend of the debug console: "null",
                  "stdio", "mon:stdio", "file:PATH", ...
    iso           ("listen"|"connect", HOST, PORT) or None (no ISO 7816
                  host side); iso_reconnect_ms for "connect"
    qmp           ("listen"|"connect", unix socket PATH) or None
    qtest         unix socket PATH QEMU connects its qtest protocol to
                  (implies accel "qtest"); accel: -accel value
    halted        -S; gdb_port: -gdb tcp:127.0.0.1:PORT
    seed          -seed N (the TRNG); icount: -icount shift=N
    net           "default" (no -nic option), "none", or "user" with
                  hostfwd [(HOSTPORT, GUESTPORT)] bound on net_host, mac,
                  pcap (a filter-dump capture file)
    plugin        -plugin SPEC ("lib.so,arg=...")
    globals_      ["driver.prop=value"] as -global
    extra         more QEMU arguments, appended last
    """
    if not qemu:
        raise ValueError("no QEMU binary")
    if not machine:
        raise ValueError("no machine")
    argv = [qemu, "-M", machine]
    if image:
        argv += ["-kernel", image]
    argv += ["-display", "none", "-monitor", "none"]
    if qtest:
        if accel not in (None, "qtest"):
            raise ValueError(f"qtest needs accel qtest, not {accel!r}")
        argv += ["-accel", "qtest", "-qtest", f"unix:{opt_escape(qtest)}",
                 "-qtest-log", "none"]
    elif accel:
        argv += ["-accel", accel]
    # serial_hd(0) then serial_hd(1): the console first, always.
    argv += ["-serial", console or "null"]
    if iso is not None:
        argv += _iso_args(iso, iso_reconnect_ms)
    if nvm:
        fmt = nvm_format or nvm_format_of(nvm)
        if fmt not in ("raw", "qcow2"):
            raise ValueError(f"nvm: format {fmt!r} is not raw or qcow2")
        drive = f"if=pflash,format={fmt},file={opt_escape(nvm)}"
        if nvm_readonly:
            drive += ",readonly=on"
        argv += ["-drive", drive]
    elif nvm_format or nvm_readonly:
        raise ValueError("nvm: a format or read-only flag without an image")
    argv += _net_args(net, tuple(hostfwd), net_host, mac, pcap)
    if qmp is not None:
        argv += _qmp_args(qmp)
    if gdb_port is not None:
        argv += ["-gdb", f"tcp:{LOOPBACK}:{_port(gdb_port, 'gdb')}"]
    if halted:
        argv.append("-S")
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed: {seed!r} is not a non-negative integer")
        argv += ["-seed", str(seed)]
    if icount is not None:
        if isinstance(icount, bool) or not isinstance(icount, int) \
                or not 0 <= icount <= 10:
            raise ValueError(f"icount: shift {icount!r} is not in 0-10")
        argv += ["-icount", f"shift={icount}"]
    if plugin:
        argv += ["-plugin", plugin]
    for g in globals_:
        if "=" not in g:
            raise ValueError(f"global: {g!r} is not DRIVER.PROP=VALUE")
        argv += ["-global", g]
    return argv + [str(a) for a in extra]
