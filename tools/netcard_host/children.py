# children: processes netcard starts that must not outlive it, through
# Linux's PR_SET_PDEATHSIG (prctl(2)): the QEMU a runner starts (SIGKILL
# when the thread that started it ends, so a SIGKILLed runner leaves no
# card behind), and the helpers forked before `netcard run` becomes QEMU
# (the APDU capture relay, the --web-tls terminator: SIGTERM when QEMU,
# their parent, ends).
#
# SPDX-License-Identifier: Apache-2.0

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1            # <linux/prctl.h>
# looked up before any fork: a preexec_fn must not load libraries
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def die_with_parent():
    """A preexec_fn: the child gets SIGKILL when the thread that forked it
    ends. Only the prctl call runs in the child; if the parent is already
    gone, the child ends itself."""
    parent = os.getpid()

    def preexec():
        _prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent:
            os._exit(127)
    return preexec


def fork_helper(what, serve, *args):
    """Fork a child that runs serve(*args) with stdin on /dev/null and gets
    SIGTERM when this process ends; the child's pid (in the parent only:
    the child never returns). An exception in the child is reported as
    "netcard: WHAT: ..."."""
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    try:
        _prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:
            os._exit(0)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        serve(*args)
    except BaseException as e:     # noqa: BLE001: the child must not return
        print(f"netcard: {what}: {e}", file=sys.stderr)
    finally:
        os._exit(0)
