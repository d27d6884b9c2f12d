# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Deployment plans: validation, the start/continue/abort state machine, progress and history."""

from __future__ import annotations

import datetime
import time

import pytest

from tests.simulator.client import Client
from tests.simulator.model import INTERVENTION_INFOS, NO_DATE

DEPLOYMENT_FIELDS = {'Key', 'SourceEnvironmentKey', 'TargetEnvironmentKey', 'DetailsURL', 'Notes', 'CreatedOn', 'CreatedBy',
                     'CreatedByUsername', 'SavedOn', 'SavedBy', 'SavedByUsername', 'StartedOn', 'StartedBy',
                     'StartedByUsername', 'AbortedOn', 'AbortedBy', 'AbortedByUsername', 'ApplicationOperations'}


@pytest.fixture
def slow(make_simulator):
    """A simulator whose deployments take a step every 10 s: tests move its clock with advance_time."""
    return make_simulator(step_seconds=10)


def _plan(api, sim, app='EmployeeBackoffice', version='1.3', source='Development', target='Production'):
    state = sim.state
    reply = api.post('/deployments/', {
        'ApplicationOperations': [{'ApplicationVersionKey': state.version(app, version).key, 'DeploymentZoneKey': ''}],
        'SourceEnvironmentKey': state.environment(source).key, 'TargetEnvironmentKey': state.environment(target).key})
    assert reply.status == 201, reply
    return reply.text.strip('"')


def _status(api, key):
    reply = api.get('/deployments/%s/status/' % key)
    assert reply.status == 200, reply
    return reply.json()


def _command(api, key, command, **query):
    return api.post('/deployments/%s/%s/' % (key, command), body=None, query=query or None)


def _body(env, version_key, zone=''):
    return {'ApplicationOperations': [{'ApplicationVersionKey': version_key, 'DeploymentZoneKey': zone}],
            'Notes': 'n', 'SourceEnvironmentKey': env[0], 'TargetEnvironmentKey': env[1]}


# ------------------------------------------------------------------ creation

def test_create_refuses_deploying_an_environment_to_itself(api, simulator):
    prd = simulator.state.environment('Production').key
    reply = api.post('/deployments/', _body((prd, prd), simulator.state.version('EmployeeBackoffice', '1.2').key))
    assert reply.status == 400
    assert 'cannot deploy from an environment to itself' in reply.json()['Errors'][0].lower()


def test_create_validates_environments_versions_and_zones(api, simulator):
    state = simulator.state
    dev, prd = state.environment('Development').key, state.environment('Production').key
    version = state.version('EmployeeBackoffice', '1.3').key
    reply = api.post('/deployments/', _body(('0000-nope', prd), version))
    assert reply.status == 404 and '0000-nope' in reply.json()['Errors'][0]
    reply = api.post('/deployments/', {'SourceEnvironmentKey': dev})
    assert reply.status == 400 and 'TargetEnvironmentKey' in reply.json()['Errors'][0]
    reply = api.post('/deployments/', _body((dev, prd), 'missing-version-key'))
    assert reply.status == 400 and 'missing-version-key' in reply.json()['Errors'][0]
    internal = next(z for z in state.environment('Production').zones if z.name == 'Internal').key
    assert api.post('/deployments/', _body((dev, prd), version, internal)).status == 201
    dev_zone = state.environment('Development').zones[0].key
    reply = api.post('/deployments/', _body((dev, prd), version, dev_zone))
    assert reply.status == 400 and dev_zone in reply.json()['Errors'][0]
    reply = api.post('/deployments/', {'SourceEnvironmentKey': dev, 'TargetEnvironmentKey': prd, 'ApplicationOperations': 'x'})
    assert reply.status == 400


