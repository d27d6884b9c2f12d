# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_binary_publish against the simulator: the plans, uploads and running versions of the target afterwards."""

import os
import uuid
import zipfile

import pytest

from tests.simulator.packages import MANIFEST_FORMAT, PackageSpec
from tests.support import sha256_file

MODULE = 'lifetime_binary_publish'
TARGET = 'Production'
NAMESPACE = uuid.UUID('3f6b1c8e-8d0a-4f57-a3c1-7c6a9e2b5d40')


def entry(name, version, key=None):
    """How a package from another infrastructure describes one application."""
    key = key or str(uuid.uuid5(NAMESPACE, name))
    return {'ApplicationKey': key, 'ApplicationName': name, 'ApplicationKind': 'WebResponsive', 'Version': version,
            'VersionKey': str(uuid.uuid5(NAMESPACE, '%s/%s' % (name, version))),
            'Modules': [{'ModuleKey': str(uuid.uuid5(NAMESPACE, name + '/module')), 'ModuleName': name.replace(' ', ''),
                         'ModuleVersionKey': str(uuid.uuid5(NAMESPACE, '%s/%s/module' % (name, version)))}]}


def write_package(path, applications, kind='oap', size_bytes=0):
    """Write a package the simulator accepts, streamed as the simulator streams its own downloads."""
    manifest = {'Format': MANIFEST_FORMAT, 'Kind': kind, 'Applications': applications}
    with open(path, 'wb') as handle:
        for chunk in PackageSpec(manifest, size_bytes).stream().chunks():
            handle.write(chunk)
    return str(path)


def writes(sim):
    """The writes as (method, last path segment): ('POST', 'deployment') is an upload, ('POST', 'start') a start."""
    return [(w['method'], w['path'].rstrip('/').rsplit('/', 1)[-1]) for w in sim.writes()]


def uploads(sim):
    return [w for w in writes(sim) if w == ('POST', 'deployment')]


def starts(sim):
    return [w for w in writes(sim) if w == ('POST', 'start')]


def binary_plans(sim, target=TARGET):
    return [plan for plan in sim.state.deployments(target) if plan.is_binary]


@pytest.fixture
def package(tmp_path):
    """An .oap from another infrastructure: Inventory 3.0 (unknown to the target) and EmployeeBackoffice 1.3 (known)."""
    applications = [entry('Inventory', '3.0'), entry('EmployeeBackoffice', '1.3', key='c9a7a82e-0eee-4a3d-8e22-2a19c69c766f')]
    return write_package(tmp_path / 'Release.oap', applications)


# -- publishing -------------------------------------------------------------------------------------------------------

def test_a_package_from_another_infrastructure_is_uploaded_deployed_and_creates_its_new_applications(
        run_module, simulator, package):
    assert simulator.state.find_application('Inventory') is None

    result = run_module(MODULE, dict(src=package, target_environment=TARGET))

    assert result['changed'] is True and result['deployment_status'] == 'finished_successful', result
    assert simulator.state.find_application('Inventory') is not None
    assert simulator.state.running_version(TARGET, 'Inventory') == '3.0'
    assert simulator.state.running_version(TARGET, 'EmployeeBackoffice') == '1.3'
    assert [(app['application_name'], app['is_new']) for app in result['applications_to_deploy']] == [
        ('Inventory', True), ('EmployeeBackoffice', False)]
    uploaded = simulator.state.uploaded_packages
    assert len(uploaded) == 1 and uploaded[0].sha256 == sha256_file(package) == result['checksum']
    assert uploaded[0].size == os.path.getsize(package) == result['size']
    plan = simulator.state.deployment(result['deployment_key'])
    assert plan.is_binary and plan.status == 'finished_successful'
    assert '[outsystems.lifetime package sha256=%s]' % result['checksum'] in plan.notes
    assert result['recorded'] is True
    assert writes(simulator) == [('POST', 'deployment'), ('PUT', plan.key), ('POST', 'start')]
    assert result['log'][-1]['message'] == 'Deploy completed'
    assert result['modules_to_delete'] == [] and result['duration'] > 0


