# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract: what Galaxy, Automation Hub and a user installing the tarball meet.

The tarball ships the collection, its examples and role metadata, and none of the third-party documents the tests
read; the changelog has the release galaxy.yml names; nothing points at a repository that does not exist; the
ansible-core releases meta/runtime.yml promises are the ones the pipeline tests. galaxy-importer and
antsibull-docs themselves run in `make galaxy`.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
import tarfile

import pytest
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
ROLES = ('promote', 'rollback', 'publish')


def read_yaml(*path):
    with open(os.path.join(REPO_ROOT, *path), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


GALAXY = read_yaml('galaxy.yml')
RUNTIME = read_yaml('meta', 'runtime.yml')


@pytest.fixture(scope='module')
def tarball_names(tmp_path_factory):
    output = tmp_path_factory.mktemp('dist')
    process = subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(output), REPO_ROOT],
                             capture_output=True, text=True, check=False, timeout=120)
    assert process.returncode == 0, process.stdout + process.stderr
    [path] = glob.glob(str(output / '*.tar.gz'))
    with tarfile.open(path) as tar:
        return set(tar.getnames())


def test_the_tarball_leaves_out_the_third_party_documents_the_tests_read(tarball_names):
    assert [name for name in tarball_names if name.startswith(('tests/simulator/reference', 'tests/contract/reference'))] == []
    for directory in ('tests/simulator/reference', 'tests/contract/reference'):
        # They stay in the repository, with their attribution.
        assert os.path.exists(os.path.join(REPO_ROOT, directory, 'README.md')), directory


def test_the_tarball_ships_the_examples_the_role_metadata_and_the_changelog(tarball_names):
    expected = {'examples/awx/credential_types.yml', 'examples/awx/job_templates.yml', 'examples/awx/workflow.yml',
                'examples/awx/execution-environment.yml', 'examples/awx/execution-environment-hub.yml', 'CHANGELOG.md',
                'changelogs/changelog.yaml', 'meta/runtime.yml'}
    expected |= set('roles/%s/meta/%s' % (role, name) for role in ROLES for name in ('main.yml', 'argument_specs.yml'))
    assert expected - tarball_names == set()


@pytest.mark.parametrize('role', ROLES)
def test_each_role_has_galaxy_metadata_matching_its_argument_spec(role):
    info = read_yaml('roles', role, 'meta', 'main.yml')['galaxy_info']
    spec = read_yaml('roles', role, 'meta', 'argument_specs.yml')['argument_specs']['main']

    assert info['description'] == spec['short_description']
    assert info['author'] == GALAXY['authors'][0]
    assert [info['license']] == GALAXY['license']
    assert RUNTIME['requires_ansible'] == '>=%s.0' % info['min_ansible_version']


def test_the_changelog_has_the_release_galaxy_yml_names():
    changelog = read_yaml('changelogs', 'changelog.yaml')
    assert GALAXY['version'] in changelog['releases']
    with open(os.path.join(REPO_ROOT, 'CHANGELOG.md'), encoding='utf-8') as handle:
        # antsibull-changelog escapes the dots of the heading in Markdown: "## v0\\.1\\.0".
        assert re.search(r'^## v%s$' % re.escape(GALAXY['version'].replace('.', '\\.')), handle.read(), re.M)
    # Fragments of later changes go here.
    assert os.path.isdir(os.path.join(REPO_ROOT, 'changelogs', 'fragments'))


def test_every_module_and_role_of_a_released_version_is_in_its_changelog():
    """A module or role added after a release names the next version in version_added, or the release is made again."""
    releases = read_yaml('changelogs', 'changelog.yaml')['releases']
    claimed = []
    for path in sorted(glob.glob(os.path.join(REPO_ROOT, 'plugins', 'modules', '*.py'))):
        with open(path, encoding='utf-8') as handle:
            found = re.search(r"^version_added: ['\"]?([0-9.]+)['\"]?$", handle.read(), re.M)
        if found and found.group(1) in releases:
            claimed.append(('modules', os.path.basename(path)[:-3], found.group(1)))
    for role in sorted(os.listdir(os.path.join(REPO_ROOT, 'roles'))):
        version = str(read_yaml('roles', role, 'meta', 'argument_specs.yml')['argument_specs']['main'].get('version_added', ''))
        if version in releases:
            claimed.append(('objects', role, version))
    missing = []
    for kind, name, version in claimed:
        release = releases[version]
        listed = release.get('modules', []) if kind == 'modules' else release.get('objects', {}).get('role', [])
        if name not in [item['name'] for item in listed]:
            missing.append('%s (version_added %s)' % (name, version))
    assert missing == []


def test_nothing_points_at_a_repository_that_does_not_exist():
    """galaxy.yml names a repository, documentation, homepage and issues once the collection has a public home."""
    assert not set(GALAXY) & {'repository', 'documentation', 'homepage', 'issues'}
    files = subprocess.run(['git', 'ls-files'], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = []
    for name in files:
        if name.endswith(('.md', '.yml', '.yaml', '.rst', '.txt', '.cfg')) or name.startswith('plugins/'):
            with open(os.path.join(REPO_ROOT, name), encoding='utf-8', errors='replace') as handle:
                if 'github.com/outsystems-community' in handle.read():
                    found.append(name)
    assert found == []


def test_the_pipeline_tests_every_ansible_core_release_the_collection_promises():
    with open(os.path.join(REPO_ROOT, 'Makefile'), encoding='utf-8') as handle:
        cores = re.search(r'^COMPAT_CORES \?= (.*)$', handle.read(), re.M).group(1).split()
    with open(os.path.join(REPO_ROOT, 'tests', 'requirements.txt'), encoding='utf-8') as handle:
        newest = re.search(r'^ansible-core==(\d+\.\d+)\.\d+$', handle.read(), re.M).group(1)
    tested = cores + [newest]
    assert RUNTIME['requires_ansible'] == '>=%s.0' % tested[0]
    assert tested == ['2.%d' % minor for minor in range(int(tested[0].split('.')[1]), int(newest.split('.')[1]) + 1)]
    for core in cores:
        with open(os.path.join(REPO_ROOT, 'tests', 'requirements-core-%s.txt' % core), encoding='utf-8') as handle:
            assert re.search(r'^ansible-core==%s\.\d+$' % re.escape(core), handle.read(), re.M), core
