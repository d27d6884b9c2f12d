# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The playbooks given what an operator can get wrong: each fails with a plain sentence before anything is written.

publish checks the target LifeTime before it touches the source, and builds file names only from plain names.
"""

import json
import os
import subprocess

import pytest

from tests.integration.conftest import BIN, REPO_ROOT, playbook_env
from tests.integration.test_playbooks import PROMOTE, PUBLISH, ROLLBACK, SOURCE_TOKEN, TARGET_TOKEN, TOKEN, summary
from tests.support import OTHER_INFRASTRUCTURE

pytestmark = pytest.mark.integration


@pytest.fixture
def two_lifetimes(make_simulator):
    source = make_simulator(token=SOURCE_TOKEN)
    target = make_simulator(token=TARGET_TOKEN, scenario=OTHER_INFRASTRUCTURE)
    env = {'LIFETIME_SOURCE_URL': source.url, 'LIFETIME_SOURCE_TOKEN': SOURCE_TOKEN,
           'LIFETIME_TARGET_URL': target.url, 'LIFETIME_TARGET_TOKEN': TARGET_TOKEN}
    return source, target, env


MANIFEST_WRITER = 'manifest_writer.yml'
EXTRA = dict(source_environment='Development', target_environment='Live', applications=['EmployeeBackoffice'])


def nothing_touched(source, target, run):
    assert 'Traceback' not in run.output, run
    assert source.writes() == [] and target.writes() == []
    assert source.state.solutions() == []
    # The source was not even read: a wrong target is found first.
    assert source.requests == []


@pytest.mark.parametrize('change, words', [
    (dict(extra=dict(target_environment='Mars')), "No environment 'Mars'"),
    (dict(env=dict(LIFETIME_TARGET_TOKEN='wrong-token')), 'rejected the token'),
    (dict(env=dict(LIFETIME_TARGET_URL='http://127.0.0.1:9')), 'cannot connect to http://127.0.0.1:9'),
], ids=['unknown target environment', 'wrong target token', 'unreachable target'])
def test_publish_checks_the_target_before_the_source(ansible_playbook, two_lifetimes, change, words):
    source, target, env = two_lifetimes
    run = ansible_playbook(PUBLISH, extra_vars=dict(EXTRA, **change.get('extra', {})), env=dict(env, **change.get('env', {})))
    assert run.rc != 0 and words in run.output, run
    nothing_touched(source, target, run)


@pytest.mark.parametrize('name', ['../../tmp/evil', 'a/b', '..', '.hidden', 'x\\y'])
def test_publish_refuses_a_solution_name_that_is_not_a_file_name(ansible_playbook, two_lifetimes, tmp_path, name):
    source, target, env = two_lifetimes
    work_dir = tmp_path / 'work'
    work_dir.mkdir()
    run = ansible_playbook(PUBLISH, extra_vars=dict(EXTRA, solution_name=name, work_dir=str(work_dir)), env=env)
    assert run.rc != 0 and 'cannot name a file in the work directory' in run.output, run
    nothing_touched(source, target, run)
    assert not os.path.exists('/tmp/evil.osp') and list(work_dir.iterdir()) == []


def test_rollback_refuses_a_to_version_number_that_two_versions_read_as_before_any_write(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    sim.state.add_version('EmployeeBackoffice', '1.10')
    # JSON extra vars keep 1.10 a number (1.1), as ansible-core 2.19 reads an AWX survey answer: 1.1 and 1.10 both read as it.
    run = ansible_playbook(ROLLBACK, sim=sim, extra_vars={'target_environment': 'Production', 'applications': 'EmployeeBackoffice',
                                                          'to_version': 1.10})
    assert run.rc != 0, run
    assert 'to_version arrived as the number 1.1, not as text' in run.output
    assert 'several versions that read as it (1.10, 1.1)' in run.output or 'several versions that read as it (1.1, 1.10)' in run.output
    assert sim.writes() == []


def test_rollback_takes_a_to_version_number_that_one_version_reads_as(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    run = ansible_playbook(ROLLBACK, sim=sim, extra_vars={'target_environment': 'Production', 'applications': 'EmployeeBackoffice',
                                                          'to_version': 1.1})
    assert run.rc == 0, run
    plan = sim.state.latest_deployment('Production')
    assert [app['version'] for app in sim.state.deployment_summary(plan)['applications']] == ['1.1']
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.1'


def test_the_promote_headers_example_works_in_a_shell_as_written(make_simulator, tmp_path):
    """The command in playbooks/promote.yml's header, run by a shell against the simulator (in check mode)."""
    sim = make_simulator(token=TOKEN)
    with open(os.path.join(REPO_ROOT, PROMOTE)) as handle:
        header = [line[1:].strip() for line in handle if line.startswith('#')]
    first = next(index for index, line in enumerate(header) if line.startswith('ansible-playbook outsystems.lifetime.promote'))
    command = (header[first].rstrip('\\') + ' ' + header[first + 1]).split(' [', 1)[0]
    command = command.replace('ansible-playbook outsystems.lifetime.promote', '%s %s --check' % (os.path.join(BIN, 'ansible-playbook'), PROMOTE))
    sim.state.set_running_version('Development', 'Orders API', '1.0')
    result = subprocess.run(command, shell=True, cwd=REPO_ROOT, env=playbook_env(tmp_path, sim), capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert 'Orders API skipped: already runs 1.0' in result.stdout and 'EmployeeBackoffice 1.2 -> 1.3 (would deploy)' in result.stdout


def test_promote_playbook_takes_a_manifest_and_writes_the_targets(ansible_playbook, make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN)
    written = tmp_path / 'qa.json'
    prd = tmp_path / 'prd.json'
    sim.state.set_running_version('Quality Assurance', 'EmployeeBackoffice', '1.3')
    made = ansible_playbook(MANIFEST_WRITER, sim=sim,
                            extra_vars={'environment_name': 'Quality Assurance', 'dest': str(written)})
    assert made.rc == 0, made.output[-2000:]
    sim.state.add_version('EmployeeBackoffice', '1.4')
    sim.state.set_running_version('Quality Assurance', 'EmployeeBackoffice', '1.4')
    run = ansible_playbook(PROMOTE, sim=sim, extra_vars={'source_environment': 'Quality Assurance', 'target_environment': 'Production',
                                                         'manifest': str(written), 'manifest_dest': str(prd)})
    assert run.rc == 0, run.output[-2000:]
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    assert [app['VersionNumber'] for app in json.loads(prd.read_text())['ApplicationVersions']] == ['1.3']
    both = ansible_playbook(PROMOTE, sim=sim, extra_vars={'source_environment': 'Quality Assurance', 'target_environment': 'Production',
                                                          'manifest': str(written), 'applications': 'EmployeeBackoffice'})
    assert both.rc != 0 and 'or a manifest (a release manifest), not both' in both.output


# -- a failed deployment: its log printed once, the summary saying what failed ----------------------------------

FAILURE = 'Orders table migration failed (sim-0417)'


def _log_printed_once(run, sim):
    """The plan's log: an early line appears once on stdout (the task's result) and once on stderr (streamed live)."""
    log = sim.state.deployment_summary(sim.state.latest_deployment('Production'))['log']
    earlier = log[-5]
    assert sum(earlier in line for line in log) == 1, log
    assert run.stdout.count(earlier) == 1, run
    assert run.stderr.count(earlier) == 1, run
    # The last message names the plan and points to the summary, instead of repeating the log's lines.
    last_failure = [line for line in run.stdout.splitlines() if line.startswith('fatal: ')][-1]
    assert FAILURE not in last_failure and 'The summary above says what failed' in last_failure, last_failure
    assert [write['path'].rstrip('/').rsplit('/', 1)[-1] for write in sim.writes()] == ['deployments', 'start']


def test_a_failed_promote_prints_the_log_once_and_its_summary_says_what_failed(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    sim.state.add_outcome_rule('finished_with_errors', target='Production', message=FAILURE)
    run = ansible_playbook(PROMOTE, sim=sim, extra_vars={'source_environment': 'Development', 'target_environment': 'Production',
                                                         'applications': 'EmployeeBackoffice'})
    assert run.rc != 0 and 'Traceback' not in run.output, run
    _log_printed_once(run, sim)
    lines = summary(run)
    assert lines[:2] == ['Promote Development -> Production: failed', 'EmployeeBackoffice 1.2 -> 1.3 (the plan finished with errors)'], lines
    assert lines[-1].startswith('failed: Deployment plan ') and FAILURE in lines[-1], lines
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_a_failed_rollback_prints_the_log_once_and_its_summary_still_runs(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    sim.state.add_outcome_rule('finished_with_errors', target='Production', message=FAILURE)
    run = ansible_playbook(ROLLBACK, sim=sim, extra_vars={'target_environment': 'Production', 'applications': 'EmployeeBackoffice',
                                                          'to_version': '1.1'})
    assert run.rc != 0 and 'Traceback' not in run.output, run
    _log_printed_once(run, sim)
    lines = summary(run)
    assert lines[:2] == ['Roll back Production: failed', 'EmployeeBackoffice 1.2 -> 1.1 (the plan finished with errors)'], lines
    assert lines[-1].startswith('failed: Deployment plan ') and FAILURE in lines[-1], lines
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'
