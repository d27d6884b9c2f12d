# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/promote.yml, rollback.yml and publish.yml as users run them, checked by the simulator's state.

Each playbook runs on the implicit localhost with the connection from LIFETIME_URL / LIFETIME_TOKEN (or, for
publish, LIFETIME_SOURCE_* / LIFETIME_TARGET_*), exactly as `ansible-playbook playbooks/<name>.yml -e ...` does.
"""

import json
import os
import subprocess

import pytest

from tests.integration.conftest import BIN, PlaybookRun, playbook_env
from tests.support import OTHER_INFRASTRUCTURE

pytestmark = pytest.mark.integration

TOKEN = 'playbooks-secret-token-8d2e'
SOURCE_TOKEN = 'source-token'
TARGET_TOKEN = 'target-token'
PROMOTE = 'playbooks/promote.yml'
ROLLBACK = 'playbooks/rollback.yml'
PUBLISH = 'playbooks/publish.yml'
# Development -> Production in the default world: EmployeeBackoffice 1.2 -> 1.3, Orders API already runs 1.0.
PROMOTE_VARS = dict(source_environment='Development', target_environment='Production',
                    applications=['EmployeeBackoffice', {'name': 'Orders API'}], notes='Release 42')


def new_plans(sim, existing, target='Production'):
    """Plans for ``target`` created since ``existing`` (a set of plan keys) was taken."""
    return [plan for plan in sim.state.deployments(target) if plan.key not in existing]


def plan_keys(sim):
    return set(plan.key for plan in sim.state.deployments())


def writes(sim):
    """The writes as (method, last path segment, status)."""
    return [(w['method'], w['path'].rstrip('/').rsplit('/', 1)[-1], w['status']) for w in sim.writes()]


def summary(run):
    """The lines of the role's summary, as printed by ansible.builtin.debug."""
    lines = []
    inside = False
    for line in run.stdout.splitlines():
        if line.strip() == '"msg": [':
            inside, lines = True, []
        elif inside and line.strip() == ']':
            inside = False
        elif inside:
            lines.append(line.strip().rstrip(',').strip('"'))
    return lines


