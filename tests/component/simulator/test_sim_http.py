# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Auth, routing and the list/204 and key-as-text quirks of the simulator's HTTP API."""

from __future__ import annotations

import http.client
import json

import pytest

from tests.simulator.client import Client, key_of


def test_missing_token_answers_401_with_an_errors_body(simulator):
    reply = Client(simulator, token=None).get('/environments/')
    assert reply.status == 401
    assert reply.json() == {'Errors': [reply.json()['Errors'][0]], 'StatusCode': 401}
    assert 'Authorization' in reply.json()['Errors'][0]


def test_wrong_token_answers_401_without_echoing_it(simulator):
    reply = Client(simulator, token='not-the-secret-xyz').get('/environments/')
    assert reply.status == 401
    assert 'invalid' in reply.json()['Errors'][0]
    assert b'not-the-secret-xyz' not in reply.body
    assert simulator.token.encode() not in reply.body


def test_raw_token_without_bearer_is_refused_on_api_calls(simulator):
    assert Client(simulator, scheme=None).get('/environments/').status == 401


def test_read_only_token_can_read_but_not_write(make_simulator):
    sim = make_simulator(read_only_token='reader')
    reader = Client(sim, token='reader')
    assert reader.get('/environments/').status == 200
    before = len(sim.state.deployments())
    reply = reader.post('/deployments/', {'SourceEnvironmentKey': sim.state.environment('Development').key,
                                          'TargetEnvironmentKey': sim.state.environment('Production').key})
    assert reply.status == 403
    assert 'read-only' in reply.json()['Errors'][0]
    assert len(sim.state.deployments()) == before


@pytest.mark.parametrize('prefix', ['/lifetimeapi/rest/v2', '/lifetime/rest/v2', '/LifeTimeAPI/rest/v2'])
@pytest.mark.parametrize('slash', ['/', ''])
def test_both_api_bases_with_or_without_trailing_slash(simulator, prefix, slash):
    reply = Client(simulator, prefix=prefix).get('/environments' + slash)
    assert reply.status == 200
    assert [e['Name'] for e in reply.json()] == ['Development', 'Quality Assurance', 'Production']


def test_path_keys_match_case_insensitively(api, simulator):
    key = simulator.state.environment('Production').key
    reply = api.get('/environments/%s/' % key.upper())
    assert reply.status == 200 and reply.json()['Key'] == key


def test_unknown_path_404_and_wrong_method_405(api):
    assert api.get('/nothing/here/').status == 404
    reply = api.request('PATCH', '/environments/')
    assert reply.status == 405 and reply.headers['allow'] == 'GET'
    assert Client(api.base, prefix='').get('/somewhere/else').status == 404


def test_boolean_query_parameters_accept_any_case_and_refuse_garbage(api):
    upper = api.get('/applications/', query={'IncludeEnvStatus': 'TRUE'}).json()
    assert any(app['AppStatusInEnvs'] for app in upper)
    lower = api.get('/applications/', query={'includeenvstatus': 'false'}).json()
    assert not any(app['AppStatusInEnvs'] for app in lower)
    reply = api.get('/applications/', query={'IncludeEnvStatus': 'yes'})
    assert reply.status == 400 and 'IncludeEnvStatus' in reply.json()['Errors'][0]


def test_include_modules_without_env_status_is_a_400(api, simulator):
    assert api.get('/applications/', query={'IncludeModules': 'true'}).status == 400
    env = simulator.state.environment('Development').key
    assert api.get('/environments/%s/applications/' % env, query={'IncludeModules': 'true'}).status == 400


def test_empty_lists_answer_204_with_no_body(make_simulator):
    sim = make_simulator(scenario={'environments': [{'name': 'Lonely'}]})
    api = Client(sim)
    for path in ('/applications/', '/deployments/', '/modules/',
                 '/environments/%s/applications/' % sim.state.environment('Lonely').key):
        reply = api.get(path)
        assert (reply.status, reply.body) == (204, b''), path
        assert 'content-length' not in reply.headers


