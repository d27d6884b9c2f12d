# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input gets one clear failure naming the parameter or the missing object, and LifeTime is not changed."""

import socket

import pytest

APP = 'EmployeeBackoffice'


def version_numbers(sim, app=APP):
    return [version.number for version in sim.state.versions(app)]


def accepted_writes(sim):
    """Writes LifeTime carried out (a refused request is logged too, with its error status)."""
    return [w for w in sim.writes() if w['status'] < 400]


# -- names of things that do not exist ------------------------------------------------------------------------------------

@pytest.mark.parametrize('module, args, parameter', [
    ('lifetime_environment_info', dict(name=['Staging']), 'name'),
    ('lifetime_application_info', dict(environment=['Staging']), 'environment'),
    ('lifetime_app_version', dict(application=APP, environment='Staging'), 'environment'),
    ('lifetime_app_version', dict(application=APP, environment='Staging', version='9.9', dest='/tmp/x.oap'), 'environment'),
])
def test_an_unknown_environment_fails_naming_the_parameter_and_listing_the_environments(run_module, simulator, module, args, parameter):
    result = run_module(module, args)

    assert result['failed'] is True
    assert "'Staging'" in result['msg'] and '(%s)' % parameter in result['msg']
    for env in simulator.state.environments():
        assert env.name in result['msg']
    assert simulator.writes() == []


@pytest.mark.parametrize('module, args, parameter', [
    ('lifetime_application_info', dict(name=['Payroll']), 'name'),
    ('lifetime_app_version', dict(application='Payroll', environment='Development'), 'application'),
    ('lifetime_app_version', dict(application='Payroll', version='1.0', state='absent'), 'application'),
])
def test_an_unknown_application_fails_naming_the_parameter_and_listing_the_applications(run_module, simulator, module, args, parameter):
    result = run_module(module, args)

    assert result['failed'] is True
    assert "'Payroll'" in result['msg'] and '(%s)' % parameter in result['msg']
    assert APP in result['msg']
    assert simulator.writes() == []


@pytest.mark.parametrize('module, args', [
    ('lifetime_application_info', dict(name=['portal'])),
    ('lifetime_app_version', dict(application='portal', environment='Development')),
    ('lifetime_app_version', dict(application='portal', version='1.0', state='absent')),
])
def test_two_applications_differing_only_in_case_fail_as_ambiguous_and_list_both(run_module, simulator, module, args):
    state = simulator.state
    for name in ('Portal', 'PORTAL'):
        app = state.add_application(name)
        state.add_version(app.key, '1.0')
        state.set_running_version('Development', app.key, '1.0', modified=True)
    simulator.clear_requests()

    result = run_module(module, args)

    assert result['failed'] is True
    assert 'ambiguous' in result['msg']
    assert 'Portal (' in result['msg'] and 'PORTAL (' in result['msg']
    assert sorted(c['name'] for c in result['candidates']) == ['PORTAL', 'Portal']
    assert simulator.writes() == []
    assert version_numbers(simulator, 'Portal') == ['1.0']


def test_the_exact_name_picks_one_of_two_applications_differing_in_case(run_module, simulator):
    state = simulator.state
    for name in ('Portal', 'PORTAL'):
        state.add_version(state.add_application(name).key, '1.0')

    result = run_module('lifetime_application_info', dict(name=['PORTAL']))

    assert [app['name'] for app in result['applications']] == ['PORTAL']


# -- malformed values: refused before LifeTime is asked anything -------------------------------------------------------------

@pytest.mark.parametrize('version', ['', '   ', 'x' * 51, '1.0 beta', '1/2', '"1.0"', '../1.0', '-1.0', '1.0\n', 'v1;DROP'])
@pytest.mark.parametrize('state', ['present', 'absent'])
def test_a_malformed_version_fails_naming_version_before_any_request(run_module, simulator, version, state):
    result = run_module('lifetime_app_version', dict(application=APP, environment='Development', version=version, state=state))

    assert result['failed'] is True
    assert result['msg'].startswith('version ')
    assert result['parameter'] == 'version'
    assert simulator.requests == []


def test_a_malformed_mobile_version_number_names_its_place(run_module, simulator):
    result = run_module('lifetime_app_version', dict(application='Directory Mobile', environment='Development', version='1.0',
                                                     mobile_versions=[dict(native_platform='iOS', version_number='1 0')]))

    assert result['failed'] is True
    assert 'mobile_versions[0].version_number' in result['msg']
    assert simulator.requests == []


def test_a_version_of_fifty_characters_is_accepted(run_module, simulator):
    number = '1.' + '0' * 48
    result = run_module('lifetime_app_version', dict(application=APP, environment='Production', version=number))

    assert result.get('failed') is not True, result
    assert result['version']['version'] == number
    assert simulator.state.version(APP, number).key == result['version']['key']


