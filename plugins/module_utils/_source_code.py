# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: source code packages of an application, or of one module, as it runs in an environment.

Request the package (POST .../sourcecodeaccess/), follow its status until LifeTime
says Done, ask for its download link and stream the zip to dest. Everything the
user gave (dest, the names, that it runs there, that a module is not an extension)
is checked before the one POST.

The definition gives SourceCode_Status no list of values, so the wait follows one
rule (``outcome_of``): Done ends it; a status that names a failure, or a record
that carries a message of Type Error, ends it as a failure; any other status,
known (InProgress) or not (Queued, empty), is waited on until wait_timeout.
"""

import time

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeLookupError, LifeTimeResponseError, LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._files import PACKAGE, check_dest
from ansible_collections.outsystems.lifetime.plugins.module_utils._packages import Package, check_mode_result, request_and_download, status_of
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import match_one, running_record, same_key
from ansible_collections.outsystems.lifetime.plugins.module_utils._results import snake
from ansible_collections.outsystems.lifetime.plugins.module_utils._writes import send_once

# The statuses documents show (OutSystems' walkthrough "Get the source code of an application", and
# outsystems-pipeline 0.11.0) are InProgress while packaging and Done when the link can be asked for. A status
# LifeTime may add (Queued before InProgress, say) must not fail a package that will be done: only Done, or a
# status naming a failure, ends the wait. The failure words: error and fail, and abort (Aborted is what LifeTime's
# solutions, the other package it builds on request, end with when they fail; seed 003).
DONE = 'done'
FAILED = 'failed'
FAILURE_WORDS = ('error', 'fail', 'abort')
# Platform_HEMessage.Type of a message that reports a failure (the others are Info and Warning).
ERROR_MESSAGE = 'error'
EXTENSION = 'extension'


def outcome_of(record):
    """DONE, FAILED, or None while the package is still to be waited for.

    Done wins over error messages: a package LifeTime says is done is downloaded.
    """
    status = status_of(record).lower()
    if status == DONE:
        return DONE
    if any(word in status for word in FAILURE_WORDS) or any(_is_error(item) for item in (record or {}).get('Messages') or []):
        return FAILED
    return None


def _is_error(message):
    return isinstance(message, dict) and str(message.get('Type') or '').lower() == ERROR_MESSAGE


def _running_in(statuses, env):
    """The ModuleStatusInEnv record of an environment, or None."""
    return next((status for status in statuses if isinstance(status, dict) and same_key(status.get('EnvironmentKey'), env['Key'])), None)


def _package_key(record, source):
    key = record.get('PackageKey') if isinstance(record, dict) else None
    if not isinstance(key, str) or not key.strip():
        raise LifeTimeResponseError('POST', source.path, reason='the answer carries no PackageKey: %r' % (record,))
    return key.strip()


def _messages(record):
    return snake([item for item in ((record or {}).get('Messages') or []) if isinstance(item, dict)])


def _message_text(messages):
    texts = ['%s%s' % (item.get('message') or '', (': %s' % item['detail']) if item.get('detail') else '') for item in messages]
    return '; '.join(text for text in texts if text) or 'LifeTime gave no message'


class SourceCode(Package):
    """A source code package of what runs in ``env``, to download to ``dest``; subclasses say of what (``what``) and ask for it."""

    label = 'source code'
    key_field = 'package_key'
    hint = 'LifeTime goes on packaging it; run the task again with a longer wait_timeout.'

    def __init__(self, env, dest):
        self.env = env
        self.dest = dest

    @property
    def what(self):
        raise NotImplementedError

    @property
    def path(self):
        raise NotImplementedError

    def create(self, client):
        """POST .../sourcecodeaccess/ of what this package is of."""
        raise NotImplementedError

    def request(self, task):
        """POST the package request. LifeTime cannot list source code packages, so a lost answer is sent again once:
        a second package is a harmless duplicate, like a second solution."""
        client = task.client
        record = send_once(lambda: self.create(client), lambda: None,
                           'the request that creates the source code package of %s in %s' % (self.what, self.env['Name']),
                           resend=True, progress=task.progress)
        return _package_key(record, self), record

    def is_final(self, record):
        return outcome_of(record) is not None

    def results_of(self, record):
        return dict(messages=_messages(record))

    def failure(self, record, key):
        if outcome_of(record) == DONE:
            return None
        messages = _messages(record)
        return ('The source code package %s of %s in %s ended with status %s: %s. Nothing was downloaded; %s was left as it was.'
                % (key, self.what, self.env['Name'], status_of(record), _message_text(messages).rstrip('.'), self.dest),
                dict(messages=messages))

    def waiting_for(self, key):
        return 'the source code package %s of %s to be ready in %s' % (key, self.what, self.env['Name'])

    def would(self):
        return 'ask LifeTime for the source code of %s as it runs in %s' % (self.what, self.env['Name'])

    def requested(self, key):
        return 'Source code package %s of %s requested in %s.' % (key, self.what, self.env['Name'])

    def downloaded(self, key, size):
        return 'Source code of %s as it runs in %s (package %s) downloaded to %s (%d bytes).' % (self.what, self.env['Name'], key, self.dest, size)

    def unchanged(self, key):
        return '%s already holds the same source code of %s (package %s): left as it was.' % (self.dest, self.what, key)


class ApplicationSource(SourceCode):
    """The source code of a whole application, as it runs in ``env``."""

    def __init__(self, resolver, env, ref, dest):
        super().__init__(env, dest)
        self.application = resolver.application(ref)
        self.status = resolver.status_in(self.application, env)
        if self.status is None:
            raise LifeTimeLookupError('Application %s does not run in %s (application): LifeTime packages the source code of what '
                                      'runs in environment.' % (self.application['Name'], env['Name']), parameter='application')
        self.resolver = resolver

    @property
    def what(self):
        return 'application %s' % self.application['Name']

    @property
    def path(self):
        return '/environments/%s/applications/%s/sourcecodeaccess/' % (self.env['Key'], self.application['Key'])

    def create(self, client):
        return client.create_application_source_code(self.env['Key'], self.application['Key'])

    def package_status(self, client, key):
        return client.application_source_code_status(self.env['Key'], self.application['Key'], key)

    def package_link(self, client, key):
        return client.application_source_code_link(self.env['Key'], self.application['Key'], key)

    def result(self):
        """The application with the version the environment runs (its last tag when it was modified since)."""
        running = running_record(self.status)
        if running is None and self.status.get('BaseApplicationVersionKey'):
            running = self.resolver.running_version(self.application, self.env)
        return dict(application=dict(name=self.application['Name'], key=self.application['Key'], version=(running or {}).get('Version'),
                                     version_key=self.status.get('BaseApplicationVersionKey'),
                                     is_modified=bool(self.status.get('IsModified'))))


class ModuleSource(SourceCode):
    """The source code of one module, as it runs in ``env``."""

    def __init__(self, client, env, ref, dest):
        super().__init__(env, dest)
        self.module = match_one(client.list_modules(include_env_status=True), ref, 'module', 'module')
        if str(self.module.get('Kind') or '').lower() == EXTENSION:
            raise LifeTimeUsageError('Module %s is an extension: LifeTime gives no source code of extensions through its API '
                                     '(module). Give an application or a module that is not an extension.' % self.module['Name'],
                                     parameter='module')
        statuses = self.module.get('ModuleStatusInEnv') or []
        self.status = _running_in(statuses if isinstance(statuses, list) else [], env)
        if self.status is None:
            raise LifeTimeLookupError('Module %s does not run in %s (module): LifeTime packages the source code of what runs in '
                                      'environment.' % (self.module['Name'], env['Name']), parameter='module')

    @property
    def what(self):
        return 'module %s' % self.module['Name']

    @property
    def path(self):
        return '/environments/%s/modules/%s/sourcecodeaccess/' % (self.env['Key'], self.module['Key'])

    def create(self, client):
        return client.create_module_source_code(self.env['Key'], self.module['Key'])

    def package_status(self, client, key):
        return client.module_source_code_status(self.env['Key'], self.module['Key'], key)

    def package_link(self, client, key):
        return client.module_source_code_link(self.env['Key'], self.module['Key'], key)

    def result(self):
        return dict(module=dict(name=self.module['Name'], key=self.module['Key'], kind=self.module.get('Kind') or '',
                                application_key=self.status.get('ApplicationKey') or '',
                                module_version_key=self.status.get('ModuleVersionKey') or ''))


def source_request(task):
    """(dest, environment, source) of the task, checked; nothing is written before this returns."""
    params = task.params
    if params.get('wait_timeout') is not None and params['wait_timeout'] < 0:
        raise LifeTimeUsageError('wait_timeout must be 0 or more seconds, not %d.' % params['wait_timeout'], parameter='wait_timeout')
    for name in ('application', 'module'):
        if params.get(name) is not None and not str(params[name]).strip():
            raise LifeTimeUsageError('%s is empty: give the name or key of the %s whose source code to download.' % (name, name),
                                     parameter=name)
    dest = check_dest(params['dest'], example='source-code.zip', writes=PACKAGE, force=params.get('force'))
    resolver = task.resolver
    env = resolver.environment(params['environment'])
    if params.get('application'):
        return dest, env, ApplicationSource(resolver, env, params['application'], dest)
    return dest, env, ModuleSource(task.client, env, params['module'], dest)


def download_source_code(task):
    """Entry point of lifetime_source_code."""
    began = time.monotonic()
    dest, env, source = source_request(task)
    result = dict(environment=env['Name'], dest=dest)
    result.update(source.result())
    if task.check_mode:
        return check_mode_result(result, source, dest)
    return request_and_download(task, source, dest, result, began)
