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


def commands(sim, command):
    """The command requests sent for a plan (POST /deployments/{key}/{command}/), with LifeTime's answers."""
    return [entry for entry in sim.requests if entry['method'] == 'POST' and entry['path'].rstrip('/').endswith('/' + command)]


def plan_log(sim, key):
    return [line.message for line in sim.state.deployment(key).log]


# -- LifeTime may go on by itself once the mappings are configured ---------------------------------------------------------

@pytest.mark.parametrize('step_seconds', [0, 0.3])
def test_a_plan_that_lifetime_resumes_after_its_mappings_is_followed_to_its_end(run_module, make_simulator, step_seconds):
    # With steps of 0.3 s the plan is still running when the refused continue makes the task read it again; with 0 it has finished.
    sim = make_simulator(scenario=DATABASE_MAPPINGS_SCENARIO, step_seconds=step_seconds)
    sim.state.configure(configuration_continues=True)

    result = run_module('lifetime_deployment', dict(BILLING, database_mappings=[MAPPING]), sim=sim)

    assert result.get('failed') is not True and result['deployment_status'] == 'finished_successful', result
    plan = sim.state.deployment(result['deployment_key'])
    assert plan.status == 'finished_successful'
    assert sim.state.running_version('Production', 'Billing') == '1.1'
    assert MAPPING in sim.state.database_mappings('Production')
    assert len(configuration_posts(sim)) == 1
    continues = commands(sim, 'continue')
    assert [entry['status'] for entry in continues] == [400], continues
    assert 'Deployment resumed after its database connection mappings were configured.' in plan_log(sim, plan.key)


def test_a_refused_continue_while_the_plan_still_waits_is_read_again_and_stands(run_module, sim):
    # LifeTime refuses the continue (as for a target in maintenance mode) and the plan still waits with the same Info.
    sim.inject_fault('POST', '/deployments/*/continue/', status=400, count=1)

    result = run_module('lifetime_deployment', dict(BILLING, database_mappings=[MAPPING]), sim=sim)

    assert result['failed'] is True and 'continue' in result['msg'] and '400' in result['msg'], result
    plan = sim.state.deployment(sim.state.latest_deployment('Production').key)
    assert (plan.status, plan.info) == ('needs_user_intervention', 'needs_configuration_or_confirmation')
    assert len(commands(sim, 'continue')) == 1
    log = sim.requests
    refused = max(index for index, entry in enumerate(log) if entry['path'].rstrip('/').endswith('/continue'))
    assert [entry for entry in log[refused + 1:] if entry['path'].rstrip('/').endswith('/status')], 'the plan was not read again'
    assert sim.state.running_version('Production', 'Billing') is None


def test_a_plan_mapped_and_continued_elsewhere_meanwhile_is_followed_without_mapping_or_continuing(run_module, sim, monkeypatch):
    # Another run (or a user in LifeTime) maps the databases and continues the plan just before this run asks what is missing.
    from ansible_collections.outsystems.lifetime.plugins.module_utils import _client
    from tests.simulator.client import Client

    real = _client.LifeTimeClient.missing_database_mappings
    elsewhere = []

    def meanwhile(self, deployment_key):
        if sim.state.find_deployment(deployment_key) is not None and not elsewhere:
            sim.state.provide_database_mappings(deployment_key)
            elsewhere.append(Client(sim).post('/deployments/%s/continue/' % deployment_key).status)
        return real(self, deployment_key)

    monkeypatch.setattr(_client.LifeTimeClient, 'missing_database_mappings', meanwhile)

    result = run_module('lifetime_deployment', dict(BILLING, database_mappings=[MAPPING]), sim=sim)

    assert elsewhere == [202]
    assert result.get('failed') is not True and result['deployment_status'] == 'finished_successful', result
    assert sim.state.deployment(result['deployment_key']).status == 'finished_successful'
    assert sim.state.running_version('Production', 'Billing') == '1.1'
    assert configuration_posts(sim) == []
    assert len(commands(sim, 'continue')) == 1  # the other one's


# -- the option itself ---------------------------------------------------------------------------------------------------------

def test_two_entries_for_one_logical_database_are_refused_before_any_request(run_module, sim):
    twin = dict(MAPPING, extension='billingdatabase', logical_database='BILLINGDB', connection='Other')

    result = run_module('lifetime_deployment', dict(BILLING, database_mappings=[MAPPING, dict(MAPPING, logical_database='Unused'), twin]),
                        sim=sim)

    assert result['failed'] is True, result
    assert 'database_mappings[0]' in result['msg'] and 'database_mappings[2]' in result['msg'], result['msg']
    assert 'database_mappings[1]' not in result['msg'] and 'Traceback' not in result['msg']
    assert sim.requests == []
