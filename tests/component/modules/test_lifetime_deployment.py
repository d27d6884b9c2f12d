# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_deployment against the simulator: every state and option, checked in the simulator's state and request log."""

import pytest

PROMOTE = dict(source_environment='Development', target_environment='Production', applications=[{'name': 'EmployeeBackoffice'}])
WRITE_METHODS = ('POST', 'PUT', 'DELETE')


def new_plans(sim, before):
    return [plan for plan in sim.state.deployments() if plan.key not in before]


def keys(sim):
    return set(plan.key for plan in sim.state.deployments())


def posts(sim, suffix):
    return [entry for entry in sim.requests if entry['method'] == 'POST' and entry['path'].rstrip('/').endswith(suffix)]


def requests_before_create(sim):
    log = sim.requests
    for index, entry in enumerate(log):
        if entry['method'] == 'POST':
            return log[:index]
    return log


# -- the everyday promote ---------------------------------------------------------------------------

def test_check_mode_returns_the_plan_and_sends_no_write(run_module, simulator):
    result = run_module('lifetime_deployment', PROMOTE, check_mode=True, diff=True)
    assert result['changed'] is True
    assert result['applications'][0]['from_version'] == '1.2'
    assert result['applications'][0]['to_version'] == '1.3'
    assert result['applications'][0]['skipped'] is False
    assert result['diff']['before'] == {'EmployeeBackoffice': '1.2'}
    assert result['diff']['after'] == {'EmployeeBackoffice': '1.3'}
    assert not [entry for entry in simulator.requests if entry['method'] in WRITE_METHODS]
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_deployed_promotes_and_the_target_runs_the_new_version(run_module, simulator):
    before = keys(simulator)
    result = run_module('lifetime_deployment', PROMOTE)
    assert result['changed'] is True and not result.get('failed'), result
    assert result['deployment_status'] == 'finished_successful'
    created = new_plans(simulator, before)
    assert len(created) == 1 and created[0].key == result['deployment_key']
    assert created[0].status == 'finished_successful'
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    assert result['log'][-1]['message'] == created[0].log[-1].message
    # The plan carries the run's marker so a lost create answer can be traced.
    assert '[outsystems.lifetime run ' in created[0].notes


def test_a_second_identical_run_creates_no_plan(run_module, simulator):
    run_module('lifetime_deployment', PROMOTE)
    simulator.clear_requests()
    before = keys(simulator)
    result = run_module('lifetime_deployment', PROMOTE)
    assert result['changed'] is False
    assert result['deployment_key'] is None
    assert result['applications'][0]['skipped'] is True
    assert 'already runs version 1.3' in result['applications'][0]['reason']
    assert new_plans(simulator, before) == []
    assert simulator.writes() == []


def test_building_the_plan_costs_at_most_n_plus_3_requests_besides_one_freeze_check_per_application(run_module, simulator):
    apps = [{'name': 'EmployeeBackoffice'}, {'name': 'Directory Mobile', 'version': '0.3'}, {'name': 'Google Maps Web'}]
    result = run_module('lifetime_deployment', dict(PROMOTE, applications=apps, state='present', allow_downgrade=True))
    assert result['changed'] is True
    before_create = requests_before_create(simulator)
    freeze_checks = [e for e in before_create if e['path'].rstrip('/').endswith('/configurations')]
    assert len(freeze_checks) == len(apps)
    assert len(before_create) - len(freeze_checks) <= len(apps) + 3, [(e['method'], e['path']) for e in before_create]


def test_notes_are_kept_and_the_marker_appended(run_module, simulator):
    result = run_module('lifetime_deployment', dict(PROMOTE, notes='CHG-42 release', state='present'))
    plan = simulator.state.deployment(result['deployment_key'])
    assert plan.notes.startswith('CHG-42 release\n[outsystems.lifetime run ')


def test_the_source_defaults_to_the_environment_before_the_target(run_module, simulator):
    result = run_module('lifetime_deployment', dict(target_environment='Production', state='present', allow_downgrade=True,
                                                    applications=[{'name': 'Directory Mobile', 'version': '0.3'}]))
    assert result['source_environment'] == 'Quality Assurance'
    summary = simulator.state.deployment_summary(simulator.state.deployment(result['deployment_key']))
    assert summary['source'] == 'Quality Assurance'


# -- versions -----------------------------------------------------------------------------------------

def test_an_explicit_version_number_is_deployed(run_module, simulator):
    result = run_module('lifetime_deployment', dict(source_environment='Quality Assurance', target_environment='Production', allow_downgrade=True,
                                                    applications=[{'name': 'Directory Mobile', 'version': '0.3'}]))
    assert result['deployment_status'] == 'finished_successful'
    assert simulator.state.running_version('Production', 'Directory Mobile') == '0.3'


