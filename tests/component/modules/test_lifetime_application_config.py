# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_application_config against the simulator: the configurations LifeTime holds afterwards, and the requests it got."""

import pytest

from tests import hostile_server as hs

MODULE = 'lifetime_application_config'
APP = 'EmployeeBackoffice'
REASON = 'Release freeze until 2026-12-24 (CHG-4711)'


def config(sim, env, app=APP):
    return sim.state.application_configuration(app, env)


def puts(sim):
    return [w for w in sim.writes() if w['method'] == 'PUT' and w['path'].rstrip('/').endswith('/configurations')]


def body_keys(write):
    return [item['environmentKey'] for item in write['body']['configurations']]


def env_key(sim, name):
    return sim.state.environment(name).key


def block(**extra):
    args = dict(application=APP, environment='Production', blocked=True, reason=REASON)
    args.update(extra)
    return args


# -- blocking and allowing -----------------------------------------------------------------------------------------------

def test_blocking_production_blocks_it_in_lifetime_and_nowhere_else(run_module, simulator):
    result = run_module(MODULE, block())

    assert result['changed'] is True, result
    assert config(simulator, 'Production') == {'is_blocked': True, 'reason': REASON}
    assert simulator.state.is_blocked(simulator.state.application(APP).key, env_key(simulator, 'Production'))
    for other in ('Development', 'Quality Assurance'):
        assert config(simulator, other) == {'is_blocked': False, 'reason': ''}
    assert [w['body'] for w in puts(simulator)] == [{'configurations': [
        {'environmentKey': env_key(simulator, 'Production'), 'isBlocked': True, 'isBlockedChangeReason': REASON}]}]


def test_blocking_returns_the_configuration_lifetime_holds(run_module, simulator):
    result = run_module(MODULE, block())

    assert result['changed_environments'] == ['Production']
    assert result['configurations'] == [{'environment': 'Production', 'environment_key': env_key(simulator, 'Production'),
                                         'blocked': True, 'reason': REASON}]
    assert result['application'] == {'name': APP, 'key': simulator.state.application(APP).key}
    assert result['msg'] == 'Blocked deployments of %s to Production (reason: %s).' % (APP, REASON)


def test_the_end_state_is_read_back_after_the_put(run_module, simulator):
    run_module(MODULE, block())

    paths = [(r['method'], r['path'].rsplit('/', 3)[-2]) for r in simulator.requests if 'configurations' in r['path']]
    assert paths == [('GET', 'configurations'), ('PUT', 'configurations'), ('GET', 'configurations')]


def test_a_blocked_application_cannot_be_planned_for_that_environment_afterwards(run_module, simulator):
    run_module(MODULE, block())

    result = run_module('lifetime_deployment', dict(applications=[dict(name=APP, version='1.3')], source_environment='Quality Assurance',
                                                    target_environment='Production', state='present'))

    assert result['failed'] is True, result
    assert 'blocked' in result['msg'], result
    assert [d for d in simulator.state.deployments('Production') if d.status == 'saved'] == []


def test_a_second_run_changes_nothing_and_sends_no_put(run_module, simulator):
    first = run_module(MODULE, block())
    second = run_module(MODULE, block(), diff=True)

    assert first['changed'] is True and second['changed'] is False, (first, second)
    assert len(puts(simulator)) == 1
    assert second['changed_environments'] == []
    assert second['diff']['before'] == second['diff']['after']
    assert 'already blocked: nothing to change' in second['msg']


def test_several_environments_are_changed_in_one_put_with_only_those_that_differ(run_module, simulator):
    simulator.state.set_application_blocked(APP, 'Quality Assurance', True, reason='Earlier freeze')
    simulator.clear_requests()

    result = run_module(MODULE, block(environment=['Quality Assurance', 'Production', 'Development']))

    assert result['changed_environments'] == ['Production', 'Development']
    assert [body_keys(w) for w in puts(simulator)] == [[env_key(simulator, 'Production'), env_key(simulator, 'Development')]]
    assert config(simulator, 'Quality Assurance') == {'is_blocked': True, 'reason': 'Earlier freeze'}
    assert config(simulator, 'Development') == config(simulator, 'Production') == {'is_blocked': True, 'reason': REASON}
    assert [item['environment'] for item in result['configurations']] == ['Quality Assurance', 'Production', 'Development']
    assert result['msg'].startswith('Blocked deployments of %s to Production and Development' % APP)


