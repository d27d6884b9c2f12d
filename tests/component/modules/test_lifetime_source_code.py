# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_source_code against the simulator: the packages LifeTime built, the requests it got, and the file on disk."""

import json
import os
import zipfile

import pytest

from tests import answers
from tests import hostile_server as hs
from tests.simulator.scenario import DATABASE_MAPPINGS_SCENARIO
from tests.support import sha256_file

MODULE = 'lifetime_source_code'
APP = 'EmployeeBackoffice'


def manifest(path):
    with zipfile.ZipFile(path) as package:
        return json.loads(package.read('manifest.json'))


def posts(sim):
    return [w for w in sim.writes() if w['method'] == 'POST' and w['path'].rstrip('/').endswith('/sourcecodeaccess')]


def polls(sim):
    return [r for r in sim.requests if r['method'] == 'GET' and r['path'].rstrip('/').endswith('/status')]


def links(sim):
    return [r for r in sim.requests if r['method'] == 'GET' and r['path'].rstrip('/').endswith('/download')]


def packages_of(sim, env, app=APP):
    """The API path under which the source code packages of ``app`` in ``env`` are made, read and downloaded."""
    keys = (sim.state.environment(env).key, sim.state.application(app).key)
    return '/lifetimeapi/rest/v2/environments/%s/applications/%s/sourcecodeaccess/' % keys


def leftovers(directory):
    return sorted(name for name in os.listdir(str(directory)) if name.startswith('.') or name.endswith('.part'))


def running_modules(sim, env, app=APP):
    status = sim.state.app_status(env, app)
    return sorted(sim.state.module_index[key.lower()].name for key in status.module_versions)


# -- an application -------------------------------------------------------------------------------------------------------

def test_the_source_code_of_what_runs_in_production_is_downloaded(run_module, simulator, tmp_path):
    dest = tmp_path / 'backoffice.zip'

    result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(dest)))

    assert result['changed'] is True, result
    package = simulator.state.find_source_package(result['package_key'])
    assert package is not None and package.status == 'Done'
    assert (package.env_key, package.app_key, package.module_key) == (
        simulator.state.environment('Production').key, simulator.state.application(APP).key, '')
    content = manifest(str(dest))
    assert (content['Kind'], content['SourceEnvironment']['Name']) == ('source', 'Production')
    assert [entry['Version'] for entry in content['Applications']] == [simulator.state.running_version('Production', APP)]
    assert sorted(m['ModuleName'] for m in content['Applications'][0]['Modules']) == running_modules(simulator, 'Production')
    assert result['checksum'] == sha256_file(str(dest)) and result['size'] == dest.stat().st_size
    assert leftovers(tmp_path) == []


def test_one_package_request_one_link_and_the_download(run_module, simulator, tmp_path):
    result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(tmp_path / 'backoffice.zip')))

    package = simulator.state.find_source_package(result['package_key'])
    assert len(posts(simulator)) == 1 and len(links(simulator)) == 1
    assert '/environments/%s/applications/%s/' % (package.env_key, package.app_key) in posts(simulator)[0]['path']
    assert posts(simulator)[0]['body'] is None


def test_the_result_names_the_version_that_runs_and_lifetimes_messages(run_module, simulator, tmp_path):
    dest = tmp_path / 'backoffice.zip'

    result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(dest)))

    assert (result['dest'], result['environment']) == (str(dest), 'Production')
    assert result['application'] == {'name': APP, 'key': simulator.state.application(APP).key,
                                     'version': simulator.state.running_version('Production', APP),
                                     'version_key': simulator.state.running_version_key('Production', APP), 'is_modified': False}
    assert result['status_history'] == ['InProgress', 'Done']
    assert [m['detail'] for m in result['messages']][0] == "Source code access for application '%s'." % APP


def test_a_second_run_builds_a_package_again_and_leaves_the_same_bytes_alone(run_module, simulator, tmp_path):
    dest = tmp_path / 'backoffice.zip'
    first = run_module(MODULE, dict(environment='Production', application=APP, dest=str(dest)))
    mtime = dest.stat().st_mtime_ns

    second = run_module(MODULE, dict(environment='Production', application=APP, dest=str(dest)), diff=True)

    assert first['changed'] is True and second['changed'] is False, (first, second)
    assert second['package_key'] != first['package_key']
    assert second['checksum'] == first['checksum']
    assert dest.stat().st_mtime_ns == mtime
    assert len(posts(simulator)) == 2
    assert 'already holds the same source code' in second['msg']
    assert second['diff']['before'] == second['diff']['after']


