# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Release manifests both ways with OutSystems' own pipeline scripts (outsystems-pipeline 0.11.0) against the simulator.

* The manifest the peer's ``generate_manifest_file`` writes is read by ``_manifests``, every version in it is found in
  LifeTime, and ``_manifests.manifest_of`` writes the very same data for the same environment and applications.
* The manifest ``lifetime_manifest`` writes (run by ansible-playbook) is deployed by the peer's
  ``deploy_tags_to_target_env_with_manifest``, unchanged: the target then runs exactly the manifest's versions, by
  environment name or by the labels carried from a source manifest, with its test applications left out unless asked.
* A manifest from the peer drives lifetime_deployment's ``manifest``: exactly its versions reach the target.

The peer is installed as tests/contract/test_outsystems_pipeline.py installs it (.tmp/real-client/, once).
"""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.outsystems.lifetime.plugins.module_utils import _manifests as manifests
from ansible_collections.outsystems.lifetime.plugins.module_utils._client import LifeTimeClient
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import Resolver
from tests.contract.test_outsystems_pipeline import _run, pipeline_python
from tests.integration.conftest import ansible_playbook

pytestmark = pytest.mark.slow
# Fixtures from elsewhere: the peer installed once, and ansible-playbook run as the integration tests run it.
FIXTURES = (pipeline_python, ansible_playbook)

QA = 'Quality Assurance'
APPS = ['EmployeeBackoffice', 'Directory Mobile']
GENERATED = os.path.join('Artifacts', 'trigger_manifest', 'auto_gen_trigger_manifest.json')


def generate(python, sim, cwd, source, apps, notes):
    """The peer's generate_manifest_file; returns the manifest's path."""
    result = _run(python, cwd, 'outsystems.pipeline.generate_manifest_file', '-u', sim.url, '-t', sim.token, '-s', source,
                  '-l', ','.join(apps), '-m', notes)
    assert result.returncode == 0, result.stdout + result.stderr
    return os.path.join(str(cwd), GENERATED)


def deploy(python, sim, cwd, manifest_path, source_label, target_label, *flags):
    """The peer's deploy_tags_to_target_env_with_manifest with our manifest file."""
    result = _run(python, cwd, 'outsystems.pipeline.deploy_tags_to_target_env_with_manifest', '-u', sim.url, '-t', sim.token,
                  '-s', source_label, '-d', target_label, '-f', str(manifest_path), *flags)
    return result.returncode, result.stdout + result.stderr


def write_with_module(ansible_playbook, sim, tmp_path, **options):
    """lifetime_manifest through ansible-playbook, as users run it; returns the registered result."""
    result_file = tmp_path / 'result.json'
    playbook = tmp_path / 'write_manifest.yml'
    playbook.write_text(json.dumps([{
        'name': 'Write a release manifest', 'hosts': 'localhost', 'gather_facts': False,
        'tasks': [
            {'name': 'Write it', 'outsystems.lifetime.lifetime_manifest': options, 'register': 'written'},
            {'name': 'Keep the result', 'ansible.builtin.copy': {'content': '{{ written | to_json }}', 'dest': str(result_file)}},
        ]}]))
    run = ansible_playbook(str(playbook), sim=sim)
    assert run.rc == 0, run
    return json.loads(result_file.read_text())


def plans_to(sim, target):
    return [sim.state.deployment_summary(plan) for plan in sim.state.deployments(target)]


# -- the peer's manifest, read by us ----------------------------------------------------------------------------------

def test_the_manifest_generate_manifest_file_writes_is_read_and_is_what_we_write(pipeline_python, make_simulator, tmp_path):
    sim = make_simulator()
    # One application in a named deployment zone, one in none (DeploymentZoneName null).
    sim.state.set_running_version(QA, 'EmployeeBackoffice', '1.2', zone_key=sim.state.environment(QA).default_zone().key)
    path = generate(pipeline_python, sim, tmp_path, QA, APPS, 'Release 7')
    with open(path) as handle:
        theirs = json.load(handle)

    manifest = manifests.load_manifest(path)

    assert [(e['application_name'], e['version_number'], e['version_key']) for e in manifest.applications] == [
        (app, sim.state.running_version(QA, app), sim.state.running_version_key(QA, app)) for app in APPS]
    assert manifest.notes == 'Release 7'
    assert manifest.environment(QA)['environment_key'] == sim.state.environment(QA).key
    client = LifeTimeClient(sim.url, sim.token)
    try:
        resolver = Resolver(client)
        found = manifests.resolve_versions(resolver, manifest)
        assert [version['Key'] for dummy, version, dummy2 in found] == [e['version_key'] for e in manifest.applications]
        ours = manifests.manifest_of(resolver, QA, APPS, notes='Release 7')
    finally:
        client.close()
    # Field for field the same data; ours lists the applications by name.
    theirs['ApplicationVersions'].sort(key=lambda entry: entry['ApplicationName'].lower())
    assert [entry['DeploymentZoneName'] for entry in theirs['ApplicationVersions']] == [None, 'Global']
    assert ours == theirs


# -- our manifest, deployed by the peer -------------------------------------------------------------------------------