def test_a_version_key_is_accepted(run_module, simulator):
    version_key = simulator.state.version('EmployeeBackoffice', '1.1').key
    result = run_module('lifetime_deployment', dict(source_environment='Quality Assurance', target_environment='Production', allow_downgrade=True,
                                                    applications=[{'key': 'c9a7a82e-0eee-4a3d-8e22-2a19c69c766f', 'version': version_key}]))
    assert result['applications'][0]['to_version'] == '1.1'
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.1'


def test_an_application_modified_in_the_source_must_be_tagged_first(run_module, simulator):
    result = run_module('lifetime_deployment', dict(PROMOTE, applications=[{'name': 'Customer Portal'}]))
    assert result['failed'] is True
    assert 'modified in Development' in result['msg'] and 'lifetime_app_version' in result['msg']
    assert simulator.writes() == []


def test_previous_deploys_the_version_that_ran_before(run_module, simulator):
    result = run_module('lifetime_deployment', dict(target_environment='Production',
                                                    applications=[{'name': 'EmployeeBackoffice', 'version': 'previous'}]))
    assert not result.get('failed'), result
    assert (result['applications'][0]['from_version'], result['applications'][0]['to_version']) == ('1.2', '1.1')
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.1'


def test_previous_after_a_promote_goes_back_to_what_ran_before_it(run_module, simulator):
    run_module('lifetime_deployment', PROMOTE)
    result = run_module('lifetime_deployment', dict(target_environment='Production',
                                                    applications=[{'name': 'EmployeeBackoffice', 'version': 'previous'}]))
    assert result['applications'][0]['to_version'] == '1.2'
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_previous_without_a_version_that_ran_before_is_no_rollback_not_a_guess(run_module, simulator):
    # Orders API reaches 1.1 in Production without any deployment plan: 1.0 is older, but nothing says it ran there.
    simulator.state.add_version('Orders API', '1.1')
    simulator.state.set_running_version('Production', 'Orders API', '1.1')
    result = run_module('lifetime_deployment', dict(target_environment='Production',
                                                    applications=[{'name': 'Orders API', 'version': 'previous'}]))
    assert result['failed'] is True, result
    assert 'No rollback available for Orders API in Production: it runs version 1.1' in result['msg']
    assert 'Give the version to go back to' in result['msg']
    assert simulator.writes() == [] and simulator.state.running_version('Production', 'Orders API') == '1.1'


def test_previous_with_nothing_to_go_back_to_fails_before_writing(run_module, simulator):
    result = run_module('lifetime_deployment', dict(target_environment='Production',
                                                    applications=[{'name': 'Orders API', 'version': 'previous'}]))
    assert result['failed'] is True
    assert 'No rollback available for Orders API in Production' in result['msg']
    assert simulator.writes() == []


ROLLBACK = dict(target_environment='Production', applications=[{'name': 'EmployeeBackoffice', 'version': 'previous'}])


def deployed_versions(sim, plan_key):
    return [op['version'] for op in sim.state.deployment_summary(sim.state.deployment(plan_key))['applications']]


def test_a_second_rollback_goes_further_back_never_forward_to_the_version_rolled_back_from(run_module, simulator):
    # Production: 1.2, then the promote to 1.3, then a rollback to 1.2. The next rollback must not re-deploy 1.3.
    run_module('lifetime_deployment', PROMOTE)
    first = run_module('lifetime_deployment', ROLLBACK)
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2', first
    second = run_module('lifetime_deployment', ROLLBACK)
    assert not second.get('failed'), second
    assert second['applications'][0]['to_version'] == '1.1'
    assert deployed_versions(simulator, second['deployment_key']) == ['1.1']
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.1'


def test_previous_is_never_a_version_created_after_the_running_one_even_when_it_ran_before(run_module, simulator):
    # 1.0, 1.1 and 1.2 ran in Production (the scenario's history), then 1.3 (promote), then an explicit rollback to 1.1: of
    # what ran, 1.3 and 1.2 were created after 1.1, so 1.0 is the previous version.
    run_module('lifetime_deployment', PROMOTE)
    run_module('lifetime_deployment', dict(target_environment='Production', allow_downgrade=True,
                                           applications=[{'name': 'EmployeeBackoffice', 'version': '1.1'}]))
    simulator.clear_requests()
    result = run_module('lifetime_deployment', ROLLBACK, check_mode=True)
    assert not result.get('failed'), result
    assert result['applications'][0]['to_version'] == '1.0'
    chosen = simulator.state.version('EmployeeBackoffice', '1.0')
    assert chosen.created_on < simulator.state.version('EmployeeBackoffice', '1.1').created_on
    assert simulator.writes() == []


