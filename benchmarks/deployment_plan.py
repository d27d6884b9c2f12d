#!/usr/bin/env python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Requests and time to build a deployment plan for N applications: outsystems.lifetime vs outsystems-pipeline 0.11.0.

Issue 4's acceptance: building the plan for N applications takes at most N + 3 requests before the create (environments,
applications with their environment status, at most one version lookup per application), where outsystems-pipeline 0.11
takes 4N + 3; the per-application lookups run concurrently, so with 200 ms of API latency a 30-application plan is ready in
under 3 s, where the peer's sequential requests need about 25 s.

For each N (``--apps``, default 1,10,30) the script writes a scenario (``base: default`` plus applications Bench001...,
each with versions 1.0 and 1.1, Development running 1.1 tagged, Production running 1.0, so every one has something to
deploy) and, side by side in the same run, each against its own fresh simulator (``python -m tests.simulator --port 0
--scenario FILE --latency-ms L --request-log FILE``):

* ours: ``ansible-playbook benchmarks/playbooks/deployment_plan.yml`` (one outsystems.lifetime.lifetime_deployment task,
  ``state: present``: it stops after creating the plan), once with 0 latency and once with ``--latency-ms`` (default 200);
* the peer: ``python -m outsystems.pipeline.deploy_latest_tags_to_target_env -u URL -t TOKEN -s Development
  -d Production -l Bench001,Bench002,...`` with ``OVERRIDE_CONFIG_IN_USE=True SLEEP_PERIOD_IN_SECS=1``, in a temporary
  working directory (it writes artifacts there), with the same two latencies.

From each simulator's request log: the number of API requests before the first ``POST /deployments/`` (counted at 0
latency; the run with latency must give the same count) and "plan ready", the time from the first API request to the
arrival of that POST (with latency: the figure that matters). Each run is checked to have created a plan with N
applications.

Run by hand from the repository root (not by ``make test``); outsystems-pipeline 0.11.0 is installed on first use into
``.tmp/benchmarks/outsystems-pipeline-0.11.0`` (as benchmarks/packages.py does)::

    .venv/bin/python benchmarks/deployment_plan.py
    .venv/bin/python benchmarks/deployment_plan.py --apps 1,10,30 --latency-ms 200
    .venv/bin/python benchmarks/deployment_plan.py --apps 5 --skip-peer        # ours only, quick
    .venv/bin/python benchmarks/deployment_plan.py --collections /path/to/collections   # another install of outsystems.lifetime

The collection is found in ``.tmp/dev-collections`` (a symlink to this work tree, created if missing) unless
``--collections PATH`` names a directory holding ``ansible_collections/outsystems/lifetime``.

Prints the machine, one table (N | requests before the create: ours, peer, N + 3, 4N + 3 | plan ready with the latency:
ours s, peer s) and the checks; writes the figures to ``benchmarks/results/deployment_plan-<time>.json``. Exits 1 when
ours takes more than N + 3 requests for some N, or (at 200 ms) more than 3 s to have a plan of up to 30 applications ready.
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

# The bound for a 30-application plan with 200 ms of latency.
READY_LIMIT_SECONDS = 3.0
READY_LIMIT_LATENCY_MS = 200
READY_LIMIT_APPS = 30


def application_names(count):
    return ['Bench%03d' % number for number in range(1, count + 1)]


def write_scenario(work, count):
    """base: default plus N applications that each have a newer tagged version in Development than in Production."""
    scenario = dict(base='default', applications=[
        dict(name=name, versions=['1.0', '1.1'], running=dict(Development='1.1', Production='1.0')) for name in application_names(count)])
    path = os.path.join(work, 'scenario-%d.json' % count)
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(scenario, handle, indent=1)  # JSON is YAML too
    return path


def figures(sim, count, before_keys):
    """Requests before the first create and the seconds from the first request to it; checks the plan it created."""
    log = sim.requests()
    creates = [index for index, request in enumerate(log) if is_create(request)]
    if not creates:
        raise RuntimeError('no POST /deployments/ in the request log of %s' % sim.name)
    first = creates[0]
    created = [plan for plan in sim.state()['deployments'] if plan['key'] not in before_keys]
    if len(created) != 1 or len(created[0]['applications']) != count:
        raise RuntimeError('%s: expected one new plan with %d applications, found %r' % (sim.name, count, created))
    return dict(requests_before_create=first, plan_ready_seconds=round(log[first]['time'] - log[0]['time'], 3),
                requests_total=len(log), before_create_by_route=request_shapes(log[:first]))


def measure_ours(work, collections, scenario, count, latency_ms):
    name = 'ours-%d-%gms' % (count, latency_ms)
    with Simulator(work, name, scenario=scenario, latency_ms=latency_ms) as sim:
        before = {plan['key'] for plan in sim.state()['deployments']}
        run = run_playbook('deployment_plan.yml', fresh_directory(work, name), collections, sim,
                           extra_vars=dict(bench_applications=[dict(name=app) for app in application_names(count)]))
        run.check('ansible-playbook (%s)' % name)
        result = figures(sim, count, before)
    result['wall_seconds'] = round(run.ended - run.started, 2)
    return result


