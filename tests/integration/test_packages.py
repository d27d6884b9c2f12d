# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_solution and lifetime_binary_publish through ansible-playbook: one and two simulators, checked by their state."""

import pytest

from tests.support import OTHER_INFRASTRUCTURE, sha256_file

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SOURCE_TOKEN = 'source-token'
TARGET_TOKEN = 'target-token'


def calls(sim):
    """The writes as (method, last path segment, status)."""
    return [(w['method'], w['path'].rstrip('/').rsplit('/', 1)[-1], w['status']) for w in sim.writes()]


def test_solution_playbook_builds_downloads_once_and_reports_an_abort(ansible_playbook, simulator, tmp_path):
    simulator.state.add_solution_rule(name='Broken', reason='Module EmployeeBackoffice_CS is protected by IPP.')
    dest_dir = tmp_path / 'packages'
    dest_dir.mkdir()

    run = ansible_playbook('solution.yml', sim=simulator, extra_vars=dict(solution_dest_dir=str(dest_dir)))

    assert run.rc == 0 and run.recap.get('failed') == 0, run
    statuses = [(solution.name, solution.status) for solution in simulator.state.solutions()]
    assert statuses == [('Release', 'Completed'), ('Release', 'Completed'), ('Broken', 'Aborted')]
    # Check mode sent nothing: one POST per real run (two of Release, one of Broken).
    assert calls(simulator) == [('POST', 'solution', 201)] * 3
    assert sorted(p.name for p in dest_dir.iterdir()) == ['Release.osp']
    # The action plugin printed each status while the task ran (on stderr).
    assert 'Completed' in run.stderr and '[solution ' in run.stderr, run


def test_binary_publish_playbook_deploys_the_same_package_once(ansible_playbook, simulator, tmp_path):
    packages = tmp_path / 'packages'
    packages.mkdir()
    development = simulator.state.running_version('Development', 'EmployeeBackoffice')
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') != development

    run = ansible_playbook('binary_publish.yml', sim=simulator, extra_vars=dict(binary_publish_dir=str(packages)))

    assert run.rc == 0 and run.recap.get('failed') == 0, run
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == development
    assert len(simulator.state.uploaded_packages) == 1
    plan = simulator.state.deployment(simulator.state.uploaded_packages[0].deployment_key)
    assert plan.status == 'finished_successful'
    assert calls(simulator) == [('POST', 'deployment', 201), ('PUT', plan.key, 200), ('POST', 'start', 202)]
    # The deployment log was printed while the task ran (on stderr).
    assert "| [%s " % plan.key[:8] in run.stderr and 'Deploy completed' in run.stderr, run


def test_cross_infrastructure_playbook_carries_packages_between_two_lifetimes(ansible_playbook, make_simulator, tmp_path):
    source = make_simulator(token=SOURCE_TOKEN, step_seconds=0.1)
    target = make_simulator(token=TARGET_TOKEN, scenario=OTHER_INFRASTRUCTURE, step_seconds=0.1)
    assert source.url != target.url
    carried = ['EmployeeBackoffice', 'Google Maps Web', 'Customer Portal']
    assert all(target.state.find_application(name) is None for name in carried)
    expected = {'EmployeeBackoffice': source.state.running_version('Development', 'EmployeeBackoffice'),
                'Google Maps Web': source.state.running_version('Development', 'Google Maps Web'),
                'Customer Portal': source.state.running_version('Production', 'Customer Portal')}
    transfer = tmp_path / 'transfer'
    transfer.mkdir()

    run = ansible_playbook('cross_infrastructure.yml', extra_vars=dict(
        cross_source_url=source.url, cross_source_token=SOURCE_TOKEN, cross_target_url=target.url, cross_target_token=TARGET_TOKEN,
        cross_transfer_dir=str(transfer)))

    assert run.rc == 0 and run.recap.get('failed') == 0, run
    # The target created the applications it did not know, and runs the versions the source runs.
    for name, version in expected.items():
        assert target.state.find_application(name) is not None, name
        assert target.state.running_version('Live', name) == version, name
    assert target.state.running_version('Live', 'Orders API') == '1.0'
    assert target.state.running_version('Staging', 'EmployeeBackoffice') is None
    # The source was only asked to build the solution; the target got two uploads, each deployed once.
    assert calls(source) == [('POST', 'solution', 201)]
    assert [c[0::2] for c in calls(target)] == [('POST', 201), ('PUT', 200), ('POST', 202)] * 2
    assert [p.sha256 for p in target.state.uploaded_packages] == [
        sha256_file(transfer / 'Release.osp'), sha256_file(transfer / 'CustomerPortal.oap')]
    # Each LifeTime only ever saw its own token.
    assert all(r['status'] != 401 for r in source.requests + target.requests)
