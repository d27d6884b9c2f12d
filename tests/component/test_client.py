# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""LifeTimeClient against the simulator: retries, faults, quirks, streaming. Each test checks the simulator's request log or state."""

import hashlib
import os
import socket
import zipfile

import pytest

from ansible_collections.outsystems.lifetime.plugins.module_utils._client import LifeTimeClient
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeAuthenticationError,
    LifeTimeInvalidStateError,
    LifeTimeNotFoundError,
    LifeTimeServerError,
    LifeTimeTransportError,
    LifeTimeUsageError,
)

PRODUCTION = '849515f2-b4ff-4aca-a9d6-9407bea655f4'
DEVELOPMENT = 'f3582e43-43c7-4bb4-8cbb-d9f6cbcbd35e'
EMPLOYEE_BACKOFFICE = 'c9a7a82e-0eee-4a3d-8e22-2a19c69c766f'


class Sleeps(list):
    """Records the backoff delays instead of sleeping them."""

    def __call__(self, seconds):
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def client(simulator, sleeps):
    made = LifeTimeClient(simulator.url, simulator.token, retries=3, sleep=sleeps)
    yield made
    made.close()


def calls(sim, method, suffix):
    return [entry for entry in sim.requests if entry['method'] == method and entry['path'].rstrip('/').endswith(suffix.rstrip('/'))]


def version_key(sim, app='EmployeeBackoffice', number='1.3'):
    return sim.state.version(app, number).key


# -- the basics and the quirks ------------------------------------------------------------------------

@pytest.mark.parametrize('suffix', ['', '/', '/lifetimeapi/rest/v2', '/lifetimeapi/rest/v2/', '/lifetime/rest/v2'])
def test_every_accepted_url_form_reaches_the_api(simulator, suffix):
    client = LifeTimeClient(simulator.url + suffix, simulator.token)
    names = [env['Name'] for env in client.list_environments()]
    assert names == ['Development', 'Quality Assurance', 'Production']
    assert simulator.requests[-1]['path'] == '/lifetimeapi/rest/v2/environments/'


def test_an_empty_list_answered_204_is_an_empty_list(client, simulator):
    assert client.list_deployments(target_env_key=DEVELOPMENT) == []
    assert simulator.requests[-1]['status'] == 204


@pytest.mark.parametrize('quoting', ['bare', 'quoted', 'alternate'])
def test_keys_answered_as_text_quoted_or_not_are_returned_clean(client, simulator, quoting):
    simulator.state.configure(key_quoting=quoting)
    keys = [client.create_deployment(DEVELOPMENT, PRODUCTION, [{'ApplicationVersionKey': version_key(simulator)}]) for dummy in range(2)]
    for key in keys:
        assert '"' not in key
        assert simulator.state.deployment(key).status == 'saved'


def test_a_version_created_answers_its_key(client, simulator):
    simulator.state.mark_modified('Development', 'EmployeeBackoffice')
    key = client.create_application_version(DEVELOPMENT, EMPLOYEE_BACKOFFICE, '1.4', change_log='tests')
    assert simulator.state.version('EmployeeBackoffice', '1.4').key == key


def test_a_wrong_token_is_an_authentication_error_that_never_shows_the_token(simulator):
    client = LifeTimeClient(simulator.url, 'not-the-token-8c1d', retries=0)
    with pytest.raises(LifeTimeAuthenticationError) as info:
        client.list_environments()
    assert 'rejected the token' in str(info.value) and '401' in str(info.value)
    assert 'not-the-token-8c1d' not in str(info.value)
    assert simulator.requests[-1]['status'] == 401


def test_not_found_carries_lifetimes_own_message(client, simulator):
    with pytest.raises(LifeTimeNotFoundError) as info:
        client.get('/environments/00000000-0000-0000-0000-000000000000/')
    assert info.value.status == 404
    assert '00000000-0000-0000-0000-000000000000' in info.value.lifetime_message
    assert info.value.path == '/environments/00000000-0000-0000-0000-000000000000/'


def test_a_refused_command_is_an_invalid_state_error(client, simulator):
    key = simulator.state.start_blocking_deployment('Production')
    with pytest.raises(LifeTimeInvalidStateError) as info:
        client.delete_deployment(key)
    assert info.value.status == 400 and not info.value.ambiguous
    assert simulator.state.deployment(key).status == 'running'


def test_keys_from_users_cannot_add_path_segments(client, simulator):
    with pytest.raises(LifeTimeNotFoundError):
        client.get_application_version('x/../../environments', 'y')
    assert simulator.requests[-1]['path'] == '/lifetimeapi/rest/v2/applications/x/../../environments/versions/y/'


# -- retries: GET and DELETE only ---------------------------------------------------------------------

@pytest.mark.parametrize('status', [429, 502, 503, 504])
def test_get_is_retried_on_busy_and_gateway_errors(client, simulator, sleeps, status):
    simulator.inject_fault('GET', '/environments/', status=status, count=2)
    assert len(client.list_environments()) == 3
    assert [entry['status'] for entry in calls(simulator, 'GET', '/environments/')] == [status, status, 200]
    assert len(sleeps) == 2