def test_details_have_the_documented_shape(api, simulator, plan_factory):
    key = plan_factory()
    details = api.get('/deployments/%s/' % key).json()
    assert set(details) == {'Deployment', 'ApplicationsToDeploy', 'ApplicationsToRedeploy', 'ApplicationConflicts', 'ModulesToDelete'}
    assert details['ApplicationsToDeploy'] == [] and details['ModulesToDelete'] == []  # only binary plans deploy a package
    deployment = details['Deployment']
    assert set(deployment) == DEPLOYMENT_FIELDS
    assert deployment['StartedOn'] == NO_DATE and deployment['StartedBy'] == '' and deployment['AbortedOn'] == NO_DATE
    assert deployment['ApplicationOperations'] == [{
        'ApplicationKey': simulator.state.application('EmployeeBackoffice').key,
        'ApplicationVersionKey': simulator.state.version('EmployeeBackoffice', '1.3').key,
        'DeploymentOperation': 'Deploy 1.3', 'DeploymentZoneKey': ''}]
    assert _status(api, key) == {'DeploymentStatus': 'saved', 'Info': '', 'DeploymentLog': []}
    assert api.get('/deployments/no-such-plan/').status == 404


def test_put_updates_a_saved_plan_only(api, simulator, plan_factory):
    key = plan_factory()
    reply = api.put('/deployments/%s/' % key, {'Notes': 'changed', 'ApplicationOperations': [
        {'ApplicationVersionKey': simulator.state.version('EmployeeBackoffice', '1.1').key, 'DeploymentZoneKey': ''}]})
    assert reply.status == 200
    assert set(reply.json()) == DEPLOYMENT_FIELDS
    assert reply.json()['Notes'] == 'changed'
    assert reply.json()['ApplicationOperations'][0]['DeploymentOperation'] == 'Deploy 1.1'
    assert _command(api, key, 'start').status == 202
    reply = api.put('/deployments/%s/' % key, {'Notes': 'again'})
    assert reply.status == 400 and 'saved' in reply.json()['Errors'][0]


def test_delete_only_saved_plans(api, slow):
    api = Client(slow)
    key = _plan(api, slow)
    assert api.delete('/deployments/%s/' % key).status == 204
    assert api.get('/deployments/%s/' % key).status == 404
    key = _plan(api, slow)
    _command(api, key, 'start')
    reply = api.delete('/deployments/%s/' % key)
    assert reply.status == 400 and key in reply.json()['Errors'][0]


# ------------------------------------------------------------------ running

def test_a_started_plan_is_finished_by_the_next_request_when_steps_are_zero(api, simulator, plan_factory):
    key = plan_factory()
    before = time.time()
    reply = _command(api, key, 'start')
    assert (reply.status, reply.body) == (202, b'')
    status = _status(api, key)
    assert status['DeploymentStatus'] == 'finished_successful' and status['Info'] == ''
    messages = [line['Message'] for line in status['DeploymentLog']]
    assert messages[0] == 'Uploading modules from Development to Production'
    assert "Uploading 'EmployeeBackoffice' from Development to Production" in messages
    assert messages[-1] == 'Deploy completed'
    assert all(line['Instant'].endswith('Z') for line in status['DeploymentLog'])
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    assert not simulator.state.is_modified('Production', 'EmployeeBackoffice')
    plan = simulator.state.deployment(key)
    assert before <= plan.finished_at <= time.time()
    started = api.get('/deployments/%s/' % key).json()['Deployment']
    assert started['StartedOn'] != NO_DATE and started['StartedBy']


def test_progress_follows_step_seconds(slow):
    api, state = Client(slow), slow.state
    key = _plan(api, slow)
    _command(api, key, 'start')
    first = _status(api, key)
    assert first['DeploymentStatus'] == 'running'
    assert len(first['DeploymentLog']) == 2  # the upload phase happens at once
    state.advance_time(10)
    second = _status(api, key)
    assert second['DeploymentStatus'] == 'running' and len(second['DeploymentLog']) > 2
    assert state.running_version('Production', 'EmployeeBackoffice') == '1.2'
    state.advance_time(20)
    assert _status(api, key)['DeploymentStatus'] == 'finished_successful'
    plan = state.deployment(key)
    started = plan.started_on.timestamp()
    assert abs(plan.finished_at - (started + 30)) < 0.5  # three steps after the start, not when it was observed