def test_rollback_with_only_newer_versions_in_history_and_none_older_fails_before_writing(run_module, simulator):
    # Orders API 1.0 runs; 1.1 (newer) ran before by a plan: it is no rollback target, and 1.0 is the oldest version.
    simulator.state.add_version('Orders API', '1.1')
    run_module('lifetime_deployment', dict(source_environment='Development', target_environment='Production',
                                           applications=[{'name': 'Orders API', 'version': '1.1'}]))
    run_module('lifetime_deployment', dict(target_environment='Production', allow_downgrade=True,
                                           applications=[{'name': 'Orders API', 'version': '1.0'}]))
    assert simulator.state.running_version('Production', 'Orders API') == '1.0'
    simulator.clear_requests()
    result = run_module('lifetime_deployment', dict(target_environment='Production',
                                                    applications=[{'name': 'Orders API', 'version': 'previous'}]))
    assert result['failed'] is True
    assert 'No rollback available for Orders API in Production' in result['msg']
    assert simulator.writes() == []
    assert simulator.state.running_version('Production', 'Orders API') == '1.0'


def test_a_deployment_zone_is_resolved_by_name(run_module, simulator):
    result = run_module('lifetime_deployment', dict(PROMOTE, state='present',
                                                    applications=[{'name': 'EmployeeBackoffice', 'deployment_zone': 'internal'}]))
    plan = simulator.state.deployment(result['deployment_key'])
    assert plan.operations[0].zone_key == 'd91a7e60-dea3-4150-8da2-39593a780507'
    assert result['applications'][0]['deployment_zone'] == 'Internal'


def test_an_unknown_deployment_zone_lists_the_zones(run_module, simulator):
    result = run_module('lifetime_deployment', dict(PROMOTE, applications=[{'name': 'EmployeeBackoffice', 'deployment_zone': 'Mars'}]))
    assert result['failed'] is True
    assert "No deployment zone 'Mars'" in result['msg'] and 'Global' in result['msg'] and 'Internal' in result['msg']
    assert 'applications[0].deployment_zone' in result['msg']
    assert simulator.writes() == []


# -- bad input ----------------------------------------------------------------------------------------

@pytest.mark.parametrize('args, words', [
    (dict(PROMOTE, target_environment='Prod'), ["No environment 'Prod'", 'target_environment', 'Production']),
    (dict(PROMOTE, applications=[{'name': 'Payroll'}]), ["No application 'Payroll'", 'applications[0].name', 'EmployeeBackoffice']),
    (dict(PROMOTE, applications=[{'name': 'EmployeeBackoffice', 'version': '9.9'}]), ["No version '9.9'", 'applications[0].version']),
    (dict(PROMOTE, source_environment='Production'), ['cannot deploy an environment to itself']),
    (dict(PROMOTE, applications=[{'name': 'EmployeeBackoffice'}, {'name': 'employeebackoffice'}]), ['lists EmployeeBackoffice twice']),
    (dict(PROMOTE, applications=[]), ['applications is empty']),
    (dict(target_environment='Development', applications=[{'name': 'EmployeeBackoffice'}]), ['first environment', 'source_environment']),
])
def test_bad_input_fails_clearly_and_writes_nothing(run_module, simulator, args, words):
    result = run_module('lifetime_deployment', args)
    assert result['failed'] is True
    for word in words:
        assert word in result['msg']
    assert simulator.writes() == []


def test_applications_without_a_target_is_refused_by_the_argument_spec(run_module, simulator):
    result = run_module('lifetime_deployment', dict(applications=[{'name': 'EmployeeBackoffice'}]))
    assert result['failed'] is True and 'target_environment' in result['msg']
    assert simulator.requests == []


# -- states -------------------------------------------------------------------------------------------

def test_present_saves_a_plan_and_a_second_run_reuses_it(run_module, simulator):
    first = run_module('lifetime_deployment', dict(PROMOTE, state='present'))
    assert first['changed'] is True and first['deployment_status'] == 'saved'
    second = run_module('lifetime_deployment', dict(PROMOTE, state='present'))
    assert second['changed'] is False and second['deployment_key'] == first['deployment_key']
    assert len(posts(simulator, '/deployments')) == 1
    assert simulator.state.deployment(first['deployment_key']).status == 'saved'


def test_deployed_reuses_the_saved_plan_instead_of_creating_another(run_module, simulator):
    saved = run_module('lifetime_deployment', dict(PROMOTE, state='present'))
    result = run_module('lifetime_deployment', PROMOTE)
    assert result['deployment_key'] == saved['deployment_key']
    assert result['deployment_status'] == 'finished_successful'
    assert len(posts(simulator, '/deployments')) == 1


def test_started_returns_without_waiting(run_module, make_simulator):
    sim = make_simulator(step_seconds=5)
    result = run_module('lifetime_deployment', dict(PROMOTE, state='started'), sim=sim)
    assert result['changed'] is True
    assert result['deployment_status'] == 'running'
    assert sim.state.deployment(result['deployment_key']).status == 'running'


