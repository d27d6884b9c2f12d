# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where one run hands over to the next: release records, manifests and manifest_dest, rollbacks in a row, applications by key.

Each test chains the playbooks as users (and AWX workflow nodes) chain them, and checks the simulator's state and request log.
"""

import json

import pytest

from tests.integration.test_playbooks import PROMOTE, ROLLBACK, new_plans, plan_keys, summary

pytestmark = pytest.mark.integration

TOKEN = 'seams-token-6a1f'
QA = 'Quality Assurance'


def custom_stats(run):
    """What the play handed on with set_stats (ANSIBLE_SHOW_CUSTOM_STATS=1), as the controller stores a job's artifacts."""
    stats = [line.split('RUN: ', 1)[1] for line in run.stdout.splitlines() if line.startswith('\tRUN: ')]
    return json.loads(stats[-1]) if stats else {}


def plan_versions(sim, plan):
    return [(app['application'], app['version']) for app in sim.state.deployment_summary(plan)['applications']]


def write_json(path, data):
    path.write_text(json.dumps(data))
    return str(path)


def test_a_release_record_alone_drives_the_promote_and_the_rollback(ansible_playbook, make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN)
    show = {'ANSIBLE_SHOW_CUSTOM_STATS': '1'}
    first = ansible_playbook(PROMOTE, sim=sim, env=show, extra_vars=dict(source_environment='Development', target_environment=QA,
                                                                         applications='EmployeeBackoffice'))
    assert first.rc == 0, first
    release = custom_stats(first)['lifetime_release']
    # Development moves on while the release waits: the record, not what Development runs, decides.
    sim.state.add_version('EmployeeBackoffice', '1.4')
    sim.state.set_running_version('Development', 'EmployeeBackoffice', '1.4')
    record = write_json(tmp_path / 'release.json', {'release': release})
    existing = plan_keys(sim)

    promote = ansible_playbook(PROMOTE, sim=sim, env=show, args=('-e', '@' + record, '-e', 'target_environment=Production'))

    assert promote.rc == 0, promote
    [plan] = new_plans(sim, existing)
    assert sim.state.deployment_summary(plan)['source'] == QA
    assert plan_versions(sim, plan) == [('EmployeeBackoffice', '1.3')]
    production = custom_stats(promote)['lifetime_release']
    assert production['target_environment'] == 'Production' and production['failed'] is False

    # The Production record alone undoes it: back to what Production ran before, by key.
    undo = write_json(tmp_path / 'production.json', {'release': production})
    existing = plan_keys(sim)
    rollback = ansible_playbook(ROLLBACK, sim=sim, args=('-e', '@' + undo))
    assert rollback.rc == 0, rollback
    [back] = new_plans(sim, existing)
    assert plan_versions(sim, back) == [('EmployeeBackoffice', '1.2')]
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_two_rollbacks_in_a_row_go_further_back_and_never_forward(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    extra = dict(target_environment='Production', applications='EmployeeBackoffice')
    assert ansible_playbook(PROMOTE, sim=sim, extra_vars=dict(extra, source_environment='Development')).rc == 0
    assert ansible_playbook(ROLLBACK, sim=sim, extra_vars=extra).rc == 0
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'

    check = ansible_playbook(ROLLBACK, sim=sim, extra_vars=extra, check=True)
    assert 'EmployeeBackoffice 1.2 -> 1.1 (would roll back)' in summary(check), check
    again = ansible_playbook(ROLLBACK, sim=sim, extra_vars=extra)

    assert again.rc == 0, again
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.1'
    created = [version.created_on for version in sim.state.versions('EmployeeBackoffice') if version.number in ('1.1', '1.2')]
    assert created[0] < created[1]


def test_promote_takes_applications_by_key_and_tags_them_by_key(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    key = sim.state.application('Customer Portal').key
    extra = dict(source_environment='Development', target_environment='Production', applications=[{'key': key}], tag_modified=True)

    check = ansible_playbook(PROMOTE, sim=sim, extra_vars=extra, check=True)
    assert check.rc == 0, check
    assert sim.writes() == []
    assert 'Customer Portal 2.0 -> 2.1.1 (would tag, then deploy)' in summary(check), summary(check)

    run = ansible_playbook(PROMOTE, sim=sim, extra_vars=extra)
    assert run.rc == 0, run
    assert sim.state.running_version('Production', 'Customer Portal') == '2.1.1'
    assert [version.number for version in sim.state.versions('Customer Portal')] == ['2.0', '2.1', '2.1.1']


def write_manifest(ansible_playbook, sim, tmp_path, applications, test_applications=()):
    manifest = tmp_path / 'release.json'
    run = ansible_playbook('release_manifest.yml', sim=sim, extra_vars=dict(
        manifest_environment=QA, manifest_applications=list(applications), manifest_test_applications=list(test_applications),
        dest=str(manifest)))
    assert run.rc == 0, run
    return manifest


def test_manifest_dest_of_a_manifest_promote_is_the_complete_release_and_goes_to_the_next_node(ansible_playbook, make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN)
    sim.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = write_manifest(ansible_playbook, sim, tmp_path, ['EmployeeBackoffice', 'Customer Portal'], ['Customer Portal'])
    dest = tmp_path / 'production.json'
    extra = dict(source_environment=QA, target_environment='Production', manifest=str(manifest), manifest_dest=str(dest))

    check = ansible_playbook(PROMOTE, sim=sim, extra_vars=extra, check=True)
    assert check.rc == 0 and sim.writes() == [] and not dest.exists(), check
    assert 'manifest: would write the manifest of what Production then runs to %s' % dest in summary(check)

    run = ansible_playbook(PROMOTE, sim=sim, extra_vars=extra, env={'ANSIBLE_SHOW_CUSTOM_STATS': '1'})

    assert run.rc == 0, run
    written = json.loads(dest.read_text())
    versions = dict((entry['ApplicationName'], (entry['VersionNumber'], entry['IsTestApplication'])) for entry in written['ApplicationVersions'])
    assert versions == {'EmployeeBackoffice': ('1.3', False), 'Customer Portal': ('2.1', True)}
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    assert custom_stats(run)['lifetime_release']['manifest'] == written


@pytest.mark.parametrize('problem', ['missing directory', 'a directory', 'the manifest itself'])
def test_a_manifest_dest_that_cannot_be_used_fails_the_promote_before_the_plan_and_check_mode_says_so(
        ansible_playbook, make_simulator, tmp_path, problem):
    sim = make_simulator(token=TOKEN)
    sim.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = write_manifest(ansible_playbook, sim, tmp_path, ['EmployeeBackoffice'])
    original = manifest.read_bytes()
    dest = {'missing directory': tmp_path / 'nowhere' / 'production.json', 'a directory': tmp_path, 'the manifest itself': manifest}[problem]
    extra = dict(source_environment=QA, target_environment='Production', manifest=str(manifest), manifest_dest=str(dest))
    existing = plan_keys(sim)

    for check in (True, False):
        sim.clear_requests()
        run = ansible_playbook(PROMOTE, sim=sim, extra_vars=extra, check=check)
        assert run.rc != 0, run
        assert 'manifest_dest' in run.output
        assert sim.requests == []
    assert new_plans(sim, existing) == [] and manifest.read_bytes() == original
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_check_mode_predicts_a_freeze_with_the_real_runs_reason(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    sim.state.set_application_blocked('EmployeeBackoffice', 'Production', reason='Release freeze (CHG-77)')
    extra = dict(source_environment='Development', target_environment='Production', applications='EmployeeBackoffice')

    check = ansible_playbook(PROMOTE, sim=sim, extra_vars=extra, check=True)
    real = ansible_playbook(PROMOTE, sim=sim, extra_vars=extra)

    assert check.rc != 0 and real.rc != 0
    reason = 'Deployments to Production are blocked for EmployeeBackoffice (Release freeze (CHG-77)).'
    assert reason in summary(check)[-1] and reason in summary(real)[-1], (summary(check), summary(real))
    assert sim.writes() == []


def test_a_rollback_of_a_record_whose_plan_still_runs_aborts_it_first_then_restores(ansible_playbook, make_simulator, tmp_path):
    """The promote gave up waiting (its wait timed out) while LifeTime goes on: the failure path must not be overtaken by it."""
    sim = make_simulator(token=TOKEN, step_seconds=1.0)
    extra = dict(source_environment='Development', target_environment='Production', applications='EmployeeBackoffice',
                 promote_wait_timeout=0)
    promote = ansible_playbook(PROMOTE, sim=sim, extra_vars=extra, env={'ANSIBLE_SHOW_CUSTOM_STATS': '1'})
    assert promote.rc != 0, promote
    record = custom_stats(promote)['lifetime_release']
    assert record['failed'] is True and record['deployment_status'] == 'running', record
    plan = sim.state.deployment(record['deployment_key'])

    rollback = ansible_playbook(ROLLBACK, sim=sim, args=('-e', '@' + write_json(tmp_path / 'record.json', {'release': record})))

    assert rollback.rc == 0, rollback
    assert sim.state.deployment(plan.key).status == 'aborted'
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'
    aborts = [entry for entry in sim.writes() if entry['path'].rstrip('/').endswith('/abort')]
    assert len(aborts) == 1 and plan.key in aborts[0]['path']


def test_a_record_of_a_failed_deployment_is_no_release_to_promote(ansible_playbook, make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN)
    record = {'target_environment': QA, 'failed': True, 'deployment_status': 'finished_with_errors',
              'applications': [{'name': 'EmployeeBackoffice', 'to_version': '1.3', 'version_key': sim.state.version('EmployeeBackoffice', '1.3').key}]}
    run = ansible_playbook(PROMOTE, sim=sim, extra_vars={'release': record, 'target_environment': 'Production'})
    assert run.rc != 0 and 'The release record says its deployment to Quality Assurance failed (finished_with_errors)' in run.output, run
    assert sim.requests == []


def test_a_record_read_from_release_file_is_data_nothing_in_it_is_evaluated(ansible_playbook, make_simulator, tmp_path):
    """An application may be named like a template in LifeTime; read through release_file, the name stays a name."""
    sim = make_simulator(token=TOKEN)
    marker = tmp_path / 'evaluated'
    record = {'target_environment': 'Production', 'applications': [
        {'name': "{{ lookup('ansible.builtin.pipe', 'touch %s') }}EmployeeBackoffice" % marker, 'from_version': '1.1'}]}
    path = write_json(tmp_path / 'record.json', record)

    run = ansible_playbook(ROLLBACK, sim=sim, extra_vars={'release_file': path}, check=True)

    assert run.rc != 0 and 'No application' in run.output, run
    assert not marker.exists()
    assert sim.writes() == []


def test_a_release_given_as_json_text_on_the_command_line_is_read(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    key = sim.state.version('EmployeeBackoffice', '1.3').key
    text = json.dumps({'target_environment': 'Development', 'applications': [{'name': 'EmployeeBackoffice', 'to_version': '1.3',
                                                                              'version_key': key}]}, separators=(',', ':'))
    run = ansible_playbook(PROMOTE, sim=sim, check=True, args=('-e', 'release=' + text, '-e', 'target_environment=Production'))
    assert run.rc == 0, run
    assert 'EmployeeBackoffice 1.2 -> 1.3 (would deploy)' in summary(run)
    assert sim.writes() == []


def test_blank_survey_answers_that_ansible_core_reads_as_none_mean_not_given(ansible_playbook, make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN)
    answers = tmp_path / 'answers.yml'
    answers.write_text("source_environment: Development\ntarget_environment: Production\napplications: EmployeeBackoffice\n"
                       "on_user_intervention: !unsafe ''\nnotes: !unsafe ''\ntag_modified: !unsafe ''\n")
    run = ansible_playbook(PROMOTE, sim=sim, check=True, args=('-e', '@' + str(answers)))
    assert run.rc == 0, run
    assert sim.writes() == []


def test_a_survey_version_written_with_a_v_keeps_its_text(ansible_playbook, make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN)
    sim.state.add_version('EmployeeBackoffice', '1.10')
    answers = tmp_path / 'answers.yml'
    answers.write_text("target_environment: Production\napplications: EmployeeBackoffice\nto_version: !unsafe 'v1.1'\n")
    run = ansible_playbook(ROLLBACK, sim=sim, args=('-e', '@' + str(answers)))
    assert run.rc == 0, run
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.1'


@pytest.mark.parametrize('playbook', [PROMOTE, ROLLBACK])
def test_a_release_file_that_is_not_a_file_is_refused_in_a_sentence_before_any_request(
        ansible_playbook, make_simulator, tmp_path, playbook):
    sim = make_simulator(token=TOKEN)
    run = ansible_playbook(playbook, sim=sim, extra_vars={'release_file': str(tmp_path / 'missing.json'), 'target_environment': 'Production'})
    assert run.rc != 0 and 'release_file %s is not a file on the controller' % (tmp_path / 'missing.json') in run.output, run
    assert sim.requests == []
