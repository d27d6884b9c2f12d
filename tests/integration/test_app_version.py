# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_app_version through ansible-playbook against the simulator: the server's state and request log afterwards."""

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

APP = 'EmployeeBackoffice'


def test_app_version_playbook_tags_downloads_and_deletes_once_each(ansible_playbook, simulator, tmp_path):
    state = simulator.state
    if not state.is_modified('Development', APP):
        state.mark_modified('Development', APP)
    in_use = {key.lower() for key in state.in_use_version_keys()}
    unused = next(v.number for v in state.versions(APP) if v.key.lower() not in in_use)
    production = state.running_version('Production', APP)
    before = [v.number for v in state.versions(APP)]
    downloads = tmp_path / 'downloads'
    downloads.mkdir()
    simulator.clear_requests()

    run = ansible_playbook('app_version.yml', sim=simulator,
                           extra_vars=dict(app_version_dest_dir=str(downloads), app_version_unused=unused))

    assert run.rc == 0, run
    assert run.recap.get('failed') == 0, run
    after = [v.number for v in state.versions(APP)]
    assert after == [n for n in before if n != unused] + ['1.3.1']
    assert not state.is_modified('Development', APP)
    assert production in after
    writes = simulator.writes()
    # One tag and one delete, whatever check mode and the repeated tasks did; the refused delete was never sent.
    assert [(w['method'], w['status']) for w in writes] == [('POST', 201), ('DELETE', 204)], writes
    package = downloads / 'EmployeeBackoffice.oap'
    assert package.exists()
    assert [p.name for p in downloads.iterdir()] == ['EmployeeBackoffice.oap']