def test_deployed_attaches_to_a_running_plan_with_the_same_versions(run_module, make_simulator):
    sim = make_simulator(step_seconds=0.3)
    started = run_module('lifetime_deployment', dict(PROMOTE, state='started'), sim=sim)
    result = run_module('lifetime_deployment', PROMOTE, sim=sim)
    assert result['deployment_key'] == started['deployment_key']
    assert result['deployment_status'] == 'finished_successful'
    assert len(posts(sim, '/deployments')) == 1
    assert len(posts(sim, '/start')) == 1


def test_aborted_aborts_the_running_plan(run_module, make_simulator):
    sim = make_simulator(step_seconds=5)
    started = run_module('lifetime_deployment', dict(PROMOTE, state='started'), sim=sim)
    result = run_module('lifetime_deployment', dict(PROMOTE, state='aborted', wait_timeout=30), sim=sim)
    assert result['changed'] is True, result
    sim.state.advance_time(10)
    assert sim.state.deployment(started['deployment_key']).status == 'aborted'
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'
    again = run_module('lifetime_deployment', dict(PROMOTE, state='aborted'), sim=sim)
    assert again['changed'] is False


def test_absent_deletes_the_saved_plan_and_is_idempotent(run_module, simulator):
    saved = run_module('lifetime_deployment', dict(PROMOTE, state='present'))
    result = run_module('lifetime_deployment', dict(PROMOTE, state='absent'))
    assert result['changed'] is True
    assert simulator.state.find_deployment(saved['deployment_key']) is None
    again = run_module('lifetime_deployment', dict(PROMOTE, state='absent'))
    assert again['changed'] is False


def test_absent_in_check_mode_deletes_nothing(run_module, simulator):
    saved = run_module('lifetime_deployment', dict(PROMOTE, state='present'))
    simulator.clear_requests()
    result = run_module('lifetime_deployment', dict(PROMOTE, state='absent'), check_mode=True)
    assert result['changed'] is True
    assert simulator.writes() == []
    assert simulator.state.find_deployment(saved['deployment_key']) is not None


def test_deployment_key_starts_an_existing_saved_plan(run_module, simulator):
    saved = run_module('lifetime_deployment', dict(PROMOTE, state='present'))
    result = run_module('lifetime_deployment', dict(deployment_key=saved['deployment_key']))
    assert result['deployment_status'] == 'finished_successful' and result['changed'] is True
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    again = run_module('lifetime_deployment', dict(deployment_key=saved['deployment_key']))
    assert again['changed'] is False


def test_deployment_key_absent_deletes_that_plan(run_module, simulator):
    saved = run_module('lifetime_deployment', dict(PROMOTE, state='present'))
    result = run_module('lifetime_deployment', dict(deployment_key=saved['deployment_key'], state='absent'))
    assert result['changed'] is True
    assert simulator.state.find_deployment(saved['deployment_key']) is None


def test_an_unknown_deployment_key_fails_clearly(run_module, simulator):
    result = run_module('lifetime_deployment', dict(deployment_key='00000000-0000-0000-0000-000000000000'))
    assert result['failed'] is True
    assert 'No deployment plan with key 00000000-0000-0000-0000-000000000000 (deployment_key)' in result['msg']
    assert simulator.writes() == []


# -- how deployments end ----------------------------------------------------------------------------

def test_finished_with_warnings_succeeds_with_warnings(run_module, simulator):
    simulator.state.set_next_deployment_outcome('Production', 'finished_with_warnings', message='Warning: slow query in Orders')
    result = run_module('lifetime_deployment', PROMOTE)
    assert not result.get('failed')
    assert result['deployment_status'] == 'finished_with_warnings'
    assert result['warnings'] and 'finished with warnings' in result['warnings'][0]
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'


@pytest.mark.parametrize('status', ['finished_with_errors', 'aborted'])
def test_errors_and_aborts_fail_with_the_last_log_lines(run_module, simulator, status):
    simulator.state.set_next_deployment_outcome('Production', status, message='Disk full on front-end 2')
    result = run_module('lifetime_deployment', PROMOTE)
    assert result['failed'] is True
    assert 'ended %s' % status in result['msg']
    assert 'Last log lines:' in result['msg']
    assert result['deployment_status'] == status
    assert simulator.state.deployment(result['deployment_key']).status == status
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_a_wait_timeout_fails_with_the_last_status_and_leaves_the_deployment_running(run_module, make_simulator):
    sim = make_simulator(step_seconds=30)
    result = run_module('lifetime_deployment', dict(PROMOTE, wait_timeout=1), sim=sim)
    assert result['failed'] is True
    assert 'Timed out after' in result['msg'] and 'running' in result['msg'] and 'Nothing was aborted' in result['msg']
    assert result['deployment_status'] == 'running' and result['log']
    assert sim.state.deployment(result['deployment_key']).status == 'running'
    assert not posts(sim, '/abort')