def test_progress_in_real_time(make_simulator):
    sim = make_simulator(step_seconds=0.05)
    api = Client(sim)
    key = _plan(api, sim)
    _command(api, key, 'start')
    deadline = time.monotonic() + 10
    while _status(api, key)['DeploymentStatus'] == 'running' and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _status(api, key)['DeploymentStatus'] == 'finished_successful'
    # Nothing moved the clock: the plan ended by itself, three steps after its start on the simulator's schedule, however
    # late a loaded machine looked (a first look may already find it finished).
    plan = sim.state.deployment(key)
    assert abs(plan.finished_at - (plan.started_on.timestamp() + 3 * 0.05)) < 0.01


@pytest.mark.parametrize('command, setup, allowed_from', [
    ('start', 'running', 'saved'),
    ('start', 'finished_successful', 'saved'),
    ('start', 'aborted', 'saved'),
    ('continue', 'saved', 'needs_user_intervention'),
    ('continue', 'running', 'needs_user_intervention'),
    ('continue', 'aborting', 'needs_user_intervention'),
    ('continue', 'finished_successful', 'needs_user_intervention'),
    ('abort', 'saved', 'running'),
    ('abort', 'aborting', 'running'),
    ('abort', 'aborted', 'running'),
    ('abort', 'finished_successful', 'running'),
])
def test_commands_refused_in_the_wrong_state_answer_400(slow, command, setup, allowed_from):
    api = Client(slow)
    key = _plan(api, slow)
    if setup != 'saved':
        _command(api, key, 'start')
    if setup in ('aborting', 'aborted'):
        _command(api, key, 'abort')
    if setup in ('finished_successful', 'aborted'):
        slow.state.advance_time(60)
    assert _status(api, key)['DeploymentStatus'] == setup
    reply = _command(api, key, command)
    assert reply.status == 400
    message = reply.json()['Errors'][0]
    assert key in message and allowed_from in message


def test_unknown_command_or_plan_is_404(api, plan_factory):
    key = plan_factory()
    assert _command(api, key, 'pause').status == 404
    assert _command(api, 'no-such-plan', 'start').status == 404


def test_abort_goes_through_aborting_and_leaves_the_target_alone(slow):
    api, state = Client(slow), slow.state
    key = _plan(api, slow)
    _command(api, key, 'start')
    assert _command(api, key, 'abort').status == 202
    assert _status(api, key)['DeploymentStatus'] == 'aborting'
    state.advance_time(10)
    assert _status(api, key)['DeploymentStatus'] == 'aborted'
    details = api.get('/deployments/%s/' % key).json()['Deployment']
    assert details['AbortedOn'] != NO_DATE and details['AbortedBy']
    assert state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_only_one_plan_runs_per_target_and_saved_plans_never_block(slow):
    api, state = Client(slow), slow.state
    first, second = _plan(api, slow), _plan(api, slow, version='1.1')
    _plan(api, slow, target='Quality Assurance')  # another saved plan, never blocking
    assert _command(api, first, 'start').status == 202
    reply = _command(api, second, 'start')
    assert reply.status == 400
    assert first in reply.json()['Errors'][0] and 'running' in reply.json()['Errors'][0]
    other_target = _plan(api, slow, app='Customer Portal', version='2.1', target='Quality Assurance', source='Development')
    assert _command(api, other_target, 'start').status == 202
    state.advance_time(30)
    assert _command(api, second, 'start').status == 202


def test_a_blocking_deployment_holds_the_target_until_released(simulator, api, plan_factory):
    state = simulator.state
    blocker = state.start_blocking_deployment('Production')
    key = plan_factory()
    reply = _command(api, key, 'start')
    assert reply.status == 400 and blocker in reply.json()['Errors'][0]
    assert _status(api, blocker)['DeploymentStatus'] == 'running'
    state.release_deployment(blocker)
    assert _status(api, blocker)['DeploymentStatus'] == 'finished_successful'
    assert _command(api, key, 'start').status == 202


def test_a_blocking_deployment_can_hold_for_a_while(make_simulator):
    sim = make_simulator()
    blocker = sim.state.start_blocking_deployment('Production', application='Orders API', hold_seconds=5)
    assert sim.state.deployment(blocker).status == 'running'
    sim.state.advance_time(5)
    assert sim.state.deployment(blocker).status == 'finished_successful'


