# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: application versions (tags) made present or absent, and their binaries downloaded.

The flow of every change: read the application's versions, work out what the task
asks for, compare, report changed and the diff, stop there in check mode, write,
then read the end state back. Everything the user gave is checked (names, version
number, dest) before the first write.
"""

import os
import re

from ansible_collections.outsystems.lifetime.plugins.module_utils._files import PACKAGE, check_dest
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeError,
    LifeTimeLookupError,
    LifeTimeUsageError,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._results import snake, version_entry
from ansible_collections.outsystems.lifetime.plugins.module_utils._version_numbers import next_version, version_text
from ansible_collections.outsystems.lifetime.plugins.module_utils._writes import send_once

# LifeTime stores version numbers as Text(50). Beyond the length, we accept what version numbers look like
# in practice (1.2.3, 1.0-hotfix, 2024.01.15_1, 1.0+build.7) and refuse what would surprise in a URL, a file
# name or a deployment plan label: spaces, slashes, quotes and other punctuation.
MAX_VERSION_LENGTH = 50
_VERSION_NUMBER = re.compile(r'[A-Za-z0-9][A-Za-z0-9._+-]*')
VERSION_RULE = 'at most %d characters: letters, digits and . _ - +, starting with a letter or a digit' % MAX_VERSION_LENGTH

MOBILE_FIELDS = (('native_platform', 'NativePlatform'), ('version_number', 'VersionNumber'), ('description', 'VersionDescription'))


def check_version_number(value, parameter='version'):
    """The version number as given, or a LifeTimeUsageError naming the parameter when it is malformed."""
    text = '' if value is None else version_text(value, parameter)
    if not text.strip():
        raise LifeTimeUsageError('%s is empty: give a version number such as 1.2.3.' % parameter, parameter=parameter)
    if len(text) > MAX_VERSION_LENGTH:
        raise LifeTimeUsageError('%s %r is %d characters long: LifeTime accepts version numbers of %s.'
                                 % (parameter, text, len(text), VERSION_RULE), parameter=parameter)
    if not _VERSION_NUMBER.fullmatch(text):
        raise LifeTimeUsageError('%s %r is not a valid version number: use %s, for example 1.2.3.' % (parameter, text, VERSION_RULE),
                                 parameter=parameter)
    return text


def desired_version(params):
    """What the task asks for, from the module parameters, checked without asking LifeTime anything."""
    desired = {
        'state': params['state'],
        'application': params['application'],
        'environment': params.get('environment'),
        'version': None,
        'change_log': params.get('change_log') or '',
        'mobile_versions': [],
        'increment': params.get('increment') or 'patch',
        'dest': None,
        'binary_type': params.get('binary_type'),
    }
    if params.get('version') is not None:
        desired['version'] = check_version_number(params['version'])
    for index, mobile in enumerate(params.get('mobile_versions') or []):
        check_version_number(mobile.get('version_number'), parameter='mobile_versions[%d].version_number' % index)
        desired['mobile_versions'].append(dict((api, mobile.get(option) or '') for option, api in MOBILE_FIELDS))
    if params.get('dest'):
        _check_download(params, desired)
    return desired


def _check_download(params, desired):
    """dest, binary_type and environment of a download, checked; dest made absolute."""
    if desired['state'] == 'absent':
        raise LifeTimeUsageError('dest cannot be used with state=absent: a deleted version has no binary to download.', parameter='dest')
    desired['dest'] = check_dest(params['dest'], writes=PACKAGE, force=params.get('force'))
    if desired['binary_type'] and desired['version'] and desired['binary_type'] != 'oap':
        raise LifeTimeUsageError(
            'binary_type=%s can only be downloaded from what runs in an environment: LifeTime gives the .oap of a version. '
            'Omit version to download the %s of what runs in environment.' % (desired['binary_type'], desired['binary_type']),
            parameter='binary_type')
    if not desired['version'] and not desired['environment']:
        raise LifeTimeUsageError('environment is required to download without version: it is the environment whose running '
                                 'application is downloaded.', parameter='environment')


def find_version(resolver, application, number):
    """The application's version with this number (or key), or None when there is none."""
    try:
        return resolver.version(application, number)
    except LifeTimeLookupError as exc:
        if exc.details.get('candidates'):
            raise
        return None


def _numbers(versions):
    return [str(item.get('Version')) for item in versions]


def _diff(application, before, after):
    return dict(before=dict(application=application.get('Name'), versions=before),
                after=dict(application=application.get('Name'), versions=after))


def _require_running(resolver, application, env):
    status = resolver.status_in(application, env)
    if status is None:
        raise LifeTimeLookupError('Application %s does not run in environment %s (environment): nothing there to tag or download.'
                                  % (application.get('Name'), env.get('Name')), parameter='environment')
    return status


def _read_version(client, application, key):
    """The end state of a version, with its module versions."""
    return version_entry(client.get_application_version(application['Key'], key, include_modules=True), include_modules=True)


def _create(client, application, env, desired, number):
    """Tag what runs in ``env`` as ``number``; returns the new version's key.

    A lost answer is not sent again: the versions are read again to find out whether LifeTime created it.
    """
    def created():
        found = [item for item in client.list_application_versions(application['Key'], maximum=100) if str(item.get('Version')) == number]
        return found[0]['Key'] if found else None

    return send_once(lambda: client.create_application_version(env['Key'], application['Key'], number, desired['change_log'],
                                                               desired['mobile_versions']),
                     created, 'the request that creates version %s of %s' % (number, application.get('Name')))


