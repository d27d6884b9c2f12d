# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scenario files: other worlds, their settings and their rules."""

from __future__ import annotations

import datetime
import json

import pytest

from tests.simulator import Simulator
from tests.simulator.client import Client
from tests.simulator.scenario import when

SCENARIO = """
settings:
  key_quoting: quoted
  link_ttl_seconds: 120
environments:
  - {name: Dev, key: 11111111-1111-1111-1111-111111111111, type: Development}
  - name: Prod
    type: Production
    os_version: 11.30.1
    zones:
      - {name: Main, default: true}
      - {name: Edge, key: 22222222-2222-2222-2222-222222222222}
applications:
  - name: Billing
    modules: [Billing, Billing_CS]
    versions:
      - {version: "1.10", created: -3d}
      - {version: 2024.01.15_1, created: -2h30m, change_log: hotfix}
    running:
      Dev: {version: 2024.01.15_1, modified: true, message: edited in Service Studio}
      Prod: {version: "1.10", zone: Edge}
  - name: Wallet
    kind: Mobile
    versions: ["3.0"]
    running: {Dev: "3.0"}
deployments:
  - {source: Dev, target: Prod, created: -3d, applications: {Billing: "1.10"}, status: aborted, notes: first try}
rules:
  outcomes:
    - {target: Prod, status: finished_with_errors, message: disk full}
  interventions:
    - {target: Dev, application: Wallet, info: deployment_prepared}
  conflicts:
    - {application: Billing, conflict_type: Consumer Module Outdated}
  solutions:
    - {name: Doomed, reason: No space left}
"""


@pytest.fixture
def scenario_sim(tmp_path):
    path = tmp_path / 'world.yaml'
    path.write_text(SCENARIO)
    with Simulator('t', scenario=str(path)) as sim:
        yield sim


def test_a_scenario_file_describes_another_world(scenario_sim):
    api, state = Client(scenario_sim), scenario_sim.state
    envs = api.get('/environments/').json()
    assert [(e['Name'], e['Order'], e['OSVersion']) for e in envs] == [('Dev', 0, '11.26.0'), ('Prod', 1, '11.30.1')]
    assert state.running_version('Dev', 'Billing') == '2024.01.15_1'
    assert state.is_modified('Dev', 'Billing')
    assert state.app_status('Dev', 'Billing').modified_message == 'edited in Service Studio'
    assert state.app_status('Prod', 'Billing').zone_key == '22222222-2222-2222-2222-222222222222'
    assert [v.number for v in state.versions('Billing')] == ['1.10', '2024.01.15_1']
    history = api.get('/deployments/').json()
    assert [d['Notes'] for d in history] == ['first try']
    assert api.get('/deployments/%s/status/' % history[0]['Key']).json()['DeploymentStatus'] == 'aborted'
    assert state.application('Wallet').kind == 'Mobile'


def test_scenario_rules_and_settings_apply(scenario_sim):
    api, state = Client(scenario_sim), scenario_sim.state
    billing = state.version('Billing', '2024.01.15_1').key
    reply = api.post('/deployments/', {'SourceEnvironmentKey': state.environment('Dev').key,
                                       'TargetEnvironmentKey': state.environment('Prod').key,
                                       'ApplicationOperations': [{'ApplicationVersionKey': billing, 'DeploymentZoneKey': ''}]})
    assert reply.text.startswith('"')  # key_quoting: quoted
    key = json.loads(reply.text)
    conflicts = api.get('/deployments/%s/' % key).json()['ApplicationConflicts']
    assert conflicts[0]['ModuleConflict']['ConflictType'] == 'Consumer Module Outdated'
    api.post('/deployments/%s/start/' % key)
    status = api.get('/deployments/%s/status/' % key).json()
    assert status['DeploymentStatus'] == 'finished_with_errors'
    assert 'disk full' in status['DeploymentLog'][-2]['Message']
    assert state.running_version('Prod', 'Billing') == '1.10'
    reply = api.post('/environments/%s/solution' % state.environment('Dev').key,
                     {'SolutionName': 'Doomed', 'ApplicationKeys': [state.application('Billing').key]})
    solution = json.loads(reply.text) if reply.text.startswith('"') else reply.text
    assert api.get('/environments/%s/solutionstatus/%s' % (state.environment('Dev').key, solution)).json() == {
        'Status': 'Aborted', 'StatusReason': 'No space left'}
    assert state.link_ttl_seconds == 120


def test_a_scenario_can_extend_the_default_world(tmp_path):
    path = tmp_path / 'extended.json'
    path.write_text(json.dumps({'base': 'default', 'settings': {'step_seconds': 2},
                                'applications': [{'name': 'Extra', 'versions': ['0.1'], 'running': {'Production': '0.1'}}]}))
    with Simulator('t', scenario=str(path)) as sim:
        assert sim.state.running_version('Production', 'Extra') == '0.1'
        assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'
        assert sim.state.step_seconds == 2


def test_a_scenario_can_be_a_dict():
    with Simulator('t', scenario={'environments': [{'name': 'Only'}]}) as sim:
        assert [e.name for e in sim.state.environments()] == ['Only']
        assert sim.state.environments()[0].default_zone().name == 'Global'


@pytest.mark.parametrize('scenario, message', [
    ({'planets': []}, 'unknown scenario sections'),
    ({'environments': [{'name': 'E', 'colour': 'blue'}]}, 'unknown environment fields'),
    ({'base': 'other'}, "'base' can only be 'default'"),
    ({'settings': {'key_quoting': 'sometimes'}}, 'key_quoting'),
    ({'settings': {'packaging_queued_steps': -1}}, 'packaging_queued_steps must be a whole number'),
    ({'settings': {'packaging_queued_steps': 1.5}}, 'packaging_queued_steps must be a whole number'),
    ({'settings': {'configuration_continues': 'yes'}}, 'configuration_continues must be true or false'),
    ({'environments': [{'name': 'E'}], 'applications': [{'name': 'A', 'versions': ['1'], 'running': {'E': '2'}}]}, 'version'),
    ({'environments': [{'name': 'E'}, {'name': 'F'}], 'applications': [{'name': 'A', 'versions': ['1']}],
      'deployments': [{'source': 'E', 'target': 'F', 'applications': {'A': '1'}, 'status': 'running'}]}, 'saved or terminal'),
    ({'rules': {'outcomes': [{'status': 'finished_beautifully'}]}}, 'outcome status'),
])
def test_bad_scenarios_are_refused_with_a_clear_message(scenario, message):
    with pytest.raises((ValueError, KeyError), match=message):
        Simulator('t', scenario=scenario)


def test_scenario_times():
    now = datetime.datetime(2024, 6, 1, 12, 0, tzinfo=datetime.timezone.utc)
    assert when('-2h30m', now) == now - datetime.timedelta(hours=2, minutes=30)
    assert when('-1.5d', now) == now - datetime.timedelta(hours=36)
    assert when('+90s', now) == now + datetime.timedelta(seconds=90)
    assert when('2024-01-15T10:00:00Z', now) == datetime.datetime(2024, 1, 15, 10, tzinfo=datetime.timezone.utc)
    assert when(datetime.date(2024, 1, 15), now) == datetime.datetime(2024, 1, 15, tzinfo=datetime.timezone.utc)
    assert when(None, now) == now