# -- conflicts ----------------------------------------------------------------------------------------

def test_conflicts_fail_before_starting_and_leave_no_plan(run_module, simulator):
    simulator.state.add_conflict_rule(target='Production', application='EmployeeBackoffice', message='Producer Directory is missing')
    before = keys(simulator)
    result = run_module('lifetime_deployment', PROMOTE)
    assert result['failed'] is True
    assert '1 conflict(s)' in result['msg'] and 'Producer Directory is missing' in result['msg'] and 'deleted' in result['msg']
    assert result['conflicts'][0]['message'] == 'Producer Directory is missing'
    assert new_plans(simulator, before) == []
    assert not posts(simulator, '/start')
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_allow_conflicts_deploys_anyway(run_module, simulator):
    simulator.state.add_conflict_rule(target='Production', application='EmployeeBackoffice')
    result = run_module('lifetime_deployment', dict(PROMOTE, allow_conflicts=True))
    assert result['deployment_status'] == 'finished_successful'
    assert len(result['conflicts']) == 1


# -- one deployment at a time per target --------------------------------------------------------------

def test_a_busy_target_is_waited_for(run_module, simulator):
    blocker = simulator.state.start_blocking_deployment('Production', hold_seconds=1.5)
    result = run_module('lifetime_deployment', PROMOTE)
    assert result['deployment_status'] == 'finished_successful', result
    starts = posts(simulator, '/start')
    assert [entry['status'] for entry in starts] == [400, 202]
    assert simulator.state.deployment(blocker).status == 'finished_successful'
    assert simulator.state.deployment(result['deployment_key']).finished_at >= simulator.state.deployment(blocker).finished_at


def test_a_target_busy_past_queue_timeout_fails_naming_the_blocking_plan(run_module, simulator):
    blocker = simulator.state.start_blocking_deployment('Production')
    result = run_module('lifetime_deployment', dict(PROMOTE, queue_timeout=1))
    assert result['failed'] is True
    assert blocker in result['msg'] and 'queue_timeout' in result['msg']
    mine = result['deployment_key']
    assert simulator.state.deployment(mine).status == 'saved'


def test_saved_plans_on_the_target_do_not_block(run_module, simulator):
    run_module('lifetime_deployment', dict(source_environment='Quality Assurance', target_environment='Production', state='present',
                                           applications=[{'name': 'Directory Mobile', 'version': '0.3'}]))
    result = run_module('lifetime_deployment', PROMOTE)
    assert result['deployment_status'] == 'finished_successful'
    assert [entry['status'] for entry in posts(simulator, '/start')] == [202]


# -- lost answers -------------------------------------------------------------------------------------

@pytest.mark.parametrize('fault', [dict(drop=True), dict(status=502), dict(status=500)])
def test_a_lost_create_answer_leads_to_exactly_one_plan(run_module, simulator, fault):
    simulator.inject_fault('POST', '/deployments/', count=1, after_processing=True, **fault)
    before = keys(simulator)
    result = run_module('lifetime_deployment', PROMOTE)
    assert not result.get('failed'), result
    created = new_plans(simulator, before)
    assert len(created) == 1
    assert created[0].key == result['deployment_key'] and created[0].status == 'finished_successful'
    assert len(posts(simulator, '/deployments')) == 1


def test_a_create_refused_before_processing_is_not_resent_and_nothing_exists(run_module, simulator):
    simulator.inject_fault('POST', '/deployments/', count=1, status=503)
    before = keys(simulator)
    result = run_module('lifetime_deployment', PROMOTE)
    assert result['failed'] is True
    assert 'nothing was created' in result['msg'] and 'Run the task again' in result['msg']
    assert len(posts(simulator, '/deployments')) == 1
    assert new_plans(simulator, before) == []


def test_a_lost_start_answer_is_not_a_failure(run_module, simulator):
    simulator.inject_fault('POST', '/deployments/*/start/', count=1, after_processing=True, drop=True)
    result = run_module('lifetime_deployment', PROMOTE)
    assert result['deployment_status'] == 'finished_successful', result
    assert [entry['status'] for entry in posts(simulator, '/start')] == [None]


def test_status_polls_survive_transient_errors(run_module, make_simulator):
    sim = make_simulator(step_seconds=0.5)
    sim.inject_fault('GET', '/deployments/*/status/', count=2, status=503)
    result = run_module('lifetime_deployment', PROMOTE, sim=sim)
    assert result['deployment_status'] == 'finished_successful'


# -- user intervention --------------------------------------------------------------------------------

GO_AHEAD_INFOS = ['deploy_prepared', 'deployment_prepared', 'business_process_impact', 'deployment_suspended']