def measure_peer(work, python, scenario, count, latency_ms):
    name = 'peer-%d-%gms' % (count, latency_ms)
    with Simulator(work, name, scenario=scenario, latency_ms=latency_ms) as sim:
        before = {plan['key'] for plan in sim.state()['deployments']}
        run = run_streamed(peer_command(python, sim, application_names(count)), fresh_directory(work, name), peer_env(sleep_seconds=1))
        run.check('%s (%s)' % (PEER, name))
        result = figures(sim, count, before)
    result['wall_seconds'] = round(run.ended - run.started, 2)
    return result


def measure(work, collections, python, count, latency_ms):
    """One row: both tools at 0 latency (request count) and with the latency (plan ready)."""
    scenario = write_scenario(work, count)
    row = dict(apps=count, latency_ms=latency_ms, bound_ours=count + 3, peer_expected=4 * count + 3)
    tools = [('ours', lambda latency: measure_ours(work, collections, scenario, count, latency))]
    if python:
        tools.append(('peer', lambda latency: measure_peer(work, python, scenario, count, latency)))
    for tool, run in tools:
        print('  N=%d %s ...' % (count, OURS if tool == 'ours' else PEER), flush=True)
        unloaded = run(0)
        loaded = run(latency_ms) if latency_ms else unloaded
        row[tool] = dict(at_0ms=unloaded, at_latency=loaded, requests_before_create=unloaded['requests_before_create'],
                         plan_ready_seconds=loaded['plan_ready_seconds'])
        if loaded['requests_before_create'] != unloaded['requests_before_create']:
            print('  note: %s made %d requests before the create with %g ms latency, %d without'
                  % (tool, loaded['requests_before_create'], latency_ms, unloaded['requests_before_create']), flush=True)
    return row


def render(rows, latency_ms):
    header = ('N', 'requests before create: ours', 'peer', 'N+3', '4N+3',
              'plan ready @%g ms: ours s' % latency_ms, 'peer s', 'wall @%g ms: ours s' % latency_ms, 'peer s')
    lines = []
    for row in rows:
        peer = row.get('peer')
        lines.append((row['apps'], row['ours']['requests_before_create'], peer['requests_before_create'] if peer else '-',
                      row['bound_ours'], row['peer_expected'], '%.2f' % row['ours']['plan_ready_seconds'],
                      '%.2f' % peer['plan_ready_seconds'] if peer else '-', '%.2f' % row['ours']['at_latency']['wall_seconds'],
                      '%.2f' % peer['at_latency']['wall_seconds'] if peer else '-'))
    return table(header, lines)


def checks(rows, latency_ms):
    """(passed, text) for each acceptance point this run can judge."""
    found = []
    for row in rows:
        count = row['ours']['requests_before_create']
        found.append((count <= row['bound_ours'], 'N=%d: %d requests before the create, bound N + 3 = %d' % (row['apps'], count, row['bound_ours'])))
        if latency_ms == READY_LIMIT_LATENCY_MS and row['apps'] <= READY_LIMIT_APPS:
            ready = row['ours']['plan_ready_seconds']
            found.append((ready < READY_LIMIT_SECONDS, 'N=%d: plan ready in %.2f s with %d ms latency, bound %.0f s'
                          % (row['apps'], ready, latency_ms, READY_LIMIT_SECONDS)))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--apps', default='1,10,30', help='numbers of applications, comma-separated (default: 1,10,30)')
    parser.add_argument('--latency-ms', type=float, default=200, help='API latency of the simulator for "plan ready", ms (default: 200)')
    parser.add_argument('--skip-peer', action='store_true', help='measure outsystems.lifetime only')
    parser.add_argument('--collections', help='directory with ansible_collections/outsystems/lifetime (default: .tmp/dev-collections)')
    parser.add_argument('--keep', action='store_true', help='keep the work directory under .tmp/benchmarks (request logs, artifacts)')
    args = parser.parse_args(argv)
    counts = [int(item) for item in args.apps.split(',') if item.strip()]
    stop_on_sigterm()
    facts = machine_facts()
    print_facts(facts)
    collections = collections_root(args.collections)
    python = None if args.skip_peer else pipeline_python()
    work, stamp = work_directory('deployment_plan')
    try:
        rows = []
        for count in counts:
            print('Measuring a plan for %d application(s) ...' % count, flush=True)
            rows.append(measure(work, collections, python, count, args.latency_ms))
        print()
        print('Requests before POST /deployments/ (0 ms latency) and plan ready = first API request -> that POST (%g ms latency);' % args.latency_ms)
        print('wall = the whole command with that latency (ansible-playbook start-up included; the peer also starts the plan and waits for it).')
        print('ours = %s (ansible-playbook, lifetime_deployment state: present); peer = %s deploy_latest_tags_to_target_env.' % (OURS, PEER))
        print()
        print(render(rows, args.latency_ms))
        print()
        return conclude('deployment_plan', stamp, dict(facts=facts, latency_ms=args.latency_ms, collections=collections, rows=rows),
                        checks(rows, args.latency_ms))
    finally:
        remove_work(work, args.keep)


if __name__ == '__main__':
    sys.exit(main())
