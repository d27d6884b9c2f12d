# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Mirror the collection's source files into DEST for ansible-test.

ansible-test must run from .../ansible_collections/<namespace>/<name>/. This
copies every file git would commit (tracked files plus untracked files that are
not ignored, so a dirty work tree is tested as it is), removes files that are
no longer part of the source, and leaves DEST/tests/output alone so
ansible-test's own caches survive between runs.

DEST gets a git repository of its own (nothing is committed in it): ansible-test
lists its files with git from the nearest .git upwards, and would otherwise find
this repository, where the copy is ignored, and test nothing.

Usage: python tests/utils/stage_collection.py DEST  (run from the repo root)
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys

KEEP = ('.git', 'tests/output')


def source_files():
    """Return the repository-relative paths of the collection's source files."""
    output = subprocess.check_output(
        ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    )
    paths = sorted(set(path for path in output.decode('utf-8').split('\0') if path))

    # A tracked file deleted in the work tree is not part of the source any more.
    return [path for path in paths if os.path.lexists(path)]


def kept(path):
    """Tell whether a path in DEST belongs to ansible-test rather than to the source."""
    return any(path == keep or path.startswith(keep + '/') for keep in KEEP)


def copy(path, dest):
    """Copy one file or symlink, unless DEST already has the same content."""
    target = os.path.join(dest, path)

    if os.path.islink(path):
        if os.path.islink(target) and os.readlink(target) == os.readlink(path):
            return
    elif os.path.isfile(target) and not os.path.islink(target) and filecmp.cmp(path, target, shallow=False):
        shutil.copymode(path, target)
        return

    os.makedirs(os.path.dirname(target) or '.', exist_ok=True)

    if os.path.lexists(target):
        os.remove(target)

    shutil.copy2(path, target, follow_symlinks=False)


def prune(dest, wanted):
    """Remove files and empty directories from DEST that are not in the source."""
    for root, dirs, files in os.walk(dest, topdown=False):
        relative_root = os.path.relpath(root, dest)

        if relative_root != '.' and kept(relative_root.replace(os.sep, '/')):
            continue

        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            relative = os.path.normpath(os.path.join(relative_root, name)).replace(os.sep, '/')

            if relative not in wanted and not kept(relative):
                os.remove(os.path.join(root, name))

        if relative_root != '.' and not os.listdir(root):
            os.rmdir(root)


def main():
    """Stage the collection into the directory given on the command line."""
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)

    dest = sys.argv[1]
    paths = source_files()

    os.makedirs(dest, exist_ok=True)

    if not os.path.isdir(os.path.join(dest, '.git')):
        subprocess.check_call(['git', '-c', 'init.defaultBranch=main', 'init', '--quiet', dest])

    prune(dest, set(paths))

    for path in paths:
        copy(path, dest)

    print('staged %d files in %s' % (len(paths), dest))


if __name__ == '__main__':
    main()