@pytest.mark.parametrize('info', GO_AHEAD_INFOS)
def test_intervention_with_fail_fails_and_leaves_the_plan_waiting(run_module, simulator, info):
    simulator.state.add_intervention_rule(info, target='Production', once=True)
    result = run_module('lifetime_deployment', PROMOTE)
    assert result['failed'] is True
    assert 'needs user intervention' in result['msg'] and info in result['msg']
    plan = simulator.state.deployment(result['deployment_key'])
    assert (plan.status, plan.info) == ('needs_user_intervention', info)
    assert not posts(simulator, '/continue')


@pytest.mark.parametrize('info', GO_AHEAD_INFOS)
def test_intervention_with_continue_sends_continue_and_finishes(run_module, simulator, info):
    simulator.state.add_intervention_rule(info, target='Production', once=True)
    result = run_module('lifetime_deployment', dict(PROMOTE, on_user_intervention='continue'))
    assert result['deployment_status'] == 'finished_successful', result
    assert len(posts(simulator, '/continue')) == 1
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'


@pytest.mark.parametrize('info', GO_AHEAD_INFOS)
def test_intervention_with_stop_returns_and_a_later_run_finishes_the_same_plan(run_module, simulator, info):
    simulator.state.add_intervention_rule(info, target='Production', once=True)
    stopped = run_module('lifetime_deployment', dict(PROMOTE, on_user_intervention='stop'))
    assert not stopped.get('failed'), stopped
    assert (stopped['deployment_status'], stopped['info']) == ('needs_user_intervention', info)
    assert simulator.state.deployment(stopped['deployment_key']).status == 'needs_user_intervention'
    assert not posts(simulator, '/continue')
    finished = run_module('lifetime_deployment', dict(PROMOTE, on_user_intervention='stop'))
    assert finished['deployment_key'] == stopped['deployment_key']
    assert finished['deployment_status'] == 'finished_successful'
    assert len(posts(simulator, '/continue')) == 1
    assert len(posts(simulator, '/deployments')) == 1


@pytest.mark.parametrize('policy', ['fail', 'continue', 'stop'])
def test_needs_configuration_is_never_continued(run_module, simulator, policy):
    simulator.state.add_intervention_rule('needs_configuration_or_confirmation', target='Production', once=True)
    result = run_module('lifetime_deployment', dict(PROMOTE, on_user_intervention=policy))
    assert result['failed'] is True
    assert 'database connection' in result['msg'] and 'needs_configuration_or_confirmation' in result['msg']
    assert not posts(simulator, '/continue')
    assert simulator.state.deployment(result['deployment_key']).status == 'needs_user_intervention'


def test_the_token_never_appears_in_a_result(run_module, simulator):
    result = run_module('lifetime_deployment', PROMOTE)
    failed = run_module('lifetime_deployment', dict(PROMOTE, target_environment='Nowhere'))
    assert simulator.token not in repr(result) and simulator.token not in repr(failed)


# -- the summary a playbook prints ----------------------------------------------------------------------

def test_the_summary_says_what_was_deployed_skipped_and_how_the_plan_ended(run_module, simulator):
    apps = [{'name': 'EmployeeBackoffice'}, {'name': 'Orders API'}]
    planned = run_module('lifetime_deployment', dict(PROMOTE, applications=apps), check_mode=True)
    assert planned['summary'] == ['EmployeeBackoffice 1.2 -> 1.3 (would deploy)', 'Orders API skipped: already runs 1.0',
                                  'plan: would create one deployment plan for 1 application(s)']
    done = run_module('lifetime_deployment', dict(PROMOTE, applications=apps))
    plan = simulator.state.deployment(done['deployment_key'])
    assert done['summary'][:2] == ['EmployeeBackoffice 1.2 -> 1.3 (deployed)', 'Orders API skipped: already runs 1.0']
    assert done['summary'][2].startswith('plan %s: %s in ' % (plan.key, plan.status))
    again = run_module('lifetime_deployment', dict(PROMOTE, applications=apps))
    assert again['summary'][-1] == 'plan: none, Production already runs these versions'


def test_the_summary_calls_a_deployment_to_a_lower_version_a_roll_back(run_module, simulator):
    rollback = dict(target_environment='Production', applications=[{'name': 'EmployeeBackoffice', 'version': 'previous'}])
    assert run_module('lifetime_deployment', rollback, check_mode=True)['summary'][0] == 'EmployeeBackoffice 1.2 -> 1.1 (would roll back)'
    assert run_module('lifetime_deployment', rollback)['summary'][0] == 'EmployeeBackoffice 1.2 -> 1.1 (rolled back)'
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.1'


# -- tag_modified: tagged as the first write, after every check -------------------------------------------------------

TAGGED = dict(source_environment='Development', target_environment='Production', applications=[{'name': 'Customer Portal'}],
              tag_modified=True, notes='Sprint 9')


