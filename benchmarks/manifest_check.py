#!/usr/bin/env python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time to check a release manifest of N entries: linear in N, or not.

For each N (``--entries``, default 1000,4000,16000) the script writes a trigger manifest (``--format json`` or ``yaml``)
of N applications and N environment definitions, then, in a fresh Python process that imports the collection measured:

* read: ``load_manifest(path)`` - the file read, parsed, bounded and checked; everything a task does with a manifest
  before its first request to LifeTime;
* resolve: ``resolve_versions(resolver, manifest)`` against a client that answers at once from memory (N applications,
  one version each; no HTTP, no latency): what the collection does itself to find each entry in LifeTime's answers.

The child processes are stopped after ``--timeout`` seconds (default 600) and the figure is then reported as "> X".
Each figure is the median of ``--repeat`` runs (default 3).

Run by hand from the repository root (not by ``make test``), on a machine that is otherwise idle::

    .venv/bin/python benchmarks/manifest_check.py                          # the work tree, N = 1000, 4000, 16000
    .venv/bin/python benchmarks/manifest_check.py --commit 82d45af --repeat 1   # before the bounds (quadratic: minutes)
    .venv/bin/python benchmarks/manifest_check.py --format yaml --entries 1000,4000

The collection is found in ``.tmp/dev-collections`` (a symlink to this work tree, created if missing) unless
``--collections PATH`` names a directory holding ``ansible_collections/outsystems/lifetime`` or ``--commit REV`` asks for
the collection as committed at REV (``git archive``, as benchmarks/end_to_end.py does).

Prints the machine, one table (N | read s | resolve s | read + resolve, microseconds per entry | requests the resolve
made) and the checks; writes the figures to ``benchmarks/results/manifest_check-<time>.json``. Exits 1 when the time per
entry at the largest N is more than 3 times the time per entry at the smallest (not linear), or when N = 16,000 takes
more than 5 s to read and resolve.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import uuid

from _common import conclude, load_average, machine_facts, median, print_facts, remove_work, stop_on_sigterm, table, work_directory
from end_to_end import choose_collection

TIMEOUT_SECONDS = 600
LINEAR_FACTOR = 3.0
LARGE = 16000
LARGE_SECONDS = 5.0


def manifest_data(count):
    """A trigger manifest of ``count`` applications (one version each) and ``count`` environment definitions."""
    applications = [dict(ApplicationKey=str(uuid.UUID(int=index + 1)), ApplicationName='Bench%05d' % index,
                         VersionKey=str(uuid.UUID(int=10 ** 9 + index)), VersionNumber='1.%d' % index, CreatedOn='2026-01-14T09:12:44.17Z',
                         ChangeLog='', IsTestApplication=False, DeploymentZoneKey='', DeploymentZoneName=None) for index in range(count)]
    environments = [dict(EnvironmentKey=str(uuid.UUID(int=2 * 10 ** 9 + index)), EnvironmentName='Environment %d' % index,
                         EnvironmentLabel='Label%d' % index) for index in range(count)]
    return dict(ApplicationVersions=applications, EnvironmentDefinitions=environments, DeploymentNotes='benchmark')


def write_manifest(work, count, kind):
    path = os.path.join(work, 'manifest-%d.%s' % (count, kind))
    data = manifest_data(count)
    with open(path, 'w', encoding='utf-8') as handle:
        if kind == 'json':
            json.dump(data, handle, indent=4)
        else:
            import yaml  # pylint: disable=import-outside-toplevel
            yaml.safe_dump(data, handle, default_flow_style=False)
    return path


class MemoryClient:
    """The calls a Resolver makes, answered from memory; ``requests`` counts them."""

    def __init__(self, data):
        self.requests = 0
        self.applications = [dict(Key=entry['ApplicationKey'], Name=entry['ApplicationName'], IsSystem=False, AppStatusInEnvs=[])
                             for entry in data['ApplicationVersions']]
        self.versions = dict((entry['ApplicationKey'], [dict(Key=entry['VersionKey'], Version=entry['VersionNumber'],
                                                             CreatedOn=entry['CreatedOn'])])
                             for entry in data['ApplicationVersions'])

    def list_applications(self, include_env_status=True, include_modules=False):  # pylint: disable=unused-argument
        self.requests += 1
        return self.applications

    def list_application_versions(self, key, maximum=None):  # pylint: disable=unused-argument
        self.requests += 1
        return self.versions[key]


def child(root, path):
    """Runs in the child process: read and resolve the manifest with the collection under ``root``; prints the figures as JSON."""
    sys.path.insert(0, root)
    # pylint: disable=import-outside-toplevel,import-error
    from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests import load_manifest, resolve_versions
    from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import Resolver
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    data = json.loads(text) if path.endswith('.json') else __import__('yaml').safe_load(text)
    client = MemoryClient(data)
    started = time.perf_counter()
    manifest = load_manifest(path)
    read = time.perf_counter() - started
    started = time.perf_counter()
    resolved = resolve_versions(Resolver(client), manifest)
    resolve = time.perf_counter() - started
    if len(resolved) != len(data['ApplicationVersions']):
        raise SystemExit('resolved %d entries of %d' % (len(resolved), len(data['ApplicationVersions'])))
    print(json.dumps(dict(read=read, resolve=resolve, requests=client.requests)))