def test_a_changed_application_replaces_the_file_and_the_diff_shows_both_checksums(run_module, simulator, tmp_path):
    dest = tmp_path / 'backoffice.zip'
    first = run_module(MODULE, dict(environment='Development', application=APP, dest=str(dest)))
    simulator.state.set_running_version('Development', APP, '1.2')

    second = run_module(MODULE, dict(environment='Development', application=APP, dest=str(dest)), diff=True)

    assert second['changed'] is True, second
    assert manifest(str(dest))['Applications'][0]['Version'] == '1.2'
    assert second['diff']['before'] == {'path': str(dest), 'checksum': first['checksum'], 'size': first['size']}
    assert second['diff']['after'] == {'path': str(dest), 'checksum': sha256_file(str(dest)), 'size': dest.stat().st_size}


def test_a_modified_application_says_so_and_names_its_last_tag(run_module, simulator, tmp_path):
    assert simulator.state.is_modified('Development', 'Customer Portal')

    result = run_module(MODULE, dict(environment='Development', application='Customer Portal', dest=str(tmp_path / 'portal.zip')))

    assert result['application']['is_modified'] is True
    assert result['application']['version'] == simulator.state.running_version('Development', 'Customer Portal')


def test_the_wait_follows_the_status_until_done(run_module, make_simulator, tmp_path):
    sim = make_simulator(step_seconds=0.3)

    result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(tmp_path / 'a.zip')), sim=sim)

    assert result['changed'] is True, result
    assert result['status_history'] == ['InProgress', 'Done']
    assert len(polls(sim)) >= 2
    assert result['duration'] >= 0.5


def test_a_timeout_fails_with_the_last_status_and_writes_nothing(run_module, make_simulator, tmp_path):
    sim = make_simulator(step_seconds=30)
    dest = tmp_path / 'a.zip'

    result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(dest), wait_timeout=0), sim=sim)

    assert result['failed'] is True
    assert result['msg'].startswith('Timed out after 0 seconds waiting for the source code package %s' % result['package_key']), result
    assert 'last seen: InProgress.' in result['msg'] and 'longer wait_timeout' in result['msg']
    assert result['status_history'] == ['InProgress']
    assert not dest.exists() and leftovers(tmp_path) == []
    assert links(sim) == []


def test_a_status_that_is_neither_in_progress_nor_done_fails_with_lifetimes_messages(run_module, simulator, tmp_path):
    # The simulator's packages always end Done; a server in front of it changes the status it reports on its way to the module.
    def failed(record):
        return dict(record, Status='Failed', Messages=[{'Message': 'Packaging failed', 'Detail': 'Out of disk space', 'Type': 'Error'}])

    dest = tmp_path / 'a.zip'
    with hs.HostileServer(upstream=simulator.url) as proxy:
        proxy.route(packages_of(simulator, 'Production'), answers.changed(simulator, failed), method='GET')
        result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(dest), lifetime_url=proxy.url))

    assert result['failed'] is True
    assert result['msg'] == ('The source code package %s of application %s in Production ended with status Failed: Packaging failed: '
                             'Out of disk space. Nothing was downloaded; %s was left as it was.' % (result['package_key'], APP, dest))
    assert result['status_history'] == ['InProgress', 'Failed']
    assert not dest.exists() and links(simulator) == []
    assert len(posts(simulator)) == 1 and len(polls(simulator)) == 1


def test_a_package_queued_before_it_is_in_progress_is_waited_for_and_downloaded(run_module, make_simulator, tmp_path):
    # Queued for 0.7 s, then InProgress until 2.1 s: the polls (at about 1 s and 2.5 s) see each status.
    sim = make_simulator(step_seconds=0.7)
    sim.state.configure(packaging_queued_steps=1)
    dest = tmp_path / 'a.zip'

    result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(dest)), sim=sim)

    assert result.get('failed') is not True and result['changed'] is True, result
    history = result['status_history']
    assert history[0] == 'Queued' and history[-1] == 'Done' and history in (['Queued', 'InProgress', 'Done'], ['Queued', 'Done']), history
    assert sim.state.find_source_package(result['package_key']).status == 'Done'
    assert len(links(sim)) == 1 and manifest(str(dest))['Kind'] == 'source'
    assert result['checksum'] == sha256_file(str(dest))


