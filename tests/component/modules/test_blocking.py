# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Release freezes: an application blocked in the target stops lifetime_deployment, naming the reason, with no plan left."""

PROMOTE = dict(source_environment='Development', target_environment='Production', applications=[{'name': 'EmployeeBackoffice'}])
REASON = 'Release freeze until 2027-01-05 (CHG-9)'


def test_a_blocked_application_fails_the_promote_naming_the_reason_and_no_plan_is_left(run_module, simulator):
    simulator.state.set_application_blocked('EmployeeBackoffice', 'Production', reason=REASON)
    before = set(plan.key for plan in simulator.state.deployments())
    result = run_module('lifetime_deployment', PROMOTE)
    assert result['failed'] is True and 'blocked for EmployeeBackoffice (%s)' % REASON.rstrip('.') in result['msg'], result
    assert 'lifetime_application_config' in result['msg'] and result['blocked'] == ['EmployeeBackoffice']
    assert set(plan.key for plan in simulator.state.deployments()) == before
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_an_application_blocked_elsewhere_deploys(run_module, simulator):
    simulator.state.set_application_blocked('EmployeeBackoffice', 'Quality Assurance', reason=REASON)
    result = run_module('lifetime_deployment', PROMOTE)
    assert result.get('failed') is not True, result
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'


def test_a_block_set_after_the_plan_was_saved_stops_its_start_and_leaves_that_plan_as_it_was(run_module, simulator):
    saved = run_module('lifetime_deployment', dict(PROMOTE, state='present'))
    simulator.state.set_application_blocked('EmployeeBackoffice', 'Production', reason=REASON)
    result = run_module('lifetime_deployment', PROMOTE)
    assert result['failed'] is True and 'blocked for EmployeeBackoffice' in result['msg'], result
    # The saved plan was not this run's: it is left as it was.
    assert simulator.state.deployment(saved['deployment_key']).status == 'saved' and 'left saved' in result['msg']


def test_check_mode_predicts_the_freeze_with_the_real_runs_reason_and_writes_nothing(run_module, simulator):
    simulator.state.set_application_blocked('EmployeeBackoffice', 'Production', reason=REASON)
    simulator.clear_requests()
    predicted = run_module('lifetime_deployment', PROMOTE, check_mode=True)
    assert predicted['failed'] is True, predicted
    assert simulator.writes() == []
    real = run_module('lifetime_deployment', PROMOTE)
    assert real['failed'] is True
    assert predicted['msg'] == real['msg'] and predicted['blocked'] == real['blocked'] == ['EmployeeBackoffice']
    assert 'blocked for EmployeeBackoffice (%s)' % REASON in real['msg']
    # The real run also refuses before any write: LifeTime is not asked to create a plan it would refuse.
    assert simulator.writes() == []


def test_a_refusal_for_a_freeze_carries_the_plan_it_would_have_made(run_module, simulator):
    simulator.state.set_application_blocked('EmployeeBackoffice', 'Production', reason=REASON)
    result = run_module('lifetime_deployment', PROMOTE)
    assert result['failed'] is True
    assert result['target_environment'] == 'Production'
    assert [(app['name'], app['from_version'], app['to_version']) for app in result['applications']] == [('EmployeeBackoffice', '1.2', '1.3')]
