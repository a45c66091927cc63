# Many cards on one machine: `netcard run --instances N`, and start_many()
# for programs (the runner's pool, the benchmarks). Each card is a Card
# (card.py): its own QEMU, free ISO 7816, HTTP and HTTPS ports, NVM file
# and libslirp network (slirp is per QEMU process: the cards' networks
# never meet).
#
#   cards = start_many(8, "/tmp/pool", image=..., deterministic=True)
#   for c in cards: c.iso_port, c.http_port, c.nvm
#   stop_all(cards)
#
# SPDX-License-Identifier: Apache-2.0

import os
import signal
import sys
import time

from .card import Card, CardError


def start_many(n, folder, **card_options):
    """Start N cards in FOLDER/card-I (I from 0) and wait until each
    answers get-ATR; stops them all if one fails."""
    cards = []
    try:
        for i in range(n):
            d = os.path.join(folder, f"card-{i}")
            cards.append(Card(d, nvm=os.path.join(folder, f"card-{i}.nvm"),
                              name=f"card-{i}", **card_options).start())
        for c in cards:
            c.wait_ready()
            c.disconnect()
    except BaseException:
        stop_all(cards)
        raise
    return cards


def stop_all(cards):
    for c in cards:
        if c.alive():
            c.proc.terminate()
    for c in cards:
        c.stop()


def run(args, usage_error):
    """`netcard run --instances N`: start, print, wait for a signal."""
    n = args.instances
    if not 1 <= n <= 1000:
        raise usage_error(f"--instances {n}: 1 to 1000 cards")
    if args.gdb is not None or args.qmp or args.pcsc is not None or \
            args.iso_given or args.http_port_given or args.https_port_given \
            or args.pcap or args.apdu_cost or args.print_cmdline:
        raise usage_error("--instances chooses every card's ports itself: "
                          "it excludes --gdb, --qmp, --pcsc, --iso, "
                          "--http-port, --https-port, --pcap, --apdu-cost "
                          "and --print-cmdline")
    folder = os.path.abspath(args.instances_dir)
    os.makedirs(folder, exist_ok=True)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    options = dict(image=args.image, qemu=args.qemu, net=not args.no_net,
                   deterministic=args.deterministic, seed=args.seed,
                   extra=args.qemu_args)
    cov = os.path.abspath(args.coverage) if args.coverage else None
    if cov:
        os.makedirs(cov, exist_ok=True)
    cards = []
    try:
        for i in range(n):
            c = Card(os.path.join(folder, f"card-{i}"),
                     nvm=os.path.join(folder, f"card-{i}.nvm"),
                     name=f"card-{i}", coverage=cov and os.path.join(
                         cov, f"card-{i}.cov"), **options)
            cards.append(c.start())
        for c in cards:
            c.wait_ready()
            c.disconnect()
    except CardError as e:
        stop_all(cards)
        print(f"netcard: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        stop_all(cards)
        return 130
    print("card  iso7816  http   https  nvm")
    for i, c in enumerate(cards):
        print(f"{i:<5} {c.iso_port:<8} {c.http_port or '-':<6} "
              f"{c.https_port or '-':<6} {c.nvm}")
    print(f"netcard: {n} cards running; Ctrl-C stops them all",
          file=sys.stderr)
    sys.stdout.flush()
    try:
        while not stop and all(c.alive() for c in cards):
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    dead = [c.name for c in cards if not c.alive()]
    stop_all(cards)
    if dead and not stop:
        print(f"netcard: {', '.join(dead)} stopped on its own",
              file=sys.stderr)
        return 1
    return 0
