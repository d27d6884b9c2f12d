# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Download links, streamed .oap/.osp packages, solutions and binary deployments across infrastructures."""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import urllib.parse
import zipfile

import pytest

from tests.simulator.client import Client, key_of
from tests.simulator.packages import PackageSpec

OTHER_INFRASTRUCTURE = {'environments': [
    {'name': 'Development', 'key': '7709a06f-e76f-4a88-b008-c72e77878a5c', 'type': 'Development'},
    {'name': 'Production', 'type': 'Production'},
]}


def _link(api, path, **query):
    reply = api.get(path, query=query or None)
    assert reply.status == 200, reply
    assert 'expires' in reply.headers
    assert set(reply.json()) == {'url', 'expires'}
    return reply.json()['url']


def _version_link(api, state, app='EmployeeBackoffice', version='1.3'):
    app = state.application(app)
    return _link(api, '/applications/%s/versions/%s/content/' % (app.key, state.version(app, version).key))


def _manifest(data):
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ['manifest.json', 'padding.bin']
    assert archive.testzip() is None
    return json.loads(archive.read('manifest.json'))


def _upload(api, env_key, data, content_type='application/octet-stream'):
    return api.post('/environments/%s/deployment/' % env_key, body=data, headers={'Content-Type': content_type})


def test_version_package_downloads_as_a_zip_with_a_manifest_first(api, simulator):
    url = _version_link(api, simulator.state)
    assert url.startswith(simulator.url + '/lifetimeapi/rest/v2/downloads/')
    reply = api.get(url)
    assert reply.status == 200
    assert reply.headers['content-type'] == 'application/octet-stream'
    assert int(reply.headers['content-length']) == len(reply.body)
    assert 'EmployeeBackoffice_1.3.oap' in reply.headers['content-disposition']
    manifest = _manifest(reply.body)
    assert manifest['Kind'] == 'oap'
    entry = manifest['Applications'][0]
    assert (entry['ApplicationName'], entry['Version']) == ('EmployeeBackoffice', '1.3')
    assert entry['ApplicationKey'] == 'c9a7a82e-0eee-4a3d-8e22-2a19c69c766f'
    assert entry['VersionKey'] == simulator.state.version('EmployeeBackoffice', '1.3').key
    assert [m['ModuleName'] for m in entry['Modules']] == ['EmployeeBackoffice', 'EmployeeBackoffice_CS']


def test_the_same_version_downloads_byte_identical_twice(api, simulator):
    first = api.get(_version_link(api, simulator.state)).body
    second = api.get(_version_link(api, simulator.state)).body
    assert first == second
    other = api.get(_version_link(api, simulator.state, version='1.2')).body
    assert other != first


def test_binary_size_sets_the_package_size(make_simulator):
    sim = make_simulator(binary_size_mb=3)
    api = Client(sim)
    data = api.get(_version_link(api, sim.state)).body
    assert len(data) == 3 * 1024 * 1024
    assert _manifest(data)['Applications'][0]['Version'] == '1.3'


def test_head_on_a_download_gives_its_length(api, simulator):
    url = _version_link(api, simulator.state)
    reply = api.request('HEAD', url)
    assert reply.status == 200 and reply.body == b''
    assert int(reply.headers['content-length']) == len(api.get(url).body)


def test_download_links_need_the_token_bearer_or_raw(api, simulator):
    url = _version_link(api, simulator.state)
    assert Client(simulator, token=None).get(url).status == 401
    assert Client(simulator, token='wrong', scheme=None).get(url).status == 401
    assert Client(simulator, scheme=None).get(url).status == 200  # "Authorization: <token>", as outsystems-pipeline sends


def test_download_links_expire(api, simulator):
    url = _version_link(api, simulator.state)
    simulator.state.advance_time(3601)
    reply = api.get(url)
    assert reply.status == 410 and 'expired' in reply.json()['Errors'][0]
    fresh = _version_link(api, simulator.state)
    simulator.state.expire_link(fresh)
    assert api.get(fresh).status == 410
    simulator.state.configure(link_ttl_seconds=5)
    short = _version_link(api, simulator.state)
    assert api.get(short).status == 200
    simulator.state.advance_time(5)
    assert api.get(short).status == 410
    assert api.get('/downloads/no-such-link').status == 404