def test_retry_after_is_honoured(client, simulator, sleeps):
    simulator.inject_fault('GET', '/environments/', status=429, count=1, retry_after=3)
    client.list_environments()
    assert sleeps == [3.0]


def test_backoff_grows_exponentially_with_jitter_and_gives_up(simulator, sleeps):
    client = LifeTimeClient(simulator.url, simulator.token, retries=4, backoff_base=1.0, backoff_max=100, sleep=sleeps)
    simulator.inject_fault('GET', '/environments/', status=502)
    with pytest.raises(LifeTimeServerError) as info:
        client.list_environments()
    assert info.value.attempts == 5 and 'after 5 attempts' in str(info.value)
    assert len(calls(simulator, 'GET', '/environments/')) == 5
    assert [0 <= delay <= cap for delay, cap in zip(sleeps, [1, 2, 4, 8])] == [True] * 4


def test_a_500_is_not_retried(client, simulator):
    simulator.inject_fault('GET', '/environments/', status=500, count=1)
    with pytest.raises(LifeTimeServerError):
        client.list_environments()
    assert len(calls(simulator, 'GET', '/environments/')) == 1


def test_get_is_retried_after_a_dropped_connection(client, simulator):
    simulator.inject_fault('GET', '/environments/', drop=True, count=1)
    assert len(client.list_environments()) == 3
    assert [entry['status'] for entry in calls(simulator, 'GET', '/environments/')] == [None, 200]


def test_get_survives_a_fraction_of_failures(client, simulator):
    simulator.inject_fault('GET', '/environments/', status=503, fraction=0.3)
    for dummy in range(10):
        assert len(client.list_environments()) == 3
    assert any(entry['status'] == 503 for entry in calls(simulator, 'GET', '/environments/'))


def test_a_read_timeout_names_request_timeout(simulator):
    client = LifeTimeClient(simulator.url, simulator.token, timeout=0.3, retries=0)
    simulator.inject_fault('GET', '/environments/', latency=1.5, count=1)
    with pytest.raises(LifeTimeTransportError) as info:
        client.list_environments()
    assert 'request_timeout' in str(info.value)


@pytest.mark.parametrize('fault', [dict(status=503), dict(status=502), dict(drop=True)])
def test_post_is_never_resent(client, simulator, fault):
    simulator.inject_fault('POST', '/deployments/', count=1, **fault)
    before = len(simulator.state.deployments())
    with pytest.raises((LifeTimeServerError, LifeTimeTransportError)) as info:
        client.create_deployment(DEVELOPMENT, PRODUCTION, [{'ApplicationVersionKey': version_key(simulator)}])
    assert info.value.ambiguous is True
    assert len(calls(simulator, 'POST', '/deployments/')) == 1
    assert len(simulator.state.deployments()) == before


def test_a_post_answer_lost_after_processing_is_ambiguous_and_the_plan_exists(client, simulator):
    simulator.inject_fault('POST', '/deployments/', count=1, drop=True, after_processing=True)
    before = len(simulator.state.deployments())
    with pytest.raises(LifeTimeTransportError) as info:
        client.create_deployment(DEVELOPMENT, PRODUCTION, [{'ApplicationVersionKey': version_key(simulator)}], notes='lost')
    assert info.value.ambiguous and 'may or may not' in str(info.value)
    assert len(calls(simulator, 'POST', '/deployments/')) == 1
    assert len(simulator.state.deployments()) == before + 1


def test_delete_is_retried_and_a_404_after_a_lost_answer_means_done(client, simulator):
    key = client.create_deployment(DEVELOPMENT, PRODUCTION, [{'ApplicationVersionKey': version_key(simulator)}])
    simulator.inject_fault('DELETE', '/deployments/*/', count=1, drop=True, after_processing=True)
    client.delete_deployment(key)
    assert [entry['status'] for entry in calls(simulator, 'DELETE', key)] == [None, 404]
    assert simulator.state.find_deployment(key) is None


def test_delete_is_retried_on_503(client, simulator):
    key = client.create_deployment(DEVELOPMENT, PRODUCTION, [{'ApplicationVersionKey': version_key(simulator)}])
    simulator.inject_fault('DELETE', '/deployments/*/', count=1, status=503)
    client.delete_deployment(key)
    assert [entry['status'] for entry in calls(simulator, 'DELETE', key)] == [503, 204]


def test_an_unreachable_server_is_a_clear_transport_error():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    client = LifeTimeClient('http://127.0.0.1:%d' % port, 'token', retries=1, sleep=lambda seconds: None)
    with pytest.raises(LifeTimeTransportError) as info:
        client.list_environments()
    assert 'cannot connect to http://127.0.0.1:%d' % port in str(info.value)
    assert not info.value.ambiguous and info.value.attempts == 2


def test_an_empty_token_is_refused_before_any_request():
    with pytest.raises(LifeTimeUsageError, match='lifetime_token is empty'):
        LifeTimeClient('https://lifetime.example.com', '')


# -- TLS ----------------------------------------------------------------------------------------------

