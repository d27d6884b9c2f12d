# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Files at dest and what is downloaded there, against careless operators and lying proxies.

Every module that writes a file (lifetime_manifest dest, lifetime_deployment manifest_dest, lifetime_source_code,
lifetime_solution and lifetime_app_version dest) follows one rule (module_utils/_files.py): only regular files, an
existing file keeps its owner, group and mode, a file that is not what the module writes is replaced only with force
(and never shown), and a download replaces dest only when it is a complete zip archive. Each case checks the module's
one sentence (no traceback), the simulator's request log and the file system (dest as it was, no temporary file left).
"""

import io
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import zipfile

import pytest

from tests import conftest as root_conftest
from tests import hostile_server as hs

QA = 'Quality Assurance'
APP = 'EmployeeBackoffice'
OWNER = (12345, 12346)
SECRET = 'do-not-show-this-secret-line'
# A file no module here writes: someone's script, with a secret line in it.
SCRIPT = ('#!/bin/sh\nexport PASSWORD=%s\n' % SECRET).encode()
# An older package: it starts as a zip archive does, so a module may replace it.
OLD_PACKAGE = b'PK\x03\x04 an older package'
OLD_MANIFEST = json.dumps({'ApplicationVersions': [], 'DeploymentNotes': 'the previous release'}).encode()
NOT_A_MANIFEST = json.dumps({'compilerOptions': {'strict': True}, 'note': SECRET}).encode()

# module, the file name of dest, the arguments besides dest, the dest option, the force option.
WRITERS = {
    'manifest': ('lifetime_manifest', 'release.json', dict(environment=QA, applications=[APP]), 'dest', 'force'),
    'deployment': ('lifetime_deployment', 'production.json',
                   dict(source_environment=QA, target_environment='Production', applications=[dict(name=APP)]),
                   'manifest_dest', 'manifest_dest_force'),
    'source code': ('lifetime_source_code', 'backoffice.zip', dict(environment='Production', application=APP), 'dest', 'force'),
    'solution': ('lifetime_solution', 'release.osp', dict(environment='Development', applications=[APP]), 'dest', 'force'),
    'app version': ('lifetime_app_version', 'backoffice.oap', dict(application=APP, version='1.2'), 'dest', 'force'),
}
DOWNLOADERS = ('source code', 'solution', 'app version')
MANIFEST_WRITERS = ('manifest', 'deployment')


def task(writer, dest, **extra):
    module, _name, args, dest_option, _force = WRITERS[writer]
    args = dict(args, **extra)
    args[dest_option] = str(dest)
    return module, args


def run(run_module, writer, dest, **options):
    module, args = task(writer, dest, **{k: v for k, v in options.items() if k not in ('check_mode', 'diff', 'sim')})
    return run_module(module, args, **{k: v for k, v in options.items() if k in ('check_mode', 'diff', 'sim')})


def one_sentence(result, *words):
    """The task failed with one plain sentence holding every word, and no traceback."""
    assert result.get('failed') is True, result
    assert 'exception' not in result and 'Traceback' not in result['msg'], result
    assert '\n' not in result['msg'] and not any(ord(char) < 32 for char in result['msg']), result['msg']
    for word in words:
        assert word in result['msg'], (word, result['msg'])


def snapshot(path):
    """What must not change of a file: its bytes, inode, owner, group, mode and modification time."""
    info = os.lstat(path)
    content = None
    if stat.S_ISREG(info.st_mode):
        with open(path, 'rb') as handle:
            content = handle.read()
    return content, info.st_ino, info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode), stat.S_IFMT(info.st_mode), info.st_mtime_ns


def leftovers(directory, *keep):
    """Files in the directory besides dest: a temporary file a writer left behind."""
    return sorted(name for name in os.listdir(directory) if name not in keep)


def existing(path, content, mode=0o640):
    path.write_bytes(content)
    os.chown(path, *OWNER)
    os.chmod(path, mode)
    return snapshot(path)


def downloads(sim, expected=1):
    """The download requests; a streamed answer is logged once sent, so wait a moment for ``expected`` of them."""
    deadline = time.monotonic() + 5
    found = [r for r in sim.requests if r['method'] == 'GET' and '/downloads/' in r['path']]
    while len(found) < expected and time.monotonic() < deadline:
        time.sleep(0.02)
        found = [r for r in sim.requests if r['method'] == 'GET' and '/downloads/' in r['path']]
    return found


def ready(simulator):
    # QA runs a version Production does not, so lifetime_deployment deploys.
    simulator.state.set_running_version(QA, APP, '1.3')
    simulator.clear_requests()


def make_kind(path, kind, monkeypatch):
    if kind == 'fifo':
        os.mkfifo(str(path))
    elif kind == 'device':
        os.mknod(str(path), 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    elif kind == 'socket':
        # A socket path must be short: bound relative to its directory.
        monkeypatch.chdir(str(path.parent))
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path.name)
        return server
    else:
        path.symlink_to(path.parent / 'nowhere')
    return None


# -- only regular files --------------------------------------------------------------------------------------------------

@pytest.mark.skipif(os.geteuid() != 0, reason='a device node needs root')
@pytest.mark.parametrize('kind', ['fifo', 'device', 'socket', 'dangling link'])
@pytest.mark.parametrize('writer', sorted(WRITERS))
def test_a_dest_that_is_not_a_regular_file_is_refused_before_any_request_in_check_mode_too(
        run_module, simulator, tmp_path, monkeypatch, writer, kind):
    ready(simulator)
    dest = tmp_path / WRITERS[writer][1]
    server = make_kind(dest, kind, monkeypatch)
    before = snapshot(dest)
    try:
        for check_mode in (True, False):
            result = run(run_module, writer, dest, check_mode=check_mode)
            one_sentence(result, WRITERS[writer][3], 'not a regular file')
            assert result['parameter'] == WRITERS[writer][3]
    finally:
        if server:
            server.close()
    assert simulator.requests == []
    assert snapshot(dest) == before and leftovers(tmp_path, dest.name) == []


@pytest.mark.parametrize('writer', DOWNLOADERS)
def test_a_dest_made_a_fifo_during_the_download_is_refused_not_replaced_and_nothing_blocks(run_module, simulator, tmp_path, writer):
    dest = tmp_path / WRITERS[writer][1]
    # The download waits a moment; meanwhile dest becomes a named pipe.
    simulator.inject_fault('GET', '/downloads/*', latency=0.6, count=1)

    def swap():
        time.sleep(0.2)
        os.mkfifo(str(dest))

    swapper = threading.Thread(target=swap)
    swapper.start()
    started = time.monotonic()
    result = run(run_module, writer, dest)
    swapper.join()

    one_sentence(result, str(dest), 'named pipe')
    assert time.monotonic() - started < 30
    assert len(downloads(simulator)) == 1
    assert stat.S_ISFIFO(os.lstat(dest).st_mode)
    assert leftovers(tmp_path, dest.name) == []


# -- an existing file keeps its owner, group and mode ------------------------------------------------------------------

@pytest.mark.skipif(os.geteuid() != 0, reason='giving a file to another user needs root')
@pytest.mark.parametrize('writer', sorted(WRITERS))
def test_a_rewritten_dest_keeps_its_owner_group_and_mode(run_module, simulator, tmp_path, writer):
    ready(simulator)
    dest = tmp_path / WRITERS[writer][1]
    old = OLD_MANIFEST if writer in MANIFEST_WRITERS else OLD_PACKAGE
    before = existing(dest, old, mode=0o604)

    result = run(run_module, writer, dest)

    assert result.get('failed') is not True and result['changed'] is True, result
    after = snapshot(dest)
    assert after[0] != old and after[1] != before[1], 'dest was not rewritten'
    assert after[2:6] == before[2:6] == (OWNER[0], OWNER[1], 0o604, stat.S_IFREG)
    if writer in MANIFEST_WRITERS:
        assert json.loads(after[0])['ApplicationVersions'], after[0]
    else:
        assert zipfile.is_zipfile(str(dest))
    assert leftovers(tmp_path, dest.name) == []


# -- a file that is not what the module writes ---------------------------------------------------------------------------

@pytest.mark.parametrize('writer', sorted(WRITERS))
def test_a_file_that_is_not_what_the_module_writes_is_left_alone_without_force_and_not_shown(run_module, simulator, tmp_path, writer):
    ready(simulator)
    dest = tmp_path / WRITERS[writer][1]
    before = existing(dest, NOT_A_MANIFEST if writer in MANIFEST_WRITERS else SCRIPT)
    for check_mode in (True, False):
        result = run(run_module, writer, dest, check_mode=check_mode, diff=True)
        one_sentence(result, str(dest), WRITERS[writer][4], 'left as it is')
        assert SECRET not in json.dumps(result)
    assert simulator.requests == []
    assert snapshot(dest) == before and leftovers(tmp_path, dest.name) == []


@pytest.mark.parametrize('writer', sorted(WRITERS))
def test_force_replaces_a_file_that_is_not_what_the_module_writes_and_the_diff_never_shows_it(run_module, simulator, tmp_path, writer):
    ready(simulator)
    dest = tmp_path / WRITERS[writer][1]
    before = existing(dest, NOT_A_MANIFEST if writer in MANIFEST_WRITERS else SCRIPT)

    result = run(run_module, writer, dest, diff=True, **{WRITERS[writer][4]: True})

    assert result.get('failed') is not True and result['changed'] is True, result
    assert SECRET not in json.dumps(result)
    after = snapshot(dest)
    assert SECRET.encode() not in after[0] and after[2:5] == before[2:5]
    assert leftovers(tmp_path, dest.name) == []


def test_a_yaml_manifest_at_dest_is_not_turned_into_json_without_force(run_module, simulator, tmp_path):
    dest = tmp_path / 'release.yml'
    before = existing(dest, b'# the release of June\nApplicationVersions: []\n')
    result = run_module('lifetime_manifest', dict(environment=QA, applications=[APP], dest=str(dest)))
    one_sentence(result, 'not a release manifest', 'force: true')
    assert simulator.requests == []
    assert snapshot(dest) == before


# -- downloads are what they claim to be ---------------------------------------------------------------------------------

FAKES = [
    ('login_page', None, ['an HTML page', 'text/html; charset=utf-8', "starting '<!DOCTYPE html> <html><head><title>Sign in"]),
    ('login_page', 'application/octet-stream', ['an HTML page', 'application/octet-stream', "'<!DOCTYPE html>"]),
    ('empty', None, ['an empty answer', 'application/octet-stream, 0 bytes']),
    ('truncated', None, ['an incomplete zip archive', 'application/octet-stream']),
]


@pytest.mark.parametrize('kind, content_type, words', FAKES, ids=['login page', 'login page as a package', 'empty', 'truncated zip'])
@pytest.mark.parametrize('writer', DOWNLOADERS)
def test_a_download_that_is_not_a_package_leaves_dest_exactly_as_it_was(run_module, simulator, tmp_path, writer, kind, content_type, words):
    dest = tmp_path / WRITERS[writer][1]
    before = existing(dest, OLD_PACKAGE)
    simulator.state.fake_downloads(kind, content_type=content_type)

    result = run(run_module, writer, dest)

    one_sentence(result, 'is not a package', str(dest), 'was left as it was', *words)
    # What arrived is shown bounded: at most 80 characters of it.
    assert '</html>' not in result['msg'] and len(result['msg']) < 600, result['msg']
    answered = downloads(simulator)
    assert len(answered) == 1 and answered[0]['status'] == 200
    assert snapshot(dest) == before and leftovers(tmp_path, dest.name) == []


@pytest.mark.parametrize('writer', DOWNLOADERS)
def test_a_login_page_is_not_saved_where_there_was_no_file(run_module, simulator, tmp_path, writer):
    dest = tmp_path / WRITERS[writer][1]
    simulator.state.fake_downloads('login_page')
    result = run(run_module, writer, dest)
    one_sentence(result, 'an HTML page')
    assert len(downloads(simulator)) == 1
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize('writer', DOWNLOADERS)
def test_a_whole_package_labelled_as_a_web_page_is_saved_the_bytes_decide(run_module, simulator, tmp_path, writer):
    dest = tmp_path / WRITERS[writer][1]
    simulator.state.fake_downloads('wrong_content_type')
    result = run(run_module, writer, dest)
    assert result.get('failed') is not True and result['changed'] is True, result
    assert len(downloads(simulator)) == 1
    with zipfile.ZipFile(str(dest)) as package:
        assert json.loads(package.read('manifest.json'))['Applications'][0]['ApplicationName'] == APP
    assert leftovers(tmp_path, dest.name) == []


# -- what a proxy in between does to a download ------------------------------------------------------------------------

DOWNLOADS_PATH = '/lifetimeapi/rest/v2/downloads/'
LOGIN_PAGE = b'<!DOCTYPE html><html><head><title>Sign in</title></head><body>Sign in to continue</body></html>'


@pytest.fixture
def proxy(simulator, monkeypatch):
    """A hostile server in front of the simulator, and the simulator's download links pointing at it."""
    with hs.HostileServer(upstream=simulator.url) as server:
        monkeypatch.setattr(simulator.state, 'base_url', server.url)
        yield server