@pytest.mark.parametrize('info', [i for i in INTERVENTION_INFOS if i != 'needs_configuration_or_confirmation'])
def test_user_intervention_stops_the_plan_and_continue_resumes_it(simulator, api, plan_factory, info):
    simulator.state.set_next_deployment_outcome('Production', 'needs_user_intervention', info=info)
    key = plan_factory()
    _command(api, key, 'start')
    status = _status(api, key)
    assert (status['DeploymentStatus'], status['Info']) == ('needs_user_intervention', info)
    other = plan_factory(version='1.1')
    assert _command(api, other, 'start').status == 400  # still holds the target
    assert _command(api, key, 'continue').status == 202
    status = _status(api, key)
    assert (status['DeploymentStatus'], status['Info']) == ('finished_successful', '')
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'


def test_missing_database_mappings_are_not_fixed_by_a_plain_continue(simulator, api, plan_factory):
    simulator.state.add_intervention_rule('needs_configuration_or_confirmation', target='Production')
    key = plan_factory()
    _command(api, key, 'start')
    assert _status(api, key)['Info'] == 'needs_configuration_or_confirmation'
    reply = _command(api, key, 'continue')
    assert reply.status == 400 and 'database connection mappings' in reply.json()['Errors'][0]
    assert _command(api, key, 'abort').status == 202
    assert _status(api, key)['DeploymentStatus'] == 'aborted'
    retry = plan_factory()
    _command(api, retry, 'start')
    simulator.state.provide_database_mappings(retry)
    assert _command(api, retry, 'continue').status == 202
    assert _status(api, retry)['DeploymentStatus'] == 'finished_successful'


@pytest.mark.parametrize('outcome, changes_target', [
    ('finished_with_warnings', True), ('finished_with_errors', False), ('aborted', False)])
def test_outcome_rules_end_plans_and_only_success_changes_the_target(simulator, api, plan_factory, outcome, changes_target):
    simulator.state.set_next_deployment_outcome('Production', outcome, message='simulated trouble')
    key = plan_factory()
    _command(api, key, 'start')
    status = _status(api, key)
    assert status['DeploymentStatus'] == outcome
    assert any('simulated trouble' in line['Message'] for line in status['DeploymentLog'])
    expected = '1.3' if changes_target else '1.2'
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == expected
    again = plan_factory(version='1.1')  # the rule was for the next plan only
    _command(api, again, 'start')
    assert _status(api, again)['DeploymentStatus'] == 'finished_successful'


def test_start_accepts_redeploy_outdated_and_continue_with_errors(api, plan_factory, simulator):
    key = plan_factory()
    assert _command(api, key, 'start', RedeployOutdated='False', ContinueWithErrors='True').status == 202
    plan = simulator.state.deployment(key)
    assert (plan.redeploy_outdated, plan.continue_with_errors) == (False, True)
    assert _command(api, plan_factory(), 'start', RedeployOutdated='maybe').status == 400


def test_conflict_rules_list_application_conflicts(simulator, api, plan_factory):
    simulator.state.add_conflict_rule(target='Production', application='EmployeeBackoffice', message='Uses a removed action')
    conflicts = api.get('/deployments/%s/' % plan_factory()).json()['ApplicationConflicts']
    assert len(conflicts) == 1
    conflict = conflicts[0]
    assert set(conflict) == {'Message', 'ProducerApplicationOperation', 'ConsumerApplicationOperation', 'ModuleConflict'}
    assert conflict['Message'] == 'Uses a removed action'
    assert set(conflict['ModuleConflict']) == {'ProducerModuleKey', 'ConsumerModuleKey', 'TotalRequiredElements', 'ConflictType'}
    assert conflict['ProducerApplicationOperation']['ApplicationKey'] == simulator.state.application('EmployeeBackoffice').key
    assert api.get('/deployments/%s/' % plan_factory(target='Quality Assurance')).json()['ApplicationConflicts'] == []


def test_in_use_counts_running_versions_and_open_plans(api, simulator, plan_factory):
    app = simulator.state.application('EmployeeBackoffice').key

    def in_use():
        versions = api.get('/applications/%s/versions/' % app).json()
        return {v['Version']: v['InUse'] for v in versions}

    assert in_use() == {'1.3': True, '1.2': True, '1.1': False, '1.0': False}
    key = plan_factory(version='1.1')
    assert in_use()['1.1'] is True
    api.delete('/deployments/%s/' % key)
    assert in_use()['1.1'] is False


