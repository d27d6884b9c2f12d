# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Files at dest through ansible-playbook: --diff never prints a file the module did not write, a fake download is not saved."""

import json
import os

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SECRET = 'do-not-print-this-secret-line'

MANIFEST_PLAY = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Write the manifest over a file that is not one
      outsystems.lifetime.lifetime_manifest:
        environment: Quality Assurance
        applications: [EmployeeBackoffice]
        dest: "{{ dest }}"
      register: refused
      ignore_errors: true
    - name: The file was left alone
      ansible.builtin.assert:
        that: refused is failed and 'force' in refused.msg
    - name: Replace it on purpose
      outsystems.lifetime.lifetime_manifest:
        environment: Quality Assurance
        applications: [EmployeeBackoffice]
        dest: "{{ dest }}"
        force: true
'''

SOLUTION_PLAY = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Download the solution
      outsystems.lifetime.lifetime_solution:
        environment: Development
        applications: [EmployeeBackoffice]
        dest: "{{ dest }}"
'''


def play(tmp_path, text):
    path = tmp_path / 'play.yml'
    path.write_text(text)
    return str(path)


def test_diff_never_prints_a_file_that_is_not_a_manifest_and_force_keeps_its_owner(ansible_playbook, simulator, tmp_path):
    dest = tmp_path / 'release.json'
    dest.write_text(json.dumps({'database': {'password': SECRET}}))
    os.chmod(dest, 0o600)
    simulator.clear_requests()

    run = ansible_playbook(play(tmp_path, MANIFEST_PLAY), sim=simulator, extra_vars=dict(dest=str(dest)), diff=True)

    assert run.rc == 0 and run.recap.get('changed') == 1, run
    assert SECRET not in run.output, run
    assert 'not a release manifest: its content is not shown' in run.output, run
    assert 'Traceback' not in run.output
    written = json.loads(dest.read_text())
    assert [entry['ApplicationName'] for entry in written['ApplicationVersions']] == ['EmployeeBackoffice']
    assert oct(dest.stat().st_mode & 0o777) == oct(0o600)
    assert simulator.writes() == []
    assert [name for name in os.listdir(tmp_path) if name.startswith('.') or name.endswith('.part')] == []


def test_a_login_page_answering_the_download_fails_the_play_and_is_not_saved(ansible_playbook, simulator, tmp_path):
    dest = tmp_path / 'release.osp'
    simulator.state.fake_downloads('login_page')
    simulator.clear_requests()

    run = ansible_playbook(play(tmp_path, SOLUTION_PLAY), sim=simulator, extra_vars=dict(dest=str(dest)))

    assert run.rc != 0 and run.recap.get('failed') == 1, run
    assert 'is not a package (a zip archive): it is an HTML page' in run.output and 'Traceback' not in run.output, run
    assert [r['status'] for r in simulator.requests if '/downloads/' in r['path']] == [200]
    assert not dest.exists()
    assert [name for name in os.listdir(tmp_path) if name.startswith('.') or name.endswith('.part')] == []
