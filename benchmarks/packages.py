#!/usr/bin/env python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Memory and speed of carrying a package between LifeTime infrastructures: outsystems.lifetime vs outsystems-pipeline 0.11.0.

For each package size, against simulators started here (``python -m tests.simulator --binary-size-mb N``):

* download: ``ansible-playbook`` running outsystems.lifetime.lifetime_app_version with ``dest``, and
  outsystems-pipeline's ``fetch_apps_packages``, both fetching version 1.3 of EmployeeBackoffice (an .oap of N MiB);
* upload: ``ansible-playbook`` running outsystems.lifetime.lifetime_binary_publish with ``state: present``, and
  outsystems-pipeline's ``deploy_package_to_target_env`` (which also starts the plan; with the simulator's
  step 0 it is finished by the next status request), both publishing that file to a second simulator.

Each command runs under ``/usr/bin/time -v``: "Maximum resident set size" is the peak RSS of the largest process of
the run (getrusage of the waited-for children), "Elapsed" its wall time. The same commands with a package of a few
KiB give each tool's fixed cost (start-up, requests); net MiB/s = size / (wall time - fixed cost).

Run by hand, not by ``make test``:  .venv/bin/python benchmarks/packages.py [--sizes 512,2048] [--quick]
Results are printed as one table and written to benchmarks/results/packages-<time>.json.
"""

import argparse
import datetime
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

from _common import Simulator, ansible_env, collections_root, pipeline_env, pipeline_python

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(os.path.abspath(sys.executable))
TIME = '/usr/bin/time'
RESULTS = os.path.join(REPO_ROOT, 'benchmarks', 'results')
SOURCE_TOKEN = 'bench-source-token'
TARGET_TOKEN = 'bench-target-token'
APPLICATION = 'EmployeeBackoffice'
VERSION = '1.3'
MIB = 1024 * 1024

DOWNLOAD_PLAYBOOK = '''---
- name: Download a package
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Download the .oap of a version
      outsystems.lifetime.lifetime_app_version:
        lifetime_url: "{{ bench_url }}"
        lifetime_token: "{{ bench_token }}"
        application: %s
        version: "%s"
        dest: "{{ bench_dest }}"
''' % (APPLICATION, VERSION)

UPLOAD_PLAYBOOK = '''---
- name: Publish a package
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Upload the package as a saved deployment plan
      outsystems.lifetime.lifetime_binary_publish:
        lifetime_url: "{{ bench_url }}"
        lifetime_token: "{{ bench_token }}"
        src: "{{ bench_src }}"
        target_environment: Production
        state: present
'''


def measure(command, cwd, env, label):
    """Run command under /usr/bin/time -v; returns dict(rss_mib, seconds)."""
    report = os.path.join(cwd, '.time-%d.txt' % time.monotonic_ns())
    process = subprocess.run([TIME, '-v', '-o', report] + command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    with open(report, encoding='utf-8') as handle:
        text = handle.read()
    os.unlink(report)
    if process.returncode != 0:
        raise RuntimeError('%s failed (rc %d):\n%s\n%s\n%s' % (label, process.returncode, process.stdout[-3000:], process.stderr[-3000:], text))
    rss_kib = int(re.search(r'Maximum resident set size \(kbytes\): (\d+)', text).group(1))
    elapsed = re.search(r'Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)', text).group(1)
    seconds = 0.0
    for part in elapsed.split(':'):
        seconds = seconds * 60 + float(part)
    return dict(rss_mib=round(rss_kib / 1024.0, 1), seconds=round(seconds, 2))


def sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(MIB), b''):
            digest.update(chunk)
    return digest.hexdigest()


class Bench:
    def __init__(self, work, with_pipeline):
        self.work = work
        self.env = ansible_env(work, collections_root())
        self.pipeline = pipeline_python() if with_pipeline else None
        self.download_playbook = self._write('download.yml', DOWNLOAD_PLAYBOOK)
        self.upload_playbook = self._write('upload.yml', UPLOAD_PLAYBOOK)

    def _write(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(text)
        return path

    def _directory(self, name):
        path = os.path.join(self.work, name)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        return path

    def ansible_download(self, source, tag):
        directory = self._directory('ansible-download-%s' % tag)
        dest = os.path.join(directory, '%s.oap' % APPLICATION)
        extra = json.dumps(dict(bench_url=source.url, bench_token=source.token, bench_dest=dest))
        result = measure([os.path.join(BIN, 'ansible-playbook'), self.download_playbook, '-e', extra], self.work, self.env,
                         'ansible download')
        return result, dest

    def ansible_upload(self, src, size_mb):
        target = Simulator(self.work, 'ansible-upload-target', token=TARGET_TOKEN)
        try:
            extra = json.dumps(dict(bench_url=target.url, bench_token=target.token, bench_src=src))
            result = measure([os.path.join(BIN, 'ansible-playbook'), self.upload_playbook, '-e', extra], self.work, self.env,
                             'ansible upload')
            check_upload(target, src, size_mb)
        finally:
            target.stop()
        return result

    def pipeline_download(self, source, tag):
        directory = self._directory('pipeline-download-%s' % tag)
        command = [self.pipeline, '-m', 'outsystems.pipeline.fetch_apps_packages', '-u', source.url, '-t', source.token,
                   '-s', 'Development', '-l', APPLICATION]
        result = measure(command, directory, pipeline_env(), 'outsystems-pipeline download')
        found = glob.glob(os.path.join(directory, 'Artifacts', '**', '*.oap'), recursive=True)
        if len(found) != 1:
            raise RuntimeError('outsystems-pipeline downloaded %r' % found)
        return result, found[0]

    def pipeline_upload(self, src, size_mb):
        target = Simulator(self.work, 'pipeline-upload-target', token=TARGET_TOKEN)
        directory = self._directory('pipeline-upload')
        try:
            command = [self.pipeline, '-m', 'outsystems.pipeline.deploy_package_to_target_env', '-u', target.url, '-t', target.token,
                       '-d', 'Production', '-p', src]
            result = measure(command, directory, pipeline_env(), 'outsystems-pipeline upload')
            check_upload(target, src, size_mb)
        finally:
            target.stop()
        return result


def check_upload(target, src, size_mb):
    uploaded = target.state()['uploaded_packages']
    if len(uploaded) != 1 or uploaded[0]['size'] != os.path.getsize(src):
        raise RuntimeError('the target simulator received %r for a %s MiB package' % (uploaded, size_mb))


def run_size(bench, size_mb, tag):
    """Both tools, both directions, for one package size; rows of the table."""
    rows = []
    source = Simulator(bench.work, 'source-%s' % tag, token=SOURCE_TOKEN, binary_size_mb=size_mb)
    try:
        result, ours = bench.ansible_download(source, tag)
        rows.append(dict(size_mib=size_mb, direction='download', tool='outsystems.lifetime', **result))
        theirs = None
        if bench.pipeline:
            result, theirs = bench.pipeline_download(source, tag)
            rows.append(dict(size_mib=size_mb, direction='download', tool='outsystems-pipeline 0.11.0', **result))
    finally:
        source.stop()
    if size_mb and os.path.getsize(ours) != int(size_mb * MIB):
        raise RuntimeError('downloaded %d bytes, expected %d MiB' % (os.path.getsize(ours), size_mb))
    if theirs and sha256(theirs) != sha256(ours):
        raise RuntimeError('the two tools downloaded different bytes')
    rows.append(dict(size_mib=size_mb, direction='upload', tool='outsystems.lifetime', **bench.ansible_upload(ours, size_mb)))
    if bench.pipeline:
        rows.append(dict(size_mib=size_mb, direction='upload', tool='outsystems-pipeline 0.11.0', **bench.pipeline_upload(theirs, size_mb)))
    for path in (ours, theirs):
        if path:
            os.unlink(path)
    return rows


def add_throughput(rows, baseline):
    fixed = dict(((row['direction'], row['tool']), row['seconds']) for row in baseline)
    for row in rows:
        cost = fixed.get((row['direction'], row['tool']), 0.0)
        row['fixed_seconds'] = cost
        row['gross_mib_s'] = round(row['size_mib'] / row['seconds'], 1) if row['seconds'] else None
        net = row['seconds'] - cost
        row['net_mib_s'] = round(row['size_mib'] / net, 1) if net > 0.05 else None


def print_table(rows, ping, baseline):
    print()
    print('ansible localhost -m ping: peak RSS %.1f MiB, %.2f s' % (ping['rss_mib'], ping['seconds']))
    for row in baseline:
        print('fixed cost (median of 3 runs with a package of a few KiB), %s %s: peak RSS %.1f MiB, %.2f s'
              % (row['tool'], row['direction'], row['rss_mib'], row['seconds']))
    header = ('Package', 'Direction', 'Tool', 'Peak RSS MiB', 'Wall s', 'Gross MiB/s', 'Net MiB/s')
    widths = (9, 9, 27, 12, 8, 11, 9)
    print()
    print('  '.join(h.ljust(w) for h, w in zip(header, widths)))
    print('  '.join('-' * w for w in widths))
    for row in rows:
        cells = ('%d MiB' % row['size_mib'], row['direction'], row['tool'], '%.1f' % row['rss_mib'], '%.2f' % row['seconds'],
                 '%s' % row['gross_mib_s'], '%s' % (row['net_mib_s'] if row['net_mib_s'] is not None else '-'))
        print('  '.join(str(c).ljust(w) for c, w in zip(cells, widths)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--sizes', default='512,2048', help='package sizes in MiB, comma-separated (default: 512,2048)')
    parser.add_argument('--quick', action='store_true', help='one 64 MiB package, to check that the benchmark runs')
    parser.add_argument('--skip-pipeline', action='store_true', help='measure outsystems.lifetime only')
    args = parser.parse_args(argv)
    sizes = [64] if args.quick else [int(size) for size in args.sizes.split(',') if size.strip()]
    if not os.access(TIME, os.X_OK):
        parser.error('%s is needed (GNU time, package "time")' % TIME)
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    work = os.path.join(REPO_ROOT, '.tmp', 'benchmarks', 'packages-%s' % stamp)
    os.makedirs(work)
    try:
        bench = Bench(work, with_pipeline=not args.skip_pipeline)
        ping = measure([os.path.join(BIN, 'ansible'), 'localhost', '-m', 'ansible.builtin.ping'], work, bench.env, 'ansible ping')
        # The fixed cost of each command: the median of three runs with a package of a few KiB.
        runs = [run_size(bench, 0, 'baseline-%d' % attempt) for attempt in range(3)]
        baseline = [dict(row, seconds=sorted(run[index]['seconds'] for run in runs)[1]) for index, row in enumerate(runs[0])]
        rows = []
        for size in sizes:
            print('Measuring a %d MiB package ...' % size, flush=True)
            rows.extend(run_size(bench, size, '%d' % size))
        add_throughput(rows, baseline)
        print_table(rows, ping, baseline)
        os.makedirs(RESULTS, exist_ok=True)
        output = os.path.join(RESULTS, 'packages-%s.json' % stamp)
        with open(output, 'w', encoding='utf-8') as handle:
            json.dump(dict(ping=ping, baseline=baseline, rows=rows, python=sys.version, host=os.uname().nodename), handle, indent=1)
        print('\nWritten to %s' % os.path.relpath(output, REPO_ROOT))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
