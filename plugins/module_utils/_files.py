# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: files on the host that runs the task.

Where a download may be written (checked before anything is asked of LifeTime),
what a package to upload must look like, and sha256 checksums read in chunks.

One rule for every file a module writes at dest (a manifest, a package, source code, a version binary):

- only regular files are read or written: a named pipe, a device, a socket or a link to nothing is refused, and an
  existing file is opened only once it is known to be a regular file, without blocking;
- an existing file that does not hold what the module writes (``PACKAGE``: a zip archive; a release manifest:
  _manifests/writing.py, which reads it with ``manifest_data``) is replaced only with force; an empty file (or {}) may always be
  replaced; its content is never shown;
- a new file is written next to dest and renamed over it (``write_file``, ``replace_file``), taking the owner, group and mode of the
  file it replaces;
- a download is checked (``check_download``) before it replaces dest: a complete zip archive, not empty, not an HTML page.
"""

import hashlib
import json
import os
import stat
import struct
import tempfile
import zipfile

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeUsageError

CHUNK = 1024 * 1024
PACKAGE_EXTENSIONS = ('.oap', '.osp')
# Both .oap and .osp files are zip archives.
ZIP_SIGNATURE = b'PK\x03\x04'
# A zip archive with no file in it is only its end record.
EMPTY_ZIP_SIGNATURE = b'PK\x05\x06'
MIB = 1024.0 * 1024.0
# What a module writes at dest, for the check of an existing file there.
PACKAGE = 'package'
# The most a manifest file may hold, read or written: one bound, so a manifest this collection accepted as a source is
# never a file it later refuses to replace as "not a release manifest" (_manifests/reading.py uses it too).
MAX_MANIFEST_FILE_BYTES = 64 * 1024 * 1024
# Of a download that is not a package, this much is read to say what arrived, and this much of it shown.
HEAD_BYTES = 1024
SHOWN_CHARACTERS = 80
# A zip entry's local header: its signature and fixed fields, then its name (the length of which is at offset 26).
LOCAL_HEADER = struct.Struct('<4s22xHH')
# Byte order marks a page may start with, and how its text is decoded.
_TEXT_MARKS = ((b'\xef\xbb\xbf', 'utf-8'), (b'\xff\xfe', 'utf-16-le'), (b'\xfe\xff', 'utf-16-be'))
# Opening never waits for a writer (a FIFO put at dest meanwhile) nor makes a terminal the task's.
_READ_FLAGS = os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_NOCTTY', 0)


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


def _refuse_kind(path, parameter):
    kind = _kind_of(path)
    if kind:
        # Only regular files are written: a pipe would block the task for ever, a device would be replaced by a file.
        raise LifeTimeUsageError('%s %s is %s, not a regular file: give the path of a file to write.' % (parameter, path, kind),
                                 parameter=parameter)


def check_dest(dest, parameter='dest', example='application.oap', writes=None, force=False, force_option='force'):
    """The absolute path to write to, or a LifeTimeUsageError naming ``parameter`` when nothing could be written there.

    ``example`` is the file name a message suggests when ``dest`` is a directory (what the module writes). ``writes``
    (PACKAGE) is what the module writes there: an existing file that holds something else is refused unless
    ``force`` (the option ``force_option``).
    """
    if not str(dest or '').strip():
        raise LifeTimeUsageError('%s is empty: give the path of the file to write.' % parameter, parameter=parameter)
    path = os.path.abspath(os.path.expanduser(dest))
    directory = os.path.dirname(path)
    _refuse_kind(path, parameter)
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
    if writes and not force:
        check_replaceable(path, writes, parameter, force_option)
    return path


def check_replaceable(path, writes, parameter='dest', force_option='force'):
    """Refuse an existing file at path that does not hold what the module writes (``writes``); its content is never shown."""
    if not os.path.lexists(path):
        return
    size = regular_stat(path, parameter).st_size
    if size == 0 or holds(path, writes, parameter):
        return
    raise LifeTimeUsageError('%s %s exists and is not a package (a zip archive, as this module downloads) (%d bytes), so it was left as '
                             'it is: give another path, or set %s: true to replace it.' % (parameter, path, size, force_option),
                             parameter=parameter)


def holds(path, writes, parameter='dest'):
    """Whether the regular file at path holds what a module writes (``writes``): a zip archive (PACKAGE)."""
    return read_head(path, len(ZIP_SIGNATURE), parameter) == ZIP_SIGNATURE


def manifest_data(path, parameter='dest'):
    """(text, data) of a release manifest file at path; None when it is not one (not JSON, no ApplicationVersions, too large).

    An empty JSON object counts as one: replacing it loses nothing.
    """
    if regular_stat(path, parameter).st_size > MAX_MANIFEST_FILE_BYTES:
        return None
    text = read_head(path, MAX_MANIFEST_FILE_BYTES, parameter).decode('utf-8-sig', 'replace')
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or (data and not isinstance(data.get('ApplicationVersions'), list)):
        return None
    return text, data


def regular_stat(path, parameter='dest'):
    """os.stat of the regular file at path (links followed); None when nothing is there; LifeTimeUsageError for anything else."""
    _refuse_kind(path, parameter)
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LifeTimeUsageError('%s %s cannot be read: %s.' % (parameter, path, exc.strerror or exc), parameter=parameter)
    if stat.S_ISDIR(found.st_mode):
        # A link to a directory put at dest since check_dest: replacing the link with a file would lose it.
        raise LifeTimeUsageError('%s %s is a directory (or a link to one): give the path of the file to write.' % (parameter, path),
                                 parameter=parameter)
    return found


def open_regular(path, parameter='dest'):
    """The regular file at path, opened for reading: never a pipe or a device (checked before opening, and again after)."""
    _refuse_kind(path, parameter)
    try:
        handle = os.open(path, _READ_FLAGS)
    except OSError as exc:
        raise LifeTimeUsageError('%s %s cannot be read: %s.' % (parameter, path, exc.strerror or exc), parameter=parameter)
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        # It changed between the check and the open.
        os.close(handle)
        _refuse_kind(path, parameter)
        raise LifeTimeUsageError('%s %s is not a regular file: give the path of a file to write.' % (parameter, path), parameter=parameter)
    return os.fdopen(handle, 'rb')


def read_head(path, size, parameter='dest'):
    """At most ``size`` bytes from the start of the regular file at path."""
    with open_regular(path, parameter) as handle:
        return handle.read(size)


def replace_file(tmp, dest, parameter='dest'):
    """Rename the complete file tmp over dest, atomically: tmp takes the owner, group and mode of the file it replaces.

    dest is checked again just before: a pipe or a device put there since the first check is refused, not replaced.
    """
    existing = regular_stat(dest, parameter)
    if existing is None:
        os.chmod(tmp, 0o666 & ~umask())
    else:
        try:
            os.chown(tmp, existing.st_uid, existing.st_gid)
        except PermissionError:
            # Only root gives a file away; like Ansible's atomic_move, the file is written anyway, owned by this user.
            pass
        os.chmod(tmp, stat.S_IMODE(existing.st_mode))
    os.replace(tmp, dest)


def write_file(dest, content, parameter='dest'):
    """Write ``content`` (bytes) to a temporary file next to dest and rename it over dest (replace_file), so dest never holds
    half a file and nothing is left next to it. An OSError (nothing can be written there) is the caller's to word."""
    handle, tmp = tempfile.mkstemp(dir=os.path.dirname(dest), prefix='.%s.' % os.path.basename(dest), suffix='.part')
    try:
        with os.fdopen(handle, 'wb') as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        replace_file(tmp, dest, parameter)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def describe_content(head, size, content_type, size_text=None):
    """What arrived, for a message: its content type, size (or ``size_text``) and first bytes as text when they are printable."""
    shown_type = _printable(content_type or '', SHOWN_CHARACTERS) or 'no content type'
    text = _printable(_head_text(head), SHOWN_CHARACTERS) if head else ''
    start = ', starting %r' % text if text else ''
    return '%s, %s%s' % (shown_type, size_text or '%d bytes' % size, start)


