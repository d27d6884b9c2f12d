# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_manifest through ansible-playbook against the simulator: the file afterwards and the requests LifeTime received."""

import json
import os

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_manifest_playbook_writes_once_and_only_reads_lifetime(ansible_playbook, simulator, tmp_path):
    releases = tmp_path / 'releases'
    releases.mkdir()
    dest = releases / 'release.json'
    simulator.clear_requests()

    run = ansible_playbook('manifest.yml', sim=simulator, extra_vars=dict(manifest_dest=str(dest)))

    assert run.rc == 0, run
    # Changed twice: the check-mode run (counted, though it wrote nothing) and the real one; the rerun changed nothing.
    assert run.recap.get('failed') == 0 and run.recap.get('changed') == 2, run
    data = json.loads(dest.read_text())
    state = simulator.state
    assert [(entry['ApplicationName'], entry['VersionKey']) for entry in data['ApplicationVersions']] == [
        (app, state.running_version_key('Quality Assurance', app)) for app in ('Directory Mobile', 'EmployeeBackoffice')]
    assert os.listdir(releases) == ['release.json']
    # A manifest is read from LifeTime, never written to it.
    assert simulator.writes() == []
    assert simulator.requests, 'the playbook asked LifeTime nothing'