def link_requests(proxy):
    return [entry for entry in proxy.requests if entry['path'].startswith(DOWNLOADS_PATH)]


@pytest.mark.parametrize('writer', DOWNLOADERS)
def test_a_package_a_proxy_compresses_is_saved_whole_and_downloads_ask_for_no_encoding(run_module, simulator, proxy, tmp_path, writer):
    dest = tmp_path / WRITERS[writer][1]
    proxy.route(DOWNLOADS_PATH, hs.gzip_forward)

    result = run(run_module, writer, dest, lifetime_url=proxy.url)

    assert result.get('failed') is not True and result['changed'] is True, result
    assert zipfile.is_zipfile(str(dest))
    asked = link_requests(proxy)
    assert len(asked) == 1 and asked[0]['headers'].get('Accept-Encoding') == 'identity', asked
    assert leftovers(tmp_path, dest.name) == []


def test_a_compressed_login_page_is_named_an_html_page_not_a_broken_transfer(run_module, simulator, proxy, tmp_path):
    dest = tmp_path / 'backoffice.oap'
    before = existing(dest, OLD_PACKAGE)
    proxy.route(DOWNLOADS_PATH, hs.gzip_answer(LOGIN_PAGE, content_type='text/html'))

    result = run(run_module, 'app version', dest, lifetime_url=proxy.url)

    one_sentence(result, 'an HTML page', 'text/html', 'was left as it was')
    assert 'stopped after' not in result['msg']
    assert len(link_requests(proxy)) == 1
    assert snapshot(dest) == before and leftovers(tmp_path, dest.name) == []


