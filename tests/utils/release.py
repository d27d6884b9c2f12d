# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Release a version of the collection; `make release VERSION=x.y.z` runs it with .venv's tools first on PATH.

1. Checks, before anything is written: VERSION is x.y.z (ASCII digits, no leading zeros) and newer than galaxy.yml's
   version, changelogs/changelog.yaml has no release of it, the work tree has no uncommitted change, nothing in the
   collection names a later version_added and every module, filter and role names one, there is a fragment (or a
   SUMMARY), and the fragments and the summary pass antsibull-changelog lint.
2. Writes VERSION wherever the collection repeats its version (VERSION_FILES: galaxy.yml, the User-Agent's
   plugins/module_utils/_version.py, the AWX execution environments; the tarball name and image tag in README.md,
   docs/*.md and examples/awx/), then docs/docsite from the guides (tests/utils/docsite.py).
3. Writes the release summary fragment changelogs/fragments/VERSION.yml (SUMMARY, or a line counting the changes),
   unless that file exists: a summary written by hand is kept.
4. Runs antsibull-changelog release: the fragments move into changelogs/changelog.yaml and CHANGELOG.md.

Usage (from the repository root): python tests/utils/release.py VERSION [SUMMARY]
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
import tempfile

import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# {old} stands for the version released last, escaped; the group "version" is what is replaced. Each entry:
# (files, pattern, whether the files must hold it at least once). A required one that is missing fails the release
# before anything is written: the file changed, and this list must follow it.
TARBALL = r'outsystems-lifetime-(?P<version>{old})\.tar\.gz'
IMAGE_TAG = r'ee-outsystems-lifetime:(?P<version>{old})\b'
# A requirements entry of the collection in YAML (examples/awx/execution-environment-hub.yml, README.md's Git example).
REQUIREMENT = r'(?m)^\s+version: (?P<version>{old})$'
VERSION_FILES = (
    (('galaxy.yml',), r'(?m)^version: (?P<version>{old})$', True),
    (('plugins/module_utils/_version.py',), r"(?m)^COLLECTION_VERSION = '(?P<version>{old})'$", True),
    (('examples/awx/execution-environment.yml',), TARBALL, True),
    (('examples/awx/execution-environment-hub.yml',), REQUIREMENT, True),
    (('README.md', 'docs/*.md', 'examples/awx/*'), TARBALL, False),
    (('README.md', 'docs/*.md', 'examples/awx/*'), IMAGE_TAG, False),
    (('README.md',), REQUIREMENT, False),
)
# Where version_added is written: modules (options included), other plugins' documentation, roles' argument specs.
VERSION_ADDED_FILES = ('plugins/modules/*.py', 'plugins/*/*.yml', 'plugins/*/*.py', 'roles/*/meta/argument_specs.yml')
SECTION_WORDS = {
    'major_changes': ('major change', 'major changes'), 'minor_changes': ('minor change', 'minor changes'),
    'breaking_changes': ('breaking change', 'breaking changes'),
    'deprecated_features': ('deprecated feature', 'deprecated features'),
    'removed_features': ('removed feature', 'removed features'), 'security_fixes': ('security fix', 'security fixes'),
    'bugfixes': ('bugfix', 'bugfixes'), 'known_issues': ('known issue', 'known issues'),
}


class ReleaseError(Exception):
    """A check failed; nothing was written."""


# Three ASCII numbers without leading zeros (semantic versioning's core; \d would take any Unicode digit).
VERSION_PATTERN = re.compile(r'(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)')


def parse_version(text):
    found = VERSION_PATTERN.fullmatch(str(text))
    if not found:
        raise ReleaseError('VERSION must be three numbers in ASCII digits without leading zeros, like 0.2.0, not %r' % text)
    return tuple(int(part) for part in found.groups())


def read_yaml(root, *path):
    with open(os.path.join(root, *path), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def released_version(root):
    return str(read_yaml(root, 'galaxy.yml')['version'])


def check_version(root, new):
    old = released_version(root)
    if parse_version(new) <= parse_version(old):
        raise ReleaseError('VERSION %s is not newer than %s, the version galaxy.yml names' % (new, old))
    releases = read_yaml(root, 'changelogs', 'changelog.yaml').get('releases') or {}
    if new in releases:
        raise ReleaseError('changelogs/changelog.yaml already has a release %s' % new)
    if old not in releases:
        raise ReleaseError('changelogs/changelog.yaml has no release %s, the version galaxy.yml names: release it first '
                           '(make changelog-release)' % old)
    return old


def files(root, patterns):
    found = []
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(root, pattern))):
            name = os.path.relpath(path, root)
            if os.path.isfile(path) and name not in found:
                found.append(name)
    return found


