# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""python -m tests.simulator --port PORT --token TOKEN [options]: serve until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from tests.simulator.faults import FAULT_SPEC_HELP, parse_fault_spec
from tests.simulator.simulator import Simulator


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='python -m tests.simulator', formatter_class=argparse.RawDescriptionHelpFormatter,
        description='A stateful OutSystems LifeTime Deployment API v2 simulator (see tests/simulator/README.md).',
        epilog=FAULT_SPEC_HELP)
    parser.add_argument('--port', type=int, default=0, help='port to listen on; 0 picks a free one (default: 0)')
    parser.add_argument('--host', default='127.0.0.1', help='address to bind (default: 127.0.0.1)')
    parser.add_argument('--token', required=True, help='the API token clients must send as "Authorization: Bearer TOKEN"')
    parser.add_argument('--read-only-token', help='a second token that may only GET (writes answer 403)')
    parser.add_argument('--scenario', help='YAML or JSON scenario file (default: the built-in default world)')
    parser.add_argument('--step-seconds', type=float, default=0.0,
                        help='seconds per deployment/solution step; 0 = a started deployment is finished by the next request')
    parser.add_argument('--binary-size-mb', type=float, default=0,
                        help='size in MiB of every downloadable package (default: a few KiB)')
    parser.add_argument('--generate-apps', type=int, default=0, help='add N synthetic applications App0001... for scale tests')
    parser.add_argument('--generate-users', type=int, default=0, help='add N synthetic users user0001... (Developers) for scale tests')
    parser.add_argument('--generate-teams', type=int, default=0, help='add N synthetic teams Team001... sharing the generated users')
    parser.add_argument('--request-log', help='append one JSON line per API request to this file')
    parser.add_argument('--tls', action='store_true', help='serve HTTPS with a self-signed certificate (its path is printed)')
    parser.add_argument('--latency-ms', type=float, default=0.0, help='delay added to every API request, in milliseconds')
    parser.add_argument('--fault', action='append', default=[], metavar='SPEC', help='inject a fault; see below')
    parser.add_argument('--fault-seed', type=int, default=0, help='seed of the RNG behind fractional faults (default: 0)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        faults = [parse_fault_spec(spec) for spec in args.fault]
        sim = Simulator(args.token, host=args.host, port=args.port, scenario=args.scenario, step_seconds=args.step_seconds,
                        binary_size_mb=args.binary_size_mb, generate_apps=args.generate_apps, request_log=args.request_log,
                        read_only_token=args.read_only_token, tls=args.tls, latency=args.latency_ms / 1000.0,
                        fault_seed=args.fault_seed, generate_users=args.generate_users, generate_teams=args.generate_teams)
        for fault in faults:
            sim.inject_fault(**fault)
    except (OSError, ValueError) as error:
        print('lifetime simulator: %s' % error, file=sys.stderr)
        return 2
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    sim.start()
    # Tools read the first line for the URL, so it comes first.
    print('LifeTime simulator listening on %s' % sim.url, flush=True)
    if sim.ca_cert_path:
        print('LifeTime simulator CA certificate: %s' % sim.ca_cert_path, flush=True)
    try:
        while not stopping.wait(0.5):
            pass
    finally:
        sim.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