def test_publishing_the_same_package_twice_deploys_once(run_module, simulator, package):
    first = run_module(MODULE, dict(src=package, target_environment=TARGET))
    simulator.clear_requests()

    second = run_module(MODULE, dict(src=package, target_environment=TARGET))

    assert first['changed'] is True and second['changed'] is False, second
    assert second['deployment_key'] == first['deployment_key']
    assert 'already published' in second['msg']
    assert simulator.writes() == []
    assert len(simulator.state.uploaded_packages) == 1
    assert len(binary_plans(simulator)) == 1


def test_without_a_writable_plan_note_the_task_warns_and_publishes_again(run_module, simulator, package):
    # A LifeTime that keeps plans created from a package read-only, even their Notes.
    simulator.state.configure(binary_plans_read_only=True)
    first = run_module(MODULE, dict(src=package, target_environment=TARGET))

    assert first['changed'] is True and first['recorded'] is False, first
    assert any('idempotency cannot be recorded' in warning for warning in first['warnings']), first
    # The only record is missing, so the next run uploads again.
    second = run_module(MODULE, dict(src=package, target_environment=TARGET))
    assert second['changed'] is True
    assert len(simulator.state.uploaded_packages) == 2


def test_state_present_saves_the_plan_and_deployed_later_starts_it_without_a_second_upload(
        run_module, simulator, package):
    saved = run_module(MODULE, dict(src=package, target_environment=TARGET, state='present'))
    again = run_module(MODULE, dict(src=package, target_environment=TARGET, state='present'))

    assert saved['changed'] is True and saved['deployment_status'] == 'saved', saved
    assert again['changed'] is False and again['deployment_key'] == saved['deployment_key']
    assert simulator.state.deployment(saved['deployment_key']).status == 'saved'
    assert simulator.state.running_version(TARGET, 'Inventory') is None
    assert starts(simulator) == []

    deployed = run_module(MODULE, dict(src=package, target_environment=TARGET))

    assert deployed['changed'] is True and deployed['deployment_key'] == saved['deployment_key'], deployed
    assert deployed['deployment_status'] == 'finished_successful'
    assert simulator.state.running_version(TARGET, 'Inventory') == '3.0'
    assert len(uploads(simulator)) == 1 and len(starts(simulator)) == 1


def test_a_later_deployment_of_one_of_its_applications_makes_the_package_publish_again(
        run_module, simulator, tmp_path):
    src = str(tmp_path / 'EmployeeBackoffice-1.3.oap')
    download = run_module('lifetime_app_version', dict(application='EmployeeBackoffice', version='1.3', dest=src))
    assert download['changed'] is True, download
    first = run_module(MODULE, dict(src=src, target_environment=TARGET))
    assert first['changed'] is True and simulator.state.running_version(TARGET, 'EmployeeBackoffice') == '1.3', first
    rollback = run_module('lifetime_deployment', dict(source_environment='Quality Assurance', target_environment=TARGET,
                                                      applications=[dict(name='EmployeeBackoffice', version='1.2')], allow_downgrade=True))
    assert rollback.get('failed') is not True and simulator.state.running_version(TARGET, 'EmployeeBackoffice') == '1.2', rollback

    second = run_module(MODULE, dict(src=src, target_environment=TARGET))

    assert second['changed'] is True and second['deployment_key'] != first['deployment_key'], second
    assert simulator.state.running_version(TARGET, 'EmployeeBackoffice') == '1.3'
    assert len(simulator.state.uploaded_packages) == 2


def test_a_package_whose_last_publication_failed_is_published_again(run_module, simulator, package):
    simulator.state.add_outcome_rule('finished_with_errors', target=TARGET, once=True)
    failed = run_module(MODULE, dict(src=package, target_environment=TARGET))
    assert failed.get('failed') is True and failed['deployment_status'] == 'finished_with_errors', failed

    again = run_module(MODULE, dict(src=package, target_environment=TARGET))

    assert again.get('changed') is True and again['deployment_status'] == 'finished_successful', again
    assert len(simulator.state.uploaded_packages) == 2