@pytest.mark.parametrize('writer', DOWNLOADERS)
def test_a_page_announcing_gigabytes_is_stopped_at_its_first_bytes(run_module, simulator, proxy, tmp_path, writer):
    dest = tmp_path / WRITERS[writer][1]
    before = existing(dest, OLD_PACKAGE)
    announced = 256 * 1024 * 1024
    proxy.route(DOWNLOADS_PATH, hs.declared(announced, piece=LOGIN_PAGE + b' ' * 65536, content_type='text/html'))

    result = run(run_module, writer, dest, lifetime_url=proxy.url)

    one_sentence(result, 'an HTML page', '%d bytes announced' % announced, 'was left as it was')
    assert len(link_requests(proxy)) == 1
    # Far less than what was announced went over the wire (the socket buffers hold a few MiB at most).
    assert proxy.bytes_sent < 16 * 1024 * 1024, proxy.bytes_sent
    assert snapshot(dest) == before and leftovers(tmp_path, dest.name) == []


def test_an_empty_zip_archive_is_named_so_and_not_saved(run_module, simulator, proxy, tmp_path):
    dest = tmp_path / 'backoffice.oap'
    before = existing(dest, OLD_PACKAGE)
    proxy.route(DOWNLOADS_PATH, hs.serve_file(b'PK\x05\x06' + b'\x00' * 18))

    result = run(run_module, 'app version', dest, lifetime_url=proxy.url)

    one_sentence(result, 'is not a package', 'an empty zip archive', 'was left as it was')
    assert len(link_requests(proxy)) == 1
    assert snapshot(dest) == before and leftovers(tmp_path, dest.name) == []


