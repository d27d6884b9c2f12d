# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: files on the host that runs the task.

Where a download may be written (checked before anything is asked of LifeTime),
what a package to upload must look like, and sha256 checksums read in chunks.
"""

import hashlib
import os
import stat
import tempfile

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeUsageError

CHUNK = 1024 * 1024
PACKAGE_EXTENSIONS = ('.oap', '.osp')
# Both .oap and .osp files are zip archives.
ZIP_SIGNATURE = b'PK\x03\x04'
MIB = 1024.0 * 1024.0


def _kind_of(path):
    """What a path that is not a regular file is, in words; None for a regular file (or a link to one) or nothing."""
    if not os.path.lexists(path) or os.path.isfile(path):
        return None
    if os.path.islink(path) and not os.path.exists(path):
        return 'a link to nothing (%s)' % os.readlink(path)
    mode = os.stat(path).st_mode
    for test, kind in ((stat.S_ISFIFO, 'a named pipe (FIFO)'), (stat.S_ISCHR, 'a character device'), (stat.S_ISBLK, 'a block device'),
                       (stat.S_ISSOCK, 'a socket')):
        if test(mode):
            return kind
    return None


def check_dest(dest, parameter='dest', example='application.oap'):
    """The absolute path to write to, or a LifeTimeUsageError naming ``parameter`` when nothing could be written there.

    ``example`` is the file name a message suggests when ``dest`` is a directory (what the module writes).
    """
    if not str(dest or '').strip():
        raise LifeTimeUsageError('%s is empty: give the path of the file to write.' % parameter, parameter=parameter)
    path = os.path.abspath(os.path.expanduser(dest))
    directory = os.path.dirname(path)
    kind = _kind_of(path)
    if kind:
        # Only regular files are written: a pipe would block the task for ever, a device would be replaced by a file.
        raise LifeTimeUsageError('%s %s is %s, not a regular file: give the path of a file to write.' % (parameter, path, kind),
                                 parameter=parameter)
    if os.path.isdir(path):
        raise LifeTimeUsageError('%s %s is a directory: give the path of the file to write, for example %s'
                                 % (parameter, path, os.path.join(path, example)), parameter=parameter)
    if not os.path.isdir(directory):
        raise LifeTimeUsageError('The directory of %s does not exist: %s. Create it first (ansible.builtin.file with state: directory).'
                                 % (parameter, directory), parameter=parameter)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise LifeTimeUsageError('The directory of %s is not writable: %s.' % (parameter, directory), parameter=parameter)
    if os.path.exists(path) and not os.access(path, os.W_OK) and not os.access(directory, os.W_OK):
        raise LifeTimeUsageError('%s %s cannot be replaced: it is not writable.' % (parameter, path), parameter=parameter)
    _probe(directory, parameter)
    return path


def same_file(left, right):
    """Whether two paths name the same file (the same path once links are resolved, or the same inode)."""
    if os.path.realpath(left) == os.path.realpath(right):
        return True
    try:
        return os.path.samefile(left, right)
    except OSError:
        return False


def _probe(directory, parameter='dest'):
    """Create and remove a file where the download will go: permissions alone do not tell (root in /proc, a read-only mount)."""
    try:
        handle, probe = tempfile.mkstemp(dir=directory, prefix='.outsystems-lifetime-', suffix='.probe')
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise LifeTimeUsageError('Nothing can be written in the directory of %s, %s: %s.' % (parameter, directory, exc.strerror or exc),
                                 parameter=parameter)


def file_sha256(path):
    """sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b''):
            digest.update(chunk)
    return digest.hexdigest()


def dest_state(path):
    """The file at path as a diff shows it (path, sha256, size); {} when there is none."""
    if not os.path.exists(path):
        return {}
    return dict(path=path, checksum=file_sha256(path), size=os.path.getsize(path))


def check_package(src):
    """The absolute path and size of src, or a LifeTimeUsageError saying what is wrong with it. Reads 4 bytes of it at most."""
    path = os.path.abspath(os.path.expanduser(src))
    if not os.path.exists(path):
        raise LifeTimeUsageError('src %s does not exist on the host that runs the task.' % path, parameter='src')
    if not os.path.isfile(path):
        raise LifeTimeUsageError('src %s is not a file: give the path of an application package (.oap) or a solution package (.osp).'
                                 % path, parameter='src')
    size = os.path.getsize(path)
    if size == 0:
        raise LifeTimeUsageError('src %s is empty (0 bytes): the package was not written completely, or its download failed.' % path,
                                 parameter='src')
    if os.path.splitext(path)[1].lower() not in PACKAGE_EXTENSIONS:
        raise LifeTimeUsageError('src %s is not named as an application package (.oap) or a solution package (.osp): LifeTime '
                                 'deploys only those.' % path, parameter='src')
    try:
        with open(path, 'rb') as handle:
            head = handle.read(len(ZIP_SIGNATURE))
    except OSError as exc:
        raise LifeTimeUsageError('src %s cannot be read: %s.' % (path, exc.strerror or exc), parameter='src')
    if head != ZIP_SIGNATURE:
        raise LifeTimeUsageError('src %s is not an .oap or .osp package: it does not start with the zip signature PK\\x03\\x04 '
                                 '(a truncated download, or an error page saved under that name?).' % path, parameter='src')
    return path, size


def mib(size):
    """Bytes as MiB, for messages."""
    return size / MIB


def umask():
    """The process umask, read without changing it."""
    current = os.umask(0)
    os.umask(current)
    return current
