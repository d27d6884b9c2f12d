# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The playbooks given what an operator can get wrong: each fails with a plain sentence before anything is written.

publish checks the target LifeTime before it touches the source, and builds file names only from plain names.
"""

import os

import pytest

from tests.integration.test_playbooks import PUBLISH, SOURCE_TOKEN, TARGET_TOKEN
from tests.support import OTHER_INFRASTRUCTURE

pytestmark = pytest.mark.integration


@pytest.fixture
def two_lifetimes(make_simulator):
    source = make_simulator(token=SOURCE_TOKEN)
    target = make_simulator(token=TARGET_TOKEN, scenario=OTHER_INFRASTRUCTURE)
    env = {'LIFETIME_SOURCE_URL': source.url, 'LIFETIME_SOURCE_TOKEN': SOURCE_TOKEN,
           'LIFETIME_TARGET_URL': target.url, 'LIFETIME_TARGET_TOKEN': TARGET_TOKEN}
    return source, target, env


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
