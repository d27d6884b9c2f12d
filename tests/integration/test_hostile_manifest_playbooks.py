# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The promote playbook given a hostile release manifest file: refused in one sentence naming manifest, nothing written.

A YAML alias tree of a few hundred bytes (a billion values written out) and a file nested 100,000 deep: before, the first
became a huge task result and the second killed the process that ran the task.
"""

import os

import pytest

from tests.integration.test_playbooks import PROMOTE, ROLLBACK, TOKEN

pytestmark = pytest.mark.integration

ENTRY = 'ApplicationVersions:\n- ApplicationKey: k1\n  ApplicationName: EmployeeBackoffice\n  VersionKey: v1\n  VersionNumber: "1.2"\n'


def alias_tree(levels=9, width=10):
    lines = ['l0: &l0 [%s]' % ', '.join(['x'] * width)]
    for level in range(1, levels):
        lines.append('l%d: &l%d [%s]' % (level, level, ', '.join(['*l%d' % (level - 1)] * width)))
    return '\n'.join(lines) + '\n'


@pytest.mark.parametrize('text, words', [
    (alias_tree() + ENTRY + 'DeploymentNotes: *l8\n', 'uses a YAML anchor or alias (line 1)'),
    ('ApplicationVersions: ' + '[' * 100000 + ']' * 100000 + '\n', 'is nested more than 32 levels deep'),
], ids=['alias-tree', 'nested-100000-deep'])
def test_promote_refuses_a_hostile_manifest_file_naming_it_and_writes_nothing(ansible_playbook, make_simulator, tmp_path, text, words):
    sim = make_simulator(token=TOKEN)
    # Not tmp_path itself: ansible-playbook keeps its home there.
    work = tmp_path / 'release'
    work.mkdir()
    path = work / 'release.yml'
    path.write_text(text)
    dest = work / 'production.json'
    before = sorted(os.listdir(str(work)))

    run = ansible_playbook(PROMOTE, sim=sim, extra_vars={'source_environment': 'Quality Assurance', 'target_environment': 'Production',
                                                         'manifest': str(path), 'manifest_dest': str(dest)})

    assert run.rc != 0
    assert 'manifest %s %s' % (path, words) in run.output, run.output[-3000:]
    assert 'Traceback' not in run.output and 'dead state' not in run.output, run.output[-3000:]
    # The message, not the manifest: a task result of a few kilobytes.
    assert len(run.output) < 20000, len(run.output)
    assert sim.writes() == []
    assert not any(request['path'].rstrip('/').endswith('/versions') for request in sim.requests)
    assert sorted(os.listdir(str(work))) == before and path.read_text() == text


@pytest.mark.parametrize('playbook', ['promote', 'rollback'])
@pytest.mark.parametrize('text, words', [
    ('target_environment: Production\napplications: ' + '[' * 100000 + ']' * 100000 + '\n', 'is nested more than 32 levels deep'),
    (alias_tree() + 'target_environment: Production\napplications: [EmployeeBackoffice]\nnotes: *l8\n', 'uses a YAML anchor or alias'),
], ids=['nested-100000-deep', 'alias-tree'])
def test_a_hostile_release_file_is_refused_naming_it_and_nothing_is_sent(ansible_playbook, make_simulator, tmp_path, playbook, text, words):
    sim = make_simulator(token=TOKEN)
    work = tmp_path / 'release'
    work.mkdir()
    path = work / 'release.yml'
    path.write_text(text)

    run = ansible_playbook(PROMOTE if playbook == 'promote' else ROLLBACK, sim=sim, extra_vars={'release_file': str(path)})

    assert run.rc != 0
    assert 'release_file %s %s' % (path, words) in run.output, run.output[-3000:]
    assert 'Traceback' not in run.output and 'dead state' not in run.output, run.output[-3000:]
    assert len(run.output) < 20000, len(run.output)
    assert sim.requests == []
    assert path.read_text() == text
