# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""ansible-playbook outsystems.lifetime.doctor against the simulator: one table, rc 0 when healthy, rc != 0 with a wrong token, no write."""

import json
import os
import subprocess

import pytest

from tests.integration.conftest import BIN, PlaybookRun, playbook_env

pytestmark = pytest.mark.integration

HEADER = 'CHECK'
WRONG_TOKEN = 'not-the-service-account-token'


def run_doctor(tmp_path, sim, extra_vars=None, env=None):
    """The installed collection's playbook, by its name, as users run it."""
    command = [os.path.join(BIN, 'ansible-playbook'), 'outsystems.lifetime.doctor']
    if extra_vars:
        command += ['-e', json.dumps(extra_vars)]
    process = subprocess.run(command, cwd=str(tmp_path), env=playbook_env(tmp_path, sim, env), capture_output=True, text=True,
                             timeout=300, check=False)
    return PlaybookRun(command, process)


def table_lines(run):
    """The table's lines as the debug task printed them (JSON strings of its msg list)."""
    return [line.strip().rstrip(',').strip('"') for line in run.stdout.splitlines() if line.strip().startswith('"') and '  ' in line]


def test_doctor_prints_one_table_and_succeeds_against_a_healthy_lifetime(make_simulator, tmp_path):
    sim = make_simulator()

    run = run_doctor(tmp_path, sim)

    assert run.rc == 0 and run.recap.get('failed') == 0, run
    headers = [line for line in table_lines(run) if line.startswith(HEADER)]
    assert len(headers) == 1, run
    assert run.stdout.count('"token ') == 1 and any(line.startswith('token ') and ' ok ' in line for line in table_lines(run)), run
    for env in sim.state.environments():
        assert any(line.startswith('environment %s ' % env.name) for line in table_lines(run)), (env.name, run)
    assert sim.requests and sim.writes() == []


def test_doctor_fails_the_play_with_a_wrong_token_and_says_what_to_do(make_simulator, tmp_path):
    sim = make_simulator()

    run = run_doctor(tmp_path, sim, env={'LIFETIME_TOKEN': WRONG_TOKEN})

    assert run.rc != 0 and run.recap.get('failed') == 1, run
    token = [line for line in table_lines(run) if line.startswith('token ')]
    assert len(token) == 1 and ' fail ' in token[0] and 'lifetime_token' in token[0], run
    assert 'Not ready for a deployment: token' in run.stdout, run
    assert WRONG_TOKEN not in run.output
    assert [request['status'] for request in sim.requests] == [401] and sim.writes() == []


def test_doctor_writes_the_support_file_given_as_dest(make_simulator, tmp_path):
    sim = make_simulator()
    dest = tmp_path / 'support' / 'doctor.json'
    dest.parent.mkdir()

    run = run_doctor(tmp_path, sim, extra_vars={'dest': str(dest)})

    assert run.rc == 0, run
    support = json.loads(dest.read_text(encoding='utf-8'))
    assert support['environments']['count'] == len(sim.state.environments())
    assert sim.token not in dest.read_text(encoding='utf-8')
    assert sim.writes() == []
