# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_environment_info and lifetime_application_info through ansible-playbook against the simulator."""

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.parametrize('playbook', ['environment_info.yml', 'application_info.yml'])
def test_info_playbook_passes_in_check_mode_real_and_again_without_writing(ansible_playbook, simulator, playbook):
    run = ansible_playbook(playbook, sim=simulator)

    assert run.rc == 0, run
    assert run.recap.get('failed') == 0 and run.recap.get('changed') == 0, run
    # Info modules only read, whatever the playbook asked.
    assert simulator.writes() == []
    # Every task reached the simulator through the LIFETIME_* environment and module_defaults.
    assert any(r['path'].rstrip('/').endswith('/applications') for r in simulator.requests)


def test_environment_info_example_from_the_issue_returns_employee_backoffice_in_production(ansible_playbook, simulator, tmp_path):
    playbook = tmp_path / 'example.yml'
    playbook.write_text('''---
- name: The example of the documentation
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Show what runs in Production
      outsystems.lifetime.lifetime_environment_info: {name: Production, include_applications: true}
      register: production

    - name: Print the running version of EmployeeBackoffice
      ansible.builtin.debug:
        msg: "RUNNING={{ (production.environments[0].applications | selectattr('name', 'equalto', 'EmployeeBackoffice') | first).version }}"
''')

    run = ansible_playbook(str(playbook), sim=simulator)

    assert run.rc == 0, run
    assert 'RUNNING=%s' % simulator.state.running_version('Production', 'EmployeeBackoffice') in run.stdout
