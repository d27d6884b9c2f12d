# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_deployment_info against the simulator: the plans it reports are the simulator's, and the requests stay few."""

import datetime

import pytest

from tests import answers
from tests import hostile_server as hs
from tests.simulator.client import Client
from tests.simulator.model import API_USER, API_USERNAME

MODULE = 'lifetime_deployment_info'
# The default world's history plus a failed, a saved and an aborted plan.
HISTORY = {
    'base': 'default',
    'deployments': [
        {'source': 'Quality Assurance', 'target': 'Production', 'created': '-1d', 'status': 'finished_with_errors',
         'applications': {'Customer Portal': '2.1'}, 'notes': 'Portal 2.1'},
        {'source': 'Quality Assurance', 'target': 'Production', 'created': '-12h', 'status': 'saved',
         'applications': {'Orders API': '1.0'}, 'notes': 'Waiting for the window'},
        {'source': 'Development', 'target': 'Quality Assurance', 'created': '-20d', 'status': 'aborted',
         'applications': {'EmployeeBackoffice': '1.3'}},
    ],
}
DAY = datetime.timedelta(days=1)


@pytest.fixture
def sim(make_simulator):
    return make_simulator(scenario=HISTORY)


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def expected(sim, target=None, since=None, statuses=None):
    """The simulator's plans in the window, newest first, as deployment_summary() describes them."""
    since = since or now() - 7 * DAY
    plans = [sim.state.deployment_summary(plan) for plan in reversed(sim.state.deployments(target)) if plan.created_on >= since]
    return [plan for plan in plans if not statuses or plan['status'] in statuses]


def listings(sim):
    return [r for r in sim.requests if r['method'] == 'GET' and r['path'].rstrip('/').endswith('/deployments')]


def status_reads(sim):
    return [r for r in sim.requests if r['method'] == 'GET' and r['path'].rstrip('/').endswith('/status')]


def details_reads(sim):
    return [r for r in sim.requests if r['method'] == 'GET' and r['path'].rstrip('/').rsplit('/', 2)[-2] == 'deployments']


def version_lists(sim):
    return [r for r in sim.requests if r['method'] == 'GET' and r['path'].rstrip('/').endswith('/versions')]


def summary_of(entry):
    """An entry of the module's answer in the shape of the simulator's deployment_summary()."""
    return dict(key=entry['key'], source=entry['source_environment'] or '', target=entry['target_environment'], status=entry['status'],
                notes=entry['notes'], applications=[dict(application=a['name'], version=a['version'], version_key=a['version_key'],
                                                         deployment_zone_key=a['deployment_zone_key']) for a in entry['applications']])


def summary_fields(plan):
    return dict((field, plan[field]) for field in ('key', 'source', 'target', 'status', 'notes', 'applications'))


# -- what is listed -------------------------------------------------------------------------------------------------------

def test_the_last_seven_days_of_production_are_listed_newest_first_with_what_and_who(run_module, sim):
    result = run_module(MODULE, dict(target_environment='Production'), sim=sim)

    wanted = expected(sim, 'Production')
    assert len(wanted) >= 4
    assert [summary_of(entry) for entry in result['deployments']] == [summary_fields(plan) for plan in wanted]
    assert result['changed'] is False and result['target_environment'] == 'Production'
    assert all('log' not in entry for entry in result['deployments'])


def test_who_created_and_started_a_plan_and_what_never_happened(run_module, sim):
    result = run_module(MODULE, dict(target_environment='Production'), sim=sim)

    finished = next(entry for entry in result['deployments'] if entry['status'] == 'finished_successful')
    assert (finished['started_by'], finished['started_by_username']) == (API_USER, API_USERNAME)
    assert (finished['created_by'], finished['created_by_username']) == (API_USER, API_USERNAME)
    assert finished['started_on'] and (finished['aborted_on'], finished['aborted_by']) == (None, None)
    assert finished['target_environment_key'] == sim.state.environment('Production').key
    assert finished['applications'][0]['operation'] == 'Deploy %s' % finished['applications'][0]['version']