def clean_tree(root):
    """Refuse to release over uncommitted changes: the release commit must hold the release and nothing else."""
    process = subprocess.run(['git', 'status', '--porcelain'], cwd=root, capture_output=True, text=True, check=False)
    if process.returncode == 0 and process.stdout.strip():
        raise ReleaseError('the work tree has uncommitted changes (git status): commit or stash them first, so that the release '
                           'commit holds the release only')


def plugins_without_version_added(root):
    """Modules, filters and roles whose documentation names no version_added: the changelog could not list them as new."""
    missing = []
    for name in files(root, ('plugins/modules/*.py',)):
        with open(os.path.join(root, name), encoding='utf-8') as handle:
            if not re.search(r'(?m)^version_added:', handle.read()):
                missing.append(name)
    for name in files(root, ('plugins/filter/*.yml', 'plugins/test/*.yml')):
        with open(os.path.join(root, name), encoding='utf-8') as handle:
            if not re.search(r'(?m)^  version_added:', handle.read()):
                missing.append(name)
    for name in files(root, ('roles/*/meta/argument_specs.yml',)):
        with open(os.path.join(root, name), encoding='utf-8') as handle:
            if not re.search(r'(?m)^    version_added:', handle.read()):
                missing.append(name)
    return missing


def later_version_added(root, new):
    """Lines that name a version_added after VERSION: they would ship in VERSION claiming a later one."""
    later = []
    for name in files(root, VERSION_ADDED_FILES):
        with open(os.path.join(root, name), encoding='utf-8') as handle:
            for number, line in enumerate(handle, 1):
                found = re.search(r'version_added:\s*[\'"]?(\d+\.\d+\.\d+)', line)
                if found and parse_version(found.group(1)) > parse_version(new):
                    later.append('%s:%d: version_added %s' % (name, number, found.group(1)))
    return later


def bump(root, old, new):
    """{file: its text with VERSION where it names the released version}, written by nobody yet."""
    texts = {}
    missing = []
    for patterns, template, required in VERSION_FILES:
        pattern = re.compile(template.format(old=re.escape(old)))
        count = 0
        for name in files(root, patterns):
            if name not in texts:
                with open(os.path.join(root, name), encoding='utf-8') as handle:
                    texts[name] = handle.read()
            texts[name], replaced = pattern.subn(lambda found: found.group(0).replace(found.group('version'), new), texts[name])
            count += replaced
        if required and not count:
            missing.append('%s (%s)' % (', '.join(patterns), template.format(old=old)))
    if missing:
        raise ReleaseError('the version %s is not where tests/utils/release.py expects it: %s. Update VERSION_FILES there'
                           % (old, '; '.join(missing)))
    changed = {}
    for name, text in texts.items():
        with open(os.path.join(root, name), encoding='utf-8') as handle:
            if handle.read() != text:
                changed[name] = text
    return changed


def fragments(root):
    return sorted(path for path in glob.glob(os.path.join(root, 'changelogs', 'fragments', '*.yml')))


