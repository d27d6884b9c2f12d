# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_deployment's database_mappings: a plan that stops for missing database connections is answered in the task."""

import pytest

from tests.simulator.scenario import DATABASE_MAPPINGS_SCENARIO

BILLING = dict(source_environment='Quality Assurance', target_environment='Production', applications=[{'name': 'Billing'}])
MAPPING = dict(extension='BillingDatabase', logical_database='BillingDB', connection='BillingProduction')


@pytest.fixture
def sim(make_simulator):
    return make_simulator(scenario=DATABASE_MAPPINGS_SCENARIO)


def configuration_posts(sim):
    return [entry for entry in sim.writes() if entry['path'].rstrip('/').endswith('/configuration')]


def test_the_missing_mapping_is_given_and_the_plan_continues(run_module, sim):
    result = run_module('lifetime_deployment', dict(BILLING, database_mappings=[MAPPING]), sim=sim)
    assert result.get('failed') is not True and result['deployment_status'] == 'finished_successful', result
    assert sim.state.running_version('Production', 'Billing') == '1.1'
    assert {'extension': 'BillingDatabase', 'logical_database': 'BillingDB', 'connection': 'BillingProduction'} in sim.state.database_mappings('Production')
    posts = configuration_posts(sim)
    assert len(posts) == 1
    assert posts[0]['body'][0]['DBMapping'] == [{'LogicalDatabaseName': 'BillingDB', 'DatabaseName': 'BillingProduction'}]


def test_names_and_keys_are_matched_without_regard_to_case(run_module, sim):
    mapping = dict(MAPPING, extension='billingdatabase', logical_database='billingdb')
    result = run_module('lifetime_deployment', dict(BILLING, database_mappings=[mapping, dict(MAPPING, logical_database='Unused')]), sim=sim)
    assert result.get('failed') is not True, result
    assert sim.state.running_version('Production', 'Billing') == '1.1'


def test_without_the_mapping_the_task_fails_listing_what_is_unmapped_and_leaves_the_plan_waiting(run_module, sim):
    result = run_module('lifetime_deployment', dict(BILLING, database_mappings=[dict(MAPPING, logical_database='OtherDB')]), sim=sim)
    assert result['failed'] is True
    assert 'BillingDatabase/BillingDB' in result['msg'] and 'left waiting' in result['msg'], result['msg']
    plan = sim.state.deployment(result['deployment_key'])
    assert plan.status == 'needs_user_intervention'
    assert configuration_posts(sim) == []
    assert sim.state.running_version('Production', 'Billing') is None


def test_without_database_mappings_the_pause_is_explained(run_module, sim):
    result = run_module('lifetime_deployment', BILLING, sim=sim)
    assert result['failed'] is True and 'needs_configuration_or_confirmation' in result['msg'] and 'database_mappings' in result['msg']
    assert sim.state.deployment(result['deployment_key']).status == 'needs_user_intervention'


def test_an_older_lifetime_fails_before_anything_is_written(run_module, sim):
    sim.state.configure(lifetime_version='11.20.0')
    result = run_module('lifetime_deployment', dict(BILLING, database_mappings=[MAPPING]), sim=sim)
    assert result['failed'] is True and 'needs LifeTime 11.21.1 or later' in result['msg'], result
    assert 'Traceback' not in result['msg'] and sim.writes() == []


@pytest.mark.parametrize('field', ['extension', 'logical_database', 'connection'])
def test_an_empty_field_fails_naming_it_before_any_request(run_module, sim, field):
    result = run_module('lifetime_deployment', dict(BILLING, database_mappings=[dict(MAPPING, **{field: ' '})]), sim=sim)
    assert result['failed'] is True and 'database_mappings[0].%s' % field in result['msg'], result
    assert sim.requests == []