def test_running_application_content_by_type(api, simulator):
    state = simulator.state
    dev = state.environment('Development').key

    def content(app, kind=None):
        return api.get('/environments/%s/applications/%s/content/' % (dev, state.application(app).key),
                       query={'Type': kind} if kind else None)

    apk = content('Directory Mobile', 'apk')
    assert apk.status == 200
    assert _manifest(api.get(apk.json()['url']).body)['NativePlatform'] == 'Android'
    assert content('Directory Mobile', 'ipa').status == 204  # no iOS build
    web = content('EmployeeBackoffice', 'apk')
    assert web.status == 400 and 'not a mobile application' in web.json()['Errors'][0]
    assert content('EmployeeBackoffice', 'zip').status == 400
    portal = _manifest(api.get(content('Customer Portal').json()['url']).body)
    assert portal['SourceEnvironment']['Name'] == 'Development'
    assert portal['Applications'][0]['IsModified'] is True


def test_solution_passes_through_every_status_then_downloads(make_simulator):
    sim = make_simulator(step_seconds=10)
    api, state = Client(sim), sim.state
    dev = state.environment('Development').key
    apps = [state.application('EmployeeBackoffice').key, state.application('Google Maps Web').key]
    reply = api.post('/environments/%s/solution' % dev, {'SolutionName': 'TestSolution', 'ApplicationKeys': apps,
                                                         'IncludeReferences': 'True'})
    assert reply.status == 201
    key = key_of(reply)
    seen = []
    for step in range(8):
        status = api.get('/environments/%s/solutionstatus/%s' % (dev, key)).json()
        assert set(status) == {'Status', 'StatusReason'}
        seen.append(status['Status'])
        if status['Status'] != 'Completed':
            refused = api.get('/environments/%s/solution/%s' % (dev, key))
            assert refused.status == 400 and status['Status'] in refused.json()['Errors'][0]
        state.advance_time(10)
    assert seen[:7] == ['Created', 'Ready', 'Gathering Dependencies', 'Getting Binaries', 'Generating Meta Model',
                        'Generating Solution', 'Completed']
    url = _link(api, '/environments/%s/solution/%s' % (dev, key))
    download = api.get(url)
    assert 'TestSolution.osp' in download.headers['content-disposition']
    manifest = _manifest(download.body)
    assert manifest['Kind'] == 'osp' and manifest['Solution']['Name'] == 'TestSolution'
    assert [a['ApplicationName'] for a in manifest['Applications']] == ['EmployeeBackoffice', 'Google Maps Web']
    assert [s.status for s in state.solutions()] == ['Completed']


def test_solution_waits_queued_for_packaging_queued_steps_and_a_rule_still_aborts_it(make_simulator):
    sim = make_simulator(step_seconds=10)
    api, state = Client(sim), sim.state
    state.configure(packaging_queued_steps=1)
    state.add_solution_rule(name='Doomed', reason='No space left.')
    dev = state.environment('Development').key
    body = {'ApplicationKeys': [state.application('EmployeeBackoffice').key], 'IncludeReferences': False}
    keys = [key_of(api.post('/environments/%s/solution' % dev, dict(body, SolutionName=name))) for name in ('Queued', 'Doomed')]
    seen = {key: [] for key in keys}
    for _step in range(9):
        for key in keys:
            seen[key].append(api.get('/environments/%s/solutionstatus/%s' % (dev, key)).json()['Status'])
        state.advance_time(10)
    assert seen[keys[0]][:8] == ['Queued', 'Created', 'Ready', 'Gathering Dependencies', 'Getting Binaries', 'Generating Meta Model',
                                 'Generating Solution', 'Completed']
    assert seen[keys[1]][:6] == ['Queued', 'Created', 'Ready', 'Gathering Dependencies', 'Getting Binaries', 'Aborted']
    assert [solution.status for solution in state.solutions()] == ['Completed', 'Aborted']
    assert api.get('/environments/%s/solution/%s' % (dev, keys[0])).status == 200