def summary(root, old, new):
    """One line counting what the fragments list, by section."""
    counts = {}
    for path in fragments(root):
        with open(path, encoding='utf-8') as handle:
            for section, entries in (yaml.safe_load(handle) or {}).items():
                if section in SECTION_WORDS:
                    counts[section] = counts.get(section, 0) + (len(entries) if isinstance(entries, list) else 1)
    parts = ['%d %s' % (counts[section], SECTION_WORDS[section][counts[section] != 1])
             for section in SECTION_WORDS if counts.get(section)]
    if not parts:
        return 'Release %s of the ``outsystems.lifetime`` collection; see the sections below.' % new
    listed = parts[0] if len(parts) == 1 else ', '.join(parts[:-1]) + ' and ' + parts[-1]
    return 'Release %s of the ``outsystems.lifetime`` collection: %s since %s, listed below.' % (new, listed, old)


def run(command, root):
    process = subprocess.run(command, cwd=root, check=False)
    if process.returncode:
        raise ReleaseError('%s failed (exit status %d)' % (' '.join(command), process.returncode))


def check_summary(root, summary_text):
    """The summary fragment must pass antsibull-changelog lint before anything is written (a markup error stopped the release
    half-way otherwise)."""
    directory = os.path.join(root, '.tmp')
    os.makedirs(directory, exist_ok=True)
    handle, path = tempfile.mkstemp(dir=directory, prefix='release-summary-', suffix='.yml')
    try:
        with os.fdopen(handle, 'w', encoding='utf-8') as out:
            out.write(summary_text)
        run(['antsibull-changelog', 'lint', path], root)
    finally:
        os.unlink(path)


def release(root, new, text=None):
    old = check_version(root, new)
    clean_tree(root)
    later = later_version_added(root, new)
    if later:
        raise ReleaseError('these name a version_added after %s:\n  %s' % (new, '\n  '.join(later)))
    missing = plugins_without_version_added(root)
    if missing:
        raise ReleaseError('these name no version_added, so the changelog could not list them as new: %s' % ', '.join(missing))
    if not fragments(root) and not text:
        raise ReleaseError('changelogs/fragments holds no fragment: nothing to release (give SUMMARY to release anyway)')
    run(['antsibull-changelog', 'lint'], root)
    changed = bump(root, old, new)
    summary_path = os.path.join('changelogs', 'fragments', '%s.yml' % new)
    summary_text = None
    if not os.path.exists(os.path.join(root, summary_path)):
        summary_text = yaml.safe_dump({'release_summary': text or summary(root, old, new)}, explicit_start=True, width=110,
                                      default_flow_style=False, allow_unicode=True)
        check_summary(root, summary_text)

    for name, content in changed.items():
        with open(os.path.join(root, name), 'w', encoding='utf-8') as handle:
            handle.write(content)
        print('release: %s names %s' % (name, new))
    if os.path.isdir(os.path.join(root, 'docs', 'docsite')):
        run([sys.executable, os.path.join('tests', 'utils', 'docsite.py'), 'extra-docs', os.path.join('docs', 'docsite')], root)
        print('release: docs/docsite made again from the guides')
    if summary_text is not None:
        with open(os.path.join(root, summary_path), 'w', encoding='utf-8') as handle:
            handle.write(summary_text)
        print('release: %s written' % summary_path)
    try:
        run(['antsibull-changelog', 'release'], root)
    except ReleaseError as error:
        raise ReleaseError('%s, after the files above were written: fix the cause, then run make changelog-release'
                           % error) from error
    print('release: %s released in changelogs/changelog.yaml and CHANGELOG.md; the fragments are gone' % new)
    print('release: next, make test; commit; make build; tag the commit %s (DEVELOPERS.md, "Releasing")' % new)


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__.split('Usage', 1)[1])
        return 2
    try:
        release(REPO_ROOT, argv[1], argv[2] if len(argv) == 3 and argv[2].strip() else None)
    except ReleaseError as error:
        sys.stderr.write('release: %s\n' % error)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