def test_allowing_deployments_again_lifts_the_block(run_module, simulator):
    simulator.state.set_application_blocked(APP, 'Production', True, reason=REASON)
    simulator.clear_requests()

    result = run_module(MODULE, dict(application=APP, environment='Production', blocked=False, reason='Freeze over'), diff=True)

    assert result['changed'] is True, result
    assert config(simulator, 'Production') == {'is_blocked': False, 'reason': 'Freeze over'}
    assert result['diff'] == {
        'before': {'application': APP, 'environments': {'Production': {'blocked': True, 'reason': REASON}}},
        'after': {'application': APP, 'environments': {'Production': {'blocked': False, 'reason': 'Freeze over'}}},
    }
    assert result['msg'] == 'Allowed deployments of %s to Production (reason: Freeze over).' % APP


def test_allowing_needs_no_reason(run_module, simulator):
    simulator.state.set_application_blocked(APP, 'Production', True, reason=REASON)

    result = run_module(MODULE, dict(application=APP, environment='Production', blocked=False))

    assert result['changed'] is True, result
    assert config(simulator, 'Production') == {'is_blocked': False, 'reason': ''}


def test_an_existing_block_with_another_reason_is_left_as_it_is(run_module, simulator):
    simulator.state.set_application_blocked(APP, 'Production', True, reason='Audit')
    simulator.clear_requests()

    result = run_module(MODULE, block())

    assert result['changed'] is False, result
    assert puts(simulator) == []
    assert config(simulator, 'Production') == {'is_blocked': True, 'reason': 'Audit'}
    assert "the reason it holds is kept: Production: 'Audit'" in result['msg']


def test_names_and_keys_in_any_case_name_the_same_environment_and_application(run_module, simulator):
    app = simulator.state.application(APP)

    result = run_module(MODULE, block(application=app.key.upper(), environment=['production']))

    assert result['changed'] is True, result
    assert config(simulator, 'Production')['is_blocked'] is True


# -- check and diff mode --------------------------------------------------------------------------------------------------

def test_check_mode_sends_no_put_and_says_what_would_change(run_module, simulator):
    result = run_module(MODULE, block(environment=['Production', 'Quality Assurance']), check_mode=True, diff=True)

    assert result['changed'] is True, result
    assert simulator.writes() == []
    assert config(simulator, 'Production') == {'is_blocked': False, 'reason': ''}
    assert result['msg'] == 'Would block deployments of %s to Production and Quality Assurance (reason: %s).' % (APP, REASON)
    assert result['changed_environments'] == ['Production', 'Quality Assurance']
    assert [item['blocked'] for item in result['configurations']] == [True, True]
    assert result['diff'] == {
        'before': {'application': APP, 'environments': {'Production': {'blocked': False, 'reason': ''},
                                                        'Quality Assurance': {'blocked': False, 'reason': ''}}},
        'after': {'application': APP, 'environments': {'Production': {'blocked': True, 'reason': REASON},
                                                       'Quality Assurance': {'blocked': True, 'reason': REASON}}},
    }


def test_check_mode_of_what_is_already_so_reports_no_change(run_module, simulator):
    simulator.state.set_application_blocked(APP, 'Production', True, reason=REASON)

    result = run_module(MODULE, block(), check_mode=True)

    assert result['changed'] is False, result
    assert simulator.writes() == []


def test_without_diff_mode_no_diff_is_returned(run_module, simulator):
    assert 'diff' not in run_module(MODULE, block())


# -- bad input: one sentence naming the parameter, nothing written ---------------------------------------------------------

@pytest.mark.parametrize('reason', [None, '', '   '])
def test_blocking_without_a_reason_fails_before_any_request(run_module, simulator, reason):
    result = run_module(MODULE, block(reason=reason))

    assert result['failed'] is True
    assert result['msg'].startswith('reason is required with blocked=true'), result
    assert result['parameter'] == 'reason'
    assert simulator.requests == []


