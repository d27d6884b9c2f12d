# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The release notes and what `make release` (tests/utils/release.py) expects of this repository."""

import os

import yaml

from tests.utils import release

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_yaml(*path):
    with open(os.path.join(REPO_ROOT, *path), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def test_the_initial_release_fixes_nothing_so_its_notes_have_no_fix_sections():
    changelog = read_yaml('changelogs', 'changelog.yaml')
    initial = min(changelog['releases'], key=release.parse_version)

    assert changelog['ancestor'] is None
    assert sorted(set(changelog['releases'][initial]['changes']) & {'bugfixes', 'security_fixes'}) == []
    with open(os.path.join(REPO_ROOT, 'CHANGELOG.md'), encoding='utf-8') as handle:
        notes = handle.read()
    heading = '## v%s' % initial.replace('.', '\\.')
    initial_notes = notes[notes.index(heading):]
    assert '### Bugfixes' not in initial_notes and '### Security Fixes' not in initial_notes


def test_make_release_finds_the_version_wherever_the_collection_repeats_it():
    """A file that moved or reworded its version would make the release stop before writing anything."""
    version = release.released_version(REPO_ROOT)
    changed = release.bump(REPO_ROOT, version, '99.0.0')

    assert {'galaxy.yml', 'plugins/module_utils/_version.py', 'examples/awx/execution-environment.yml',
            'examples/awx/execution-environment-hub.yml'} <= set(changed)
    assert release.later_version_added(REPO_ROOT, '99.0.0') == []