def test_dest_in_a_directory_that_does_not_exist_fails_naming_dest_before_any_request(run_module, simulator, tmp_path):
    dest = tmp_path / 'missing' / 'app.oap'

    result = run_module('lifetime_app_version', dict(application=APP, version='1.2', dest=str(dest)))

    assert result['failed'] is True
    assert 'dest' in result['msg'] and str(tmp_path / 'missing') in result['msg']
    assert simulator.requests == []
    assert not (tmp_path / 'missing').exists()


def test_dest_that_is_a_directory_fails_naming_dest(run_module, simulator, tmp_path):
    result = run_module('lifetime_app_version', dict(application=APP, version='1.2', dest=str(tmp_path)))

    assert result['failed'] is True
    assert 'dest' in result['msg'] and 'is a directory' in result['msg']
    assert simulator.requests == []


@pytest.mark.parametrize('args, parameter', [
    (dict(application=APP, state='absent'), 'version'),
    (dict(application=APP, version='1.2', state='absent', dest='/tmp/app.oap'), 'dest'),
    (dict(application=APP, version='1.2', dest='/tmp/app.apk', binary_type='apk'), 'binary_type'),
    (dict(application=APP, dest='/tmp/app.oap'), 'environment'),
    (dict(application=APP, version='1.2', binary_type='apk'), 'dest'),
    (dict(application=APP), 'environment'),
])
def test_options_that_do_not_go_together_fail_naming_the_option(run_module, simulator, args, parameter):
    result = run_module('lifetime_app_version', args)

    assert result['failed'] is True
    assert parameter in result['msg']
    assert simulator.writes() == []


def test_include_versions_below_zero_fails_naming_it(run_module, simulator):
    result = run_module('lifetime_application_info', dict(include_versions=-1))

    assert result['failed'] is True
    assert 'include_versions' in result['msg']
    assert simulator.requests == []


# -- connection: token, permissions, reachability, TLS ---------------------------------------------------------------------

@pytest.mark.parametrize('module, args', [
    ('lifetime_environment_info', {}),
    ('lifetime_application_info', {}),
    ('lifetime_app_version', dict(application=APP, environment='Development')),
])
def test_a_wrong_token_fails_saying_the_token_was_rejected(run_module, simulator, module, args):
    args = dict(args, lifetime_token='not-the-token')

    result = run_module(module, args)

    assert result['failed'] is True
    assert 'rejected the token' in result['msg'] and '401' in result['msg']
    assert 'lifetime_token' in result['msg']
    assert 'not-the-token' not in repr(result)
    assert simulator.writes() == []


def test_a_read_only_token_on_a_write_fails_with_the_permission_message_and_creates_nothing(run_module, make_simulator):
    sim = make_simulator(read_only_token='read-only-token')
    if not sim.state.is_modified('Development', APP):
        sim.state.mark_modified('Development', APP)
    before = version_numbers(sim)

    result = run_module('lifetime_app_version', dict(application=APP, environment='Development', lifetime_token='read-only-token'),
                        sim=sim)

    assert result['failed'] is True
    assert '403' in result['msg'] and 'not allowed' in result['msg']
    assert version_numbers(sim) == before
    assert accepted_writes(sim) == []


def test_a_read_only_token_can_still_read(run_module, make_simulator):
    sim = make_simulator(read_only_token='read-only-token')

    result = run_module('lifetime_application_info', dict(name=[APP], lifetime_token='read-only-token'), sim=sim)

    assert result.get('failed') is not True, result
    assert result['applications'][0]['name'] == APP
    assert sim.requests and all(entry['status'] == 200 for entry in sim.requests)


def _closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_an_unreachable_url_fails_saying_it_cannot_connect(run_module):
    url = 'http://127.0.0.1:%d' % _closed_port()

    result = run_module('lifetime_environment_info', dict(lifetime_url=url, lifetime_token='whatever'))

    assert result['failed'] is True
    assert 'cannot connect to http://127.0.0.1' in result['msg']


@pytest.mark.parametrize('module, args', [
    ('lifetime_environment_info', {}),
    ('lifetime_app_version', dict(application=APP, environment='Development')),
])
def test_an_untrusted_tls_certificate_fails_with_validate_certs(run_module, make_simulator, module, args):
    sim = make_simulator(tls=True)

    result = run_module(module, dict(args, validate_certs=True), sim=sim)

    assert result['failed'] is True
    assert 'TLS certificate verification failed' in result['msg'] and 'ca_path' in result['msg']
    assert sim.writes() == []


def test_the_ca_of_the_server_in_ca_path_makes_tls_work(run_module, make_simulator):
    sim = make_simulator(tls=True)

    result = run_module('lifetime_environment_info', dict(validate_certs=True, ca_path=sim.ca_cert_path), sim=sim)

    assert result.get('failed') is not True, result
    assert result['environments']


def test_validate_certs_false_accepts_a_self_signed_certificate(run_module, make_simulator):
    sim = make_simulator(tls=True)

    result = run_module('lifetime_environment_info', dict(validate_certs=False), sim=sim)

    assert result.get('failed') is not True, result
    assert [env['name'] for env in result['environments']] == [env.name for env in sim.state.environments()]