def test_empty_world_has_no_environments_either(make_simulator):
    reply = Client(make_simulator(scenario={})).get('/environments/')
    assert (reply.status, reply.body) == (204, b'')


def test_creating_calls_answer_the_key_as_text_bare_or_quoted(api, simulator, plan_factory):
    state = simulator.state
    body = {'ApplicationOperations': [{'ApplicationVersionKey': state.version('EmployeeBackoffice', '1.3').key,
                                       'DeploymentZoneKey': ''}],
            'SourceEnvironmentKey': state.environment('Development').key,
            'TargetEnvironmentKey': state.environment('Production').key}
    bare = api.post('/deployments/', body)
    assert bare.status == 201 and bare.headers['content-type'].startswith('text/plain')
    assert state.find_deployment(bare.text) is not None
    tagged = api.post('/environments/%s/applications/%s/versions/' % (state.environment('Development').key,
                                                                      state.application('Customer Portal').key),
                      {'Version': '2.2', 'ChangeLog': 'tag'})
    assert tagged.status == 201 and tagged.text.startswith('"') and tagged.text.endswith('"')
    assert state.find_version('Customer Portal', json.loads(tagged.text)).number == '2.2'
    assert key_of(tagged) == json.loads(tagged.text)
    state.configure(key_quoting='quoted')
    assert api.post('/deployments/', body).text.startswith('"')
    state.configure(key_quoting='alternate')
    texts = [api.post('/deployments/', body).text for attempt in range(2)]
    assert sorted(t.startswith('"') for t in texts) == [False, True]
    assert plan_factory()  # the fixture copes with either form


def test_bad_json_bodies_are_400_with_a_clear_message(api):
    reply = api.post('/deployments/', body=b'{not json', headers={'Content-Type': 'application/json'})
    assert reply.status == 400 and 'not valid JSON' in reply.json()['Errors'][0]
    reply = api.post('/deployments/', body=b'', headers={'Content-Type': 'application/json'})
    assert reply.status == 400 and 'empty' in reply.json()['Errors'][0]
    assert api.post('/deployments/', ['a list']).status == 400


def test_keep_alive_serves_several_requests_on_one_connection(simulator):
    connection = http.client.HTTPConnection('127.0.0.1', int(simulator.url.rsplit(':', 1)[1]), timeout=10)
    try:
        statuses = []
        for path in ('/lifetimeapi/rest/v2/environments/', '/lifetimeapi/rest/v2/nowhere', '/lifetimeapi/rest/v2/modules/'):
            connection.request('GET', path, headers={'Authorization': 'Bearer ' + simulator.token})
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        connection.request('POST', '/lifetimeapi/rest/v2/deployments/', body=b'{"x": 1}',
                           headers={'Authorization': 'Bearer wrong'})
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
        connection.request('GET', '/lifetimeapi/rest/v2/environments/', headers={'Authorization': 'Bearer ' + simulator.token})
        statuses.append(connection.getresponse().status)
    finally:
        connection.close()
    assert statuses == [200, 404, 200, 401, 200]


def test_chunked_request_bodies_are_read(simulator):
    state = simulator.state
    body = json.dumps({'SourceEnvironmentKey': state.environment('Development').key,
                       'TargetEnvironmentKey': state.environment('Production').key, 'ApplicationOperations': []}).encode()
    connection = http.client.HTTPConnection('127.0.0.1', int(simulator.url.rsplit(':', 1)[1]), timeout=10)
    try:
        connection.request('POST', '/lifetimeapi/rest/v2/deployments/', body=iter([body[:10], body[10:]]),
                           headers={'Authorization': 'Bearer ' + simulator.token, 'Content-Type': 'application/json'},
                           encode_chunked=True)
        response = connection.getresponse()
        assert response.status == 201, response.read()
    finally:
        connection.close()
