# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract: every request the collection sent during the whole test suite is one the Swagger definition allows.

`make pytest` runs the suite with LIFETIME_SIM_REQUEST_LOG_DIR set, so every simulator (in a test process or
started as ``python -m tests.simulator``) appends its request log to that directory; then it runs this file with
LIFETIME_CONTRACT_REQUEST_LOGS pointing at it. Only requests the collection's own client sent count (its
User-Agent, ``ansible-collection-outsystems.lifetime/<version>``): the simulator's tests and outsystems-pipeline
send requests of their own, some wrong on purpose. Each must match an operation of the definition (method and
path), send only the query parameters it declares and every one it requires, and a JSON body that validates
against its body schema. Departures the seeds back are in departures.py (and the simulator's README).
"""

from __future__ import annotations

import collections
import json
import os
from urllib.parse import unquote

import pytest

from tests.contract import departures
from tests.contract.definition import api_segments, load

LOGS_VARIABLE = 'LIFETIME_CONTRACT_REQUEST_LOGS'
COLLECTION_AGENT = 'ansible-collection-outsystems.lifetime/'
MINIMUM_REQUESTS = 1000
# What the collection does, by the operations each job needs; every job must be in the logs of a full run.
FLOWS = {
    'promote (lifetime_deployment, role promote)': {'Deployments_Create', 'Deployments_ExecuteCommand', 'Deployments_GetStatus'},
    'rollback (role rollback: the target\'s deployment history)': {'Deployments_List', 'Applications_Versions_List'},
    'tag (lifetime_app_version)': {'Environments_Applications_Versions_Create'},
    'download (lifetime_app_version)': {'Applications_Versions_Download', 'Environments_DownloadRunningApp', 'download link'},
    'solution (lifetime_solution)': {'Environments_SolutionCreate', 'Environments_SolutionStatus', 'Environments_SolutionDownload'},
    'publish (lifetime_binary_publish, role publish)': {'Deployments_CreateWithBinary', 'Deployments_Get', 'Deployments_Update'},
    'information (lifetime_environment_info, lifetime_application_info)': {
        'Environments_List', 'Applications_List', 'Environments_GetDeploymentZones', 'Applications_Versions_Get'},
    'governance (role governance: lifetime_role, lifetime_user, lifetime_team, lifetime_db_connection)': {
        'Roles_List', 'Roles_Create', 'Roles_Update', 'Roles_Delete', 'Users_List', 'Users_Create', 'Users_Update', 'Users_SetPassword',
        'Users_GrantApp', 'Teams_List', 'Teams_Create', 'Teams_AddUser', 'Teams_AddApplication', 'Environments_DBConnections_List',
        'Environments_DBConnections_Create', 'Environments_DBConnections_SetRolePermissions'},
}


def log_entries(directory):
    """Every logged request in the directory's *.jsonl files, in file order."""
    entries = []
    for name in sorted(os.listdir(directory)):
        if name.endswith('.jsonl'):
            with open(os.path.join(directory, name), encoding='utf-8') as handle:
                entries += [json.loads(line) for line in handle if line.strip()]
    return entries


def by_collection(entry):
    return (entry.get('user_agent') or '').startswith(COLLECTION_AGENT)


def classify(definition, entry):
    """(operationId, or 'download link', or None when the request matches no operation)."""
    segments = [unquote(s) for s in api_segments(entry.get('raw_path') or entry['path'])]
    if len(segments) == 2 and segments[0].lower() == departures.LINK_PATH[0] and entry['method'] in ('GET', 'HEAD'):
        return 'download link'
    op = definition.find_segments(entry['method'], segments)
    return op.id if op is not None else None


def problems(definition, entry):
    """What one request does that its operation does not allow: [(operationId or None, problem)]."""
    kind = classify(definition, entry)
    where = '%s %s' % (entry['method'], entry['path'])
    if kind is None:
        return [(None, '%s matches no operation of the definition' % where)]
    if kind == 'download link':
        return []
    op = definition.operation(kind)
    found = []
    declared = {p['name'].lower(): p for p in op.parameters('query')}
    sent = {name.lower(): name for name in entry.get('query') or {}}
    for lowered, name in sorted(sent.items()):
        if lowered not in declared and (op.id, name) not in departures.UNDECLARED_QUERY:
            found.append((op.id, 'sends the undeclared query parameter %s (%s)' % (name, where)))
    for lowered, param in sorted(declared.items()):
        if param.get('required') and lowered not in sent:
            found.append((op.id, 'misses the required query parameter %s (%s)' % (param['name'], where)))
    schema = departures.body_schema(definition, op)
    binary = schema is not None and schema.get('format') == 'binary'
    body = entry.get('body')
    if schema is None and body is not None:
        found.append((op.id, 'body: %s takes no body, got %s' % (where, json.dumps(body)[:200])))
    elif schema is not None and not binary:
        if body is None:
            found.append((op.id, 'body: %s sent no JSON body' % where))
        else:
            found += [(op.id, 'body: %s: %s' % (where, error)) for error in definition.errors(schema, body)]
    return found


@pytest.fixture(scope='module')
def sent():
    directory = os.environ.get(LOGS_VARIABLE)
    if not directory or not os.path.isdir(directory) or not any(n.endswith('.jsonl') for n in os.listdir(directory)):
        pytest.skip('%s names no directory of simulator request logs: `make pytest` runs this after the whole suite' % LOGS_VARIABLE)
    return [entry for entry in log_entries(directory) if by_collection(entry)]


def test_the_suite_exercised_every_job_of_the_collection(sent):
    definition = load()
    kinds = collections.Counter(classify(definition, entry) for entry in sent)
    assert len(sent) >= MINIMUM_REQUESTS, kinds
    missing = {flow: sorted(ops - set(kinds)) for flow, ops in FLOWS.items() if not ops <= set(kinds)}
    assert missing == {}


def test_every_request_the_collection_sent_is_allowed_by_the_definition(sent):
    definition = load()
    findings = sorted({finding[1] for entry in sent for finding in problems(definition, entry)})
    assert findings == []


# -- the checks themselves, on requests made up here (these run everywhere) -----------------------------

def _entry(method, path, query=None, body=None):
    return {'method': method, 'path': '/lifetimeapi/rest/v2' + path, 'query': query or {}, 'body': body,
            'user_agent': COLLECTION_AGENT + '1.0.0'}


def test_the_checks_accept_requests_the_definition_allows():
    definition = load()
    plan = {'ApplicationOperations': [{'ApplicationVersionKey': 'v', 'DeploymentZoneKey': ''}], 'Notes': '',
            'SourceEnvironmentKey': 's', 'TargetEnvironmentKey': 't'}
    for entry in (_entry('GET', '/applications/', {'IncludeEnvStatus': 'true'}), _entry('POST', '/deployments/', body=plan),
                  _entry('POST', '/deployments/k/start/', {'RedeployOutdated': 'true', 'ContinueWithErrors': 'true'}),
                  _entry('GET', '/applications/a/versions/v/', {'includemodules': 'false'}),
                  _entry('POST', '/environments/e/solution/', body={'SolutionName': 'S', 'ApplicationKeys': ['a'],
                                                                    'IncludeReferences': 'True'}),
                  _entry('POST', '/environments/e/deployment/'), _entry('GET', '/downloads/x')):
        assert problems(definition, entry) == [], entry


def test_the_checks_find_what_the_definition_does_not_allow():
    definition = load()
    assert problems(definition, _entry('GET', '/applications/', {'IncludeStatus': 'true'})) == [
        ('Applications_List', 'sends the undeclared query parameter IncludeStatus (GET /lifetimeapi/rest/v2/applications/)')]
    assert problems(definition, _entry('GET', '/applications/a/versions/v/')) == [
        ('Applications_Versions_Get',
         'misses the required query parameter IncludeModules (GET /lifetimeapi/rest/v2/applications/a/versions/v/)')]
    assert "body: PUT /lifetimeapi/rest/v2/deployments/k/: $: 'SourceEnvironmentKey' is a required property" in [
        problem for _op, problem in problems(definition, _entry('PUT', '/deployments/k/', body={'Notes': 'x'}))]
    assert problems(definition, _entry('POST', '/environments/e/solution/', body={'ApplicationKeys': ['a'], 'IncludeReferences': 'yes'}))
    assert problems(definition, _entry('POST', '/deployments/', body=None)) == [
        ('Deployments_Create', 'body: POST /lifetimeapi/rest/v2/deployments/ sent no JSON body')]
    assert problems(definition, _entry('GET', '/environments/e/applications/a/versions/')) == [
        (None, 'GET /lifetimeapi/rest/v2/environments/e/applications/a/versions/ matches no operation of the definition')]
    assert not by_collection(dict(_entry('GET', '/environments/'), user_agent='python-requests/2.32'))


def test_a_key_with_a_slash_is_one_path_segment():
    entry = dict(_entry('GET', '/applications/x/../y/versions/v/', {'IncludeModules': 'true'}),
                 raw_path='/lifetimeapi/rest/v2/applications/x%2F..%2Fy/versions/v/')
    assert classify(load(), entry) == 'Applications_Versions_Get'
