# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault injection: error answers, dropped connections, latency, after-processing failures."""

from __future__ import annotations

import http.client
import time

import pytest

from tests.simulator.client import Client
from tests.simulator.faults import parse_fault_spec


def _plan_body(state):
    return {'ApplicationOperations': [{'ApplicationVersionKey': state.version('EmployeeBackoffice', '1.3').key,
                                       'DeploymentZoneKey': ''}],
            'SourceEnvironmentKey': state.environment('Development').key,
            'TargetEnvironmentKey': state.environment('Production').key}


def test_status_fault_fails_only_the_first_n_matching_requests(api, simulator):
    simulator.inject_fault('GET', '/environments/', status=503, count=2)
    replies = [api.get('/environments/') for attempt in range(3)]
    assert [r.status for r in replies] == [503, 503, 200]
    assert replies[0].json()['StatusCode'] == 503 and replies[0].headers['retry-after'] == '1'
    assert api.get('/applications/').status == 200  # other routes untouched


def test_fault_patterns_match_placeholders_and_wildcards(api, simulator, plan_factory):
    key = plan_factory()
    simulator.inject_fault('*', '/deployments/{key}/status/', status=500, count=1)
    simulator.inject_fault('POST', '/deployments/*/start', status=502, count=1)
    assert api.get('/deployments/%s/status/' % key).status == 500
    assert api.get('/deployments/%s/status' % key).status == 200
    assert api.post('/deployments/%s/start/' % key).status == 502
    assert simulator.state.deployment(key).status == 'saved'  # the failed request did nothing
    assert api.post('/deployments/%s/start/' % key).status == 202


def test_429_carries_retry_after(api, simulator):
    simulator.inject_fault('GET', '/applications/', status=429, count=1, retry_after=3)
    reply = api.get('/applications/')
    assert reply.status == 429 and reply.headers['retry-after'] == '3'


def test_fraction_faults_repeat_with_the_same_seed(make_simulator):
    outcomes = []
    for run in range(2):
        sim = make_simulator()
        sim.inject_fault('GET', '/environments/', status=500, fraction=0.5)
        api = Client(sim)
        outcomes.append([api.get('/environments/').status for attempt in range(20)])
    assert outcomes[0] == outcomes[1]
    assert 3 < outcomes[0].count(500) < 17


def test_drop_closes_the_connection_without_an_answer(simulator, api):
    simulator.inject_fault('GET', '/environments/', drop=True, count=1)
    connection = http.client.HTTPConnection('127.0.0.1', int(simulator.url.rsplit(':', 1)[1]), timeout=10)
    try:
        connection.request('GET', '/lifetimeapi/rest/v2/environments/', headers={'Authorization': 'Bearer ' + simulator.token})
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            connection.getresponse()
    finally:
        connection.close()
    assert api.get('/environments/').status == 200
    assert [r['status'] for r in simulator.requests] == [None, 200]


def test_after_processing_the_plan_exists_although_the_answer_was_lost(api, simulator):
    state = simulator.state
    before = len(state.deployments())
    simulator.inject_fault('POST', '/deployments/', status=503, count=1, after_processing=True)
    reply = api.post('/deployments/', _plan_body(state))
    assert reply.status == 503
    assert len(state.deployments()) == before + 1
    assert state.latest_deployment('Production').status == 'saved'


def test_after_processing_drop_loses_the_answer_of_a_start(api, simulator, plan_factory):
    key = plan_factory()
    simulator.inject_fault('POST', '/deployments/*/start/', drop=True, count=1, after_processing=True)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        api.post('/deployments/%s/start/' % key)
    assert simulator.state.deployment(key).status == 'finished_successful'


def test_latency_delays_matching_requests_until_the_faults_are_cleared(api, simulator):
    fault = simulator.inject_fault('GET', '/environments/', latency=0.2)
    started = time.monotonic()
    assert api.get('/environments/').status == 200
    assert time.monotonic() - started >= 0.2 and fault.matched == 1
    simulator.clear_faults()
    # Counted, not timed: a request after the clearing is not matched, so nothing delays it.
    assert api.get('/environments/').status == 200
    assert fault.matched == 1


def test_global_latency(make_simulator):
    sim = make_simulator(latency=0.1)
    started = time.monotonic()
    Client(sim).get('/environments/')
    assert time.monotonic() - started >= 0.1


def test_faults_over_the_inspection_endpoints(api, simulator):
    inspect = Client(simulator, token=None, prefix='/_simulator')
    reply = inspect.post('/faults', {'method': 'POST', 'path': '/deployments/', 'status': 500, 'count': 1,
                                     'after_processing': True})
    assert reply.status == 201 and reply.json()['status'] == 500
    assert api.post('/deployments/', _plan_body(simulator.state)).status == 500
    assert inspect.get('/faults').json()[0]['matched'] == 1
    assert inspect.delete('/faults').status == 204
    assert inspect.get('/faults').json() == []
    assert inspect.post('/faults', {'method': 'GET', 'path': '/x'}).status == 400


@pytest.mark.parametrize('spec, expected', [
    ('POST /deployments/=503x1', {'method': 'POST', 'path': '/deployments/', 'status': 503, 'count': 1}),
    ('GET /deployments/*/status/=500@0.2', {'method': 'GET', 'path': '/deployments/*/status/', 'status': 500,
                                            'fraction': 0.2}),
    ('/environments/=drop', {'method': '*', 'path': '/environments/', 'drop': True}),
    ('POST /deployments/=dropx1,after', {'method': 'POST', 'path': '/deployments/', 'drop': True, 'count': 1,
                                         'after_processing': True}),
    ('GET /environments/=ok,latency=250', {'method': 'GET', 'path': '/environments/', 'latency': 0.25}),
    ('GET /applications/=429x2,retry-after=5', {'method': 'GET', 'path': '/applications/', 'status': 429, 'count': 2,
                                                'retry_after': 5}),
])
def test_fault_specs_from_the_command_line(spec, expected):
    assert parse_fault_spec(spec) == expected


@pytest.mark.parametrize('spec', ['no-equals', 'GET /x=teapot', 'A B C=500', 'GET /x=500,sometimes'])
def test_bad_fault_specs_are_refused(spec):
    with pytest.raises(ValueError):
        parse_fault_spec(spec)