def _printable(text, limit):
    """The text with its runs of white space made one space, cut at ``limit``; '' when it holds other control characters."""
    flat = ' '.join(text.split())
    shown = flat[:limit]
    if not shown or not shown.isprintable() or '\ufffd' in shown:
        return ''
    return shown if len(flat) <= limit else shown + '...'


def _head_text(head):
    """The first bytes of an answer as text: a byte order mark (UTF-8 or UTF-16, as Windows servers write pages) says how."""
    for mark, encoding in _TEXT_MARKS:
        if head.startswith(mark):
            return head[len(mark):].decode(encoding, 'replace')
    return head.decode('utf-8', 'replace')


def _looks_like_html(head, content_type):
    start = _head_text(head[:256]).lstrip()[:64].lower()
    return 'html' in (content_type or '').lower() or start.startswith(('<!doctype html', '<html', '<head', '<?xml'))


def head_problem(head, content_type):
    """None when the first bytes of a download (``head``) start a zip archive; else what arrived instead, in words."""
    if head[:len(ZIP_SIGNATURE)] == ZIP_SIGNATURE:
        return None
    if head[:len(EMPTY_ZIP_SIGNATURE)] == EMPTY_ZIP_SIGNATURE:
        return 'an empty zip archive (no file in it)'
    if _looks_like_html(head, content_type):
        return 'an HTML page (the sign-in page of a proxy between this host and LifeTime?)'
    return 'not a zip archive'


