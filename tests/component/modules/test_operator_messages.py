# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Messages an operator can act on: one bounded sentence that says what is wrong in LifeTime's names, no traceback.

A name that matches nothing offers the closest names first and counts the rest; a refusal (403) names what was refused,
the application and the environment; a failed deployment's message carries its last lines while the result keeps the
whole log; a very long value given by the operator is never echoed whole. Each case checks the simulator's request log.
"""

import pytest

PROMOTE = dict(source_environment='Development', target_environment='Production', applications=[{'name': 'EmployeeBackoffice'}])
READ_ONLY = 'read-only-token-5f1c'
MEGABYTE = 1000000
# The longest message a failure may carry (the bound is 4,000 characters and a short note about what was left out).
LONGEST = 4200


def one_sentence(result):
    """The task failed with a message and no traceback; the message."""
    assert result.get('failed') is True, result
    assert 'exception' not in result and 'Traceback' not in result['msg'], result
    return result['msg']


def only_reads(sim):
    assert sim.writes() == [], sim.writes()
    assert sim.requests and all(request['method'] == 'GET' for request in sim.requests)


# -- a name that matches nothing ------------------------------------------------------------------------------

def test_a_misspelt_application_among_400_is_offered_first_and_the_others_are_counted(run_module, make_simulator):
    sim = make_simulator(generate_apps=400)
    result = run_module('lifetime_deployment', dict(PROMOTE, applications=[{'name': 'EmployeBackofice'}]), sim=sim)
    msg = one_sentence(result)
    others = len(sim.state.applications()) - 1
    assert msg == "No application 'EmployeBackofice' (applications[0].name). Closest: EmployeeBackoffice (and %d more)." % others
    only_reads(sim)


def test_the_closest_of_many_similar_names_come_first_most_alike_first(run_module, make_simulator):
    sim = make_simulator(generate_apps=400)
    result = run_module('lifetime_application_info', dict(name='app0o42'), sim=sim)
    msg = one_sentence(result)
    closest = msg.split('Closest: ', 1)[1].split(' (and ', 1)[0].split(', ')
    assert closest[0] == 'App0042' and len(closest) <= 5, msg
    assert msg.endswith('(and %d more).' % (len(sim.state.applications()) - len(closest)))
    only_reads(sim)


@pytest.mark.parametrize('args, start, closest', [
    (dict(PROMOTE, target_environment='Prodution'), "No environment 'Prodution' (target_environment)", 'Production'),
    (dict(PROMOTE, target_environment='prod'), "No environment 'prod' (target_environment)", 'Production'),
    (dict(PROMOTE, applications=[{'name': 'EmployeeBackoffice', 'version': '1.22'}]),
     "No version '1.22' of application EmployeeBackoffice (applications[0].version)", '1.2'),
    (dict(PROMOTE, applications=[{'name': 'EmployeeBackoffice', 'deployment_zone': 'Globl'}]),
     "No deployment zone 'Globl' in environment Production (applications[0].deployment_zone)", 'Global'),
], ids=['environment misspelt', 'environment abbreviated', 'version', 'deployment zone'])
def test_every_kind_of_name_offers_the_closest_first_then_the_others(run_module, simulator, args, start, closest):
    msg = one_sentence(run_module('lifetime_deployment', args))
    assert msg.startswith(start + '. Closest: ' + closest), msg
    assert '; others: ' in msg
    only_reads(simulator)


# -- a refusal (403) names what was refused ---------------------------------------------------------------------

@pytest.mark.parametrize('module, args, refused, method, path_end', [
    ('lifetime_app_version', dict(application='EmployeeBackoffice', environment='Development'),
     'to tag EmployeeBackoffice as version 1.3.1 in Development', 'POST', '/versions/'),
    ('lifetime_deployment', dict(PROMOTE, applications=[{'name': 'EmployeeBackoffice', 'version': '1.3'}]),
     'to create a deployment plan of EmployeeBackoffice from Development to Production', 'POST', '/deployments/'),
    ('lifetime_application_config', dict(application='EmployeeBackoffice', environment=['Production'], blocked=True, reason='freeze'),
     'to change whether EmployeeBackoffice may be deployed to Production', 'PUT', '/configurations/'),
    ('lifetime_solution', dict(environment='Production', applications=['EmployeeBackoffice'], name='Release42'),
     'to build the solution Release42 of EmployeeBackoffice in Production', 'POST', '/solution/'),
], ids=['tag', 'deployment plan', 'deployment blocking', 'solution'])
def test_a_refused_write_names_the_operation_the_application_and_the_environment(run_module, make_simulator, tmp_path, module, args,
                                                                                 refused, method, path_end):
    sim = make_simulator(read_only_token=READ_ONLY)
    sim.state.mark_modified('Development', 'EmployeeBackoffice')
    args = dict(args, lifetime_token=READ_ONLY)
    if module == 'lifetime_solution':
        args['dest'] = str(tmp_path / 'Release42.osp')
    plans, versions = len(sim.state.deployments()), len(sim.state.versions('EmployeeBackoffice'))
    msg = one_sentence(run_module(module, args, sim=sim))
    assert msg.startswith('LifeTime refused (403 Forbidden) %s: ' % refused), msg
    assert 'is not allowed to do this (%s ' % method in msg and 'User Management > Service Accounts' in msg
    # The refused write is the only one, and LifeTime changed nothing.
    assert [(write['method'], write['status']) for write in sim.writes()] == [(method, 403)]
    assert sim.writes()[0]['path'].endswith(path_end)
    assert len(sim.state.deployments()) == plans and len(sim.state.versions('EmployeeBackoffice')) == versions
    assert sim.state.solutions() == [] and not (tmp_path / 'Release42.osp').exists()


def test_a_refused_plain_promotion_names_the_applications_and_both_environments(run_module, make_simulator):
    # No version asked for: the version is the one the application list says runs in the source, never listed by version.
    sim = make_simulator(read_only_token=READ_ONLY)
    plans = len(sim.state.deployments())

    msg = one_sentence(run_module('lifetime_deployment', dict(PROMOTE, lifetime_token=READ_ONLY), sim=sim))

    assert msg.startswith('LifeTime refused (403 Forbidden) to create a deployment plan of EmployeeBackoffice from Development to '
                          'Production: '), msg
    assert [(write['method'], write['status']) for write in sim.writes()] == [('POST', 403)]
    assert sim.writes()[0]['path'].endswith('/deployments/') and len(sim.state.deployments()) == plans


# -- a failed deployment --------------------------------------------------------------------------------------

def test_a_failed_deployment_says_its_last_lines_and_keeps_the_whole_log_in_the_result(run_module, simulator):
    simulator.state.set_next_deployment_outcome('Production', 'finished_with_errors', message='Database upgrade failed on Orders')
    result = run_module('lifetime_deployment', PROMOTE)
    msg = one_sentence(result)
    lines = simulator.state.deployment_summary(simulator.state.deployment(result['deployment_key']))['log']
    assert len(lines) > 5
    assert msg.startswith('Deployment plan %s to Production ended finished_with_errors. Last log lines: ' % result['deployment_key'])
    assert 'Database upgrade failed on Orders' in msg and lines[-5] not in msg, msg
    assert msg.endswith('The whole log (%d lines) is in the result (log).' % len(lines))
    assert [entry['message'] for entry in result['log']] == lines
    assert result['summary'][0] == 'EmployeeBackoffice 1.2 -> 1.3 (the plan finished with errors)'
    assert [write['path'].rstrip('/').rsplit('/', 1)[-1] for write in simulator.writes()] == ['deployments', 'start']
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_a_megabyte_log_line_is_bounded_in_the_message_and_whole_in_the_result(run_module, simulator):
    line = 'Disk full ' + 'x' * MEGABYTE
    simulator.state.set_next_deployment_outcome('Production', 'finished_with_errors', message=line)
    result = run_module('lifetime_deployment', PROMOTE)
    msg = one_sentence(result)
    assert len(msg) < 1500 and 'Disk full xxx' in msg and 'more characters)' in msg, msg[:300]
    assert any(line in entry['message'] for entry in result['log'])
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


# -- very long values are not echoed whole ----------------------------------------------------------------------

@pytest.mark.parametrize('module, args', [
    ('lifetime_deployment', dict(PROMOTE, applications=[{'name': 'A' * MEGABYTE}])),
    ('lifetime_deployment', dict(PROMOTE, target_environment='E' * MEGABYTE)),
    ('lifetime_deployment', dict(PROMOTE, applications=[{'name': 'EmployeeBackoffice', 'version': '1.' + '9' * MEGABYTE}])),
    ('lifetime_app_version', dict(application='EmployeeBackoffice', environment='Development', version='1.' + '9' * MEGABYTE)),
    ('lifetime_application_info', dict(name='N' * MEGABYTE)),
], ids=['application name', 'environment name', 'version to deploy', 'version to tag', 'application info'])
def test_a_megabyte_value_is_refused_in_a_bounded_message_before_any_write(run_module, simulator, module, args):
    simulator.state.mark_modified('Development', 'EmployeeBackoffice')
    msg = one_sentence(run_module(module, args))
    assert len(msg) < LONGEST and ('more characters)' in msg or 'characters left out' in msg), msg[:300]
    assert simulator.writes() == []


def test_a_megabyte_deployment_key_is_refused_before_any_request(run_module, simulator):
    msg = one_sentence(run_module('lifetime_deployment', dict(deployment_key='a' * MEGABYTE)))
    assert msg.startswith("deployment_key 'aaa") and 'more characters)' in msg and len(msg) < 500, msg[:300]
    assert simulator.requests == []


def test_a_megabyte_solution_name_is_refused_before_lifetime_builds_anything(run_module, simulator, tmp_path):
    dest = tmp_path / 'release.osp'
    msg = one_sentence(run_module('lifetime_solution', dict(environment='Production', applications=['EmployeeBackoffice'],
                                                            name='S' * MEGABYTE, dest=str(dest))))
    assert msg.startswith('name is %d characters long' % MEGABYTE) and len(msg) < 500, msg[:300]
    assert simulator.writes() == [] and simulator.state.solutions() == []
    assert not dest.exists()