def test_solution_input_is_validated(api, simulator):
    state = simulator.state
    dev, prd = state.environment('Development').key, state.environment('Production').key
    maps = state.application('Google Maps Web').key
    assert api.post('/environments/%s/solution' % dev, {'SolutionName': 'S', 'ApplicationKeys': []}).status == 400
    reply = api.post('/environments/%s/solution' % prd, {'SolutionName': 'S', 'ApplicationKeys': [maps]})
    assert reply.status == 400 and 'not running' in reply.json()['Errors'][0]
    assert api.post('/environments/%s/solution' % dev, {'SolutionName': 'S', 'ApplicationKeys': [maps],
                                                        'IncludeReferences': 'maybe'}).status == 400
    body = {'SolutionName': 'S', 'ApplicationKeys': [maps], 'IncludeReferences': False}
    key = key_of(api.post('/environments/%s/solution' % dev, body))
    assert api.get('/environments/%s/solutionstatus/%s' % (prd, key)).status == 404
    assert api.get('/environments/%s/solutionstatus/%s' % (dev, 'nope')).status == 404
    assert api.get('/environments/%s/solutionstatus/%s' % (dev, key)).json()['Status'] == 'Completed'


def test_solution_rule_makes_it_abort_with_a_reason(api, simulator):
    state = simulator.state
    state.add_solution_rule(application='EmployeeBackoffice', reason='Module EmployeeBackoffice is IPP protected.')
    dev = state.environment('Development').key
    key = key_of(api.post('/environments/%s/solution' % dev, {
        'SolutionName': 'S', 'ApplicationKeys': [state.application('EmployeeBackoffice').key], 'IncludeReferences': 'False'}))
    status = api.get('/environments/%s/solutionstatus/%s' % (dev, key)).json()
    assert status == {'Status': 'Aborted', 'StatusReason': 'Module EmployeeBackoffice is IPP protected.'}
    reply = api.get('/environments/%s/solution/%s' % (dev, key))
    assert reply.status == 400 and 'IPP protected' in reply.json()['Errors'][0]


def test_package_deploys_to_another_infrastructure(api, simulator, make_simulator):
    state = simulator.state
    dev = state.environment('Development').key
    maps = state.application('Google Maps Web').key
    data = api.get(_link(api, '/environments/%s/applications/%s/content' % (dev, maps))).body
    other = make_simulator(scenario=OTHER_INFRASTRUCTURE)
    remote = Client(other)
    target = '7709a06f-e76f-4a88-b008-c72e77878a5c'
    reply = _upload(remote, target, data)
    assert reply.status == 201
    key = key_of(reply)
    details = remote.get('/deployments/%s/' % key).json()
    assert set(details) == {'Deployment', 'ApplicationsToDeploy', 'ApplicationsToRedeploy', 'ApplicationConflicts',
                            'ModulesToDelete'}
    module = simulator.state.module_index[simulator.state.application('Google Maps Web').module_keys[0].lower()]
    assert details['ApplicationsToDeploy'] == [{'ApplicationKey': maps, 'ApplicationName': 'Google Maps Web', 'IsNew': True,
                                                'ModulesInBinary': [{'ModuleKey': module.key, 'ModuleName': 'GoogleMapsWeb',
                                                                     'IsNew': True}]}]
    assert details['Deployment']['SourceEnvironmentKey'] == '' and details['Deployment']['ApplicationOperations'] == []
    assert remote.post('/deployments/%s/start/' % key).status == 202
    status = remote.get('/deployments/%s/status/' % key).json()
    assert status['DeploymentStatus'] == 'finished_successful'
    assert status['DeploymentLog'][0]['Message'] == 'Uploaded solution pack file from disk'
    assert other.state.running_version('Development', 'Google Maps Web') == '1.0'
    assert other.state.running_version_key('Development', 'Google Maps Web') == state.version(maps, '1.0').key
    upload = other.state.uploaded_packages[0]
    assert (upload.size, upload.sha256, upload.deployment_key) == (len(data), hashlib.sha256(data).hexdigest(), key)
    versions = remote.get('/applications/%s/versions/' % maps).json()
    assert [v['Version'] for v in versions] == ['1.0']
    again = key_of(_upload(remote, target, data))
    assert remote.get('/deployments/%s/' % again).json()['ApplicationsToDeploy'][0]['IsNew'] is False