def check_download(path, size, content_type):
    """None when the downloaded file at path is a complete zip archive; else what arrived instead, in words."""
    with open(path, 'rb') as handle:
        head = handle.read(HEAD_BYTES)
    if size == 0:
        problem = 'an empty answer'
    else:
        problem = head_problem(head, content_type)
        if problem is None:
            problem = zip_problem(path)
            if problem is None:
                return None
    return '%s (%s)' % (problem, describe_content(head[:SHOWN_CHARACTERS * 4], size, content_type))


def zip_problem(path):
    """None when the file at path is a whole zip archive: its central directory is read and each entry's local header found.

    The end record alone (what zipfile.is_zipfile reads) is 22 bytes any page can end with. Nothing is decompressed:
    reading the directory of a 200 MiB package takes milliseconds, checking its CRCs would take seconds.
    """
    cut = 'an incomplete zip archive (%s: the package was cut short or is not one)'
    try:
        with zipfile.ZipFile(path) as archive, open(path, 'rb') as handle:
            entries = archive.infolist()
            if not entries:
                # It starts as an entry does: an end record saying there is none was put after something else.
                return cut % 'its central directory lists no file'
            for entry in entries:
                handle.seek(entry.header_offset)
                local = handle.read(LOCAL_HEADER.size)
                if len(local) < LOCAL_HEADER.size or LOCAL_HEADER.unpack(local)[0] != ZIP_SIGNATURE:
                    return cut % ('the entry %s is not where its central directory says' % _printable(entry.filename, SHOWN_CHARACTERS))
                name = handle.read(LOCAL_HEADER.unpack(local)[1])
                if name != entry.orig_filename.encode('utf-8' if entry.flag_bits & 0x800 else 'cp437', 'replace'):
                    return cut % ('the entry %s is not where its central directory says' % _printable(entry.filename, SHOWN_CHARACTERS))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, struct.error) as exc:
        return cut % ('its central directory cannot be read: %s' % (_printable(str(exc), SHOWN_CHARACTERS) or type(exc).__name__))
    return None


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


def file_sha256(path, parameter='dest'):
    """sha256 of a regular file, read in chunks."""
    digest = hashlib.sha256()
    with open_regular(path, parameter) as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b''):
            digest.update(chunk)
    return digest.hexdigest()


def dest_state(path, parameter='dest'):
    """The file at path as a diff shows it (path, sha256, size; never its content); {} when there is none."""
    existing = regular_stat(path, parameter)
    if existing is None:
        return {}
    return dict(path=path, checksum=file_sha256(path, parameter), size=existing.st_size)


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
