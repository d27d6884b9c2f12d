# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Plans at constant cost: what lifetime_deployment asks LifeTime before it creates a plan for N applications.

With ``BaseApplicationVersionLabel`` in the applications' status (LifeTime 11.21.1+ in the simulator), promoting N
applications at the versions their source runs takes the environments, the applications with their status and the
target's plans: 3 requests before ``POST /deployments/``, whatever N, plus the freeze check: each application's
configuration (is it blocked in the target?), read concurrently with the target's plans, so that nothing LifeTime would
refuse is ever sent and check mode predicts the refusal. Without the label (an older LifeTime) each application's
versions are read too. Only an explicit version number or ``previous`` adds a lookup, for that application alone.
Counted in the simulator's request log.
"""

import re

import pytest

OLDER_LIFETIME = '11.20.0'  # below 11.21.1: no BaseApplicationVersionLabel
SIZES = [1, 30, 300]  # N = 300 takes about a second
FLAVOURS = [pytest.param(True, id='labels'), pytest.param(False, id='no-labels')]
KEY = re.compile(r'/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=/|$)', re.IGNORECASE)


def versions_of(number):
    """(running in Production, newer and tagged in Development): every fourth pair orders differently as text (1.9 -> 1.10)."""
    return ('1.9', '1.10') if number % 4 == 0 else ('1.0', '1.1')


def app_name(number):
    return 'Bench%03d' % number


def world(count, labels, extra_versions=()):
    """The default world plus N applications, each with an older version in Production and a newer tagged one in Development."""
    applications = []
    for number in range(1, count + 1):
        old, new = versions_of(number)
        versions = [dict(version=item, created='-%dd' % (len(extra_versions) + 3 - index))
                    for index, item in enumerate(tuple(extra_versions) + (old, new))]
        applications.append(dict(name=app_name(number), versions=versions, running=dict(Development=new, Production=old)))
    scenario = dict(base='default', applications=applications)
    if not labels:
        scenario['settings'] = dict(lifetime_version=OLDER_LIFETIME)
    return scenario


def promote(count, **overrides):
    applications = [dict(name=app_name(number)) for number in range(1, count + 1)]
    for name, spec in overrides.items():
        applications[int(name[len('Bench'):]) - 1].update(spec)
    return dict(source_environment='Development', target_environment='Production', applications=applications, state='present')


def before_create(sim):
    """The requests before the first POST /deployments/ (all of them if there is none)."""
    log = sim.requests
    for index, entry in enumerate(log):
        if entry['method'] == 'POST' and entry['path'].rstrip('/').lower().endswith('/deployments'):
            return log[:index]
    return log


def shapes(requests):
    return ['%s %s' % (entry['method'], KEY.sub('/{key}', entry['path'].split('?', 1)[0])) for entry in requests]


def version_lookups(requests):
    """The requests that read an application's versions: GET /applications/{key}/versions/[...]."""
    return [entry for entry in requests if entry['method'] == 'GET' and '/versions' in entry['path'].lower()]


def configuration_reads(requests):
    """The freeze check: GET /applications/{key}/configurations/, one per application to deploy."""
    return [entry for entry in requests if entry['method'] == 'GET' and entry['path'].rstrip('/').lower().endswith('/configurations')]


def bound(count, labels):
    """Requests before the create: 3 (+ N version lists without the label), and the N configuration reads."""
    return (3 if labels else count + 3) + count


@pytest.mark.parametrize('labels', FLAVOURS)
@pytest.mark.parametrize('count', SIZES)
def test_a_promote_of_n_applications_costs_3_requests_with_labels_and_n_plus_3_without(run_module, make_simulator, count, labels):
    sim = make_simulator(scenario=world(count, labels))
    assert sim.state.supports('base_version_label') is labels
    result = run_module('lifetime_deployment', promote(count), sim=sim)
    assert result['changed'] is True and not result.get('failed'), result.get('msg')

    asked = before_create(sim)
    assert len(asked) <= bound(count, labels), shapes(asked)
    assert len(configuration_reads(asked)) == count, shapes(asked)
    if labels:
        assert version_lookups(asked) == [], shapes(asked)
    else:
        # Without the label each application's versions are read, once.
        assert len(version_lookups(asked)) == count, shapes(asked)
    plan = sim.state.deployment_summary(sim.state.deployment(result['deployment_key']))
    assert plan['status'] == 'saved'
    assert sorted((item['application'], item['version']) for item in plan['applications']) == sorted(
        (app_name(number), versions_of(number)[1]) for number in range(1, count + 1))


@pytest.mark.parametrize('labels', FLAVOURS)
@pytest.mark.parametrize('count', SIZES)
def test_check_mode_still_shows_from_and_to_versions(run_module, make_simulator, count, labels):
    sim = make_simulator(scenario=world(count, labels))
    result = run_module('lifetime_deployment', promote(count), sim=sim, check_mode=True, diff=True)
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert sim.writes() == []
    assert len(sim.requests) <= bound(count, labels), shapes(sim.requests)

    expected = dict((app_name(number), versions_of(number)) for number in range(1, count + 1))
    assert dict((app['name'], (app['from_version'], app['to_version'])) for app in result['applications']) == expected
    assert not any(app['downgrade'] or app['skipped'] for app in result['applications'])
    lines = ['%s %s -> %s (would deploy)' % (name, old, new) for name, (old, new) in sorted(expected.items())]
    assert result['summary'][:count] == lines
    assert result['summary'][count] == 'plan: would create one deployment plan for %d application(s)' % count
    assert result['diff']['before'] == dict((name, old) for name, (old, new) in expected.items())
    assert result['diff']['after'] == dict((name, new) for name, (old, new) in expected.items())


@pytest.mark.parametrize('count', [30, 300])
def test_an_explicit_version_or_previous_adds_lookups_only_for_those_applications(run_module, make_simulator, count):
    # Each application also has an older 0.9; for the one rolled back, 0.9 ran in Production before 1.0 (its history), so
    # "previous" of what Production runs exists.
    explicit, back = app_name(2), app_name(3)
    scenario = world(count, True, extra_versions=('0.9',))
    scenario['deployments'] = [dict(source='Quality Assurance', target='Production', created='-2d', applications={back: '0.9'}),
                               dict(source='Quality Assurance', target='Production', created='-1d', applications={back: '1.0'})]
    sim = make_simulator(scenario=scenario)
    args = promote(count, **{explicit: dict(version='1.1'), back: dict(version='previous')})
    result = run_module('lifetime_deployment', args, sim=sim)
    assert result['changed'] is True and not result.get('failed'), result.get('msg')

    asked = before_create(sim)
    extra = version_lookups(asked)
    # 3, the two lookups, the status of the history's plan that deployed 1.0 (did it succeed?), and the freeze checks.
    assert len(asked) - len(configuration_reads(asked)) <= 3 + 2 + 1, shapes(asked)
    assert len(configuration_reads(asked)) == count
    keys = set(sim.state.application(name).key.lower() for name in (explicit, back))
    looked_up = sorted(entry['path'].lower().split('/applications/', 1)[1].split('/', 1)[0] for entry in extra)
    assert looked_up == sorted(keys), shapes(asked)

    by_name = dict((app['name'], app) for app in result['applications'])
    assert (by_name[explicit]['from_version'], by_name[explicit]['to_version']) == ('1.0', '1.1')
    assert (by_name[back]['from_version'], by_name[back]['to_version'], by_name[back]['downgrade']) == ('1.0', '0.9', True)
    assert (by_name[app_name(1)]['from_version'], by_name[app_name(1)]['to_version']) == ('1.0', '1.1')
