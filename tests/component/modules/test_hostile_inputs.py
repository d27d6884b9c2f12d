# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Operators' mistakes, each failing with one plain sentence that names the parameter, no traceback, and no write.

The connection and transport cases (request_timeout, ca_path, lifetime_url, redirects, hostile servers) are in
tests/component/test_transport_hostile.py; these are the options of the modules themselves.
"""

import datetime

import pytest

from tests import hostile_server

PROMOTE = dict(source_environment='Development', target_environment='Production', applications=[{'name': 'EmployeeBackoffice'}])


def refused(result, simulator, *words):
    """The task failed with a sentence holding every word, no traceback, and the simulator saw no write."""
    assert result.get('failed') is True, result
    assert 'exception' not in result and 'Traceback' not in result['msg'], result
    for word in words:
        assert word in result['msg'], (word, result['msg'])
    assert simulator.writes() == [], simulator.writes()


@pytest.mark.parametrize('module, args', [
    ('lifetime_deployment', dict(PROMOTE, wait_timeout=-1)),
    ('lifetime_deployment', dict(PROMOTE, queue_timeout=-5)),
    ('lifetime_binary_publish', dict(src='/nonexistent.oap', target_environment='Production', wait_timeout=-1)),
], ids=['deployment wait_timeout', 'deployment queue_timeout', 'publish wait_timeout'])
def test_a_negative_timeout_fails_naming_it_before_anything_is_sent(run_module, simulator, module, args):
    parameter = 'wait_timeout' if 'wait_timeout' in args else 'queue_timeout'
    result = run_module(module, args)
    refused(result, simulator, parameter, 'must be 0 or more')
    assert simulator.requests == []


@pytest.mark.parametrize('key', ['.', ' ', '..', 'a/b', '', '../deployments'])
def test_a_deployment_key_that_is_no_key_fails_naming_it_before_any_request(run_module, simulator, key):
    result = run_module('lifetime_deployment', dict(deployment_key=key))
    refused(result, simulator, 'deployment_key', 'is not a LifeTime key')
    assert simulator.requests == []


@pytest.mark.parametrize('module, args', [
    ('lifetime_solution', dict(environment='Production', applications=['Directory Mobile'], dest='/proc/Directory.osp')),
    ('lifetime_app_version', dict(application='EmployeeBackoffice', version='1.2', dest='/proc/EmployeeBackoffice.oap')),
    ('lifetime_app_version', dict(application='EmployeeBackoffice', environment='Development', dest='/sys/EmployeeBackoffice.oap')),
], ids=['solution in /proc', 'version download in /proc', 'running download in /sys'])
def test_a_dest_where_nothing_can_be_written_fails_before_lifetime_builds_anything(run_module, simulator, module, args):
    result = run_module(module, args)
    refused(result, simulator, 'dest', 'Nothing can be written')
    assert simulator.state.solutions() == []


@pytest.mark.parametrize('module, args, parameter', [
    ('lifetime_app_version', dict(application='EmployeeBackoffice', environment='Development', version=1.1), 'version'),
    ('lifetime_app_version', dict(application='EmployeeBackoffice', environment='Development', version=2), 'version'),
    ('lifetime_app_version', dict(application='Directory Mobile', environment='Development', version='0.5',
                                  mobile_versions=[dict(native_platform='Android', version_number=1.0)]), 'mobile_versions[0].version_number'),
    ('lifetime_app_version', dict(application='EmployeeBackoffice', version=1.1, state='absent'), 'version'),
    ('lifetime_deployment', dict(PROMOTE, applications=[{'name': 'EmployeeBackoffice', 'version': 1.1}]), 'applications[0].version'),
    ('lifetime_deployment', dict(PROMOTE, applications=[{'name': 'EmployeeBackoffice'}, {'name': 'Orders API', 'version': 1.0}]),
     'applications[1].version'),
], ids=['tag float', 'tag int', 'mobile float', 'delete float', 'deploy float', 'deploy second float'])
def test_an_unquoted_version_number_fails_and_says_to_quote_it(run_module, simulator, module, args, parameter):
    result = run_module(module, args)
    refused(result, simulator, parameter, 'Quote it')
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


# -- no silent downgrade ------------------------------------------------------------------------------------

def test_a_promote_that_would_go_back_fails_naming_both_versions_and_the_way_out(run_module, simulator):
    # Production got 1.3 straight from Development; Quality Assurance still runs 1.2.
    simulator.state.set_running_version('Production', 'EmployeeBackoffice', '1.3')
    result = run_module('lifetime_deployment', dict(source_environment='Quality Assurance', target_environment='Production',
                                                    applications=[{'name': 'EmployeeBackoffice'}]))
    refused(result, simulator, 'EmployeeBackoffice 1.2 is older than the 1.3 Production runs', 'rollback playbook', 'allow_downgrade')
    assert result['downgrades'][0]['from_version'] == '1.3' and result['downgrades'][0]['to_version'] == '1.2'
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'


def test_check_mode_refuses_the_downgrade_too(run_module, simulator):
    simulator.state.set_running_version('Production', 'EmployeeBackoffice', '1.3')
    result = run_module('lifetime_deployment', dict(source_environment='Quality Assurance', target_environment='Production',
                                                    applications=[{'name': 'EmployeeBackoffice'}]), check_mode=True)
    refused(result, simulator, 'older than the 1.3 Production runs')


def two_versions(state, older, newer):
    """Add ``older`` (tagged 20 days ago) and ``newer`` (yesterday); Quality Assurance runs the older, Production the newer."""
    state.add_version('EmployeeBackoffice', older, created_on=state.now() - datetime.timedelta(days=20))
    state.add_version('EmployeeBackoffice', newer, created_on=state.now() - datetime.timedelta(days=1))
    state.set_running_version('Quality Assurance', 'EmployeeBackoffice', older)
    state.set_running_version('Production', 'EmployeeBackoffice', newer)


QA_TO_PRODUCTION = dict(source_environment='Quality Assurance', target_environment='Production', applications=[{'name': 'EmployeeBackoffice'}])


@pytest.mark.parametrize('older, newer', [('1.0-hotfix', '1.0.1'), ('2024.01.15_1', '2024.01.15'), ('1.2.9', '1.2.10')])
def test_older_means_created_earlier_not_a_lower_number(run_module, simulator, older, newer):
    two_versions(simulator.state, older, newer)
    refused(run_module('lifetime_deployment', QA_TO_PRODUCTION), simulator, 'EmployeeBackoffice %s is older than the %s Production runs' % (older, newer))


def test_on_a_lifetime_without_labels_plain_numbers_are_ordered_by_creation_too(run_module, simulator):
    """1.10 was tagged before 1.9: going from 1.9 to 1.10 goes back, although 10 is more than 9."""
    simulator.state.configure(lifetime_version='11.20.0')
    two_versions(simulator.state, '1.10', '1.9')
    refused(run_module('lifetime_deployment', QA_TO_PRODUCTION), simulator, 'EmployeeBackoffice 1.10 is older than the 1.9 Production runs')


def test_a_version_tagged_later_with_a_lower_number_is_newer(run_module, simulator):
    """1.2.0 tagged after 1.10 is newer although 2 is less than 10: it deploys."""
    state = simulator.state
    two_versions(state, '1.10', '1.11')
    state.add_version('EmployeeBackoffice', '1.2.0', created_on=state.now())
    state.set_running_version('Quality Assurance', 'EmployeeBackoffice', '1.2.0')
    result = run_module('lifetime_deployment', QA_TO_PRODUCTION)
    assert result.get('failed') is not True and result['applications'][0]['downgrade'] is False, result
    assert state.running_version('Production', 'EmployeeBackoffice') == '1.2.0'


def test_allow_downgrade_deploys_the_older_version_and_the_summary_says_rolled_back(run_module, simulator):
    simulator.state.set_running_version('Production', 'EmployeeBackoffice', '1.3')
    result = run_module('lifetime_deployment', dict(source_environment='Quality Assurance', target_environment='Production', allow_downgrade=True,
                                                    applications=[{'name': 'EmployeeBackoffice'}]))
    assert result.get('failed') is not True, result
    assert result['applications'][0]['downgrade'] is True
    assert result['summary'][0] == 'EmployeeBackoffice 1.3 -> 1.2 (rolled back)'
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_previous_implies_the_downgrade(run_module, simulator):
    result = run_module('lifetime_deployment', dict(target_environment='Production', applications=[{'name': 'EmployeeBackoffice', 'version': 'previous'}]))
    assert result.get('failed') is not True, result
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.1'


# -- answers that are lists of objects, but not LifeTime's ----------------------------------------------------

@pytest.fixture
def proxy(simulator):
    """A hostile server in front of the simulator: what no route answers goes to the simulator."""
    with hostile_server.HostileServer(upstream=simulator.url) as server:
        yield server


@pytest.mark.parametrize('path, body', [
    ('/applications/', [{'Key': 'k', 'Name': 'EmployeeBackoffice', 'AppStatusInEnvs': [1, 2]}]),
    ('/applications/', [{'Key': 'k', 'Name': 'EmployeeBackoffice', 'AppStatusInEnvs': 'running'}]),
    ('/applications/', [{'Name': 'EmployeeBackoffice'}]),
    ('/environments/', [{'Key': 'k', 'Name': 'Production', 'Order': 'first'}, {'Name': 'Development'}]),
], ids=['statuses not objects', 'statuses not a list', 'no key', 'environment without key'])
def test_records_of_the_wrong_shape_fail_with_a_sentence_before_any_write(run_module, simulator, proxy, path, body):
    proxy.route('/lifetimeapi/rest/v2' + path, hostile_server.json_answer(body))
    result = run_module('lifetime_deployment', dict(PROMOTE, lifetime_url=proxy.url))
    refused(result, simulator, 'is lifetime_url the address of the LifeTime API', path)