# -- failures ---------------------------------------------------------------------------------------------------------

def test_a_deployment_that_ends_with_errors_fails_with_its_last_log_lines_and_the_checksum(run_module, simulator, package):
    simulator.state.add_outcome_rule('finished_with_errors', target=TARGET, message='the database upgrade of Inventory failed')

    result = run_module(MODULE, dict(src=package, target_environment=TARGET))

    assert result.get('failed') is True, result
    assert 'finished_with_errors' in result['msg'] and 'the database upgrade of Inventory failed' in result['msg'], result['msg']
    assert result['deployment_status'] == 'finished_with_errors'
    assert result['checksum'] == sha256_file(package) and result['applications_to_deploy']
    assert simulator.state.deployment(result['deployment_key']).status == 'finished_with_errors'
    assert simulator.state.running_version(TARGET, 'Inventory') is None


def test_an_invalid_package_is_refused_with_lifetimes_400_message(run_module, simulator, tmp_path):
    src = tmp_path / 'notes.oap'
    with zipfile.ZipFile(src, 'w') as archive:
        archive.writestr('readme.txt', 'not an OutSystems package')

    result = run_module(MODULE, dict(src=str(src), target_environment=TARGET))

    assert result.get('failed') is True, result
    assert '400' in result['msg'] and "The package has no manifest: its first entry is 'readme.txt'" in result['msg'], result['msg']
    assert result['api_error']['status'] == 400
    assert simulator.state.uploaded_packages == [] and binary_plans(simulator) == []
    assert uploads(simulator) == [('POST', 'deployment')] and len(simulator.writes()) == 1


def test_a_target_that_refuses_binaries_fails_with_lifetimes_message(run_module, simulator, package):
    simulator.state.configure(allow_binary_to_production=False)

    result = run_module(MODULE, dict(src=package, target_environment=TARGET))

    assert result.get('failed') is True, result
    assert 'Deploying binaries to production environments is disabled' in result['msg'], result['msg']
    assert binary_plans(simulator) == []


@pytest.mark.parametrize('make, words', [
    (lambda d: str(d / 'missing.oap'), 'does not exist'),
    (str, 'is not a file'),
    (lambda d: _write(d / 'empty.osp', b''), 'is empty'),
    (lambda d: _write(d / 'package.zip', b'PK\x03\x04 a zip, but not named as a package'), 'is not named as an application package'),
    (lambda d: _write(d / 'error.OAP', b'<html>Service Unavailable</html>'), 'does not start with the zip signature'),
])
def test_a_file_that_is_not_a_package_fails_before_any_request(run_module, simulator, tmp_path, make, words):
    src = make(tmp_path)

    result = run_module(MODULE, dict(src=src, target_environment=TARGET))

    assert result.get('failed') is True, result
    assert result['msg'].startswith('src ') and words in result['msg'], result['msg']
    assert simulator.requests == []


def _write(path, data):
    path.write_bytes(data)
    return str(path)


def test_an_unknown_target_fails_naming_target_environment_and_uploads_nothing(run_module, simulator, package):
    result = run_module(MODULE, dict(src=package, target_environment='Staging'))

    assert result.get('failed') is True and 'target_environment' in result['msg'], result
    assert simulator.writes() == []


# -- check mode -------------------------------------------------------------------------------------------------------

def test_check_mode_checks_the_file_and_the_target_and_uploads_nothing(run_module, simulator, package):
    result = run_module(MODULE, dict(src=package, target_environment=TARGET), check_mode=True)

    assert result['changed'] is True and 'would upload Release.oap' in result['msg'], result
    assert result['checksum'] == sha256_file(package) and result['deployment_key'] is None
    assert simulator.writes() == [] and simulator.state.uploaded_packages == []

    run_module(MODULE, dict(src=package, target_environment=TARGET))
    simulator.clear_requests()
    published = run_module(MODULE, dict(src=package, target_environment=TARGET), check_mode=True)

    assert published['changed'] is False and 'already published' in published['msg'], published
    assert simulator.writes() == []