def test_a_saved_plan_was_never_started(run_module, sim):
    result = run_module(MODULE, dict(target_environment='Production'), sim=sim)

    saved = next(entry for entry in result['deployments'] if entry['status'] == 'saved')
    assert (saved['started_on'], saved['started_by'], saved['started_by_username']) == (None, None, None)
    assert saved['notes'] == 'Waiting for the window' and saved['created_on']


def test_one_listing_with_dates_a_day_wider_and_a_status_read_per_started_plan_only(run_module, sim):
    result = run_module(MODULE, dict(target_environment='Production'), sim=sim)

    started = [entry for entry in result['deployments'] if entry['started_on']]
    assert len(started) < len(result['deployments'])
    assert len(listings(sim)) == 1
    query = listings(sim)[0]['query']
    assert query['TargetEnvironmentKey'] == sim.state.environment('Production').key
    begin = datetime.datetime.strptime(result['from'], '%Y-%m-%dT%H:%M:%SZ').date()
    end = datetime.datetime.strptime(result['to'], '%Y-%m-%dT%H:%M:%SZ').date()
    assert (query['MinDate'], query['MaxDate']) == ((begin - DAY).isoformat(), (end + DAY).isoformat())
    assert sorted(r['path'].split('/')[-3] for r in status_reads(sim)) == sorted(entry['key'] for entry in started)
    assert details_reads(sim) == [] and version_lists(sim) == []
    assert sim.writes() == []


def test_every_target_since_a_date(run_module, sim):
    since = (now() - 40 * DAY).date()

    result = run_module(MODULE, {'from': since.isoformat()}, sim=sim)

    wanted = expected(sim, since=datetime.datetime.combine(since, datetime.time(), datetime.timezone.utc))
    assert [entry['key'] for entry in result['deployments']] == [plan['key'] for plan in wanted]
    assert {entry['target_environment'] for entry in result['deployments']} == {'Production', 'Quality Assurance'}
    assert result['target_environment'] is None
    assert 'TargetEnvironmentKey' not in listings(sim)[0]['query']


def test_what_reached_production_is_what_finished_successfully_or_with_warnings(run_module, sim):
    statuses = ['finished_successful', 'finished_with_warnings']

    result = run_module(MODULE, dict(target_environment='Production', status=statuses), sim=sim)

    assert [entry['key'] for entry in result['deployments']] == [plan['key'] for plan in expected(sim, 'Production', statuses=statuses)]
    assert {entry['status'] for entry in result['deployments']} == {'finished_successful'}


def test_saved_plans_need_no_status_read(run_module, sim):
    result = run_module(MODULE, dict(target_environment='Production', status=['saved']), sim=sim)

    assert [entry['notes'] for entry in result['deployments']] == ['Waiting for the window']
    assert status_reads(sim) == []


def test_a_failed_and_an_aborted_plan_carry_their_status_and_who_aborted(run_module, sim):
    result = run_module(MODULE, {'from': (now() - 30 * DAY).isoformat(), 'status': ['finished_with_errors', 'aborted']}, sim=sim)

    by_status = dict((entry['status'], entry) for entry in result['deployments'])
    assert sorted(by_status) == ['aborted', 'finished_with_errors']
    assert by_status['finished_with_errors']['applications'][0]['name'] == 'Customer Portal'
    aborted = by_status['aborted']
    assert aborted['aborted_on'] and (aborted['aborted_by'], aborted['aborted_by_username']) == (API_USER, API_USERNAME)
    assert aborted['source_environment'] == 'Development' and aborted['target_environment'] == 'Quality Assurance'


def test_include_log_adds_each_plans_log(run_module, sim):
    result = run_module(MODULE, dict(target_environment='Production', include_log=True), sim=sim)

    logs = dict((plan['key'], plan['log']) for plan in expected(sim, 'Production'))
    for entry in result['deployments']:
        assert [line['message'] for line in entry['log']] == logs[entry['key']]
        assert all(set(line) == {'instant', 'message', 'type'} for line in entry['log'])
    failed = next(entry for entry in result['deployments'] if entry['status'] == 'finished_with_errors')
    assert 'Error' in [line['type'] for line in failed['log']]
    # With the log, saved plans are read too.
    assert len(status_reads(sim)) == len(result['deployments'])