def test_solution_package_deploys_every_application(api, simulator, make_simulator):
    state = simulator.state
    dev = state.environment('Development').key
    apps = [state.application(n).key for n in ('EmployeeBackoffice', 'Directory Mobile')]
    key = key_of(api.post('/environments/%s/solution' % dev, {'SolutionName': 'Pair', 'ApplicationKeys': apps}))
    data = api.get(_link(api, '/environments/%s/solution/%s' % (dev, key))).body
    other = make_simulator(scenario=OTHER_INFRASTRUCTURE)
    remote = Client(other)
    prd = other.state.environment('Production').key
    plan = key_of(_upload(remote, prd, data))
    remote.post('/deployments/%s/start/' % plan)
    assert other.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    assert other.state.running_version('Production', 'Directory Mobile') == '0.4'
    assert other.state.application('Directory Mobile').kind == 'Mobile'


@pytest.mark.parametrize('body, message', [
    (b'', 'empty'),
    (b'this is not a zip file at all', 'zip signature'),
    ('zip-without-manifest', 'no manifest'),
    ('apk', 'Kind'),
])
def test_upload_of_a_bad_body_is_a_400(api, simulator, body, message):
    if body == 'zip-without-manifest':
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, 'w') as archive:
            archive.writestr('module.oml', b'x' * 100)
        body = buffer.getvalue()
    elif body == 'apk':
        body = b''.join(PackageSpec({'Kind': 'apk', 'Applications': [{'ApplicationKey': 'a', 'ApplicationName': 'A',
                                                                      'Version': '1', 'VersionKey': 'v'}]}).stream().chunks())
    before = len(simulator.state.deployments())
    reply = _upload(api, simulator.state.environment('Production').key, body)
    assert reply.status == 400
    assert message in reply.json()['Errors'][0]
    assert len(simulator.state.deployments()) == before


def test_upload_needs_the_octet_stream_content_type(api, simulator):
    data = api.get(_version_link(api, simulator.state)).body
    reply = _upload(api, simulator.state.environment('Production').key, data, content_type='application/json')
    assert reply.status == 400 and 'application/octet-stream' in reply.json()['Errors'][0]
    assert _upload(api, 'unknown-env', data).status == 404


def test_large_packages_stream_both_ways_with_chunked_upload(make_simulator):
    sim = make_simulator(binary_size_mb=48)
    api = Client(sim)
    url = urllib.parse.urlsplit(_version_link(api, sim.state))
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    digest, size = hashlib.sha256(), 0
    chunks = []
    try:
        connection.request('GET', url.path, headers={'Authorization': sim.token})
        response = connection.getresponse()
        assert response.status == 200
        while True:
            piece = response.read(1 << 20)
            if not piece:
                break
            digest.update(piece)
            size += len(piece)
            chunks.append(piece)
        connection.request('POST', '/lifetimeapi/rest/v2/environments/%s/deployment/' % sim.state.environment('Production').key,
                           body=iter(chunks), encode_chunked=True,
                           headers={'Authorization': 'Bearer ' + sim.token, 'Content-Type': 'application/octet-stream'})
        upload = connection.getresponse()
        assert upload.status == 201, upload.read()
        upload.read()
    finally:
        connection.close()
    assert size == 48 * 1024 * 1024
    assert sim.state.uploaded_packages[0].sha256 == digest.hexdigest()
    assert sim.state.uploaded_packages[0].size == size


def test_binary_deployments_to_production_can_be_disabled(api, simulator):
    data = api.get(_version_link(api, simulator.state)).body
    simulator.state.configure(allow_binary_to_production=False)
    reply = _upload(api, simulator.state.environment('Production').key, data)
    assert reply.status == 400 and 'production' in reply.json()['Errors'][0]
    assert _upload(api, simulator.state.environment('Quality Assurance').key, data).status == 201