def test_an_unknown_environment_in_the_list_fails_naming_it_and_changes_nothing(run_module, simulator):
    result = run_module(MODULE, block(environment=['Production', 'Staging']))

    assert result['failed'] is True
    assert "'Staging'" in result['msg'] and '(environment[1])' in result['msg']
    for env in simulator.state.environments():
        assert env.name in result['msg']
    assert simulator.writes() == []
    assert config(simulator, 'Production')['is_blocked'] is False


def test_an_environment_named_twice_fails(run_module, simulator):
    result = run_module(MODULE, block(environment=['Production', simulator.state.environment('Production').key]))

    assert result['failed'] is True
    assert result['msg'] == 'environment lists Production twice.'
    assert simulator.writes() == []


def test_an_empty_environment_fails_before_any_request(run_module, simulator):
    result = run_module(MODULE, block(environment=['']))

    assert result['failed'] is True
    assert result['msg'].startswith('environment is empty')
    assert simulator.requests == []


def test_an_unknown_application_fails_naming_it(run_module, simulator):
    result = run_module(MODULE, block(application='Payroll'))

    assert result['failed'] is True
    assert "'Payroll'" in result['msg'] and '(application)' in result['msg']
    assert simulator.writes() == []


# -- LifeTime's failures and lost answers -----------------------------------------------------------------------------------

def test_a_refused_put_fails_with_lifetimes_sentence(run_module, simulator):
    simulator.inject_fault('PUT', '/applications/*/configurations/', status=403)

    result = run_module(MODULE, block())

    assert result['failed'] is True
    assert result['msg'].startswith('LifeTime refused (403 Forbidden) to change whether EmployeeBackoffice may be deployed to Production: '), result
    assert 'Traceback' not in result['msg']
    assert result['api_error']['status'] == 403
    assert config(simulator, 'Production')['is_blocked'] is False


def test_a_lifetime_without_the_feature_fails_with_its_answer(run_module, simulator):
    simulator.inject_fault('GET', '/applications/*/configurations/', status=405)

    result = run_module(MODULE, block())

    assert result['failed'] is True
    assert '405 Method Not Allowed' in result['msg'], result
    assert simulator.writes() == []


def test_a_put_whose_answer_is_lost_after_lifetime_applied_it_is_not_sent_again(run_module, simulator):
    simulator.inject_fault('PUT', '/applications/*/configurations/', drop=True, count=1, after_processing=True)

    result = run_module(MODULE, block())

    assert result['changed'] is True, result
    assert len(puts(simulator)) == 1
    assert config(simulator, 'Production') == {'is_blocked': True, 'reason': REASON}


def test_a_put_whose_answer_is_lost_before_lifetime_applied_it_is_sent_once_more(run_module, simulator):
    simulator.inject_fault('PUT', '/applications/*/configurations/', status=503, count=1)

    result = run_module(MODULE, block())

    assert result['changed'] is True, result
    assert [w['status'] for w in puts(simulator)] == [503, 204]
    assert config(simulator, 'Production') == {'is_blocked': True, 'reason': REASON}


def test_a_put_lifetime_accepts_without_applying_it_fails_saying_so(run_module, simulator):
    # 204 without processing: LifeTime says yes and changes nothing.
    simulator.inject_fault('PUT', '/applications/*/configurations/', status=204)

    result = run_module(MODULE, block())

    assert result['failed'] is True
    assert result['msg'] == 'LifeTime accepted the change to %s but still shows deployments allowed in Production.' % APP
    assert result['configurations'][0]['blocked'] is False


def test_an_answer_that_is_not_a_configuration_list_fails_plainly(run_module, simulator):
    # A server in front of the simulator answers the application's configurations with something that is not a list of them.
    configurations = '/lifetimeapi/rest/v2/applications/%s/configurations/' % simulator.state.application(APP).key
    with hs.HostileServer(upstream=simulator.url) as proxy:
        proxy.route(configurations, hs.json_answer({'configurations': 'none'}), method='GET')
        result = run_module(MODULE, block(lifetime_url=proxy.url))

    assert result['failed'] is True
    assert 'expected "configurations", a list of records with an environmentKey' in result['msg']
    assert [entry['method'] for entry in proxy.requests if entry['path'] == configurations] == ['GET']
    assert simulator.writes() == [] and config(simulator, 'Production') == {'is_blocked': False, 'reason': ''}