def test_a_status_the_collection_does_not_know_is_waited_on_and_the_timeout_names_it(run_module, make_simulator, tmp_path):
    sim = make_simulator(step_seconds=30)
    sim.state.configure(packaging_queued_steps=1)
    dest = tmp_path / 'a.zip'

    result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(dest), wait_timeout=1), sim=sim)

    assert result['failed'] is True
    assert result['msg'].startswith('Timed out after 1 seconds waiting for the source code package %s' % result['package_key']), result
    assert 'last seen: Queued.' in result['msg'] and 'longer wait_timeout' in result['msg']
    assert result['status_history'] == ['Queued']
    assert len(polls(sim)) >= 1 and links(sim) == []
    assert sim.state.find_source_package(result['package_key']).status == 'Queued'
    assert not dest.exists() and leftovers(tmp_path) == []


def test_a_status_record_carrying_an_error_message_ends_the_wait_as_a_failure(run_module, simulator, tmp_path):
    # The simulator never reports an error; a server in front of it changes the record it answers on its way to the module.
    def erring(record):
        return dict(record, Status='InProgress', Messages=[{'Message': 'Preparing Source Code', 'Detail': 'Module EmployeeBackoffice is '
                                                            'protected by IPP', 'Type': 'Error'}])

    dest = tmp_path / 'a.zip'
    with hs.HostileServer(upstream=simulator.url) as proxy:
        proxy.route(packages_of(simulator, 'Production'), answers.changed(simulator, erring), method='GET')
        result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(dest), wait_timeout=5, lifetime_url=proxy.url))

    assert result['failed'] is True
    assert result['msg'] == ('The source code package %s of application %s in Production ended with status InProgress: Preparing Source '
                             'Code: Module EmployeeBackoffice is protected by IPP. Nothing was downloaded; %s was left as it was.'
                             % (result['package_key'], APP, dest)), result['msg']
    assert len(polls(simulator)) == 1 and links(simulator) == []
    assert not dest.exists()


# -- a module -------------------------------------------------------------------------------------------------------------

def test_the_source_code_of_one_module_is_downloaded(run_module, simulator, tmp_path):
    dest = tmp_path / 'cs.zip'
    module = simulator.state.module_index[next(key for key in simulator.state.app_status('Production', APP).module_versions
                                               if simulator.state.module_index[key.lower()].name == 'EmployeeBackoffice_CS').lower()]

    result = run_module(MODULE, dict(environment='Production', module='employeebackoffice_cs', dest=str(dest)))

    assert result['changed'] is True, result
    package = simulator.state.find_source_package(result['package_key'])
    assert package.module_key == module.key and package.module_keys == [module.key]
    assert [m['ModuleName'] for m in manifest(str(dest))['Applications'][0]['Modules']] == ['EmployeeBackoffice_CS']
    assert result['module'] == {'name': 'EmployeeBackoffice_CS', 'key': module.key, 'kind': 'eSpace',
                                'application_key': simulator.state.application(APP).key,
                                'module_version_key': simulator.state.app_status('Production', APP).module_versions[module.key]}
    assert '/environments/%s/modules/%s/' % (package.env_key, module.key) in posts(simulator)[0]['path']
    assert 'application' not in result


def test_an_extension_is_refused_before_anything_is_requested(run_module, make_simulator, tmp_path):
    sim = make_simulator(scenario=DATABASE_MAPPINGS_SCENARIO)

    result = run_module(MODULE, dict(environment='Development', module='BillingDatabase', dest=str(tmp_path / 'x.zip')), sim=sim)

    assert result['failed'] is True
    assert result['msg'].startswith('Module BillingDatabase is an extension: LifeTime gives no source code of extensions'), result
    assert result['parameter'] == 'module'
    assert sim.writes() == []


def test_a_module_that_does_not_run_there_fails_naming_the_parameter(run_module, simulator, tmp_path):
    result = run_module(MODULE, dict(environment='Production', module='GoogleMapsWeb', dest=str(tmp_path / 'x.zip')))

    assert result['failed'] is True
    assert result['msg'].startswith('Module GoogleMapsWeb does not run in Production (module)'), result
    assert simulator.writes() == []


# -- check mode -----------------------------------------------------------------------------------------------------------

def test_check_mode_resolves_everything_and_builds_nothing(run_module, simulator, tmp_path):
    dest = tmp_path / 'a.zip'

    result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(dest)), check_mode=True, diff=True)

    assert result['changed'] is True, result
    assert simulator.writes() == [] and not dest.exists()
    assert result['package_key'] is None and result['status_history'] == []
    assert result['application']['version'] == simulator.state.running_version('Production', APP)
    assert result['msg'].startswith('Check mode: would ask LifeTime for the source code of application %s as it runs in Production' % APP)
    assert 'diff' not in result