# ------------------------------------------------------------------ history

def test_default_history_shows_two_production_deployments_in_the_default_window(api, simulator):
    prd = simulator.state.environment('Production').key
    reply = api.get('/deployments/', query={'TargetEnvironmentKey': prd})
    assert reply.status == 200
    plans = reply.json()
    assert all(set(p) == DEPLOYMENT_FIELDS for p in plans)
    created = [p['CreatedOn'] for p in plans]
    assert created == sorted(created, reverse=True)
    backoffice = simulator.state.application('EmployeeBackoffice').key
    versions = [op['DeploymentOperation'] for p in plans for op in p['ApplicationOperations'] if op['ApplicationKey'] == backoffice]
    assert versions == ['Deploy 1.2', 'Deploy 1.1']  # 1.0 was 30 days ago, outside the week
    for plan in plans:
        assert _status(api, plan['Key'])['DeploymentStatus'] == 'finished_successful'
    older = api.get('/deployments/', query={'TargetEnvironmentKey': prd, 'MinDate': '2000-01-01'}).json()
    assert len(older) == len(plans) + 3  # and EmployeeBackoffice 1.0, Directory Mobile 0.3, Customer Portal 2.0


def test_deployment_list_filters_and_refuses_bad_dates(api, simulator):
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert api.get('/deployments/', query={'MinDate': today.isoformat()}).status == 204
    assert api.get('/deployments/', query={'MaxDate': '2001-01-01'}).status == 204
    assert api.get('/deployments/', query={'MinDate': '2001-01-02', 'MaxDate': '2001-01-01'}).status == 400
    assert api.get('/deployments/', query={'TargetEnvironmentKey': 'unknown'}).status == 204
    reply = api.get('/deployments/', query={'MinDate': 'last tuesday'})
    assert reply.status == 400 and 'last tuesday' in reply.json()['Errors'][0]
    two_days = (today - datetime.timedelta(days=2)).isoformat()
    dev_to_qa = api.get('/deployments/', query={'MinDate': two_days}).json()
    assert len(dev_to_qa) == 1  # only the 1.2 deployment to Production, two days ago


def test_state_helpers_describe_deployments(simulator, plan_factory):
    key = plan_factory()
    summary = simulator.state.deployment_summary(simulator.state.deployment(key))
    assert summary['source'] == 'Development' and summary['target'] == 'Production' and summary['status'] == 'saved'
    version_key = simulator.state.version('EmployeeBackoffice', '1.3').key
    assert summary['applications'] == [
        {'application': 'EmployeeBackoffice', 'version': '1.3', 'deployment_zone_key': '', 'version_key': version_key}]
    assert simulator.state.latest_deployment('Production').key == key
    assert [d.key for d in simulator.state.deployments()][-1] == key


def test_continue_with_errors_deploys_the_applications_that_did_not_fail(simulator):
    from tests.simulator.client import Client, key_of
    world = simulator.state
    world.add_outcome_rule('finished_with_errors', target='Production', application='Customer Portal', message='Timer failed')
    world.set_running_version('Quality Assurance', 'Customer Portal', '2.1')
    client = Client(simulator)
    operations = [{'ApplicationVersionKey': world.version('EmployeeBackoffice', '1.3').key, 'DeploymentZoneKey': ''},
                  {'ApplicationVersionKey': world.version('Customer Portal', '2.1').key, 'DeploymentZoneKey': ''}]
    reply = client.post('/deployments/', {'ApplicationOperations': operations, 'Notes': '',
                                          'SourceEnvironmentKey': world.environment('Quality Assurance').key,
                                          'TargetEnvironmentKey': world.environment('Production').key})
    key = key_of(reply)
    assert client.post('/deployments/%s/start/?ContinueWithErrors=true' % key).status == 202
    assert client.get('/deployments/%s/status/' % key).json()['DeploymentStatus'] == 'finished_with_errors'
    assert world.running_version('Production', 'EmployeeBackoffice') == '1.3'
    assert world.running_version('Production', 'Customer Portal') == '2.0'