def test_check_mode_of_a_file_that_is_not_a_package_fails_too(run_module, simulator, tmp_path):
    result = run_module(MODULE, dict(src=_write(tmp_path / 'x.osp', b'garbage'), target_environment=TARGET), check_mode=True)

    assert result.get('failed') is True and 'zip signature' in result['msg'], result
    assert simulator.requests == []


# -- the shared deployment behaviour ----------------------------------------------------------------------------------

def test_conflicts_fail_before_starting_and_the_new_plan_is_deleted(run_module, simulator, package):
    simulator.state.add_conflict_rule(target=TARGET, application='Inventory')
    result = run_module(MODULE, dict(src=package, target_environment=TARGET))

    assert result.get('failed') is True, result
    assert 'conflict' in result['msg'] and 'Producer Element Missing' in result['msg'], result['msg']
    assert result['deployment_key'] is None and result['checksum'] == sha256_file(package)
    assert binary_plans(simulator) == []
    assert starts(simulator) == [] and ('DELETE', simulator.state.uploaded_packages[0].deployment_key) in writes(simulator)


def test_allow_conflicts_deploys_despite_them(run_module, simulator, package):
    simulator.state.add_conflict_rule(target=TARGET, application='Inventory')
    result = run_module(MODULE, dict(src=package, target_environment=TARGET, allow_conflicts=True))

    assert result['changed'] is True and result['deployment_status'] == 'finished_successful', result
    assert result['conflicts'] and simulator.state.running_version(TARGET, 'Inventory') == '3.0'


def test_a_two_step_deployment_is_continued_when_on_user_intervention_says_so(run_module, simulator, package):
    simulator.state.add_intervention_rule('deployment_prepared', target=TARGET)

    result = run_module(MODULE, dict(src=package, target_environment=TARGET, on_user_intervention='continue'))

    assert result['deployment_status'] == 'finished_successful', result
    assert ('POST', 'continue') in writes(simulator)
    assert simulator.state.running_version(TARGET, 'Inventory') == '3.0'


def test_a_deployment_waiting_for_the_user_stops_the_task_when_on_user_intervention_is_fail(run_module, simulator, package):
    simulator.state.add_intervention_rule('deploy_prepared', target=TARGET)

    result = run_module(MODULE, dict(src=package, target_environment=TARGET))

    assert result.get('failed') is True and 'needs user intervention' in result['msg'], result
    assert simulator.state.deployment(result['deployment_key']).status == 'needs_user_intervention'


@pytest.mark.slow
def test_the_new_plan_waits_for_a_deployment_running_on_the_target(run_module, simulator, package):
    blocker = simulator.state.start_blocking_deployment(TARGET, hold_seconds=1.5)

    result = run_module(MODULE, dict(src=package, target_environment=TARGET))

    assert result['deployment_status'] == 'finished_successful', result
    assert simulator.state.deployment(blocker).status == 'finished_successful'
    statuses = [r['status'] for r in simulator.requests if r['path'].rstrip('/').endswith('/start')]
    assert statuses[0] == 400 and statuses[-1] == 202


def test_a_lost_answer_to_the_upload_adopts_the_plan_lifetime_created(run_module, simulator, package):
    simulator.inject_fault('POST', '/environments/*/deployment/', drop=True, after_processing=True, count=1)

    result = run_module(MODULE, dict(src=package, target_environment=TARGET))

    assert result['changed'] is True and result['deployment_status'] == 'finished_successful', result
    assert len(simulator.state.uploaded_packages) == 1 and len(binary_plans(simulator)) == 1
    assert result['deployment_key'] == simulator.state.uploaded_packages[0].deployment_key


def test_a_package_already_published_costs_one_read_of_its_plan(run_module, simulator, package):
    run_module(MODULE, dict(src=package, target_environment=TARGET))
    key = simulator.state.uploaded_packages[0].deployment_key
    simulator.clear_requests()
    again = run_module(MODULE, dict(src=package, target_environment=TARGET))
    assert again['changed'] is False
    assert [r['path'] for r in simulator.requests].count('/lifetimeapi/rest/v2/deployments/%s/' % key) == 1
    assert simulator.writes() == []