def tag_running(client, application, env, number, change_log=''):
    """Tag what runs in ``env`` as version ``number`` (a lost answer is not sent again); the new version's record."""
    key = _create(client, application, env, dict(change_log=change_log, mobile_versions=[]), number)
    return client.get_application_version(application['Key'], key)


def _absent(task, application, desired):
    resolver = task.resolver
    number = desired['version']
    existing = find_version(resolver, application, number)
    before = _numbers(resolver.versions(application))
    name = application.get('Name')
    if existing is None:
        result = dict(changed=False, version={}, msg='Version %s of %s does not exist: nothing to delete.' % (number, name))
        if task.diff:
            result['diff'] = _diff(application, before, before)
        return result
    if existing.get('InUse'):
        raise LifeTimeError('Version %s of %s is in use (it runs in an environment or is part of a deployment plan), so LifeTime '
                            'cannot delete it (version).' % (existing.get('Version'), name),
                            parameter='version', version=version_entry(existing, include_modules=True))
    result = dict(changed=True, version=version_entry(existing, include_modules=True))
    if task.diff:
        result['diff'] = _diff(application, before, [item for item in before if item != existing.get('Version')])
    if task.check_mode:
        result['msg'] = 'Would delete version %s of %s.' % (existing.get('Version'), name)
        return result
    task.client.delete_application_version(application['Key'], existing['Key'])
    result['msg'] = 'Deleted version %s of %s.' % (existing.get('Version'), name)
    return result


def _present(task, application, env, desired):
    resolver = task.resolver
    client = task.client
    name = application.get('Name')
    number = desired['version']
    existing = None
    reason = None
    if number:
        existing = find_version(resolver, application, number)
        if existing is None:
            if env is None:
                raise LifeTimeUsageError('Version %s of %s does not exist; environment is required to create it from what runs there.'
                                         % (number, name), parameter='environment')
            _require_running(resolver, application, env)
            reason = 'as asked'
    else:
        if env is None:
            raise LifeTimeUsageError('environment is required without version: it is the environment whose running application is '
                                     'tagged when it has changed.', parameter='environment')
        status = _require_running(resolver, application, env)
        if status.get('IsModified') or not status.get('BaseApplicationVersionKey'):
            # The highest existing number, incremented, and never one that is already taken.
            number = next_version(_numbers(resolver.versions(application, complete=True)), desired['increment'])
            base = resolver.running_version(application, env) if status.get('BaseApplicationVersionKey') else None
            reason = ('changed since version %s' % base.get('Version')) if base else 'never tagged'
        else:
            existing = resolver.running_version(application, env)

    before = _numbers(resolver.versions(application))
    if existing is not None:
        result = dict(changed=False, version=_read_version(client, application, existing['Key']))
        if number:
            result['msg'] = 'Version %s of %s already exists.' % (existing.get('Version'), name)
        else:
            result['msg'] = '%s has not changed in %s since version %s: nothing to tag.' % (name, env.get('Name'), existing.get('Version'))
        if task.diff:
            result['diff'] = _diff(application, before, before)
        return result, result['version']

    result = dict(changed=True)
    if task.diff:
        result['diff'] = _diff(application, before, [number] + before)
    if task.check_mode:
        result['version'] = {
            'application_key': application['Key'],
            'version': number,
            'change_log': desired['change_log'],
            'mobile_versions': snake(desired['mobile_versions']),
        }
        result['msg'] = 'Would create version %s of %s from what runs in %s (%s).' % (number, name, env.get('Name'), reason)
        return result, None
    key = _create(client, application, env, desired, number)
    result['version'] = _read_version(client, application, key)
    result['msg'] = 'Created version %s of %s from what runs in %s (%s).' % (number, name, env.get('Name'), reason)
    return result, result['version']


def _download(task, application, env, desired, version):
    """Download the version's .oap (or what runs in ``env``) to dest; changed when dest did not hold the same bytes."""
    dest = desired['dest']
    if desired['version']:
        what = 'version %s of %s' % (desired['version'], application.get('Name'))
    else:
        kind = (' (%s)' % desired['binary_type']) if desired['binary_type'] else ''
        what = '%s as it runs in %s%s' % (application.get('Name'), env.get('Name'), kind)
    if task.check_mode:
        # Finding out whether an existing file differs would cost the download itself.
        exists = os.path.exists(dest)
        message = ('Would download %s to %s.' % (what, dest)) if not exists else (
            '%s exists; whether it differs from %s is only known by downloading it.' % (dest, what))
        return dict(changed=not exists, dest=dest, msg=message)
    client = task.client
    if desired['version']:
        version_key = version['key']

        def get_link():
            return client.application_version_link(application['Key'], version_key)
    else:
        def get_link():
            return client.running_application_link(env['Key'], application['Key'], desired['binary_type'])
    outcome = client.download(get_link, dest, force=task.params.get('force'))
    if outcome['changed']:
        message = 'Downloaded %s to %s (%d bytes).' % (what, dest, outcome['size'])
    else:
        message = '%s already holds %s.' % (dest, what)
    return dict(changed=outcome['changed'], dest=dest, checksum=outcome['sha256'], size=outcome['size'], msg=message)


def ensure_app_version(task, desired):
    """The result of lifetime_app_version for the desired state (see desired_version)."""
    resolver = task.resolver
    env = resolver.environment(desired['environment']) if desired['environment'] else None
    application = resolver.application(desired['application'])
    if desired['state'] == 'absent':
        return _absent(task, application, desired)
    result, version = _present(task, application, env, desired)
    if desired['dest']:
        download = _download(task, application, env, desired, version or {})
        result['changed'] = result['changed'] or download.pop('changed')
        result['msg'] = '%s %s' % (result['msg'], download.pop('msg'))
        result.update(download)
    return result
