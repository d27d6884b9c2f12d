#!/usr/bin/env python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Requests and time to build a deployment plan for N applications: outsystems.lifetime vs outsystems-pipeline 0.11.0.

"Plans at constant cost": LifeTime's application status per environment carries ``BaseApplicationVersionLabel`` (the
version number of what runs there) next to ``BaseApplicationVersionKey``. When it is there, promoting N applications at
the versions their source runs takes the environments, the applications with their status and the target's plans: at
most 3 sequential requests before the create, whatever N. Without it (an older LifeTime) each application's versions are
read too: at most N + 3, concurrently. Besides, each application's configuration is read (the freeze check: is it blocked
in the target?), concurrently with the target's plans, so the bounds are 3 + N and 2N + 3. outsystems-pipeline 0.11.0
reads neither label and makes 4N + 3 sequential requests.

For each N (``--apps``, default 1,30,300) and each LifeTime (``--lifetimes``, default both: ``labels``, the simulator's
default LifeTime 11.26.0, and ``no-labels``, ``settings: {lifetime_version: 11.20.0}``, which leaves the label out) the
script writes a scenario (``base: default`` plus applications Bench001..., each with versions 1.0 and 1.1, Development
running 1.1 tagged, Production running 1.0, so every one has something to deploy) and runs, in the same run, each against
its own fresh simulator (``python -m tests.simulator --port 0 --scenario FILE --latency-ms L --request-log FILE``):

* ours: ``ansible-playbook benchmarks/playbooks/deployment_plan.yml`` (one outsystems.lifetime.lifetime_deployment task,
  ``state: present``: it stops after creating the plan), once with 0 latency and once with ``--latency-ms`` (default 200);
* the peer: ``python -m outsystems.pipeline.deploy_latest_tags_to_target_env -u URL -t TOKEN -s Development
  -d Production -l Bench001,Bench002,...`` with ``OVERRIDE_CONFIG_IN_USE=True SLEEP_PERIOD_IN_SECS=1``, in a temporary
  working directory (it writes artifacts there), with the same two latencies. Its requests are sequential, so at
  N = 300 and 200 ms it needs minutes; each peer run is stopped after ``--peer-timeout`` seconds (default 900) and then
  reported as "> X" (the requests it had made and the seconds it had run when stopped).

From each simulator's request log: the number of API requests before the first ``POST /deployments/`` (counted at 0
latency; the run with latency must give the same count) and "plan ready", the time from the first API request to the
arrival of that POST (with latency: the figure that matters). Each run is checked to have created a plan with N
applications.

Run by hand from the repository root (not by ``make test``), on a machine that is otherwise idle (the load average is
printed at the start and the end); outsystems-pipeline 0.11.0 is installed on first use into
``.tmp/benchmarks/outsystems-pipeline-0.11.0``::

    .venv/bin/python benchmarks/deployment_plan.py                       # N = 1, 30, 300; both LifeTimes; 200 ms (about 15 min)
    .venv/bin/python benchmarks/deployment_plan.py --apps 1,30 --latency-ms 200
    .venv/bin/python benchmarks/deployment_plan.py --apps 5 --skip-peer   # ours only, quick
    .venv/bin/python benchmarks/deployment_plan.py --lifetimes no-labels
    .venv/bin/python benchmarks/deployment_plan.py --collections /path/to/collections   # another install of outsystems.lifetime

The collection is found in ``.tmp/dev-collections`` (a symlink to this work tree, created if missing) unless
``--collections PATH`` names a directory holding ``ansible_collections/outsystems/lifetime``.

