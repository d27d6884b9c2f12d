# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/utils/release.py, what `make release VERSION=x.y.z` runs: its checks and the files it bumps, on small
collections of its own. tests/contract/test_release_notes.py checks it against this repository."""

import os
import textwrap

import pytest

from tests.utils import release

FILES = {
    'galaxy.yml': 'namespace: outsystems\nname: lifetime\nversion: 0.1.0\n',
    'plugins/module_utils/_version.py': "COLLECTION_VERSION = '0.1.0'\n",
    'plugins/modules/lifetime_thing.py': 'DOCUMENTATION = """\nversion_added: 0.1.0\noptions:\n  new:\n    version_added: 0.2.0\n"""\n',
    'examples/awx/execution-environment.yml': '#   cp .tmp/dist/outsystems-lifetime-0.1.0.tar.gz examples/awx/\n'
                                              '  - src: outsystems-lifetime-0.1.0.tar.gz\n',
    'examples/awx/execution-environment-hub.yml': 'collections:\n  - name: outsystems.lifetime\n    version: 0.1.0\n',
    'README.md': textwrap.dedent('''\
        Changed since 0.1.0.

            ansible-galaxy collection install outsystems-lifetime-0.1.0.tar.gz

        ```yaml
        collections:
          - name: git+https://git.example.com/outsystems.lifetime.git
            version: 0.1.0
        ```
        '''),
    'docs/awx.md': 'ansible-builder build -t registry.example.com/ee-outsystems-lifetime:0.1.0\n',
    'changelogs/changelog.yaml': 'ancestor: null\nreleases:\n  0.1.0:\n    release_date: "2026-12-03"\n',
}


@pytest.fixture
def root(tmp_path):
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding='utf-8')
    (tmp_path / 'changelogs' / 'fragments').mkdir()
    return str(tmp_path)


def fragment(root, name, text):
    with open(os.path.join(root, 'changelogs', 'fragments', name), 'w', encoding='utf-8') as handle:
        handle.write(textwrap.dedent(text))


def test_bump_names_the_new_version_wherever_the_collection_repeats_its_own_and_nowhere_else(root):
    changed = release.bump(root, '0.1.0', '0.2.0')

    assert sorted(changed) == ['README.md', 'docs/awx.md', 'examples/awx/execution-environment-hub.yml',
                               'examples/awx/execution-environment.yml', 'galaxy.yml', 'plugins/module_utils/_version.py']
    assert changed['galaxy.yml'] == FILES['galaxy.yml'].replace('0.1.0', '0.2.0')
    assert changed['plugins/module_utils/_version.py'] == "COLLECTION_VERSION = '0.2.0'\n"
    assert changed['examples/awx/execution-environment.yml'] == FILES['examples/awx/execution-environment.yml'].replace('0.1.0', '0.2.0')
    assert changed['examples/awx/execution-environment-hub.yml'].endswith('    version: 0.2.0\n')
    # The prose keeps the version it talks about; the tarball and the Git requirement follow the release.
    assert changed['README.md'] == FILES['README.md'].replace('0.1.0', '0.2.0').replace('since 0.2.0', 'since 0.1.0')
    assert changed['docs/awx.md'] == 'ansible-builder build -t registry.example.com/ee-outsystems-lifetime:0.2.0\n'
    # Nothing is written yet.
    with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
        assert handle.read() == FILES['galaxy.yml']


def test_bump_fails_naming_a_place_that_no_longer_holds_the_version(root):
    with open(os.path.join(root, 'examples', 'awx', 'execution-environment-hub.yml'), 'w', encoding='utf-8') as handle:
        handle.write('collections:\n  - name: outsystems.lifetime\n')

    with pytest.raises(release.ReleaseError) as error:
        release.bump(root, '0.1.0', '0.2.0')

    assert 'the version 0.1.0 is not where tests/utils/release.py expects it: examples/awx/execution-environment-hub.yml' \
        in str(error.value)


@pytest.mark.parametrize('version, message', [
    ('0.1.0', 'VERSION 0.1.0 is not newer than 0.1.0, the version galaxy.yml names'),
    ('0.0.9', 'VERSION 0.0.9 is not newer than 0.1.0'),
    ('v0.2.0', "VERSION must be three numbers in ASCII digits without leading zeros, like 0.2.0, not 'v0.2.0'"),
    ('0.2', "VERSION must be three numbers in ASCII digits without leading zeros, like 0.2.0, not '0.2'"),
    ('\uff11.0.0', 'VERSION must be three numbers in ASCII digits'),
    ('0.03.0', 'VERSION must be three numbers in ASCII digits without leading zeros'),
    ("0.3.0'; touch /tmp/x; echo '", 'VERSION must be three numbers'),
])
def test_a_version_that_is_no_newer_release_is_refused(root, version, message):
    with pytest.raises(release.ReleaseError) as error:
        release.check_version(root, version)

    assert message in str(error.value)


def test_a_version_the_changelog_already_has_is_refused(root):
    with open(os.path.join(root, 'changelogs', 'changelog.yaml'), 'a', encoding='utf-8') as handle:
        handle.write('  0.2.0:\n    release_date: "2026-12-10"\n')

    with pytest.raises(release.ReleaseError) as error:
        release.check_version(root, '0.2.0')

    assert 'changelogs/changelog.yaml already has a release 0.2.0' in str(error.value)


def test_version_added_after_the_release_is_listed_and_the_release_itself_is_not(root):
    assert release.later_version_added(root, '0.2.0') == []
    assert release.later_version_added(root, '0.1.5') == ['plugins/modules/lifetime_thing.py:5: version_added 0.2.0']


def test_the_release_refuses_a_version_added_after_it_before_writing_anything(root):
    with pytest.raises(release.ReleaseError) as error:
        release.release(root, '0.1.5')

    assert 'plugins/modules/lifetime_thing.py:5: version_added 0.2.0' in str(error.value)
    with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
        assert handle.read() == FILES['galaxy.yml']
    assert os.listdir(os.path.join(root, 'changelogs', 'fragments')) == []


def test_the_summary_counts_the_changes_of_each_published_section(root):
    fragment(root, 'a.yml', '''\
        bugfixes:
          - lifetime_deployment - one.
          - lifetime_deployment - two.
        minor_changes:
          - lifetime_deployment - new option.
        trivial:
          - tests - not published.
        ''')
    fragment(root, 'b.yml', 'security_fixes:\n  - modules - one.\n')

    assert release.summary(root, '0.1.0', '0.2.0') == (
        'Release 0.2.0 of the ``outsystems.lifetime`` collection: 1 minor change, 1 security fix and 2 bugfixes since 0.1.0,'
        ' listed below.')


def test_the_summary_without_fragments_says_only_which_release_it_is(root):
    assert release.summary(root, '0.1.0', '0.2.0') == 'Release 0.2.0 of the ``outsystems.lifetime`` collection; see the sections below.'


def test_a_module_without_version_added_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / 'plugins' / 'modules').mkdir(parents=True)
    (tmp_path / 'plugins' / 'modules' / 'lifetime_new.py').write_text("DOCUMENTATION = r\'\'\'\nmodule: lifetime_new\n\'\'\'\n")
    (tmp_path / 'plugins' / 'modules' / 'lifetime_old.py').write_text("DOCUMENTATION = r\'\'\'\nmodule: lifetime_old\nversion_added: 0.1.0\n\'\'\'\n")
    assert release.plugins_without_version_added(str(tmp_path)) == ['plugins/modules/lifetime_new.py']


def test_a_summary_that_does_not_pass_the_changelog_lint_is_refused_before_anything_is_written():
    """antsibull-changelog lint, for real, on the summary alone (in this repository's changelog configuration)."""
    before = sorted(os.listdir(os.path.join(release.REPO_ROOT, 'changelogs', 'fragments')))
    with pytest.raises(release.ReleaseError, match='antsibull-changelog lint'):
        release.check_summary(release.REPO_ROOT, '---\nrelease_summary: Broken *emphasis and `literal\n')
    release.check_summary(release.REPO_ROOT, '---\nrelease_summary: A summary that is fine.\n')
    assert sorted(os.listdir(os.path.join(release.REPO_ROOT, 'changelogs', 'fragments'))) == before
