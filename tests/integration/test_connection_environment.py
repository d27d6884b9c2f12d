# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection as ansible-playbook gives it, on the controller path (an action plugin, in-process) and the module
path alike: a missing token names lifetime_token and LIFETIME_TOKEN; a failing proxy set in the task's ``environment:``
is named, its password masked, and nothing reaches LifeTime."""

import json
import sys

import pytest

from tests import hostile_server as hs

pytestmark = pytest.mark.integration

TOKEN = 'environment-token-3c81'
PASSWORD = 'Pr0xy-pw-5512'

PLAYBOOK = '''
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: %(python)s
    # proxy_url comes as an extra variable: ansible-core shows the source lines of a failed task, never its values.
    proxy: {HTTPS_PROXY: "{{ proxy_url }}"}
  tasks:
    - name: controller path, no token
      outsystems.lifetime.lifetime_deployment: {lifetime_url: "%(url)s", target_environment: Production,
                                                applications: [{name: EmployeeBackoffice}]}
      register: controller_no_token
      ignore_errors: true
    - name: module path, no token
      outsystems.lifetime.lifetime_environment_info: {lifetime_url: "%(url)s"}
      register: module_no_token
      ignore_errors: true
    - name: controller path, a proxy asking for other credentials
      outsystems.lifetime.lifetime_deployment: {lifetime_url: "%(url)s", lifetime_token: "%(token)s", ca_path: "%(ca_path)s",
                                                target_environment: Production, applications: [{name: EmployeeBackoffice}]}
      environment: "{{ proxy }}"
      register: controller_proxy
      ignore_errors: true
    - name: module path, a proxy asking for other credentials
      outsystems.lifetime.lifetime_environment_info: {lifetime_url: "%(url)s", lifetime_token: "%(token)s", ca_path: "%(ca_path)s"}
      environment: "{{ proxy }}"
      register: module_proxy
      ignore_errors: true
    - name: what each task answered
      ansible.builtin.copy:
        dest: "%(results)s"
        content: "{{ dict(controller_no_token=controller_no_token, module_no_token=module_no_token,
                          controller_proxy=controller_proxy, module_proxy=module_proxy) | to_json }}"
'''


def test_a_missing_token_and_a_failing_proxy_are_told_on_both_paths(ansible_playbook, make_simulator, tmp_path, monkeypatch):
    for name in ('LIFETIME_URL', 'LIFETIME_TOKEN', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'):
        monkeypatch.delenv(name, raising=False)
    sim = make_simulator(tls=True, token=TOKEN)
    results = tmp_path / 'results.json'
    with hs.HostileProxy('tunnel', credentials=('deploy', 'the-right-one')) as proxy:
        playbook = tmp_path / 'connection.yml'
        playbook.write_text(PLAYBOOK % dict(python=sys.executable, url=sim.url, ca_path=sim.ca_cert_path, token=TOKEN, results=results))

        run = ansible_playbook(str(playbook), extra_vars=dict(proxy_url=proxy.url_with('deploy', PASSWORD)))

        assert run.rc == 0, run
        outcomes = json.loads(results.read_text())
        for path in ('controller', 'module'):
            assert outcomes['%s_no_token' % path]['failed'] is True
            assert ('lifetime_token is not set: set the option lifetime_token or the environment variable LIFETIME_TOKEN'
                    in outcomes['%s_no_token' % path]['msg']), outcomes
            assert 'the proxy http://deploy:***@127.0.0.1:%d asks for authentication' % proxy.port in outcomes['%s_proxy' % path]['msg']
        assert PASSWORD not in results.read_text() and PASSWORD not in run.output and TOKEN not in run.output
        assert proxy.log and set(entry['method'] for entry in proxy.log) == {'CONNECT'}
        assert TOKEN.encode('ascii') not in proxy.received
    assert sim.requests == []