def version_posts(sim):
    return [entry for entry in sim.writes() if entry['path'].rstrip('/').endswith('/versions')]


def test_tag_modified_tags_the_source_first_and_deploys_the_new_version(run_module, simulator):
    check = run_module('lifetime_deployment', TAGGED, check_mode=True)
    assert check.get('failed') is not True, check
    assert check['applications'][0]['to_version'] == '2.1.1' and check['applications'][0]['tag'] is True
    assert check['summary'][0] == 'Customer Portal 2.0 -> 2.1.1 (would tag, then deploy)'
    assert simulator.writes() == []

    result = run_module('lifetime_deployment', TAGGED)

    assert result.get('failed') is not True, result
    assert [version.number for version in simulator.state.versions('Customer Portal')] == ['2.0', '2.1', '2.1.1']
    assert simulator.state.running_version('Production', 'Customer Portal') == '2.1.1'
    assert not simulator.state.is_modified('Development', 'Customer Portal')
    assert result['applications'][0]['version_key'] == simulator.state.version('Customer Portal', '2.1.1').key
    assert result['summary'][0] == 'Customer Portal 2.0 -> 2.1.1 (tagged, deployed)'
    # The tag was the first write, and it carries the notes as its change log.
    assert simulator.writes()[0]['path'].rstrip('/').endswith('/versions')
    assert simulator.state.version('Customer Portal', '2.1.1').change_log == 'Sprint 9'


def test_tag_modified_of_an_application_frozen_in_the_target_is_refused_before_it_is_tagged(run_module, simulator):
    simulator.state.set_application_blocked('Customer Portal', 'Production', reason='Freeze (CHG-5)')
    predicted = run_module('lifetime_deployment', TAGGED, check_mode=True)
    real = run_module('lifetime_deployment', TAGGED)
    assert predicted['failed'] is True and real['failed'] is True
    assert predicted['msg'] == real['msg'] and 'blocked for Customer Portal (Freeze (CHG-5))' in real['msg']
    assert simulator.writes() == [] and version_posts(simulator) == []
    assert simulator.state.is_modified('Development', 'Customer Portal')


def test_tag_modified_to_its_own_source_is_refused_before_it_is_tagged(run_module, simulator):
    result = run_module('lifetime_deployment', dict(TAGGED, target_environment='Development'))
    assert result['failed'] is True and 'LifeTime cannot deploy an environment to itself' in result['msg'], result
    assert simulator.writes() == []


def test_tag_modified_with_another_application_refused_tags_nothing(run_module, simulator):
    args = dict(TAGGED, applications=[{'name': 'Customer Portal'}, {'name': 'EmployeeBackoffice', 'version': '1.0'}])
    result = run_module('lifetime_deployment', args)
    assert result['failed'] is True and 'Refusing to go back to older versions' in result['msg'], result
    assert simulator.writes() == []


def test_a_rollback_to_a_version_newer_than_the_running_one_is_refused_before_any_write(run_module, simulator):
    result = run_module('lifetime_deployment', dict(target_environment='Production', rollback=True,
                                                    applications=[{'name': 'EmployeeBackoffice', 'version': '1.3'}]))
    assert result['failed'] is True, result
    assert 'A rollback only goes back' in result['msg'] and 'EmployeeBackoffice 1.3 is not older than the 1.2 Production runs' in result['msg']
    assert simulator.writes() == [] and simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_a_rollback_to_an_older_version_or_previous_goes_back(run_module, simulator):
    back = run_module('lifetime_deployment', dict(target_environment='Production', rollback=True,
                                                  applications=[{'name': 'EmployeeBackoffice', 'version': '1.0'}]))
    assert back.get('failed') is not True, back
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.0'
    again = run_module('lifetime_deployment', dict(target_environment='Production', rollback=True,
                                                   applications=[{'name': 'EmployeeBackoffice', 'version': '1.0'}]))
    assert again['changed'] is False and again.get('failed') is not True, again


def test_a_rollback_of_an_application_that_does_not_run_in_the_target_is_refused(run_module, simulator):
    result = run_module('lifetime_deployment', dict(target_environment='Production', rollback=True,
                                                    applications=[{'name': 'Google Maps Web', 'version': '1.0'}]))
    assert result['failed'] is True and 'Google Maps Web does not run in Production' in result['msg'], result
    assert simulator.writes() == []


# -- after LifeTime completed the deployment, a failing read or file does not fail the run --------------------------------

