# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Requests per poll of the event source outsystems.lifetime.lifetime_events at 30 and 300 applications.

    .venv/bin/python benchmarks/eda_poll.py [--generate-apps 30 300] [--polls 5]

Each size gets its own simulator (``--generate-apps N``: N applications running in every environment), a first start,
then quiet polls, then a poll after a promote; the simulator's request log counts what each poll sent.
Results: benchmarks/results/eda_poll.json.
"""

import argparse
import json
import os
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)
sys.path.insert(0, os.path.join(REPO_ROOT, '.tmp', 'dev-collections'))

from tests.conftest import COLLECTIONS_ROOT  # noqa: E402,F401  pylint: disable=unused-import,wrong-import-position
from tests.simulator import Simulator  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.outsystems.lifetime.extensions.eda.plugins.event_source import lifetime_events  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.outsystems.lifetime.plugins.module_utils._client import LifeTimeClient  # noqa: E402  pylint: disable=wrong-import-position


def measure(apps, polls):
    with Simulator('bench', generate_apps=apps) as sim, tempfile.TemporaryDirectory() as work:
        options = lifetime_events.read_options({'lifetime_url': sim.url, 'lifetime_token': 'bench', 'state_file': os.path.join(work, 'c.json')}, {})
        client, names, state = lifetime_events._start(options)  # pylint: disable=protected-access
        poller = lifetime_events.Poller(options, names, state)
        counts = []
        for dummy in range(polls + 1):
            before = len(sim.requests)
            events, poller.state = poller.poll(client)
            counts.append({'requests': len(sim.requests) - before, 'events': len(events)})
        app = sim.state.application('App0001')
        version = sim.state.versions(app)[-1]
        writer = LifeTimeClient(sim.url, 'bench')
        key = writer.create_deployment(sim.state.environment('Development').key, sim.state.environment('Production').key,
                                       [{'ApplicationVersionKey': version.key}])
        writer.deployment_command(key, 'start')
        before = len(sim.requests)
        events, poller.state = poller.poll(client)
        after_promote = {'requests': len(sim.requests) - before, 'events': len(events)}
        return {'applications': len(sim.state.applications()), 'first_start': counts[0], 'quiet_polls': counts[1:], 'after_promote': after_promote}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--generate-apps', type=int, nargs='+', default=[30, 300])
    parser.add_argument('--polls', type=int, default=5)
    args = parser.parse_args()
    results = [measure(apps, args.polls) for apps in args.generate_apps]
    for result in results:
        print('%4d applications: first start %d requests, quiet poll %s requests, poll after a promote %d requests (%d events)' % (
            result['applications'], result['first_start']['requests'], sorted(set(c['requests'] for c in result['quiet_polls'])),
            result['after_promote']['requests'], result['after_promote']['events']))
    os.makedirs(os.path.join(REPO_ROOT, 'benchmarks', 'results'), exist_ok=True)
    with open(os.path.join(REPO_ROOT, 'benchmarks', 'results', 'eda_poll.json'), 'w', encoding='utf-8') as out:
        json.dump(results, out, indent=2)


if __name__ == '__main__':
    main()
