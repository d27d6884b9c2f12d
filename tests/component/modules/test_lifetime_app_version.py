# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_app_version against the simulator: what LifeTime holds afterwards, and which requests it received."""

import os

import pytest

from tests.support import sha256_file

MODULE = 'lifetime_app_version'
APP = 'EmployeeBackoffice'


def numbers(sim, app=APP):
    return [version.number for version in sim.state.versions(app)]


def version_posts(sim):
    return [w for w in sim.writes() if w['method'] == 'POST' and w['path'].rstrip('/').endswith('/versions')]


def deletes(sim):
    return [w for w in sim.writes() if w['method'] == 'DELETE']


@pytest.fixture
def modified_dev(simulator):
    """EmployeeBackoffice changed in Development since its last tag (the default world may already say so)."""
    if not simulator.state.is_modified('Development', APP):
        simulator.state.mark_modified('Development', APP)
    simulator.clear_requests()
    return simulator


# -- state: present without version: tag only what changed ------------------------------------------------------------

def test_a_modified_application_gets_the_next_patch_number(run_module, modified_dev):
    sim = modified_dev
    assert max(numbers(sim)) == '1.3'
    expected = '1.3.1'

    result = run_module(MODULE, dict(application=APP, environment='Development', change_log='Sprint 42'))

    assert result['changed'] is True, result
    assert result['version']['version'] == expected
    assert expected in numbers(sim)
    created = sim.state.version(APP, expected)
    assert result['version']['key'] == created.key
    assert created.change_log == 'Sprint 42'
    assert len(version_posts(sim)) == 1
    assert sim.state.environment('Development').key in version_posts(sim)[0]['path']
    # LifeTime now considers Development tagged.
    assert not sim.state.is_modified('Development', APP)
    assert sim.state.running_version('Development', APP) == expected


def test_tagging_twice_creates_one_version(run_module, modified_dev):
    sim = modified_dev
    before = numbers(sim)

    first = run_module(MODULE, dict(application=APP, environment='Development'))
    second = run_module(MODULE, dict(application=APP, environment='Development'))

    assert first['changed'] is True and second['changed'] is False, (first, second)
    assert second['version']['key'] == first['version']['key']
    assert len(numbers(sim)) == len(before) + 1
    assert len(version_posts(sim)) == 1


def test_an_unmodified_application_is_not_tagged_and_returns_the_version_it_runs(run_module, simulator):
    assert not simulator.state.is_modified('Quality Assurance', APP)
    before = numbers(simulator)

    result = run_module(MODULE, dict(application=APP, environment='Quality Assurance'))

    assert result['changed'] is False, result
    assert result['version']['version'] == simulator.state.running_version('Quality Assurance', APP) == '1.2'
    assert result['version']['key'] == simulator.state.running_version_key('Quality Assurance', APP)
    assert 'nothing to tag' in result['msg']
    assert numbers(simulator) == before
    assert simulator.writes() == []


@pytest.mark.parametrize('part, expected', [('minor', '1.4'), ('major', '2.0')])
def test_increment_chooses_which_part_of_the_highest_number_grows(run_module, modified_dev, part, expected):
    result = run_module(MODULE, dict(application=APP, environment='Development', increment=part))

    assert result['version']['version'] == expected
    assert expected in numbers(modified_dev)


@pytest.mark.parametrize('existing, expected', [
    (['1.0-hotfix'], '1.0.1'),
    (['2024.01.14_3', '2024.01.15_1'], '2024.01.15_2'),
    (['1.2.3.4', '1.2.3.10'], '1.2.3.11'),
    (['1.0', '1.0.1', '1.1'], '1.1.1'),
])
def test_next_number_is_the_highest_existing_one_incremented_whatever_its_shape(run_module, simulator, existing, expected):
    state = simulator.state
    app = state.add_application('Odd Numbers')
    for number in existing:
        state.add_version(app.key, number)
    state.set_running_version('Development', app.key, existing[0], modified=True)

    result = run_module(MODULE, dict(application='Odd Numbers', environment='Development'))

    assert result['changed'] is True, result
    assert result['version']['version'] == expected
    assert numbers(simulator, 'Odd Numbers') == existing + [expected]


