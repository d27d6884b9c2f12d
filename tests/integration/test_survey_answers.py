# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The playbooks with the extra vars an AWX survey gives them.

A question left blank gives "" (a question's default is applied even when it is ""): for every optional extra var
of the playbooks, "" means "not given". Values that are given are still checked, before any request.
"""

import pytest

from tests.contract import awx_controller as awx
from tests.integration.test_playbooks import PROMOTE, PUBLISH, ROLLBACK, new_plans, plan_keys, summary
from tests.support import OTHER_INFRASTRUCTURE

pytestmark = pytest.mark.integration

TOKEN = 'survey-token-5c1e'
BLANK_CONNECTION = dict(lifetime_url='', lifetime_token='', lifetime_validate_certs='', lifetime_ca_path='')


def test_promote_takes_blank_optional_answers_as_not_given(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    existing = plan_keys(sim)
    extra = dict(source_environment='Development', target_environment='Production', applications='EmployeeBackoffice',
                 tag_modified='', notes='', on_user_intervention='', continue_deployment='', release='', **BLANK_CONNECTION)

    run = ansible_playbook(PROMOTE, sim=sim, extra_vars=extra)

    assert run.rc == 0, run
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    [plan] = new_plans(sim, existing)
    assert plan.status == 'finished_successful'
    assert 'verified: Production runs the versions deployed' in summary(run)


def test_rollback_takes_blank_optional_answers_as_not_given(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    extra = dict(target_environment='Production', applications='EmployeeBackoffice', to_version='', source_environment='',
                 notes='', on_user_intervention='', continue_deployment='', release='', **BLANK_CONNECTION)

    run = ansible_playbook(ROLLBACK, sim=sim, extra_vars=extra, check=True)

    assert run.rc == 0, run
    assert sim.writes() == []
    lines = summary(run)
    # to_version "" is "previous"; source_environment "" is the environment before the target.
    assert lines[0].startswith('Roll back Production, deploying from Quality Assurance'), lines
    assert 'EmployeeBackoffice 1.2 -> 1.1 (would roll back)' in lines, lines


def test_publish_takes_blank_optional_answers_as_not_given(ansible_playbook, make_simulator):
    source = make_simulator(token='source-token')
    target = make_simulator(token='target-token', scenario=OTHER_INFRASTRUCTURE)
    env = {'LIFETIME_SOURCE_URL': source.url, 'LIFETIME_SOURCE_TOKEN': 'source-token',
           'LIFETIME_TARGET_URL': target.url, 'LIFETIME_TARGET_TOKEN': 'target-token'}
    extra = dict(source_environment='Development', target_environment='Live', applications='EmployeeBackoffice',
                 package='', solution_name='', include_references='', work_dir='', on_user_intervention='',
                 continue_deployment='', source_lifetime_url='', source_lifetime_token='', source_validate_certs='',
                 source_ca_path='', target_lifetime_url='', target_lifetime_token='', target_validate_certs='',
                 target_ca_path='')

    run = ansible_playbook(PUBLISH, extra_vars=extra, check=True, env=env)

    assert run.rc == 0, run
    assert source.writes() == [] and target.writes() == []
    assert 'EmployeeBackoffice 1.3 (would be published)' in summary(run), run


def test_answers_that_are_given_are_still_checked_before_any_request(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    extra = dict(source_environment='Development', target_environment='Production', applications='EmployeeBackoffice',
                 tag_modified='maybe', on_user_intervention='later', continue_deployment='sometimes', lifetime_validate_certs='flase')

    run = ansible_playbook(PROMOTE, sim=sim, extra_vars=extra)

    assert run.rc != 0, run
    assert "The value 'maybe' is not a valid boolean" in run.output
    assert "The value 'sometimes' is not a valid boolean" in run.output
    assert "The value 'flase' is not a valid boolean" in run.output
    assert 'value of on_user_intervention must be one of: fail, continue, stop, got: later' in run.output
    assert sim.requests == []


def test_a_misspelt_lifetime_validate_certs_in_the_environment_fails_instead_of_turning_verification_off(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    extra = dict(target_environment='Production', applications='EmployeeBackoffice')

    run = ansible_playbook(ROLLBACK, sim=sim, extra_vars=extra, check=True, env={'LIFETIME_VALIDATE_CERTS': 'flase'})

    assert run.rc != 0, run
    assert "The value 'flase' is not a valid boolean" in run.output
    assert sim.requests == []


EXAMPLE_TEMPLATES = awx.load_example('job_templates.yml', {'lifetime_awx_organization': 'Default'})['controller_templates']
REQUIRED_ANSWERS = {
    'OutSystems LifeTime - Promote': dict(source_environment='Development', target_environment='Production',
                                          applications='EmployeeBackoffice, Orders API'),
    'OutSystems LifeTime - Roll back': dict(target_environment='Production', applications='EmployeeBackoffice'),
    'OutSystems LifeTime - Publish': dict(source_environment='Development', target_environment='Live',
                                          applications='EmployeeBackoffice'),
}


@pytest.mark.parametrize('name', sorted(REQUIRED_ANSWERS))
def test_a_job_template_launched_with_only_its_required_answers_runs(name, ansible_playbook, make_simulator):
    """The example job template's project playbook, its survey with the defaults the controller adds, and --check."""
    [template] = [template for template in EXAMPLE_TEMPLATES if template['name'] == name]
    extra_vars = awx.survey_extra_vars(template['survey_spec'], REQUIRED_ANSWERS[name])
    playbook = 'examples/awx/project/' + template['playbook']
    if name.endswith('Publish'):
        source = make_simulator(token='source-token')
        target = make_simulator(token='target-token', scenario=OTHER_INFRASTRUCTURE)
        sims = [source, target]
        env = {'LIFETIME_SOURCE_URL': source.url, 'LIFETIME_SOURCE_TOKEN': 'source-token',
               'LIFETIME_TARGET_URL': target.url, 'LIFETIME_TARGET_TOKEN': 'target-token'}
        run = ansible_playbook(playbook, extra_vars=extra_vars, check=True, env=env)
    else:
        sim = make_simulator(token=TOKEN)
        sims = [sim]
        run = ansible_playbook(playbook, sim=sim, extra_vars=extra_vars, check=True)

    assert run.rc == 0 and run.recap['failed'] == 0, run
    assert all(sim.writes() == [] for sim in sims)
    assert summary(run), run


def test_the_roll_back_templates_version_question_works_from_a_survey(ansible_playbook, make_simulator, tmp_path):
    """The controller writes the answer as !unsafe '1.1'; ansible-core 2.19 reads it as the number 1.1, earlier releases as text."""
    [template] = [template for template in EXAMPLE_TEMPLATES if template['name'] == 'OutSystems LifeTime - Roll back']
    sim = make_simulator(token=TOKEN)
    extra_vars = awx.survey_extra_vars(template['survey_spec'], dict(REQUIRED_ANSWERS[template['name']], to_version='1.1'))
    path = awx.write_extra_vars_file(extra_vars, template, str(tmp_path / 'extravars.yml'))
    with open(path, encoding='utf-8') as handle:
        assert "'to_version': !unsafe '1.1'" in handle.read()

    run = ansible_playbook('examples/awx/project/' + template['playbook'], sim=sim, args=('-e', '@' + path))

    assert run.rc == 0, run
    plan = sim.state.latest_deployment('Production')
    assert [app['version'] for app in sim.state.deployment_summary(plan)['applications']] == ['1.1']
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.1'
