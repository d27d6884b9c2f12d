# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_doctor against the simulator: a verdict per check, GET requests only, a support file without secrets, names or keys."""

import datetime
import email.utils
import json
import os
import time

import pytest

from cryptography import x509

from tests.simulator import server as simulator_server

WRONG_TOKEN = 'not-the-service-account-token'


def doctor(run_module, sim, **args):
    return run_module('lifetime_doctor', args, sim=sim)


def lines(result):
    """{check: (verdict, found, advice)}."""
    return dict((item['check'], (item['verdict'], item['found'], item['advice'])) for item in result['checks'])


def only_gets(sim):
    return sim.requests and all(request['method'] == 'GET' for request in sim.requests) and sim.writes() == []


def tls_simulator(make_simulator):
    return make_simulator(tls=True)


def days_left(sim):
    with open(sim.ca_cert_path, 'rb') as handle:
        certificate = x509.load_pem_x509_certificate(handle.read())
    after = getattr(certificate, 'not_valid_after_utc', None) or certificate.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    return int((after - datetime.datetime.now(datetime.timezone.utc)).total_seconds() // 86400)


@pytest.fixture
def shifted_clock(monkeypatch):
    """shift(seconds): the simulator's answers carry a Date header that many seconds off the real clock."""
    def shift(seconds):
        monkeypatch.setattr(simulator_server.Handler, 'date_time_string',
                            lambda self, timestamp=None: email.utils.formatdate(time.time() + seconds, usegmt=True))
    return shift


def test_a_healthy_lifetime_over_tls_gives_ok_on_every_line_and_only_gets(run_module, make_simulator):
    sim = tls_simulator(make_simulator)

    # The simulator's certificate lasts two days: certificate_warn_days 1 keeps its line ok.
    result = doctor(run_module, sim, ca_path=sim.ca_cert_path, certificate_warn_days=1)

    assert result['verdict'] == 'ok', result['table']
    assert result['blocking'] == [] and not result.get('failed'), result
    found = lines(result)
    assert [check for check, line in found.items() if line[0] != 'ok'] == []
    assert 'verified against ca_path' in found['TLS chain'][1]
    assert found['TLS certificate dates'][1].endswith('%d days left' % days_left(sim))
    for env in sim.state.environments():
        assert found['environment %s' % env.name][0] == 'ok'
        assert 'deployment zones: %d' % len(env.zones) in found['environment %s' % env.name][1]
    assert found['applications'][1].startswith('%d applications readable' % len(sim.state.applications()))
    # One table: a header and one line per check.
    assert len(result['table']) == len(result['checks']) + 1
    assert only_gets(sim), sim.requests


def test_a_wrong_token_is_a_fail_line_and_nothing_else_is_asked_of_lifetime(run_module, simulator):
    result = doctor(run_module, simulator, lifetime_token=WRONG_TOKEN)

    assert not result.get('failed'), result
    assert result['blocking'] == ['token'] and result['verdict'] == 'fail'
    verdict, found, advice = lines(result)['token']
    assert verdict == 'fail' and '401' in found and 'lifetime_token' in advice
    assert [(request['method'], request['path'], request['status']) for request in simulator.requests] == [
        ('GET', '/lifetimeapi/rest/v2/environments/', 401)]
    assert WRONG_TOKEN not in json.dumps(result)


def test_an_environment_the_token_cannot_read_is_a_warn_line_naming_it(run_module, simulator):
    production = simulator.state.environment('Production')
    simulator.inject_fault('GET', '/environments/%s/deploymentzones/' % production.key, status=403)

    result = doctor(run_module, simulator)

    found = lines(result)
    assert found['environment Production'][0] == 'warn' and '403' in found['environment Production'][1]
    assert found['environment Development'][0] == 'ok'
    assert found['environments'][:2] == ('warn', '2 of 3 environments readable')
    assert result['blocking'] == []
    assert [request['status'] for request in simulator.requests if production.key in request['path']] == [403]
    assert only_gets(simulator)


def test_no_readable_environment_fails_the_environments_line(run_module, simulator):
    simulator.inject_fault('GET', '/environments/*/deploymentzones/', status=403)

    result = doctor(run_module, simulator)

    assert 'environments' in result['blocking']
    assert lines(result)['environments'][1] == 'none of the 3 environments can be read with this token'


def test_an_older_lifetime_shows_its_missing_features_as_warn_lines(run_module, simulator):
    simulator.state.configure(lifetime_version='11.20.0')

    result = doctor(run_module, simulator)

    found = lines(result)
    for check in ('version labels', 'database mappings', 'source code packages'):
        assert found[check][0] == 'warn', (check, found[check])
    assert found['database mappings'][1].startswith('absent: GET .../getmissingdbmappings/ answered 405')
    assert found['source code packages'][1].startswith('absent')
    assert found['version labels'][1].startswith('LifeTime names the running version in 0 of ')
    assert found['application configurations'][0] == 'ok'
    assert result['blocking'] == [] and result['support']['features'] == {
        'version labels': 'absent', 'database mappings': 'absent', 'application configurations': 'present', 'source code packages': 'absent'}
    assert only_gets(simulator)


def test_application_configurations_answering_404_is_a_warn_line(run_module, simulator):
    simulator.inject_fault('GET', '/applications/*/configurations/', status=404)

    result = doctor(run_module, simulator)

    verdict, found, advice = lines(result)['application configurations']
    assert verdict == 'warn' and found.startswith('absent') and 'lifetime_application_config' in advice
    assert any(request['path'].endswith('/configurations/') and request['status'] == 404 for request in simulator.requests)


def test_a_clock_some_hours_off_is_a_warn_line(run_module, simulator, shifted_clock):
    shifted_clock(2 * 3600)

    result = doctor(run_module, simulator)

    verdict, found, advice = lines(result)['clock']
    assert verdict == 'warn' and 'ahead of' in found and 'NTP' in advice, found
    assert 7100 <= result['support']['clock']['skew_seconds'] <= 7300
    assert result['blocking'] == []


def test_a_clock_days_off_fails_the_run(run_module, simulator, shifted_clock):
    shifted_clock(-2 * 86400)

    result = doctor(run_module, simulator)

    verdict, found, dummy = lines(result)['clock']
    assert verdict == 'fail' and 'behind' in found and '2.0 days' in found
    assert result['blocking'] == ['clock']


def test_a_certificate_that_does_not_verify_is_a_fail_line_and_no_request_is_sent(run_module, make_simulator, monkeypatch):
    sim = tls_simulator(make_simulator)
    monkeypatch.delenv('REQUESTS_CA_BUNDLE', raising=False)
    monkeypatch.delenv('CURL_CA_BUNDLE', raising=False)

    result = doctor(run_module, sim)

    verdict, found, advice = lines(result)['TLS chain']
    assert verdict == 'fail' and "requests' CA bundle" in found and 'ca_path' in advice, found
    assert result['blocking'] == ['TLS chain']
    # The handshake alone: not one request reached the API, so the token went nowhere.
    assert sim.requests == []


def test_the_chain_is_verified_against_requests_ca_bundle_variable_as_the_api_requests_are(run_module, make_simulator, monkeypatch):
    sim = tls_simulator(make_simulator)
    monkeypatch.delenv('CURL_CA_BUNDLE', raising=False)
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', sim.ca_cert_path)

    result = doctor(run_module, sim)

    verdict, found, dummy = lines(result)['TLS chain']
    assert verdict == 'ok' and found.startswith('verified against the CA bundle named by REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE (TLSv1.'), found
    # The API requests trusted the same bundle: the token line is LifeTime's answer.
    assert lines(result)['token'][0] == 'ok' and only_gets(sim)


def test_a_certificate_expiring_within_certificate_warn_days_is_a_warn_line(run_module, make_simulator):
    sim = tls_simulator(make_simulator)

    result = doctor(run_module, sim, ca_path=sim.ca_cert_path)

    verdict, found, advice = lines(result)['TLS certificate dates']
    assert verdict == 'warn' and found.endswith(': %d days left' % days_left(sim)) and advice.startswith('renew the certificate')
    assert result['support']['tls']['days_left'] == days_left(sim)
    assert result['blocking'] == []


def test_validate_certs_false_warns_and_tells_whether_the_chain_would_verify(run_module, make_simulator):
    sim = tls_simulator(make_simulator)

    result = doctor(run_module, sim, validate_certs=False, ca_path=sim.ca_cert_path)

    verdict, found, advice = lines(result)['TLS chain']
    assert verdict == 'warn' and 'yet the certificate verifies against ca_path' in found
    assert lines(result)['token'][0] == 'ok' and only_gets(sim)


def test_a_proxy_from_the_environment_is_shown_with_its_credentials_masked(run_module, simulator, monkeypatch):
    # The simulator answers absolute-form requests too, so it serves as the proxy of plain http here.
    proxy = 'http://proxy-user:proxy-secret@127.0.0.1:%d' % simulator.port
    for name in ('NO_PROXY', 'no_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('HTTP_PROXY', proxy)

    result = doctor(run_module, simulator)

    verdict, found, dummy = lines(result)['proxy']
    assert verdict == 'ok' and found.startswith('http://***@127.0.0.1:%d' % simulator.port), found
    text = json.dumps(result)
    assert 'proxy-secret' not in text and 'proxy-user' not in text
    assert result['support']['connection']['proxy'] == {'in_use': True, 'scheme': 'http', 'credentials': True, 'connects': True}
    assert lines(result)['token'][0] == 'ok' and only_gets(simulator)


def _identifying(sim):
    """The token and every name, host name and key the simulator holds."""
    state = sim.state
    found = {sim.token}
    for env in state.environments():
        found.update((env.key, env.name, env.host_name))
        for zone in env.zones:
            found.update((zone.key, zone.name))
    for app in state.applications():
        found.update((app.key, app.name))
        for module_key in app.module_keys:
            found.update((module_key, state.module_index[module_key.lower()].name))
        for version in state.versions(app):
            found.add(version.key)
    for plan in state.deployments():
        found.add(plan.key)
    return sorted(value for value in found if value)


def test_the_support_file_holds_what_was_seen_and_no_token_name_or_key(run_module, simulator, tmp_path):
    dest = tmp_path / 'doctor.json'

    result = doctor(run_module, simulator, dest=str(dest))

    assert result['changed'] and result['dest'] == str(dest)
    text = dest.read_text(encoding='utf-8')
    support = json.loads(text)
    assert support == result['support'] and support['format'] == 'outsystems.lifetime.doctor/1'
    assert support['environments']['count'] == len(simulator.state.environments())
    assert support['applications']['count'] == len(simulator.state.applications())
    assert 'BaseApplicationVersionLabel' in support['applications']['status_fields']
    assert support['deployments']['created_on_formats'] and all('9999-99-99T' in shape for shape in support['deployments']['created_on_formats'])
    assert support['answers']['GET /environments/'] == {'200': 1}
    found = [value for value in _identifying(simulator) if value.lower() in text.lower()]
    assert found == []
    assert only_gets(simulator)


def test_check_mode_does_not_write_the_support_file(run_module, simulator, tmp_path):
    dest = tmp_path / 'doctor.json'

    result = run_module('lifetime_doctor', dict(dest=str(dest)), check_mode=True, sim=simulator)

    assert result['changed'] and not dest.exists()
    assert only_gets(simulator)


def test_a_dest_that_is_not_a_support_file_is_refused_before_any_request(run_module, simulator, tmp_path):
    dest = tmp_path / 'notes.txt'
    dest.write_text('my notes\n', encoding='utf-8')

    result = doctor(run_module, simulator, dest=str(dest))

    assert result['failed'] and result['msg'].startswith('dest %s exists and is not a support file of lifetime_doctor' % dest)
    assert dest.read_text(encoding='utf-8') == 'my notes\n'
    assert simulator.requests == []


def test_a_support_file_is_replaced_by_the_next_run(run_module, simulator, tmp_path):
    dest = tmp_path / 'doctor.json'
    doctor(run_module, simulator, dest=str(dest))
    os.chmod(str(dest), 0o600)
    simulator.state.configure(lifetime_version='11.20.0')

    result = doctor(run_module, simulator, dest=str(dest))

    assert result['changed'] and json.loads(dest.read_text(encoding='utf-8'))['features']['database mappings'] == 'absent'
    assert os.stat(str(dest)).st_mode & 0o777 == 0o600
    assert [name for name in os.listdir(str(tmp_path)) if name != 'doctor.json'] == []


# --- review 18: an expired certificate, a catch-all answering in LifeTime's place, a proxy with credentials


def _expired_self_signed(directory):
    """The simulator's certificate for 127.0.0.1, but one that expired three days ago."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=400)).not_valid_after(now - datetime.timedelta(days=3))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(directory, 'cert.pem'), os.path.join(directory, 'key.pem')
    with open(cert_path, 'wb') as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, 'wb') as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def expired_simulator(make_simulator, monkeypatch):
    from tests.simulator import tls
    monkeypatch.setattr(tls, 'write_self_signed', _expired_self_signed)
    return make_simulator(tls=True)


def test_an_expired_certificate_with_the_right_ca_path_says_renew_it_not_set_ca_path(run_module, expired_simulator):
    sim = expired_simulator

    result = doctor(run_module, sim, ca_path=sim.ca_cert_path)

    chain, dates = lines(result)['TLS chain'], lines(result)['TLS certificate dates']
    assert chain[0] == 'fail' and 'certificate has expired' in chain[1], chain
    assert 'renew the certificate' in chain[2] and 'clock' in chain[2] and 'ca_path' not in chain[2], chain
    assert dates[0] == 'fail' and dates[1].startswith('expired on '), dates
    assert sorted(result['blocking']) == ['TLS certificate dates', 'TLS chain']
    # The handshake alone: nothing reached the API.
    assert sim.requests == []


def test_an_expired_certificate_with_validate_certs_false_warns_and_the_api_is_read(run_module, expired_simulator):
    sim = expired_simulator

    result = doctor(run_module, sim, ca_path=sim.ca_cert_path, validate_certs=False)

    chain, dates = lines(result)['TLS chain'], lines(result)['TLS certificate dates']
    assert chain[0] == 'warn' and 'renew the certificate' in chain[2] and 'set ca_path' not in chain[2], chain
    assert dates[0] == 'warn' and dates[1].startswith('expired on ') and 'validate_certs is false' in dates[1], dates
    assert result['blocking'] == [] and result['verdict'] == 'warn', result['table']
    # Deployments with verification off work: the doctor read LifeTime, GET requests only.
    assert lines(result)['token'][0] == 'ok' and only_gets(sim)


def _catch_all(monkeypatch, answer, routes=None):
    """The simulator's API answering ``answer`` (a Response) to every GET whose path holds one of ``routes`` (every GET when None),
    after checking the token, as a catch-all proxy or sign-in page in front of LifeTime would."""
    from tests.simulator import routes as simulator_routes
    original = simulator_server.Handler._dispatch

    def dispatch(self, simulator, method, path, segments, query, body):
        if method == 'GET' and (routes is None or any(route in path for route in routes)):
            return answer(simulator_routes.Response)
        return original(self, simulator, method, path, segments, query, body)
    monkeypatch.setattr(simulator_server.Handler, '_dispatch', dispatch)
    return original


FEATURE_ROUTES = ('/getmissingdbmappings/', '/configurations/', '/sourcecodeaccess/')
FEATURES = ('database mappings', 'application configurations', 'source code packages')


def test_a_catch_all_answering_200_and_an_empty_list_to_every_get_shows_no_feature_as_present(run_module, simulator, monkeypatch):
    _catch_all(monkeypatch, lambda response: response.json(200, []))

    result = doctor(run_module, simulator)

    found = lines(result)
    for check in FEATURES:
        assert found[check][0] == 'warn' and found[check][1].startswith('unknown: ') and 'answered 200' in found[check][1], found[check]
    assert all(result['support']['features'][check] == 'unknown' for check in FEATURES), result['support']['features']
    assert [request['status'] for request in simulator.requests if any(route in request['path'] for route in FEATURE_ROUTES)] == [200, 200, 200]
    assert only_gets(simulator)


def test_a_sign_in_page_on_the_feature_routes_shows_them_unknown_and_real_answers_present(run_module, simulator, monkeypatch):
    original = _catch_all(monkeypatch, lambda response: response(200, b'<html><body>Sign in</body></html>', content_type='text/html'),
                          routes=FEATURE_ROUTES)

    result = doctor(run_module, simulator)

    found = lines(result)
    for check in FEATURES:
        assert found[check][0] == 'warn' and found[check][1].startswith('unknown: ') and 'not JSON' in found[check][1], found[check]
    assert found['token'][0] == 'ok' and found['applications'][0] == 'ok'
    assert [request['status'] for request in simulator.requests if any(route in request['path'] for route in FEATURE_ROUTES)] == [200, 200, 200]
    monkeypatch.setattr(simulator_server.Handler, '_dispatch', original)
    simulator.clear_requests()
    real = lines(doctor(run_module, simulator))
    assert [real[check][0] for check in FEATURES] == ['ok', 'ok', 'ok'], real
    assert only_gets(simulator)


def _without_proxy_variables(monkeypatch):
    for name in ('NO_PROXY', 'no_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'HTTP_PROXY', 'http_proxy'):
        monkeypatch.delenv(name, raising=False)


def test_a_proxy_that_cannot_be_reached_fails_its_line_and_no_line_shows_its_user_or_password(run_module, simulator, monkeypatch):
    _without_proxy_variables(monkeypatch)
    monkeypatch.setenv('HTTP_PROXY', 'http://alice:S3cretPW@127.0.0.1:9/')

    result = doctor(run_module, simulator, request_timeout=5)

    verdict, found, advice = lines(result)['proxy']
    assert verdict == 'fail' and found.startswith('http://***@127.0.0.1:9/') and 'cannot connect' in found, found
    assert 'HTTP_PROXY' in advice, advice
    api = lines(result)['LifeTime API']
    assert api[0] == 'fail' and '***@127.0.0.1:9' in api[1], api
    text = json.dumps(result)
    assert 'alice' not in text and 'S3cretPW' not in text
    assert 'proxy' in result['blocking']
    # Nothing reached LifeTime: every request went to the proxy that does not answer.
    assert simulator.requests == []


@pytest.mark.parametrize('address', ['http://alice:S3cretPW@[::1', 'http://alice:S3cretPW@proxy.example.com:99999', 'alice:S3cretPW@127.0.0.1:3128'])
def test_a_proxy_address_requests_cannot_use_fails_its_line_and_nothing_is_sent(run_module, simulator, monkeypatch, address):
    _without_proxy_variables(monkeypatch)
    monkeypatch.setenv('HTTP_PROXY', address)

    result = doctor(run_module, simulator, request_timeout=5)

    assert 'exception' not in result and not result.get('failed'), result
    verdict, found, advice = lines(result)['proxy']
    assert verdict == 'fail' and found.startswith('the proxy address from the environment '), found
    assert 'HTTP_PROXY' in advice, advice
    assert 'proxy' in result['blocking']
    text = json.dumps(result)
    assert 'alice' not in text and 'S3cretPW' not in text
    assert simulator.requests == []

# --- review 17: a dest nested too deep to decode, a support file given to another owner


def test_a_dest_of_json_nested_too_deep_to_decode_is_refused_before_any_request(run_module, simulator, tmp_path):
    dest = tmp_path / 'deep.json'
    deep = '[' * 100000 + ']' * 100000
    dest.write_text(deep, encoding='utf-8')

    result = doctor(run_module, simulator, dest=str(dest))

    assert result['failed'] and result['msg'].startswith('dest %s exists and is not a support file of lifetime_doctor' % dest), result['msg']
    assert 'recursion' not in result['msg'] and 'Traceback' not in str(result)
    assert dest.read_text(encoding='utf-8') == deep
    assert simulator.requests == []


def test_a_support_file_larger_than_a_support_file_is_is_refused_unread(run_module, simulator, tmp_path):
    dest = tmp_path / 'doctor.json'
    doctor(run_module, simulator, dest=str(dest))
    padded = dest.read_text(encoding='utf-8') + ' ' * (2 * 1024 * 1024)
    dest.write_text(padded, encoding='utf-8')
    simulator.clear_requests()

    result = doctor(run_module, simulator, dest=str(dest))

    assert result['failed'] and result['msg'].startswith('dest %s exists and is not a support file of lifetime_doctor' % dest), result['msg']
    assert dest.read_text(encoding='utf-8') == padded
    assert simulator.requests == []


@pytest.mark.skipif(os.geteuid() != 0, reason='only root gives a file to another owner')
def test_a_support_file_replaced_by_the_next_run_keeps_its_owner_group_and_mode(run_module, simulator, tmp_path):
    dest = tmp_path / 'doctor.json'
    doctor(run_module, simulator, dest=str(dest))
    os.chown(str(dest), 65534, 65534)
    os.chmod(str(dest), 0o604)
    simulator.state.configure(lifetime_version='11.20.0')
    simulator.clear_requests()

    result = doctor(run_module, simulator, dest=str(dest))

    assert result['changed'] and json.loads(dest.read_text(encoding='utf-8'))['features']['database mappings'] == 'absent'
    status = os.stat(str(dest))
    assert (status.st_uid, status.st_gid, status.st_mode & 0o7777) == (65534, 65534, 0o604)
    assert [name for name in os.listdir(str(tmp_path)) if name != 'doctor.json'] == []
    assert only_gets(simulator)