def test_the_applications_filter_keeps_the_plans_that_deploy_one_of_them(run_module, sim):
    result = run_module(MODULE, {'from': (now() - 40 * DAY).isoformat(), 'applications': ['directory mobile', 'Orders API']}, sim=sim)

    assert result['deployments']
    for entry in result['deployments']:
        assert {a['name'] for a in entry['applications']} & {'Directory Mobile', 'Orders API'}
    wanted = [plan['key'] for plan in expected(sim, since=now() - 40 * DAY)
              if {a['application'] for a in plan['applications']} & {'Directory Mobile', 'Orders API'}]
    assert [entry['key'] for entry in result['deployments']] == wanted


def test_a_version_deleted_since_is_looked_up_once_and_reported_unknown(run_module, sim):
    app = sim.state.application('EmployeeBackoffice')
    version = sim.state.version(app.key, '1.1')
    reply = Client(sim).request('DELETE', '/applications/%s/versions/%s/' % (app.key, version.key))
    assert reply.status == 204, reply
    sim.clear_requests()

    result = run_module(MODULE, {'from': (now() - 40 * DAY).isoformat()}, sim=sim)

    gone = [a for entry in result['deployments'] for a in entry['applications'] if a['version_key'] == version.key]
    assert len(gone) == 2
    assert all(a['version'] is None and a['name'] == 'EmployeeBackoffice' for a in gone)
    assert len(version_lists(sim)) == 1


def test_without_a_label_the_version_number_comes_from_the_applications_versions(run_module, sim):
    # The simulator always labels operations ("Deploy 1.2"); a server in front of it takes the labels out of the list.
    def unlabelled(body):
        for plan in body if isinstance(body, list) else []:
            for op in plan.get('ApplicationOperations') or []:
                op['DeploymentOperation'] = ''
        return body

    with hs.HostileServer(upstream=sim.url) as proxy:
        proxy.route('/lifetimeapi/rest/v2/deployments/', answers.changed(sim, unlabelled), method='GET')
        result = run_module(MODULE, dict(target_environment='Production', lifetime_url=proxy.url), sim=sim)

    assert [summary_of(entry) for entry in result['deployments']] == [summary_fields(plan) for plan in expected(sim, 'Production')]
    names = {a['name'] for entry in result['deployments'] for a in entry['applications']}
    assert len(version_lists(sim)) == len(names)
    assert len(listings(sim)) == 1


# -- the window -----------------------------------------------------------------------------------------------------------

def test_a_date_as_to_includes_that_whole_day(run_module, sim):
    today = now().date()

    result = run_module(MODULE, {'from': (today - DAY).isoformat(), 'to': today.isoformat(), 'target_environment': 'Production'}, sim=sim)

    start = datetime.datetime.combine(today - DAY, datetime.time(), datetime.timezone.utc)
    assert [entry['key'] for entry in result['deployments']] == [plan['key'] for plan in expected(sim, 'Production', since=start)]
    assert result['to'] == '%sT23:59:59Z' % today.isoformat()
    assert result['from'] == '%sT00:00:00Z' % (today - DAY).isoformat()


def test_the_exact_moments_are_applied_with_their_offsets(run_module, sim):
    plan = next(p for p in sim.state.deployments('Production') if p.notes == 'Portal 2.1')
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    just_before = (plan.created_on - datetime.timedelta(seconds=1)).astimezone(plus_two)
    just_after = (plan.created_on + datetime.timedelta(seconds=1)).astimezone(plus_two)

    included = run_module(MODULE, {'from': just_before.isoformat(), 'to': just_after.isoformat()}, sim=sim)
    excluded = run_module(MODULE, {'from': just_after.strftime('%Y-%m-%d %H:%M:%S+02:00')}, sim=sim)

    assert [entry['key'] for entry in included['deployments']] == [plan.key]
    assert plan.key not in [entry['key'] for entry in excluded['deployments']]


