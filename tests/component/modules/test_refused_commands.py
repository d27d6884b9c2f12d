# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A command LifeTime refuses because the plan already moved on: the plan is read again and followed, never failed for it.

The simulator's ``after_processing`` fault carries the command out and then answers 400, as LifeTime answers a
command that someone else (a user in LifeTime, another run) sent a moment before.
"""

PROMOTE = dict(source_environment='Development', target_environment='Production', applications=[{'name': 'EmployeeBackoffice'}])


def commands(sim, command):
    return [entry for entry in sim.requests if entry['method'] == 'POST' and entry['path'].rstrip('/').endswith('/' + command)]


def test_a_continue_refused_because_a_user_continued_the_plan_at_the_same_moment_is_followed_to_its_end(run_module, simulator):
    simulator.state.add_intervention_rule('deploy_prepared', target='Production', once=True)
    simulator.inject_fault('POST', '/deployments/*/continue/', status=400, count=1, after_processing=True)

    result = run_module('lifetime_deployment', dict(PROMOTE, on_user_intervention='continue'))

    assert result.get('failed') is not True and result['deployment_status'] == 'finished_successful', result
    assert simulator.state.deployment(result['deployment_key']).status == 'finished_successful'
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    assert [entry['status'] for entry in commands(simulator, 'continue')] == [400]


def test_an_abort_refused_because_the_plan_is_already_aborting_is_followed_until_aborted(run_module, make_simulator):
    sim = make_simulator(step_seconds=2)
    started = run_module('lifetime_deployment', dict(PROMOTE, state='started'), sim=sim)
    sim.inject_fault('POST', '/deployments/*/abort/', status=400, count=1, after_processing=True)

    result = run_module('lifetime_deployment', dict(PROMOTE, state='aborted', wait_timeout=30), sim=sim)

    assert result.get('failed') is not True and result['changed'] is True, result
    assert result['deployment_key'] == started['deployment_key'] and result['deployment_status'] == 'aborted'
    assert sim.state.deployment(started['deployment_key']).status == 'aborted'
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'
    assert [entry['status'] for entry in commands(sim, 'abort')] == [400]


def test_an_abort_refused_for_a_plan_that_is_not_aborting_still_fails(run_module, make_simulator):
    sim = make_simulator(step_seconds=2)
    started = run_module('lifetime_deployment', dict(PROMOTE, state='started'), sim=sim)
    sim.inject_fault('POST', '/deployments/*/abort/', status=400, count=1)

    result = run_module('lifetime_deployment', dict(PROMOTE, state='aborted', wait_timeout=30), sim=sim)

    assert result['failed'] is True and 'abort' in result['msg'] and '400' in result['msg'], result
    assert sim.state.deployment(started['deployment_key']).status in ('running', 'finished_successful')
    assert len(commands(sim, 'abort')) == 1
    log = sim.requests
    refused = max(index for index, entry in enumerate(log) if entry['path'].rstrip('/').endswith('/abort'))
    assert [entry for entry in log[refused + 1:] if entry['path'].rstrip('/').endswith('/status')], 'the plan was not read again'
