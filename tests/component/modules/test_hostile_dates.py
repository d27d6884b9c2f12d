# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Dates at the ends of the calendar: lifetime_deployment_info's from and to, and the dates LifeTime answers with.

0001-01-01 and 9999-12-31 are valid (the window stops there instead of overflowing when it is widened by a day); a moment
UTC cannot hold is refused naming the option, before any request; .NET's MinValue and MaxValue in LifeTime's answers are
read, not a crash.
"""

import datetime

import pytest

from tests import answers
from tests import hostile_server as hs

MODULE = 'lifetime_deployment_info'
HISTORY = {
    'base': 'default',
    'deployments': [
        {'source': 'Quality Assurance', 'target': 'Production', 'created': '-1d', 'status': 'finished_with_errors',
         'applications': {'Customer Portal': '2.1'}, 'notes': 'Portal 2.1'},
        {'source': 'Quality Assurance', 'target': 'Production', 'created': '-12h', 'status': 'saved',
         'applications': {'Orders API': '1.0'}, 'notes': 'Waiting for the window'},
    ],
}


@pytest.fixture
def sim(make_simulator):
    return make_simulator(scenario=HISTORY)


def listings(sim):
    return [r for r in sim.requests if r['method'] == 'GET' and r['path'].rstrip('/').endswith('/deployments')]


def answered(result):
    assert result.get('failed') is not True, result
    assert 'exception' not in result, result
    return result


def query_of(request):
    return dict((key.lower(), value[0] if isinstance(value, list) else value) for key, value in request['query'].items())


@pytest.mark.parametrize('args, min_date, max_date, first, last', [
    ({'from': '0001-01-01', 'to': '9999-12-31'}, '0001-01-01', '9999-12-31', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z'),
    ({'from': '0001-01-01T00:00:00Z', 'to': '9999-12-31T23:59:59Z'}, '0001-01-01', '9999-12-31', '0001-01-01T00:00:00Z',
     '9999-12-31T23:59:59Z'),
    ({'to': '9999-12-31T23:59:59.9999999'}, '9999-12-23', '9999-12-31', '9999-12-24T23:59:59Z', '9999-12-31T23:59:59Z'),
    ({'to': '0001-01-03'}, '0001-01-01', '0001-01-04', '0001-01-01T00:00:00Z', '0001-01-03T23:59:59Z'),
    ({'from': '9999-12-31T10:00:00+05:00', 'to': '9999-12-31'}, '9999-12-30', '9999-12-31', '9999-12-31T05:00:00Z', '9999-12-31T23:59:59Z'),
], ids=['dates-at-both-ends', 'moments-at-both-ends', 'to-at-the-last-moment', 'to-near-the-first-day', 'from-with-offset-near-the-end'])
def test_the_calendars_ends_are_a_window_that_stops_there(run_module, sim, args, min_date, max_date, first, last):
    result = answered(run_module(MODULE, dict(args, target_environment='Production'), sim=sim))

    assert (result['from'], result['to']) == (first, last)
    (listing,) = listings(sim)
    assert (query_of(listing)['mindate'], query_of(listing)['maxdate']) == (min_date, max_date)
    assert sim.writes() == []
    if args.get('from', '').startswith('0001') and args.get('to', '').startswith('9999'):
        assert sorted(entry['key'] for entry in result['deployments']) == sorted(plan.key for plan in sim.state.deployments('Production'))


@pytest.mark.parametrize('args, parameter', [
    ({'from': '0001-01-01T00:00:00+05:00'}, 'from'),
    ({'to': '9999-12-31T23:59:59-05:00'}, 'to'),
    ({'from': '0001-01-01T04:59:00+05:00', 'to': '2026-01-01'}, 'from'),
], ids=['from-before-the-first-moment', 'to-after-the-last-moment', 'from-minutes-before'])
def test_a_moment_utc_cannot_hold_is_refused_naming_the_option_before_any_request(run_module, sim, args, parameter):
    result = run_module(MODULE, args, sim=sim)

    assert result['failed'] is True and 'exception' not in result, result
    assert result['msg'].startswith('%s %r is outside the calendar once read in UTC' % (parameter, args[parameter])), result['msg']
    assert result['parameter'] == parameter
    assert sim.requests == []


def test_a_long_value_that_is_no_date_is_not_echoed_whole(run_module, sim):
    result = run_module(MODULE, {'from': '9' * 100000}, sim=sim)

    assert result['failed'] is True and result['parameter'] == 'from', result
    assert result['msg'].startswith("from '9999999") and '(100000 characters) is not a date' in result['msg'], result['msg'][:300]
    assert len(result['msg']) < 400
    assert sim.requests == []


def test_lifetimes_first_and_last_moments_in_its_answers_are_read(run_module, sim):
    # .NET's DateTime.MinValue and MaxValue as LifeTime may write them, with and without an offset that UTC cannot hold.
    ends = ['0001-01-01T00:00:00', '9999-12-31T23:59:59.9999999', '0001-01-01T00:00:00+05:00', '9999-12-31T23:59:59.9999999-05:00']

    def at_the_ends(body):
        for plan, moment in zip(body if isinstance(body, list) else [], ends + ends):
            plan['CreatedOn'] = moment
        return body

    with hs.HostileServer(upstream=sim.url) as proxy:
        proxy.route('/lifetimeapi/rest/v2/deployments/', answers.changed(sim, at_the_ends), method='GET')
        result = answered(run_module(MODULE, {'from': '0001-01-01', 'to': '9999-12-31', 'lifetime_url': proxy.url}, sim=sim))

    listed = [plan.key for plan in sim.state.deployments()]
    assert sorted(entry['key'] for entry in result['deployments']) == sorted(listed)
    assert [entry['created_on'] for entry in result['deployments'] if entry['created_on'] in ends]
    assert len(listings(sim)) == 1 and sim.writes() == []


def test_the_default_window_before_a_to_near_the_first_day_is_not_an_overflow(run_module, sim):
    # from defaults to 7 days before to: near 0001-01-01 that is before the calendar's first day.
    result = answered(run_module(MODULE, {'to': '0001-01-02T12:00:00Z'}, sim=sim))

    assert result['from'] == '0001-01-01T00:00:00Z' and result['deployments'] == []
    assert query_of(listings(sim)[0])['mindate'] == '0001-01-01'
    assert datetime.date.fromisoformat(query_of(listings(sim)[0])['maxdate']) == datetime.date(1, 1, 3)