@pytest.mark.parametrize('writer', DOWNLOADERS)
def test_a_dest_swapped_for_a_link_to_another_file_during_the_download_is_not_replaced_without_force(
        run_module, simulator, tmp_path, writer):
    dest = tmp_path / WRITERS[writer][1]
    existing(dest, OLD_PACKAGE)
    other = tmp_path / 'someone-elses-script.sh'
    kept = existing(other, SCRIPT)
    simulator.inject_fault('GET', '/downloads/*', latency=0.6, count=1)

    def swap():
        time.sleep(0.2)
        os.unlink(str(dest))
        os.symlink(str(other), str(dest))

    swapper = threading.Thread(target=swap)
    swapper.start()
    result = run(run_module, writer, dest)
    swapper.join()

    one_sentence(result, str(dest), 'force: true', 'left as it is')
    assert SECRET not in json.dumps(result)
    assert len(downloads(simulator)) == 1
    assert os.path.islink(str(dest)) and os.readlink(str(dest)) == str(other)
    assert snapshot(other) == kept
    assert leftovers(tmp_path, dest.name, other.name) == []


@pytest.mark.parametrize('ending', ['SIGHUP', 'SIGTERM'])
def test_a_download_ended_by_a_signal_leaves_no_partial_file(simulator, proxy, tmp_path, ending):
    """SIGHUP (a closed terminal or session) ends the module as SIGTERM does: the partial file goes first."""
    dest = tmp_path / 'backoffice.oap'
    before = existing(dest, OLD_PACKAGE)
    proxy.route(DOWNLOADS_PATH, hs.stall_after(b'PK\x03\x04' + b'\x00' * 4096, 1 << 30))
    args = dict(application=APP, version='1.2', dest=str(dest), lifetime_url=proxy.url, lifetime_token=simulator.token,
                request_timeout=60, force=True)
    args_file = tmp_path.parent / ('%s-args.json' % tmp_path.name)
    args_file.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    env = dict(os.environ, PYTHONPATH=root_conftest.COLLECTIONS_ROOT)
    module = 'ansible_collections.outsystems.lifetime.plugins.modules.lifetime_app_version'
    signum = getattr(signal, ending)
    # The test runner may ignore SIGHUP (nohup), and a child inherits that: the module starts as a task does, with the default.
    process = subprocess.Popen([sys.executable, '-m', module, str(args_file)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=lambda: signal.signal(signum, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 30
        while not any(name.endswith('.part') for name in os.listdir(str(tmp_path))) and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        assert leftovers(tmp_path, dest.name), 'the download never started'
        time.sleep(0.3)
        process.send_signal(signum)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signum
    assert len(link_requests(proxy)) == 1
    assert snapshot(dest) == before and leftovers(tmp_path, dest.name) == []


def a_package(padding=256 * 1024):
    """A small but real package: a manifest and an entry large enough to be cut short."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, 'w') as package:
        package.writestr('manifest.json', json.dumps({'Applications': [{'ApplicationName': APP}]}), compress_type=zipfile.ZIP_DEFLATED)
        package.writestr('padding.bin', os.urandom(padding), compress_type=zipfile.ZIP_STORED)
    return data.getvalue()


def test_a_download_whose_task_has_ended_does_not_replace_dest_afterwards(simulator, proxy, tmp_path):
    """A task timeout ends the task, not the module: once its parent is gone, the finished download replaces nothing."""
    work, target = tmp_path / 'run', tmp_path / 'packages'
    work.mkdir()
    target.mkdir()
    dest = target / 'backoffice.oap'
    before = existing(dest, OLD_PACKAGE)
    package = a_package()
    # Part of the package, a pause the task's parent does not outlive, then the rest: a complete, valid download.
    proxy.route(DOWNLOADS_PATH, hs.pause_within(package, 4096, 2.0))
    args = dict(application=APP, version='1.2', dest=str(dest), lifetime_url=proxy.url, lifetime_token=simulator.token,
                request_timeout=60, force=True)
    (work / 'args.json').write_text(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    env = dict(os.environ, PYTHONPATH=root_conftest.COLLECTIONS_ROOT)
    module = 'ansible_collections.outsystems.lifetime.plugins.modules.lifetime_app_version'
    # The parent (as Ansible's worker at a task timeout) goes away while the module is still downloading.
    parent = subprocess.run(['sh', '-c', '"$0" -m "$1" "$2" > "$3" 2>&1 & echo $! > "$4"; sleep 1', sys.executable, module,
                             str(work / 'args.json'), str(work / 'out.json'), str(work / 'pid')], env=env, timeout=30, check=True)
    assert parent.returncode == 0
    orphan = int((work / 'pid').read_text())
    deadline = time.monotonic() + 30
    while _running(orphan) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(orphan), 'the module did not end'

    assert len(link_requests(proxy)) == 1
    # The whole package arrived: it was the check before the rename that kept dest.
    assert proxy.bytes_sent >= len(package), proxy.bytes_sent
    assert snapshot(dest) == before and leftovers(target, dest.name) == []
    result = json.loads((work / 'out.json').read_text())
    one_sentence(result, 'has ended', 'was left as it was')


def _running(pid):
    """Whether the process is alive (a zombie waiting for a reaper is not)."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def _end_record_after(data, count=0, directory_size=0, directory_offset=0):
    return data + b'PK\x05\x06' + b'\x00' * 4 + (count.to_bytes(2, 'little') * 2) + directory_size.to_bytes(4, 'little') \
        + directory_offset.to_bytes(4, 'little') + b'\x00\x00'


def _fake_zips():
    package = a_package()
    end = package.rindex(b'PK\x05\x06')
    directory = package.rindex(b'PK\x01\x02', 0, end)
    moved = bytearray(package)
    # The central directory points one byte past the first entry's local header.
    first = package.index(b'PK\x01\x02')
    moved[first + 42:first + 46] = (1).to_bytes(4, 'little')
    return {
        'a page between a zip signature and an end record': _end_record_after(b'PK\x03\x04' + LOGIN_PAGE),
        'a package cut short with its end record put back': package[:directory // 2] + package[end:],
        'an entry not where the directory says': bytes(moved),
    }


FAKE_ZIPS = _fake_zips()


@pytest.mark.parametrize('fake', sorted(FAKE_ZIPS))
def test_a_zip_whose_central_directory_does_not_hold_is_not_saved(run_module, simulator, proxy, tmp_path, fake):
    dest = tmp_path / 'backoffice.oap'
    before = existing(dest, OLD_PACKAGE)
    proxy.route(DOWNLOADS_PATH, hs.serve_file(FAKE_ZIPS[fake]))

    result = run(run_module, 'app version', dest, lifetime_url=proxy.url, force=True)

    one_sentence(result, 'is not a package', 'an incomplete zip archive', 'was left as it was')
    assert len(link_requests(proxy)) == 1
    assert snapshot(dest) == before and leftovers(tmp_path, dest.name) == []


def test_a_real_package_passes_the_central_directory_check(run_module, simulator, proxy, tmp_path):
    dest = tmp_path / 'backoffice.oap'
    package = a_package()
    proxy.route(DOWNLOADS_PATH, hs.serve_file(package))
    result = run(run_module, 'app version', dest, lifetime_url=proxy.url)
    assert result.get('failed') is not True and result['changed'] is True, result
    assert dest.read_bytes() == package and len(link_requests(proxy)) == 1


HTML_PAGES = {
    'utf-8 byte order mark and white space': b'\xef\xbb\xbf\n\n  <!DOCTYPE html><html>' + b'x' * 17000 + b'</html>',
    'utf-16 byte order mark': '\ufeff<html><body>Sign in</body></html>'.encode('utf-16-le') + ' '.encode('utf-16-le') * 9000,
    'white space only': b'\r\n\t <html><head><title>Sign in</title></head>' + b' ' * 17000 + b'</html>',
}


@pytest.mark.parametrize('page', sorted(HTML_PAGES))
def test_an_html_page_however_it_starts_is_named_an_html_page(run_module, simulator, proxy, tmp_path, page):
    dest = tmp_path / 'backoffice.oap'
    before = existing(dest, OLD_PACKAGE)
    body = HTML_PAGES[page]
    proxy.route(DOWNLOADS_PATH, hs.serve_file(body))

    result = run(run_module, 'app version', dest, lifetime_url=proxy.url)

    one_sentence(result, 'an HTML page', '%d bytes' % len(body), 'was left as it was')
    # It all arrived: the message does not say the transfer was stopped.
    assert 'stopped after' not in result['msg'] and 'announced' not in result['msg'], result['msg']
    assert len(link_requests(proxy)) == 1
    assert snapshot(dest) == before and leftovers(tmp_path, dest.name) == []


@pytest.mark.parametrize('writer', DOWNLOADERS)
def test_a_dest_swapped_for_a_link_to_a_directory_during_the_download_is_refused_even_with_force(run_module, simulator, tmp_path, writer):
    dest = tmp_path / WRITERS[writer][1]
    existing(dest, OLD_PACKAGE)
    directory = tmp_path / 'releases'
    directory.mkdir(mode=0o750)
    kept = snapshot(directory)
    simulator.inject_fault('GET', '/downloads/*', latency=0.6, count=1)

    def swap():
        time.sleep(0.2)
        os.unlink(str(dest))
        os.symlink(str(directory), str(dest))

    swapper = threading.Thread(target=swap)
    swapper.start()
    result = run(run_module, writer, dest, force=True)
    swapper.join()

    one_sentence(result, str(dest), 'is a directory')
    assert len(downloads(simulator)) == 1
    assert os.path.islink(str(dest)) and os.readlink(str(dest)) == str(directory)
    assert snapshot(directory) == kept and os.listdir(str(directory)) == []
    assert leftovers(tmp_path, dest.name, directory.name) == []