def test_promote_check_mode_runs_the_whole_play_writes_nothing_and_prints_the_plan(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    existing = plan_keys(sim)
    extra = dict(PROMOTE_VARS, applications=['EmployeeBackoffice', 'Orders API', 'Customer Portal'], tag_modified=True)

    run = ansible_playbook(PROMOTE, sim=sim, extra_vars=extra, check=True, diff=True)

    assert run.rc == 0 and run.recap['failed'] == 0, run
    assert sim.writes() == []
    assert new_plans(sim, existing) == []
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'
    # Customer Portal is modified in Development: no tag was made, yet the plan shows the version it would get.
    assert sim.state.is_modified('Development', 'Customer Portal')
    assert [v.number for v in sim.state.versions('Customer Portal')] == ['2.0', '2.1']
    assert summary(run) == [
        'Promote Development -> Production (check mode: nothing is changed)',
        'EmployeeBackoffice 1.2 -> 1.3 (would deploy)',
        'Orders API skipped: already runs 1.0',
        'Customer Portal 2.0 -> 2.1.1 (would tag, then deploy)',
        'plan: would create one deployment plan for 2 application(s)',
    ], run
    # --diff: the running versions before and after.
    assert '-    "EmployeeBackoffice": "1.2"' in run.stdout and '+    "EmployeeBackoffice": "1.3"' in run.stdout, run


def test_promote_deploys_verifies_and_a_second_run_changes_nothing(ansible_playbook, make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN)
    existing = plan_keys(sim)

    run = ansible_playbook(PROMOTE, sim=sim, extra_vars=PROMOTE_VARS, diff=True)

    assert run.rc == 0 and run.recap['changed'] >= 1, run
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    assert sim.state.running_version('Production', 'Orders API') == '1.0'
    plans = new_plans(sim, existing)
    assert len(plans) == 1 and plans[0].status == 'finished_successful', plans
    assert plans[0].notes.startswith('Release 42')
    assert [app['application'] for app in sim.state.deployment_summary(plans[0])['applications']] == ['EmployeeBackoffice']
    assert writes(sim) == [('POST', 'deployments', 201), ('POST', 'start', 202)]
    lines = summary(run)
    assert lines[:3] == ['Promote Development -> Production', 'EmployeeBackoffice 1.2 -> 1.3 (deployed)', 'Orders API skipped: already runs 1.0']
    assert lines[3].startswith('plan %s: finished_successful in ' % plans[0].key) and lines[3].endswith(' s')
    assert lines[4] == 'verified: Production runs the versions deployed'

    # The same promotion again, this time as the installed collection's playbook: nothing to do, nothing written.
    sim.clear_requests()
    command = [os.path.join(BIN, 'ansible-playbook'), 'outsystems.lifetime.promote', '-e', json.dumps(PROMOTE_VARS)]
    again = PlaybookRun(command, subprocess.run(command, cwd=str(tmp_path), env=playbook_env(tmp_path, sim), capture_output=True,
                                                text=True, timeout=300, check=False))
    assert again.rc == 0 and again.recap['changed'] == 0, again
    assert sim.writes() == []
    assert new_plans(sim, existing) == plans
    assert 'plan: none, Production already runs these versions' in summary(again)


def test_promote_with_tag_modified_tags_the_source_then_deploys_the_new_version(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)

    run = ansible_playbook(PROMOTE, sim=sim, extra_vars=dict(PROMOTE_VARS, applications='Customer Portal', tag_modified=True))

    assert run.rc == 0, run
    assert [v.number for v in sim.state.versions('Customer Portal')] == ['2.0', '2.1', '2.1.1']
    assert not sim.state.is_modified('Development', 'Customer Portal')
    assert sim.state.running_version('Production', 'Customer Portal') == '2.1.1'
    assert 'Customer Portal 2.0 -> 2.1.1 (tagged, deployed)' in summary(run)


def test_a_conflict_stops_the_promote_and_leaves_no_plan_behind(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    sim.state.add_conflict_rule(target='Production', application='EmployeeBackoffice', message='Orders API uses an element removed in 1.3')
    existing = plan_keys(sim)

    run = ansible_playbook(PROMOTE, sim=sim, extra_vars=PROMOTE_VARS)

    assert run.rc != 0 and run.recap['failed'] == 1, run
    assert 'Orders API uses an element removed in 1.3' in run.output
    assert new_plans(sim, existing) == []
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'
    # The plan was created to read its conflicts, then deleted; never started.
    assert [(method, status) for method, dummy, status in writes(sim)] == [('POST', 201), ('DELETE', 204)]


def test_promote_without_target_environment_fails_with_a_clear_message_before_any_request(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)

    run = ansible_playbook(PROMOTE, sim=sim, extra_vars=dict(source_environment='Development', applications=['EmployeeBackoffice']))

    assert run.rc != 0, run
    assert 'missing required arguments: target_environment' in run.output, run
    assert sim.requests == []


def test_the_connection_can_come_from_extra_vars(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    extra = dict(PROMOTE_VARS, lifetime_url=sim.url, lifetime_token=TOKEN)

    run = ansible_playbook(PROMOTE, extra_vars=extra, check=True, env={'LIFETIME_URL': '', 'LIFETIME_TOKEN': ''})

    assert run.rc == 0, run
    assert sim.writes() == [] and len(sim.requests) > 0
    assert 'EmployeeBackoffice 1.2 -> 1.3 (would deploy)' in summary(run)

    missing = ansible_playbook(PROMOTE, extra_vars=PROMOTE_VARS, check=True, env={'LIFETIME_URL': '', 'LIFETIME_TOKEN': ''})
    assert missing.rc != 0 and 'LIFETIME_URL and LIFETIME_TOKEN' in missing.output, missing


def test_rollback_returns_production_to_the_version_that_ran_before(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    assert ansible_playbook(PROMOTE, sim=sim, extra_vars=PROMOTE_VARS).rc == 0
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    existing = plan_keys(sim)
    sim.clear_requests()

    check = ansible_playbook(ROLLBACK, sim=sim, extra_vars=dict(target_environment='Production', applications='EmployeeBackoffice'),
                             check=True)
    assert check.rc == 0 and sim.writes() == [], check
    assert 'EmployeeBackoffice 1.3 -> 1.2 (would roll back)' in summary(check)

    run = ansible_playbook(ROLLBACK, sim=sim, extra_vars=dict(target_environment='Production', applications='EmployeeBackoffice'))

    assert run.rc == 0, run
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'
    plans = new_plans(sim, existing)
    assert len(plans) == 1 and plans[0].status == 'finished_successful'
    plan = sim.state.deployment_summary(plans[0])
    # LifeTime cannot deploy Production to itself: the source is the environment before it.
    assert plan['source'] == 'Quality Assurance'
    assert [(app['application'], app['version']) for app in plan['applications']] == [('EmployeeBackoffice', '1.2')]
    lines = summary(run)
    assert lines[:2] == ['Roll back Production, deploying from Quality Assurance', 'EmployeeBackoffice 1.3 -> 1.2 (rolled back)']
    assert lines[-1] == 'verified: Production runs the versions deployed'


def test_rollback_to_a_given_version_is_repeatable(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    extra = dict(target_environment='Production', applications=['EmployeeBackoffice'], to_version='1.0')

    assert ansible_playbook(ROLLBACK, sim=sim, extra_vars=extra).rc == 0
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.0'
    sim.clear_requests()
    again = ansible_playbook(ROLLBACK, sim=sim, extra_vars=extra)
    assert again.rc == 0 and again.recap['changed'] == 0, again
    assert sim.writes() == []


def test_rollback_with_no_history_fails_before_writing(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    existing = plan_keys(sim)

    run = ansible_playbook(ROLLBACK, sim=sim, extra_vars=dict(target_environment='Production', applications=['EmployeeBackoffice', 'Orders API']))

    assert run.rc != 0, run
    assert 'No rollback available for Orders API in Production' in run.output, run
    assert sim.writes() == []
    assert new_plans(sim, existing) == []
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_publish_moves_a_package_between_two_lifetimes(ansible_playbook, make_simulator):
    source = make_simulator(token=SOURCE_TOKEN, step_seconds=0.1)
    target = make_simulator(token=TARGET_TOKEN, scenario=OTHER_INFRASTRUCTURE, step_seconds=0.1)
    carried = ['EmployeeBackoffice', 'Google Maps Web']
    assert all(target.state.find_application(name) is None for name in carried)
    env = {'LIFETIME_SOURCE_URL': source.url, 'LIFETIME_SOURCE_TOKEN': SOURCE_TOKEN,
           'LIFETIME_TARGET_URL': target.url, 'LIFETIME_TARGET_TOKEN': TARGET_TOKEN,
           # Neither side may use the single-LifeTime connection variables.
           'LIFETIME_URL': 'http://127.0.0.1:9', 'LIFETIME_TOKEN': 'not-this-one'}
    extra = dict(source_environment='Development', target_environment='Live', applications=carried)

    check = ansible_playbook(PUBLISH, extra_vars=extra, check=True, env=env)
    assert check.rc == 0, check
    assert source.writes() == [] and target.writes() == []
    assert 'EmployeeBackoffice 1.3 (would be published)' in summary(check)

    run = ansible_playbook(PUBLISH, extra_vars=extra, env=env, verbosity=3)

    assert run.rc == 0 and run.recap['failed'] == 0, run
    assert [target.state.running_version('Live', name) for name in carried] == ['1.3', '1.0']
    assert [solution.status for solution in source.state.solutions()] == ['Completed']
    assert writes(source) == [('POST', 'solution', 201)]
    assert len(target.state.uploaded_packages) == 1
    plan = target.state.deployment(target.state.uploaded_packages[0].deployment_key)
    assert plan.status == 'finished_successful'
    lines = summary(run)
    assert 'EmployeeBackoffice 1.3 (published)' in lines and lines[-1] == 'verified: Live runs the versions published'
    assert any(line.startswith('outsystems-lifetime-publish.osp (') and plan.key in line for line in lines), lines
    assert SOURCE_TOKEN not in run.output and TARGET_TOKEN not in run.output

    # Again: the source builds the same package, whose sha256 the target already deployed; nothing is uploaded.
    target.clear_requests()
    again = ansible_playbook(PUBLISH, extra_vars=extra, env=env)
    assert again.rc == 0, again
    assert target.writes() == [] and len(target.state.uploaded_packages) == 1
    assert any('already published by plan %s' % plan.key in line for line in summary(again)), again