def test_no_derivable_number_fails_naming_version_and_writes_nothing(run_module, simulator):
    state = simulator.state
    app = state.add_application('Wordy')
    state.add_version(app.key, 'release')
    state.set_running_version('Development', app.key, 'release', modified=True)

    result = run_module(MODULE, dict(application='Wordy', environment='Development'))

    assert result['failed'] is True
    assert "'release'" in result['msg'] and 'version' in result['msg']
    assert simulator.writes() == []
    assert numbers(simulator, 'Wordy') == ['release']


# -- state: present with version -----------------------------------------------------------------------------------------

def test_an_existing_version_is_returned_unchanged(run_module, simulator):
    result = run_module(MODULE, dict(application=APP, environment='Development', version='1.1', change_log='ignored'))

    assert result['changed'] is False
    existing = simulator.state.version(APP, '1.1')
    assert result['version']['key'] == existing.key
    assert result['version']['application_key'] == simulator.state.application(APP).key
    assert 'module_versions' in result['version'] and 'created_on' in result['version']
    assert existing.change_log != 'ignored'
    assert simulator.writes() == []


def test_a_missing_version_is_created_from_the_environment_once(run_module, modified_dev):
    sim = modified_dev
    args = dict(application=APP, environment='Development', version='5.0.0', change_log='Release 5')

    first = run_module(MODULE, args)
    second = run_module(MODULE, args)

    assert first['changed'] is True and second['changed'] is False
    assert first['version']['version'] == '5.0.0' == second['version']['version']
    assert numbers(sim).count('5.0.0') == 1
    assert len(version_posts(sim)) == 1
    assert sim.state.version(APP, '5.0.0').change_log == 'Release 5'


def test_mobile_versions_are_sent_with_the_new_version(run_module, simulator):
    state = simulator.state
    app = 'Directory Mobile'
    env = next(e.name for e in state.environments() if state.app_status(e.key, app) is not None)
    result = run_module(MODULE, dict(application=app, environment=env, version='0.9', mobile_versions=[
        dict(native_platform='Android', version_number='0.9.0', description='Store build'),
        dict(native_platform='iOS', version_number='0.9.1'),
    ]))

    assert result['changed'] is True, result
    created = state.version(app, '0.9')
    assert sorted((m.platform, m.number, m.description) for m in created.mobile_versions) == [
        ('Android', '0.9.0', 'Store build'), ('iOS', '0.9.1', '')]
    assert sorted(m['native_platform'] for m in result['version']['mobile_versions']) == ['Android', 'iOS']


# -- check mode and diff -------------------------------------------------------------------------------------------------

def test_check_mode_sends_no_write_and_names_the_number_it_would_create(run_module, modified_dev):
    sim = modified_dev
    before = numbers(sim)

    result = run_module(MODULE, dict(application=APP, environment='Development'), check_mode=True)

    assert result['changed'] is True
    assert result['version']['version'] == '1.3.1'
    assert 'Would create version 1.3.1' in result['msg']
    assert sim.writes() == []
    assert numbers(sim) == before
    assert sim.state.is_modified('Development', APP)


def test_diff_mode_shows_the_versions_before_and_after(run_module, modified_dev):
    result = run_module(MODULE, dict(application=APP, environment='Development'), diff=True)

    before, after = result['diff']['before']['versions'], result['diff']['after']['versions']
    assert after == ['1.3.1'] + before
    assert sorted(before) == sorted(n for n in numbers(modified_dev) if n != '1.3.1')


def test_check_and_diff_mode_of_a_delete_say_which_version_and_delete_nothing(run_module, simulator):
    unused = _unused_version(simulator)

    result = run_module(MODULE, dict(application=APP, version=unused, state='absent'), check_mode=True, diff=True)

    assert result['changed'] is True
    assert result['version']['version'] == unused
    assert 'Would delete version %s' % unused in result['msg']
    assert unused in result['diff']['before']['versions'] and unused not in result['diff']['after']['versions']
    assert simulator.writes() == []
    assert unused in numbers(simulator)


# -- state: absent -------------------------------------------------------------------------------------------------------

def _unused_version(sim):
    in_use = {key.lower() for key in sim.state.in_use_version_keys()}
    return next(v.number for v in sim.state.versions(APP) if v.key.lower() not in in_use)