def test_the_peer_deploys_exactly_the_versions_of_our_manifest(pipeline_python, make_simulator, ansible_playbook, tmp_path):
    sim = make_simulator(step_seconds=0.2)
    sim.state.set_running_version(QA, 'EmployeeBackoffice', '1.3', zone_key=sim.state.environment(QA).default_zone().key)
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'
    dest = tmp_path / 'release.json'
    written = write_with_module(ansible_playbook, sim, tmp_path, environment=QA, applications=APPS, notes='Release 8', dest=str(dest))
    assert written['changed'] is True
    sim.clear_requests()

    rc, output = deploy(pipeline_python, sim, tmp_path, dest, QA, 'Production', '-z')

    assert rc == 0, output
    assert 'Deployment plan finished with status finished_successful.' in output
    # Directory Mobile already runs 0.4 there: the peer skipped it on its own.
    assert 'Skipping application Directory Mobile' in output
    manifest = json.loads(dest.read_text())
    for entry in manifest['ApplicationVersions']:
        assert sim.state.running_version_key('Production', entry['ApplicationName']) == entry['VersionKey']
    [plan] = [p for p in plans_to(sim, 'Production') if p['notes'] == 'Release 8']
    assert plan['source'] == QA and plan['status'] == 'finished_successful'
    # With -z the peer picks Production's zone of the same name as the manifest's DeploymentZoneName.
    assert [(a['application'], a['version'], a['version_key'], a['deployment_zone_key']) for a in plan['applications']] == [
        ('EmployeeBackoffice', '1.3', sim.state.running_version_key(QA, 'EmployeeBackoffice'), sim.state.environment('Production').default_zone().key)]
    assert [w['path'].rstrip('/').rsplit('/', 1)[-1] for w in sim.writes()] == ['deployments', 'start']

    sim.clear_requests()
    rc, output = deploy(pipeline_python, sim, tmp_path, dest, QA, 'Production')
    assert rc == 0, output
    assert 'Deployment skipped because Production environment already has the target application deployed' in output
    assert sim.writes() == []


def test_labels_and_test_applications_carried_from_a_source_manifest_reach_the_peer(pipeline_python, make_simulator, ansible_playbook,
                                                                                    tmp_path):
    sim = make_simulator(step_seconds=0.2)
    sim.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    sim.state.add_version('Directory Mobile', '0.5')
    sim.state.set_running_version(QA, 'Directory Mobile', '0.5')
    production = sim.state.environment('Production')
    trigger = {
        'ApplicationVersions': [
            {'ApplicationKey': sim.state.application(app).key, 'ApplicationName': app, 'VersionKey': sim.state.running_version_key(QA, app),
             'VersionNumber': sim.state.running_version(QA, app), 'IsTestApplication': app == 'Directory Mobile'} for app in APPS],
        'EnvironmentDefinitions': [{'EnvironmentKey': env.key, 'EnvironmentName': env.name, 'EnvironmentLabel': label}
                                   for env, label in zip(sim.state.environments(), ['DEV', 'QA', 'PRD'])],
        'DeploymentNotes': 'From the trigger',
        'ConfigurationItems': [{'ModuleKey': 'mod-1', 'ModuleName': 'EmployeeBackoffice', 'ConfigurationItemKey': 'cfg-1',
                                'ConfigurationItemName': 'ApiUrl', 'ConfigurationItemType': 'SiteProperty',
                                'Values': [{'EnvironmentKey': production.key, 'EnvironmentName': production.name, 'TargetValue': 'x'}]}],
    }
    source = tmp_path / 'trigger.json'
    source.write_text(json.dumps(trigger))
    dest = tmp_path / 'release.json'
    written = write_with_module(ansible_playbook, sim, tmp_path, environment='QA', source_manifest=str(source), dest=str(dest))
    assert 'not applied' in written['msg']
    assert json.loads(dest.read_text())['ConfigurationItems'] == trigger['ConfigurationItems']

    rc, output = deploy(pipeline_python, sim, tmp_path, dest, 'QA', 'PRD')

    assert rc == 0, output
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    # The test application stays where it was ...
    assert sim.state.running_version('Production', 'Directory Mobile') == '0.4'
    assert plans_to(sim, 'Production')[-1]['notes'] == 'From the trigger'

    rc, output = deploy(pipeline_python, sim, tmp_path, dest, 'QA', 'PRD', '-i')

    # ... unless asked for.
    assert rc == 0, output
    assert sim.state.running_version('Production', 'Directory Mobile') == '0.5'


# -- the peer's manifest drives our deployment ------------------------------------------------------------------------

def test_a_manifest_from_the_peer_drives_lifetime_deployment(pipeline_python, make_simulator, ansible_playbook, tmp_path):
    sim = make_simulator(step_seconds=0.2)
    sim.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    path = generate(pipeline_python, sim, tmp_path, QA, APPS, 'Release 9')
    # What is tagged later must not reach Production: the manifest names 1.3.
    sim.state.add_version('EmployeeBackoffice', '1.4')
    sim.state.set_running_version(QA, 'EmployeeBackoffice', '1.4')
    playbook = tmp_path / 'deploy.yml'
    playbook.write_text(json.dumps([{
        'name': 'Deploy the manifest', 'hosts': 'localhost', 'gather_facts': False,
        'tasks': [{'name': 'Deploy', 'outsystems.lifetime.lifetime_deployment': {
            'manifest': path, 'source_environment': QA, 'target_environment': 'Production'}}]}]))

    run = ansible_playbook(str(playbook), sim=sim)

    assert run.rc == 0, run
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    assert sim.state.running_version('Production', 'Directory Mobile') == '0.4'
    plan = sim.state.deployment_summary(sim.state.latest_deployment('Production'))
    assert plan['source'] == QA and [(app['application'], app['version']) for app in plan['applications']] == [('EmployeeBackoffice', '1.3')]
