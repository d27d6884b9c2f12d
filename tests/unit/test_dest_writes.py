# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every file a module writes at dest goes through _files.write_file: a failure to write next to dest is one sentence
naming dest, never a traceback, and leaves dest as it was with nothing beside it."""

import json
import os
import tempfile

import pytest

from ansible_collections.outsystems.lifetime.plugins.module_utils import _files
from ansible_collections.outsystems.lifetime.plugins.module_utils._doctor import support
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeError
from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests.writing import write_manifest

MANIFEST = {'ApplicationVersions': [], 'EnvironmentDefinitions': []}


def refuse_temporary_files(monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, 'Permission denied')
    monkeypatch.setattr(tempfile, 'mkstemp', refuse)


def test_support_file_that_cannot_be_created_next_to_dest_is_one_sentence(tmp_path, monkeypatch):
    dest = str(tmp_path / 'lifetime-doctor.json')
    refuse_temporary_files(monkeypatch)
    with pytest.raises(LifeTimeError) as caught:
        support.write_support(dest, {'format': support.FORMAT}, check_mode=False)
    assert 'dest %s cannot be written: Permission denied.' % dest == str(caught.value)
    assert os.listdir(str(tmp_path)) == []


def test_manifest_rename_that_fails_is_one_sentence_and_leaves_dest_and_no_partial_file(tmp_path, monkeypatch):
    dest = tmp_path / 'release.json'
    dest.write_text('{}')

    def refuse(*args):
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(_files.os, 'replace', refuse)
    with pytest.raises(LifeTimeError) as caught:
        write_manifest(str(dest), MANIFEST)
    assert str(caught.value) == 'Could not write dest %s: No space left on device.' % dest
    assert dest.read_text() == '{}'
    assert os.listdir(str(tmp_path)) == ['release.json']


def test_support_file_rename_that_fails_leaves_dest_and_no_partial_file(tmp_path, monkeypatch):
    dest = tmp_path / 'lifetime-doctor.json'
    old = support.support_text({'format': support.FORMAT, 'old': True})
    dest.write_text(old)

    def refuse(*args):
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(_files.os, 'replace', refuse)
    with pytest.raises(LifeTimeError, match='No space left on device'):
        support.write_support(str(dest), {'format': support.FORMAT}, check_mode=False)
    assert dest.read_text() == old
    assert os.listdir(str(tmp_path)) == ['lifetime-doctor.json']


def test_support_file_and_manifest_are_written_whole_keeping_the_mode(tmp_path):
    support_dest = tmp_path / 'lifetime-doctor.json'
    support_dest.write_text('')
    os.chmod(str(support_dest), 0o600)
    assert support.write_support(str(support_dest), {'format': support.FORMAT}, check_mode=False)['changed']
    assert json.loads(support_dest.read_text()) == {'format': support.FORMAT}
    assert oct(os.stat(str(support_dest)).st_mode & 0o777) == oct(0o600)
    manifest_dest = tmp_path / 'release.json'
    assert write_manifest(str(manifest_dest), MANIFEST)['changed']
    assert json.loads(manifest_dest.read_text()) == MANIFEST
    assert sorted(os.listdir(str(tmp_path))) == ['lifetime-doctor.json', 'release.json']


def test_manifest_dest_is_read_once_per_check_and_a_foreign_object_is_refused_in_one_sentence(tmp_path, monkeypatch):
    dest = tmp_path / 'release.json'
    dest.write_text(json.dumps(MANIFEST))
    reads = []
    real = _files.read_head

    def counted(path, size, parameter='dest'):
        reads.append(path)
        return real(path, size, parameter)
    monkeypatch.setattr(_files, 'read_head', counted)
    assert write_manifest(str(dest), MANIFEST)['changed'] is False
    assert reads == [str(dest)]
    dest.write_text(json.dumps(dict(MANIFEST, Password='secret')))
    with pytest.raises(LifeTimeError) as caught:
        write_manifest(str(dest), MANIFEST)
    assert str(caught.value).startswith('dest %s exists and is not a release manifest' % dest) and 'secret' not in str(caught.value)
    assert json.loads(dest.read_text())['Password'] == 'secret'


def test_support_file_put_at_dest_during_the_run_by_another_hand_is_not_replaced(tmp_path):
    dest = tmp_path / 'lifetime-doctor.json'
    path = support.checked_support_dest(str(dest))
    dest.write_text('{"ssh_key": "private"}')
    with pytest.raises(LifeTimeError, match='is not a support file of lifetime_doctor'):
        support.write_support(path, {'format': support.FORMAT}, check_mode=False)
    assert dest.read_text() == '{"ssh_key": "private"}'