Prints the machine, one table (N | LifeTime | requests before the create: ours, its bound, peer, 4N + 3 | plan ready with
the latency: ours s, peer s | wall: ours s, peer s | the load average when the row was measured) and the checks; writes the figures to
``benchmarks/results/deployment_plan-<time>.json``. Exits 1 when ours takes more than 3 + N requests before the create
with the label or more than 2N + 3 without it, for some N; or (at 200 ms) more than 3 s to have a plan ready, for up to 30
applications without the label and for any N with it - beyond 30 applications, plus the freeze check's round trips
(ceil(N / 8) x the latency: each application's configuration is read, eight at a time, before anything is written).
"""

import argparse
import json
import os
import sys

from _common import (
    OURS,
    PEER,
    Simulator,
    collections_root,
    conclude,
    fresh_directory,
    is_create,
    load_average,
    machine_facts,
    peer_command,
    peer_env,
    pipeline_python,
    print_facts,
    remove_work,
    request_shapes,
    run_playbook,
    run_streamed,
    stop_on_sigterm,
    table,
    work_directory,
)

# The bounds on "plan ready" with 200 ms of latency: 3 s for up to 30 applications; with the label, for any N, plus the
# freeze check (one configuration read per application, FREEZE_WORKERS at a time, before anything is written) beyond 30.
READY_LIMIT_SECONDS = 3.0
FREEZE_WORKERS = 8
READY_LIMIT_LATENCY_MS = 200
READY_LIMIT_APPS = 30
# Requests before the create with the label, whatever N.
LABELLED_BOUND = 3
# The two LifeTimes: the simulator's default (11.26.0, with BaseApplicationVersionLabel) and one before 11.21.1 (without).
LIFETIMES = {'labels': None, 'no-labels': '11.20.0'}
PEER_TIMEOUT_SECONDS = 900


def application_names(count):
    return ['Bench%03d' % number for number in range(1, count + 1)]


def write_scenario(work, count, lifetime):
    """base: default plus N applications that each have a newer tagged version in Development than in Production."""
    scenario = dict(base='default', applications=[
        dict(name=name, versions=['1.0', '1.1'], running=dict(Development='1.1', Production='1.0')) for name in application_names(count)])
    if LIFETIMES[lifetime]:
        scenario['settings'] = dict(lifetime_version=LIFETIMES[lifetime])
    path = os.path.join(work, 'scenario-%d-%s.json' % (count, lifetime))
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(scenario, handle, indent=1)  # JSON is YAML too
    return path


def bound_ours(count, lifetime):
    """3 sequential requests (N + 3 without the label), plus the freeze check: one configuration read per application."""
    return (LABELLED_BOUND if lifetime == 'labels' else count + 3) + count


def figures(sim, count, before_keys, run=None):
    """Requests before the first create and the seconds from the first request to it; checks the plan it created.

    When ``run`` was stopped at its timeout before the create: the requests it had made and the seconds it had run, as lower
    bounds (``timed_out`` true)."""
    log = sim.requests()
    creates = [index for index, request in enumerate(log) if is_create(request)]
    if not creates and run is not None and run.timed_out:
        return dict(timed_out=True, requests_before_create=len(log), plan_ready_seconds=round(run.ended - (log[0]['time'] if log else run.started), 3),
                    requests_total=len(log), before_create_by_route=request_shapes(log))
    if not creates:
        raise RuntimeError('no POST /deployments/ in the request log of %s' % sim.name)
    first = creates[0]
    created = [plan for plan in sim.state()['deployments'] if plan['key'] not in before_keys]
    if len(created) != 1 or len(created[0]['applications']) != count:
        raise RuntimeError('%s: expected one new plan with %d applications, found %r' % (sim.name, count, created))
    return dict(timed_out=False, requests_before_create=first, plan_ready_seconds=round(log[first]['time'] - log[0]['time'], 3),
                requests_total=len(log), before_create_by_route=request_shapes(log[:first]))


def measure_ours(work, collections, scenario, count, lifetime, latency_ms):
    name = 'ours-%d-%s-%gms' % (count, lifetime, latency_ms)
    load = load_average()[0]
    with Simulator(work, name, scenario=scenario, latency_ms=latency_ms) as sim:
        before = {plan['key'] for plan in sim.state()['deployments']}
        run = run_playbook('deployment_plan.yml', fresh_directory(work, name), collections, sim,
                           extra_vars=dict(bench_applications=[dict(name=app) for app in application_names(count)]))
        run.check('ansible-playbook (%s)' % name)
        result = figures(sim, count, before)
    result['wall_seconds'] = round(run.ended - run.started, 2)
    result['load_at_start'] = load
    return result


def measure_peer(work, python, scenario, count, lifetime, latency_ms, timeout):
    name = 'peer-%d-%s-%gms' % (count, lifetime, latency_ms)
    load = load_average()[0]
    with Simulator(work, name, scenario=scenario, latency_ms=latency_ms) as sim:
        before = {plan['key'] for plan in sim.state()['deployments']}
        run = run_streamed(peer_command(python, sim, application_names(count)), fresh_directory(work, name), peer_env(sleep_seconds=1),
                           timeout=timeout, raise_on_timeout=False)
        if not run.timed_out:
            run.check('%s (%s)' % (PEER, name))
        result = figures(sim, count, before, run)
    result['wall_seconds'] = round(run.ended - run.started, 2)
    result['wall_timed_out'] = run.timed_out
    result['load_at_start'] = load
    return result


def measure(work, collections, python, count, lifetime, latency_ms, peer_timeout):
    """One row: both tools at 0 latency (request count) and with the latency (plan ready), against one LifeTime."""
    scenario = write_scenario(work, count, lifetime)
    row = dict(apps=count, lifetime=lifetime, latency_ms=latency_ms, bound_ours=bound_ours(count, lifetime), peer_expected=4 * count + 3)
    tools = [('ours', lambda latency: measure_ours(work, collections, scenario, count, lifetime, latency))]
    if python:
        tools.append(('peer', lambda latency: measure_peer(work, python, scenario, count, lifetime, latency, peer_timeout)))
    for tool, run in tools:
        print('  N=%d, LifeTime %s, %s ...' % (count, lifetime, OURS if tool == 'ours' else PEER), flush=True)
        unloaded = run(0)
        loaded = run(latency_ms) if latency_ms else unloaded
        row[tool] = dict(at_0ms=unloaded, at_latency=loaded, requests_before_create=unloaded['requests_before_create'],
                         plan_ready_seconds=loaded['plan_ready_seconds'])
        if loaded['requests_before_create'] != unloaded['requests_before_create'] and not loaded['timed_out']:
            print('  note: %s made %d requests before the create with %g ms latency, %d without'
                  % (tool, loaded['requests_before_create'], latency_ms, unloaded['requests_before_create']), flush=True)
    # The busiest the machine was when one of the row's measurements started (1-minute load average).
    row['load'] = max(row[tool][figure]['load_at_start'] for tool, dummy in tools for figure in ('at_0ms', 'at_latency'))
    return row


def requests_cell(figure):
    return ('> %d' if figure['timed_out'] else '%d') % figure['requests_before_create']


def seconds_cell(figure, value, timed_out):
    """Seconds, or "> S" (whole seconds, rounded down: a lower bound) for a run stopped at its timeout."""
    if not figure:
        return '-'
    return '> %d' % int(value) if timed_out else '%.2f' % value


def render(rows, latency_ms):
    header = ('N', 'LifeTime', 'requests before create: ours', 'bound', 'peer', '4N+3',
              'plan ready @%g ms: ours s' % latency_ms, 'peer s', 'wall @%g ms: ours s' % latency_ms, 'peer s', 'load')
    lines = []
    for row in rows:
        ours, peer = row['ours'], row.get('peer')
        lines.append((row['apps'], row['lifetime'], requests_cell(ours['at_0ms']), row['bound_ours'],
                      requests_cell(peer['at_0ms']) if peer else '-', row['peer_expected'],
                      '%.2f' % ours['plan_ready_seconds'],
                      seconds_cell(peer, peer['plan_ready_seconds'], peer['at_latency']['timed_out']) if peer else '-',
                      '%.2f' % ours['at_latency']['wall_seconds'],
                      seconds_cell(peer, peer['at_latency']['wall_seconds'], peer['at_latency']['wall_timed_out']) if peer else '-',
                      '%.2f' % row['load']))
    return table(header, lines)


def checks(rows, latency_ms):
    """(passed, text) for each acceptance point this run can judge."""
    found = []
    for row in rows:
        count = row['ours']['requests_before_create']
        found.append((count <= row['bound_ours'], 'N=%d, LifeTime %s: %d requests before the create, bound %s = %d'
                      % (row['apps'], row['lifetime'], count, '3 + N' if row['lifetime'] == 'labels' else '2N + 3', row['bound_ours'])))
        if latency_ms == READY_LIMIT_LATENCY_MS and (row['apps'] <= READY_LIMIT_APPS or row['lifetime'] == 'labels'):
            ready = row['ours']['plan_ready_seconds']
            limit = READY_LIMIT_SECONDS + (-(-row['apps'] // FREEZE_WORKERS) * latency_ms / 1000.0 if row['apps'] > READY_LIMIT_APPS else 0)
            found.append((ready < limit, 'N=%d, LifeTime %s: plan ready in %.2f s with %d ms latency, bound %.1f s'
                          % (row['apps'], row['lifetime'], ready, latency_ms, limit)))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--apps', default='1,30,300', help='numbers of applications, comma-separated (default: 1,30,300)')
    parser.add_argument('--lifetimes', default='labels,no-labels',
                        help='LifeTimes to measure against, comma-separated: labels (BaseApplicationVersionLabel given, 11.26.0), '
                             'no-labels (11.20.0, without it) (default: both)')
    parser.add_argument('--latency-ms', type=float, default=200, help='API latency of the simulator for "plan ready", ms (default: 200)')
    parser.add_argument('--skip-peer', action='store_true', help='measure outsystems.lifetime only')
    parser.add_argument('--peer-timeout', type=float, default=PEER_TIMEOUT_SECONDS,
                        help='stop a run of the peer after this many seconds and report it as "> X" (default: %d)' % PEER_TIMEOUT_SECONDS)
    parser.add_argument('--collections', help='directory with ansible_collections/outsystems/lifetime (default: .tmp/dev-collections)')
    parser.add_argument('--keep', action='store_true', help='keep the work directory under .tmp/benchmarks (request logs, artifacts)')
    args = parser.parse_args(argv)
    counts = [int(item) for item in args.apps.split(',') if item.strip()]
    lifetimes = [item.strip() for item in args.lifetimes.split(',') if item.strip()]
    unknown = [item for item in lifetimes if item not in LIFETIMES]
    if unknown:
        parser.error('unknown --lifetimes %s (known: %s)' % (', '.join(unknown), ', '.join(LIFETIMES)))
    stop_on_sigterm()
    facts = machine_facts()
    print_facts(facts)
    collections = collections_root(args.collections)
    python = None if args.skip_peer else pipeline_python()
    work, stamp = work_directory('deployment_plan')
    try:
        rows = []
        for count in counts:
            for lifetime in lifetimes:
                print('Measuring a plan for %d application(s), LifeTime %s ...' % (count, lifetime), flush=True)
                rows.append(measure(work, collections, python, count, lifetime, args.latency_ms, args.peer_timeout))
        facts['load_average_at_end'] = load_average()
        print()
        print('Load average at the end: %s (1, 5, 15 min)' % ', '.join('%.2f' % value for value in facts['load_average_at_end']))
        print('Requests before POST /deployments/ (0 ms latency) and plan ready = first API request -> that POST (%g ms latency);' % args.latency_ms)
        print('wall = the whole command with that latency (ansible-playbook start-up included; the peer also starts the plan and waits for it).')
        print('ours = %s (ansible-playbook, lifetime_deployment state: present); peer = %s deploy_latest_tags_to_target_env.' % (OURS, PEER))
        print('LifeTime labels = BaseApplicationVersionLabel in the application status (11.26.0); no-labels = without it (11.20.0).')
        print('load = the highest 1-minute load average at the start of one of the row\'s runs (%d CPUs): re-run rows measured on a busy machine.'
              % facts['cpus'])
        if python:
            print('"> X": the peer was stopped after %g s (--peer-timeout): it had made X requests / run X seconds by then.' % args.peer_timeout)
        print()
        print(render(rows, args.latency_ms))
        print()
        return conclude('deployment_plan', stamp, dict(facts=facts, latency_ms=args.latency_ms, collections=collections, rows=rows,
                                                       peer_timeout_seconds=None if args.skip_peer else args.peer_timeout),
                        checks(rows, args.latency_ms))
    finally:
        remove_work(work, args.keep)


if __name__ == '__main__':
    sys.exit(main())