def test_tls_is_verified_and_ca_path_trusts_the_server(make_simulator):
    sim = make_simulator(tls=True)
    with pytest.raises(LifeTimeTransportError) as info:
        LifeTimeClient(sim.url, sim.token, retries=0).list_environments()
    assert 'TLS certificate verification failed' in str(info.value) and 'ca_path' in str(info.value)
    assert len(LifeTimeClient(sim.url, sim.token, ca_path=sim.ca_cert_path).list_environments()) == 3
    assert len(LifeTimeClient(sim.url, sim.token, validate_certs=False).list_environments()) == 3


# -- streaming ----------------------------------------------------------------------------------------

def _link_factory(client, simulator, counter):
    def get_link():
        counter.append(1)
        return client.application_version_link(EMPLOYEE_BACKOFFICE, version_key(simulator))
    return get_link


def test_download_streams_to_dest_with_its_sha256_and_is_idempotent(make_simulator, tmp_path):
    sim = make_simulator(binary_size_mb=3)
    client = LifeTimeClient(sim.url, sim.token)
    dest = tmp_path / 'EmployeeBackoffice.oap'
    first = client.download(_link_factory(client, sim, []), str(dest))
    assert first['changed'] is True and first['size'] == 3 * 1024 * 1024 == dest.stat().st_size
    assert first['sha256'] == hashlib.sha256(dest.read_bytes()).hexdigest()
    with zipfile.ZipFile(dest) as package:
        assert '"1.3"' in package.read('manifest.json').decode()
    second = client.download(_link_factory(client, sim, []), str(dest))
    assert second == dict(first, changed=False)
    assert sorted(os.listdir(tmp_path)) == ['EmployeeBackoffice.oap']


def test_an_expired_link_is_asked_for_again(client, simulator, tmp_path):
    asked = []
    first = client.application_version_link(EMPLOYEE_BACKOFFICE, version_key(simulator))
    simulator.state.expire_link(first['url'])

    def get_link():
        asked.append(1)
        return first if len(asked) == 1 else client.application_version_link(EMPLOYEE_BACKOFFICE, version_key(simulator))
    result = client.download(get_link, str(tmp_path / 'app.oap'))
    assert result['changed'] and len(asked) == 2
    assert [entry['status'] for entry in simulator.requests if '/downloads/' in entry['path']] == [410, 200]


def test_a_link_that_refuses_the_bearer_header_gets_the_raw_token(client, simulator, tmp_path):
    simulator.inject_fault('GET', '/downloads/*', status=401, count=1)
    client.download(_link_factory(client, simulator, []), str(tmp_path / 'app.oap'))
    assert [entry['status'] for entry in simulator.requests if '/downloads/' in entry['path']] == [401, 200]


def test_the_token_is_never_sent_to_a_link_on_another_host(client, simulator, tmp_path):
    link = client.application_version_link(EMPLOYEE_BACKOFFICE, version_key(simulator))
    elsewhere = dict(link, url=link['url'].replace('127.0.0.1', 'localhost'))
    with pytest.raises(LifeTimeAuthenticationError):
        client.download(lambda: elsewhere, str(tmp_path / 'app.oap'))
    assert not (tmp_path / 'app.oap').exists()


def test_a_dropped_download_is_retried_and_never_leaves_a_partial_file(simulator, sleeps, tmp_path):
    client = LifeTimeClient(simulator.url, simulator.token, retries=2, sleep=sleeps)
    simulator.inject_fault('GET', '/downloads/*', drop=True, count=1)
    assert client.download(_link_factory(client, simulator, []), str(tmp_path / 'ok.oap'))['changed']
    simulator.inject_fault('GET', '/downloads/*', drop=True)
    with pytest.raises(LifeTimeTransportError):
        client.download(_link_factory(client, simulator, []), str(tmp_path / 'broken.oap'))
    assert sorted(os.listdir(tmp_path)) == ['ok.oap']


def test_download_into_a_missing_directory_fails_before_any_request(client, simulator, tmp_path):
    with pytest.raises(LifeTimeUsageError, match='directory of dest does not exist'):
        client.download(lambda: pytest.fail('no link may be asked for'), str(tmp_path / 'missing' / 'app.oap'))
    assert simulator.requests == []


def test_upload_streams_a_package_and_reports_its_sha256(make_simulator, tmp_path):
    source = make_simulator(binary_size_mb=2)
    target = make_simulator(token='target-token-2b7e')
    package = tmp_path / 'EmployeeBackoffice.oap'
    source_client = LifeTimeClient(source.url, source.token)
    source_client.download(lambda: source_client.application_version_link(EMPLOYEE_BACKOFFICE, version_key(source)), str(package))
    key, sha256, size = LifeTimeClient(target.url, target.token).deploy_binary(PRODUCTION, str(package))
    uploaded = target.state.uploaded_packages[-1]
    assert (uploaded.sha256, uploaded.size, uploaded.deployment_key) == (sha256, size, key)
    assert sha256 == hashlib.sha256(package.read_bytes()).hexdigest()
    assert target.state.deployment(key).status == 'saved'
