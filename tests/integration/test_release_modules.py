# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_application_config, lifetime_source_code and lifetime_deployment_info through ansible-playbook against the simulator.

Each playbook runs its module in check mode, for real and again; these tests then check the simulator's state and
request log, never only what the playbook printed.
"""

import datetime
import json
import zipfile

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

APP = 'EmployeeBackoffice'


def writes(sim):
    """The writes as (method, last path segment, status)."""
    return [(w['method'], w['path'].rstrip('/').rsplit('/', 1)[-1], w['status']) for w in sim.writes()]


def test_application_config_playbook_blocks_and_allows_each_environment_once(ansible_playbook, simulator):
    run = ansible_playbook('application_config.yml', sim=simulator)

    assert run.rc == 0 and run.recap.get('failed') == 0, run
    state = simulator.state
    assert state.application_configuration(APP, 'Production') == {'is_blocked': True, 'reason': 'Release freeze (integration test)'}
    assert state.application_configuration(APP, 'Quality Assurance') == {'is_blocked': False, 'reason': 'Tests may go on'}
    assert state.application_configuration(APP, 'Development') == {'is_blocked': False, 'reason': ''}
    # Check mode and the repeated tasks sent nothing: one PUT for the block, one to allow Quality Assurance again.
    assert writes(simulator) == [('PUT', 'configurations', 204)] * 2
    bodies = [[item['environmentKey'] for item in w['body']['configurations']] for w in simulator.writes()]
    assert bodies == [[state.environment('Quality Assurance').key, state.environment('Production').key],
                      [state.environment('Quality Assurance').key]]


def test_source_code_playbook_packages_what_runs_and_writes_each_file_once(ansible_playbook, simulator, tmp_path):
    dest_dir = tmp_path / 'escrow'
    dest_dir.mkdir()

    run = ansible_playbook('source_code.yml', sim=simulator, extra_vars=dict(source_code_dest_dir=str(dest_dir)))

    assert run.rc == 0 and run.recap.get('failed') == 0, run
    # Check mode and the refused application sent nothing: two packages of the application, one of the module.
    assert writes(simulator) == [('POST', 'sourcecodeaccess', 200)] * 3
    assert sorted(p.name for p in dest_dir.iterdir()) == ['EmployeeBackoffice-production.zip', 'EmployeeBackoffice_CS-production.zip']
    keys = [w['path'].rstrip('/').rsplit('/', 2)[-2] for w in simulator.writes()]
    assert keys[0] == keys[1] == simulator.state.application(APP).key
    with zipfile.ZipFile(str(dest_dir / 'EmployeeBackoffice-production.zip')) as package:
        manifest = json.loads(package.read('manifest.json'))
    assert manifest['Kind'] == 'source' and manifest['SourceEnvironment']['Name'] == 'Production'
    assert manifest['Applications'][0]['Version'] == simulator.state.running_version('Production', APP)


def test_deployment_info_playbook_reports_the_simulators_plans(ansible_playbook, simulator, tmp_path):
    results_file = tmp_path / 'results.json'

    run = ansible_playbook('deployment_info.yml', sim=simulator, extra_vars=dict(deployment_info_results=str(results_file)))

    assert run.rc == 0 and run.recap.get('failed') == 0, run
    assert simulator.writes() == []
    results = json.loads(results_file.read_text())
    reached = reached_production_last_week(simulator)
    assert [(entry['key'], versions(entry)) for entry in results['production']['deployments']] == [
        (plan.key, [(a['application'], a['version']) for a in simulator.state.deployment_summary(plan)['applications']]) for plan in reached]
    assert [entry['key'] for entry in results['all']['deployments']] == [plan.key for plan in reversed(simulator.state.deployments())]
    logs = dict((plan.key, [line.message for line in plan.log]) for plan in simulator.state.deployments())
    assert [[line['message'] for line in entry['log']] for entry in results['all']['deployments']] == [
        logs[entry['key']] for entry in results['all']['deployments']]


def reached_production_last_week(sim):
    since = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=7)
    return [plan for plan in reversed(sim.state.deployments('Production'))
            if plan.created_on >= since and plan.status in ('finished_successful', 'finished_with_warnings')]


def versions(entry):
    return [(application['name'], application['version']) for application in entry['applications']]


UNQUOTED_DATE = """
- name: A date YAML reads as a date
  hosts: localhost
  gather_facts: false
  tasks:
    - name: List the plans since an unquoted date
      outsystems.lifetime.lifetime_deployment_info:
        lifetime_url: "{{ lookup('ansible.builtin.env', 'LIFETIME_URL') }}"
        lifetime_token: "{{ lookup('ansible.builtin.env', 'LIFETIME_TOKEN') }}"
        from: 2000-01-01
      register: since

    - name: The window starts on that date
      ansible.builtin.assert:
        that:
          - since.from == '2000-01-01T00:00:00Z'
          - since.deployments | length > 0
"""


def test_an_unquoted_yaml_date_is_read_as_that_date(ansible_playbook, simulator, tmp_path):
    # Kept out of tests/integration/targets: ansible-lint cannot serialise a YAML date, and galaxy-importer lints those.
    playbook = tmp_path / 'unquoted_date.yml'
    playbook.write_text(UNQUOTED_DATE)

    run = ansible_playbook(str(playbook), sim=simulator)

    assert run.rc == 0 and run.recap.get('failed') == 0, run
    # No warning about the value being converted.
    assert [line for line in run.output.splitlines() if 'WARNING' in line and 'from' in line] == [], run
    query = [r['query'] for r in simulator.requests if r['path'].rstrip('/').endswith('/deployments')]
    assert query == [{'MinDate': '1999-12-31', 'MaxDate': query[0]['MaxDate']}]