def test_nothing_in_the_window_costs_no_more_requests(run_module, sim):
    result = run_module(MODULE, {'from': '2001-01-01', 'to': '2001-01-31'}, sim=sim)

    assert result['deployments'] == []
    assert [r['path'].rstrip('/').rsplit('/', 1)[-1] for r in sim.requests] == ['deployments']


# -- check mode and bad input -------------------------------------------------------------------------------------------------

def test_check_mode_gives_the_same_answer_and_writes_nothing(run_module, sim):
    real = run_module(MODULE, dict(target_environment='Production'), sim=sim)
    check = run_module(MODULE, dict(target_environment='Production'), sim=sim, check_mode=True)

    assert [summary_of(entry) for entry in check['deployments']] == [summary_of(entry) for entry in real['deployments']]
    assert check['changed'] is False
    assert sim.writes() == []


@pytest.mark.parametrize('args, parameter, text', [
    ({'from': 'last week'}, 'from', "from 'last week' is not a date: give an ISO date such as 2026-01-15"),
    ({'to': '2026-02-30'}, 'to', "to '2026-02-30' is not a date"),
    ({'from': '2026-01-15T25:00:00Z'}, 'from', "from '2026-01-15T25:00:00Z' is not a date"),
    ({'from': '2026-02-01', 'to': '2026-01-31'}, 'from', 'from (2026-02-01T00:00:00Z) is after to (2026-01-31T23:59:59Z)'),
    ({'target_environment': ' '}, 'target_environment', 'target_environment is empty'),
])
def test_a_bad_value_fails_naming_it_before_any_request(run_module, sim, args, parameter, text):
    result = run_module(MODULE, args, sim=sim)

    assert result['failed'] is True
    assert result['msg'].startswith(text), result
    assert result['parameter'] == parameter
    assert sim.requests == []


def test_an_unknown_status_is_refused_by_its_choices(run_module, sim):
    result = run_module(MODULE, dict(status=['done']), sim=sim)

    assert result['failed'] is True
    assert 'status' in result['msg'] and 'finished_successful' in result['msg']
    assert sim.requests == []


def test_an_unknown_target_fails_listing_the_environments(run_module, sim):
    result = run_module(MODULE, dict(target_environment='Staging'), sim=sim)

    assert result['failed'] is True
    assert "'Staging'" in result['msg'] and '(target_environment)' in result['msg'] and 'Production' in result['msg']
    assert listings(sim) == []


def test_an_unknown_application_fails_naming_its_place_in_the_list(run_module, sim):
    result = run_module(MODULE, dict(applications=['EmployeeBackoffice', 'Payroll']), sim=sim)

    assert result['failed'] is True
    assert "'Payroll'" in result['msg'] and '(applications[1])' in result['msg']
    assert listings(sim) == []


def test_a_failing_status_read_fails_with_lifetimes_sentence(run_module, sim):
    sim.inject_fault('GET', '/deployments/*/status/', status=500)

    result = run_module(MODULE, dict(target_environment='Production'), sim=sim)

    assert result['failed'] is True
    assert result['msg'].startswith('LifeTime failed (GET /deployments/'), result
    assert '500 Internal Server Error' in result['msg'] and 'Traceback' not in result['msg']


def test_a_listing_without_keys_fails_plainly(run_module, sim):
    # A server in front of the simulator answers the list of plans with a plan that has no key.
    with hs.HostileServer(upstream=sim.url) as proxy:
        proxy.route('/lifetimeapi/rest/v2/deployments/', hs.json_answer([{'Notes': 'no key'}]), method='GET')
        result = run_module(MODULE, dict(lifetime_url=proxy.url), sim=sim)

    assert result['failed'] is True
    assert result['msg'].startswith('LifeTime answered with something that is not what the API documents (GET /deployments/'), result
    assert 'deployment plan 0 of the list has no Key' in result['msg']
    # The list was read once and nothing of it further (a status or the details of a plan).
    assert [entry['path'] for entry in proxy.requests if '/deployments' in entry['path']] == ['/lifetimeapi/rest/v2/deployments/']
    assert sim.writes() == [] and status_reads(sim) == [] and details_reads(sim) == []