def test_an_unused_version_is_deleted_once(run_module, simulator):
    unused = _unused_version(simulator)

    first = run_module(MODULE, dict(application=APP, version=unused, state='absent'))
    second = run_module(MODULE, dict(application=APP, version=unused, state='absent'))

    assert first['changed'] is True and second['changed'] is False, (first, second)
    assert unused not in numbers(simulator)
    assert len(deletes(simulator)) == 1
    assert second['version'] == {}


def test_a_version_in_use_is_not_deleted(run_module, simulator):
    running = simulator.state.running_version('Production', APP)

    result = run_module(MODULE, dict(application=APP, version=running, state='absent'))

    assert result['failed'] is True
    assert 'in use' in result['msg'] and running in result['msg']
    assert deletes(simulator) == []
    assert running in numbers(simulator)


# -- dest: downloads -----------------------------------------------------------------------------------------------------

def test_download_of_a_version_is_written_with_its_checksum_and_only_once(run_module, simulator, tmp_path):
    dest = tmp_path / 'backoffice-1.2.oap'
    args = dict(application=APP, version='1.2', dest=str(dest))

    first = run_module(MODULE, args)
    second = run_module(MODULE, args)

    assert first['changed'] is True and second['changed'] is False, (first, second)
    assert first['dest'] == str(dest)
    assert first['checksum'] == sha256_file(dest) == second['checksum']
    assert first['size'] == os.path.getsize(dest) > 0
    assert simulator.writes() == []
    assert [p for p in os.listdir(tmp_path) if p.endswith('.part')] == []


def test_download_replaces_a_file_that_differs(run_module, simulator, tmp_path):
    dest = tmp_path / 'app.oap'
    dest.write_bytes(b'PK\x03\x04 an older package')

    result = run_module(MODULE, dict(application=APP, version='1.2', dest=str(dest)))

    assert result['changed'] is True
    assert dest.read_bytes() != b'PK\x03\x04 an older package'
    assert result['checksum'] == sha256_file(dest)


def test_download_without_version_gets_what_runs_in_the_environment(run_module, simulator, tmp_path):
    dest = tmp_path / 'running.oap'

    result = run_module(MODULE, dict(application=APP, environment='Production', dest=str(dest), binary_type='oap'))

    assert result['changed'] is True, result
    assert result['checksum'] == sha256_file(dest)
    assert result['version']['version'] == simulator.state.running_version('Production', APP)
    content = [r for r in simulator.requests if r['path'].rstrip('/').endswith('/content')]
    assert len(content) == 1 and '/environments/' in content[0]['path']
    assert simulator.writes() == []


def test_check_mode_download_downloads_nothing(run_module, simulator, tmp_path):
    dest = tmp_path / 'app.oap'

    result = run_module(MODULE, dict(application=APP, version='1.2', dest=str(dest)), check_mode=True)

    assert result['changed'] is True
    assert 'Would download' in result['msg']
    assert not dest.exists()
    assert [r for r in simulator.requests if r['path'].rstrip('/').endswith('/content')] == []


def test_the_token_never_appears_in_the_result(run_module, modified_dev):
    result = run_module(MODULE, dict(application=APP, environment='Development'))

    assert modified_dev.token not in repr(result)


def test_binary_type_apk_downloads_the_android_build_of_what_runs(run_module, simulator, tmp_path):
    dest = tmp_path / 'directory.apk'

    result = run_module(MODULE, dict(application='Directory Mobile', environment='Production', dest=str(dest), binary_type='apk'))

    assert result['changed'] is True, result
    assert result['checksum'] == sha256_file(dest)
    content = [r for r in simulator.requests if r['path'].rstrip('/').endswith('/content')]
    assert [r['query'].get('Type') for r in content] == ['apk']


def test_a_binary_lifetime_does_not_have_fails_clearly_and_leaves_dest_alone(run_module, simulator, tmp_path):
    # Directory Mobile has an Android build only.
    dest = tmp_path / 'directory.ipa'

    result = run_module(MODULE, dict(application='Directory Mobile', environment='Production', dest=str(dest), binary_type='ipa'))

    assert result['failed'] is True
    assert 'no binary available' in result['msg']
    assert list(tmp_path.iterdir()) == []