def test_solution_creation_can_answer_200_like_outsystems_pipeline_expects(api, simulator):
    simulator.state.configure(solution_create_status=200)
    state = simulator.state
    reply = api.post('/environments/%s/solution' % state.environment('Development').key,
                     {'SolutionName': 'S', 'ApplicationKeys': [state.application('Orders API').key], 'IncludeReferences': True})
    assert reply.status == 200 and state.find_solution(key_of(reply)) is not None


def _package_plan(api, simulator, make_simulator):
    """A saved plan in another infrastructure, created from the .oap of Google Maps Web; returns (client, simulator, key)."""
    dev = simulator.state.environment('Development').key
    maps = simulator.state.application('Google Maps Web').key
    data = api.get(_link(api, '/environments/%s/applications/%s/content' % (dev, maps))).body
    other = make_simulator(scenario=OTHER_INFRASTRUCTURE)
    remote = Client(other)
    return remote, other, key_of(_upload(remote, '7709a06f-e76f-4a88-b008-c72e77878a5c', data))


def test_a_package_plan_accepts_new_notes_but_not_other_changes(api, simulator, make_simulator):
    remote, other, key = _package_plan(api, simulator, make_simulator)
    assert remote.put('/deployments/%s/' % key, {'Notes': 'sha256=abc'}).status == 200
    assert other.state.deployment(key).notes == 'sha256=abc'
    # The whole body the definition requires, repeating what the plan has, changes only the notes.
    target = other.state.deployment(key).target_key
    whole = {'Notes': 'sha256=def', 'SourceEnvironmentKey': '', 'TargetEnvironmentKey': target.upper(), 'ApplicationOperations': []}
    assert remote.put('/deployments/%s/' % key, whole).status == 200
    assert other.state.deployment(key).notes == 'sha256=def'
    for change in ({'ApplicationOperations': [{'ApplicationVersionKey': 'b3d2ef6b-e5c5-4c7e-851e-0547f7bd634c', 'DeploymentZoneKey': ''}]},
                   {'SourceEnvironmentKey': other.state.environment('Production').key}):
        refused = remote.put('/deployments/%s/' % key, dict(whole, Notes='x', **change))
        assert refused.status == 400 and 'only Notes' in refused.json()['Errors'][0]
    assert other.state.deployment(key).notes == 'sha256=def'


def test_package_plans_can_be_made_read_only_like_a_stricter_lifetime(api, simulator, make_simulator):
    remote, other, key = _package_plan(api, simulator, make_simulator)
    other.state.configure(binary_plans_read_only=True)
    refused = remote.put('/deployments/%s/' % key, {'Notes': 'sha256=abc'})
    assert refused.status == 400 and 'read-only' in refused.json()['Errors'][0]
    assert other.state.deployment(key).notes == ''


def test_two_solutions_of_the_same_versions_download_byte_identical(api, simulator):
    dev = simulator.state.environment('Development').key
    body = {'SolutionName': 'Same', 'ApplicationKeys': [simulator.state.application('EmployeeBackoffice').key]}
    first, second = (key_of(api.post('/environments/%s/solution' % dev, body)) for dummy in range(2))
    assert first != second
    downloads = [api.get(_link(api, '/environments/%s/solution/%s' % (dev, key))).body for key in (first, second)]
    assert downloads[0] == downloads[1]


def test_conflict_rules_apply_to_package_plans(api, simulator, make_simulator):
    dev = simulator.state.environment('Development').key
    maps = simulator.state.application('Google Maps Web').key
    data = api.get(_link(api, '/environments/%s/applications/%s/content' % (dev, maps))).body
    other = make_simulator(scenario=OTHER_INFRASTRUCTURE)
    other.state.add_conflict_rule(target='Development', application='Google Maps Web', message='Needs the Maps API key')
    remote = Client(other)
    key = key_of(_upload(remote, '7709a06f-e76f-4a88-b008-c72e77878a5c', data))
    conflicts = remote.get('/deployments/%s/' % key).json()['ApplicationConflicts']
    assert [c['Message'] for c in conflicts] == ['Needs the Maps API key']
    assert conflicts[0]['ProducerApplicationOperation']['ApplicationKey'] == maps