def test_check_mode_with_an_existing_dest_reports_no_change(run_module, simulator, tmp_path):
    dest = tmp_path / 'a.zip'
    dest.write_bytes(b'PK\x03\x04 old')

    result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(dest)), check_mode=True)

    assert result['changed'] is False, result
    assert 'whether it differs is only known by downloading' in result['msg']
    assert dest.read_bytes() == b'PK\x03\x04 old'
    assert simulator.writes() == []


# -- bad input: one sentence naming the parameter, nothing requested --------------------------------------------------------

def test_a_dest_whose_directory_does_not_exist_fails_before_any_request(run_module, simulator, tmp_path):
    result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(tmp_path / 'missing' / 'a.zip')))

    assert result['failed'] is True
    assert result['msg'].startswith('The directory of dest does not exist'), result
    assert result['parameter'] == 'dest'
    assert simulator.requests == []


def test_a_dest_that_is_a_directory_fails_before_any_request(run_module, simulator, tmp_path):
    result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(tmp_path)))

    assert result['failed'] is True
    assert result['msg'].startswith('dest %s is a directory' % tmp_path), result
    assert simulator.requests == []


def test_an_application_that_does_not_run_there_fails_naming_the_parameter(run_module, simulator, tmp_path):
    result = run_module(MODULE, dict(environment='Production', application='Google Maps Web', dest=str(tmp_path / 'x.zip')))

    assert result['failed'] is True
    assert result['msg'].startswith('Application Google Maps Web does not run in Production (application)'), result
    assert simulator.writes() == []


def test_an_unknown_environment_fails_listing_the_environments(run_module, simulator, tmp_path):
    result = run_module(MODULE, dict(environment='Staging', application=APP, dest=str(tmp_path / 'x.zip')))

    assert result['failed'] is True
    assert "'Staging'" in result['msg'] and '(environment)' in result['msg'] and 'Production' in result['msg']
    assert simulator.writes() == []


@pytest.mark.parametrize('args, text', [
    (dict(application=APP, module='EmployeeBackoffice_CS'), 'mutually exclusive'),
    (dict(), 'one of the following is required'),
])
def test_application_and_module_are_one_or_the_other(run_module, simulator, tmp_path, args, text):
    args.update(environment='Production', dest=str(tmp_path / 'x.zip'))

    result = run_module(MODULE, args)

    assert result['failed'] is True
    assert text in result['msg'], result
    assert simulator.requests == []


@pytest.mark.parametrize('args, parameter', [
    (dict(application=APP, wait_timeout=-1), 'wait_timeout'),
    (dict(application='  '), 'application'),
    (dict(module=''), 'module'),
])
def test_bad_values_fail_before_any_request(run_module, simulator, tmp_path, args, parameter):
    args.update(environment='Production', dest=str(tmp_path / 'x.zip'))

    result = run_module(MODULE, args)

    assert result['failed'] is True
    assert result['parameter'] == parameter and result['msg'].startswith(parameter), result
    assert simulator.requests == []


# -- LifeTime's failures and lost answers -----------------------------------------------------------------------------------

def test_a_lifetime_older_than_11_21_1_fails_with_its_answer(run_module, make_simulator, tmp_path):
    sim = make_simulator(scenario={'base': 'default', 'settings': {'lifetime_version': '11.20.0'}})

    result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(tmp_path / 'x.zip')), sim=sim)

    assert result['failed'] is True
    assert result['msg'].startswith('LifeTime could not find it (POST /environments/'), result
    assert '404 Not Found' in result['msg'] and 'Traceback' not in result['msg']


def test_a_package_request_whose_answer_is_lost_is_sent_once_more(run_module, simulator, tmp_path):
    simulator.inject_fault('POST', '/environments/*/applications/*/sourcecodeaccess/', drop=True, count=1, after_processing=True)
    dest = tmp_path / 'a.zip'

    result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(dest)))

    assert result['changed'] is True, result
    assert [w['status'] for w in posts(simulator)] == [None, 200]
    assert manifest(str(dest))['Kind'] == 'source'


def test_an_expired_link_is_asked_for_again(run_module, simulator, tmp_path):
    simulator.inject_fault('GET', '/downloads/*', status=410, count=1)
    dest = tmp_path / 'a.zip'

    result = run_module(MODULE, dict(environment='Production', application=APP, dest=str(dest)))

    assert result['changed'] is True, result
    assert len(links(simulator)) == 2
    assert result['checksum'] == sha256_file(str(dest))