def fail_reads_of_the_applications_once_the_plan_starts(sim):
    """From the start command on, every GET /applications/ answers 500 (the verify read after the deployment)."""
    import threading
    import time

    def watch():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(entry['path'].rstrip('/').endswith('/start') for entry in sim.requests):
                sim.inject_fault('GET', '/applications/', status=500)
                return
            time.sleep(0.02)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_verify_read_that_fails_after_the_deployment_ended_well_is_a_warning_not_a_failure(run_module, make_simulator):
    sim = make_simulator(step_seconds=0.3)
    fail_reads_of_the_applications_once_the_plan_starts(sim)

    result = run_module('lifetime_deployment', dict(PROMOTE, request_timeout=5), sim=sim)

    assert result.get('failed') is not True, result
    assert result['deployment_status'] == 'finished_successful' and result['verified'] is None
    assert any('could not be read to verify it' in warning for warning in result['warnings'])
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'


def test_a_manifest_dest_that_cannot_be_written_after_the_deployment_is_a_warning_and_the_manifest_is_returned(
        run_module, make_simulator, tmp_path):
    sim = make_simulator(step_seconds=0.3)
    directory = tmp_path / 'releases'
    directory.mkdir()
    import threading
    import time

    def remove_directory_once_started():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(entry['path'].rstrip('/').endswith('/start') for entry in sim.requests):
                directory.rmdir()
                return
            time.sleep(0.02)

    threading.Thread(target=remove_directory_once_started, daemon=True).start()
    result = run_module('lifetime_deployment', dict(PROMOTE, manifest_dest=str(directory / 'production.json')), sim=sim)

    assert result.get('failed') is not True, result
    assert result['deployment_status'] == 'finished_successful' and result['manifest_written'] is False
    assert [entry['VersionNumber'] for entry in result['manifest']['ApplicationVersions']] == ['1.3']
    assert any('release manifest was not written' in warning for warning in result['warnings'])


def test_a_verify_that_finds_other_versions_fails_and_says_which_plan_ended_how(run_module, simulator):
    """LifeTime says the plan succeeded but the target runs something else: a failure carrying the plan's key and status."""
    import unittest.mock
    original = simulator.state.set_running_version

    def keep_old(env, app, version, **kwargs):
        if str(env).lower() in ('production', simulator.state.environment('Production').key.lower()):
            return None
        return original(env, app, version, **kwargs)

    with unittest.mock.patch.object(simulator.state, 'set_running_version', side_effect=keep_old):
        result = run_module('lifetime_deployment', PROMOTE)
    assert result['failed'] is True and 'LifeTime reports the deployment ended well, but' in result['msg'], result
    assert result['deployment_status'] == 'finished_successful' and result['deployment_key']
    assert result['applications'][0]['from_version'] == '1.2'


def test_a_tag_another_run_made_at_the_same_moment_is_deployed_not_a_failure(run_module, make_simulator):
    """Two promotions with tag_modified at once: the second tag request is refused (the number exists); the run takes that tag."""
    import threading
    import time

    from tests.simulator.client import Client

    sim = make_simulator()
    # Ours is held back one second before LifeTime processes it; meanwhile "the other run" tags the same content.
    fault = sim.inject_fault('POST', '/environments/*/applications/*/versions/', latency=1.0, count=1)
    development = sim.state.environment('Development').key
    portal = sim.state.application('Customer Portal').key

    def other_run():
        deadline = time.monotonic() + 30
        while fault.matched < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        Client(sim).post('/environments/%s/applications/%s/versions/' % (development, portal),
                         {'Version': '2.1.1', 'ChangeLog': 'the other run', 'MobileVersions': []})

    thread = threading.Thread(target=other_run, daemon=True)
    thread.start()
    result = run_module('lifetime_deployment', TAGGED, sim=sim)
    thread.join(timeout=30)

    assert result.get('failed') is not True, result
    assert [version.number for version in sim.state.versions('Customer Portal')] == ['2.0', '2.1', '2.1.1']
    assert sim.state.version('Customer Portal', '2.1.1').change_log == 'the other run'
    assert sim.state.running_version('Production', 'Customer Portal') == '2.1.1'
    tag_posts = [entry for entry in sim.writes() if entry['path'].rstrip('/').endswith('/versions')]
    assert sorted(entry['status'] for entry in tag_posts) == [201, 400]


def test_a_refused_tag_whose_number_is_not_what_runs_in_the_source_still_fails(run_module, make_simulator):
    sim = make_simulator()
    fault = sim.inject_fault('POST', '/environments/*/applications/*/versions/', latency=1.0, count=1)
    import threading
    import time

    def other_version():
        deadline = time.monotonic() + 30
        while fault.matched < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        # Someone made 2.1.1 of something else (it does not run in Development): no tag of ours to adopt.
        sim.state.add_version('Customer Portal', '2.1.1')

    threading.Thread(target=other_version, daemon=True).start()
    result = run_module('lifetime_deployment', TAGGED, sim=sim)
    assert result['failed'] is True, result
    assert sim.state.running_version('Production', 'Customer Portal') == '2.0'
    assert not [entry for entry in sim.writes() if entry['path'].rstrip('/').endswith('/deployments')]
