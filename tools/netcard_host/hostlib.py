# Loads netcard's host library, build/lib/libnetcard-host.so (tools/lib:
# the one QEMU command-line builder and the one vpcd client), for the
# bindings qemu_cmdline.py and vpcd.py.
#
# Where it is, first found:
#   - $NETCARD_HOSTLIB, the file itself;
#   - the folder given to use(), e.g. the benchmarks' BUILD/lib;
#   - BUILD/lib when this package is installed as BUILD/lib/python/
#     netcard_host (the launcher's copy).
#
# SPDX-License-Identifier: Apache-2.0

import ctypes
import os

LIBNAME = "libnetcard-host.so"

_libdir = None
_loaded = {}


class LibraryError(Exception):
    """The library is missing or does not load: one line."""


def use(libdir):
    """Load the library from LIBDIR from now on."""
    global _libdir
    _libdir = libdir


def _default_libdir():
    return os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))


def _declare(lib):
    c_link = ctypes.c_void_p
    sigs = {
        # qemu_cmdline.h
        "netcard_qemu_cmdline": (ctypes.c_long, [
            ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t,
            ctypes.c_void_p, ctypes.c_size_t,
            ctypes.c_char_p, ctypes.c_size_t]),
        "netcard_qemu_cmdline_usage": (ctypes.c_char_p, []),
        # vpcd.h
        "vpcd_new": (c_link, []),
        "vpcd_free": (None, [c_link]),
        "vpcd_connect": (ctypes.c_int, [c_link, ctypes.c_char_p, ctypes.c_int,
                                        ctypes.c_int, ctypes.c_int]),
        "vpcd_send": (ctypes.c_int, [c_link, ctypes.c_char_p,
                                     ctypes.c_size_t]),
        "vpcd_control": (ctypes.c_int, [c_link, ctypes.c_uint]),
        "vpcd_recv": (ctypes.c_long, [c_link, ctypes.c_void_p,
                                      ctypes.c_size_t, ctypes.c_int]),
        "vpcd_transmit": (ctypes.c_long, [c_link, ctypes.c_char_p,
                                          ctypes.c_size_t, ctypes.c_void_p,
                                          ctypes.c_size_t, ctypes.c_int]),
        "vpcd_close": (None, [c_link]),
        "vpcd_status": (ctypes.c_int, [c_link]),
        "vpcd_errno": (ctypes.c_int, [c_link]),
        "vpcd_stage": (ctypes.c_int, [c_link]),
        "vpcd_message": (ctypes.c_char_p, [c_link]),
    }
    for name, (restype, argtypes) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def load():
    """The library (loaded once per file)."""
    path = os.environ.get("NETCARD_HOSTLIB") or os.path.join(
        _libdir or _default_libdir(), LIBNAME)
    path = os.path.abspath(path)
    lib = _loaded.get(path)
    if lib is None:
        if not os.path.isfile(path):
            raise LibraryError(f"{path} not found (build it with 'make "
                               "launcher')")
        try:
            lib = ctypes.CDLL(path)
            _declare(lib)
        except (OSError, AttributeError) as e:
            raise LibraryError(f"cannot load {path}: {e}")
        _loaded[path] = lib
    return lib