def measure(root, path, timeout):
    """(figures, None) of one child run, or (None, 'timed out') when it ran longer than ``timeout``."""
    command = [sys.executable, os.path.abspath(__file__), '--child', root, path]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, 'timed out'
    if done.returncode != 0:
        raise SystemExit('the measurement failed:\n%s%s' % (done.stdout[-2000:], done.stderr[-3000:]))
    return json.loads(done.stdout.strip().splitlines()[-1]), None


def measure_row(root, path, count, args):
    runs = []
    for dummy in range(args.repeat):
        figures, problem = measure(root, path, args.timeout)
        if problem:
            return dict(entries=count, timed_out=args.timeout)
        runs.append(figures)
    read = median([run['read'] for run in runs])
    resolve = median([run['resolve'] for run in runs])
    return dict(entries=count, read_seconds=round(read, 4), resolve_seconds=round(resolve, 4),
                microseconds_per_entry=round((read + resolve) * 1e6 / count, 1), requests=runs[0]['requests'], load_average=load_average()[0])


def render(rows):
    lines = []
    for row in rows:
        if row.get('timed_out'):
            lines.append(['{:,}'.format(row['entries']), '> %g' % row['timed_out'], '-', '-', '-', '-'])
        else:
            lines.append(['{:,}'.format(row['entries']), '%.3f' % row['read_seconds'], '%.3f' % row['resolve_seconds'],
                          '%.1f' % row['microseconds_per_entry'], row['requests'], '%.2f' % row['load_average']])
    return table(['N', 'read s', 'resolve s', 'us per entry', 'requests', 'load'], lines)


def checks(rows):
    measured = [row for row in rows if not row.get('timed_out')]
    verdicts = [(len(measured) == len(rows), 'every N measured within the timeout')]
    if len(measured) >= 2:
        small, large = measured[0], measured[-1]
        factor = large['microseconds_per_entry'] / max(small['microseconds_per_entry'], 0.1)
        verdicts.append((factor <= LINEAR_FACTOR, 'linear: time per entry at N = %d is %.1f x that at N = %d (at most %g)'
                         % (large['entries'], factor, small['entries'], LINEAR_FACTOR)))
    for row in measured:
        if row['entries'] == LARGE:
            total = row['read_seconds'] + row['resolve_seconds']
            verdicts.append((total <= LARGE_SECONDS, 'N = %d read and resolved in %.2f s (at most %g s)' % (LARGE, total, LARGE_SECONDS)))
    return verdicts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--entries', default='1000,4000,16000', help='numbers of entries, comma-separated (default: 1000,4000,16000)')
    parser.add_argument('--format', choices=('json', 'yaml'), default='json', help='the manifest file written (default: json)')
    parser.add_argument('--repeat', type=int, default=3, help='runs of each measurement; the median is reported (default: 3)')
    parser.add_argument('--timeout', type=float, default=TIMEOUT_SECONDS, help='stop a run after this many seconds (default: %d)' % TIMEOUT_SECONDS)
    parser.add_argument('--collections', help='directory with ansible_collections/outsystems/lifetime (default: .tmp/dev-collections)')
    parser.add_argument('--commit', help='measure the collection as committed at this revision (git archive into the work directory)')
    parser.add_argument('--keep', action='store_true', help='keep the work directory under .tmp/benchmarks (the manifests)')
    args = parser.parse_args(argv)
    if args.commit and args.collections:
        parser.error('give --commit or --collections, not both')
    counts = [int(item) for item in args.entries.split(',') if item.strip()]
    if args.repeat < 1 or not counts or min(counts) < 1:
        parser.error('--repeat and every --entries number must be at least 1')
    stop_on_sigterm()
    facts = machine_facts()
    print_facts(facts)
    work, stamp = work_directory('manifest_check')
    try:
        root, facts['measured'] = choose_collection(work, args)
        print('Collection: %s' % facts['measured']['text'], flush=True)
        rows = []
        for count in sorted(counts):
            print('Checking a %s manifest of %d entries, %d run(s) ...' % (args.format, count, args.repeat), flush=True)
            rows.append(measure_row(root, write_manifest(work, count, args.format), count, args))
        print()
        print('read = load_manifest (until the first request); resolve = resolve_versions against answers from memory. Median of %d run(s).'
              % args.repeat)
        print(render(rows))
        print()
        options = dict(entries=counts, format=args.format, repeat=args.repeat, timeout=args.timeout)
        return conclude('manifest_check', stamp, dict(facts=facts, options=options, rows=rows), checks(rows))
    finally:
        remove_work(work, args.keep)


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == '--child':
        child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
