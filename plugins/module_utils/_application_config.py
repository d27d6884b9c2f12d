# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: application configurations, that is whether an application may be deployed to an environment.

The flow of lifetime_application_config: check the parameters, resolve the names,
read the configurations (``before``), work out the desired ones, compare only
``isBlocked`` of the environments named, report changed and the diff, stop there
in check mode, PUT the environments that differ, then read the end state back.
"""

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeError,
    LifeTimeResponseError,
    LifeTimeUsageError,
    bounded,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import same_key
from ansible_collections.outsystems.lifetime.plugins.module_utils._writes import send_once

PATH = '/applications/{key}/configurations/'
# LifeTime's default for an environment its answer leaves out: deployments allowed, no reason recorded.
NOT_BLOCKED = {'isBlocked': False, 'isBlockedChangeReason': ''}


def desired_configuration(params):
    """What the task asks for, checked without asking LifeTime anything."""
    refs = list(params.get('environment') or [])
    if not refs or any(not str(ref).strip() for ref in refs):
        raise LifeTimeUsageError('environment is empty: give the name or key of an environment, or a list of them.', parameter='environment')
    reason = (params.get('reason') or '').strip()
    if params['blocked'] and not reason:
        raise LifeTimeUsageError('reason is required with blocked=true: LifeTime records it with the block, and it is what people '
                                 'see when their deployment is refused (for example "Release freeze until 2026-12-01").',
                                 parameter='reason')
    return dict(application=params['application'], environments=refs, blocked=bool(params['blocked']), reason=reason)


def read_configurations(client, application):
    """{environment key (lower case): ApplicationConfiguration} as LifeTime holds them for the application."""
    path = PATH.format(key=application['Key'])
    body = client.get_application_configurations(application['Key']) or {}
    items = body.get('configurations')
    if items is None:
        items = []
    if not isinstance(items, list) or not all(isinstance(item, dict) and isinstance(item.get('environmentKey'), str) for item in items):
        raise LifeTimeResponseError('GET', path, status=200, reason='expected "configurations", a list of records with an environmentKey; '
                                    'is lifetime_url the address of the LifeTime API?')
    return dict((item['environmentKey'].lower(), item) for item in items)


def _entry(env, configuration):
    return dict(environment=env['Name'], environment_key=env['Key'], blocked=bool(configuration.get('isBlocked')),
                reason=configuration.get('isBlockedChangeReason') or '')


def _resolve_environments(resolver, refs):
    environments = []
    for index, ref in enumerate(refs):
        parameter = 'environment' if len(refs) == 1 else 'environment[%d]' % index
        env = resolver.environment(ref, parameter)
        if any(same_key(env['Key'], earlier['Key']) for earlier in environments):
            raise LifeTimeUsageError('environment lists %s twice.' % env['Name'], parameter='environment')
        environments.append(env)
    return environments


class ConfigurationChange:
    """The environments named, their configurations before, and what the task changes."""

    def __init__(self, task, desired):
        resolver = task.resolver
        self.task = task
        self.desired = desired
        self.environments = _resolve_environments(resolver, desired['environments'])
        self.application = resolver.application(desired['application'])
        self.before = self.read()
        self.changing = [env for env in self.environments if self.before[env['Key'].lower()]['blocked'] != desired['blocked']]

    def read(self):
        """The configuration of each environment named, by lower-case key, as returned to the user."""
        found = read_configurations(self.task.client, self.application)
        return dict((env['Key'].lower(), _entry(env, found.get(env['Key'].lower(), NOT_BLOCKED))) for env in self.environments)

    def after(self):
        """The configurations the task leads to."""
        after = {}
        for env in self.environments:
            key = env['Key'].lower()
            if env in self.changing:
                after[key] = dict(self.before[key], blocked=self.desired['blocked'], reason=self.desired['reason'])
            else:
                after[key] = self.before[key]
        return after

    def listed(self, state):
        return [state[env['Key'].lower()] for env in self.environments]

    def diff(self):
        name = self.application['Name']

        def shown(state):
            environments = dict((item['environment'], dict(blocked=item['blocked'], reason=item['reason'])) for item in self.listed(state))
            return dict(application=name, environments=environments)
        return dict(before=shown(self.before), after=shown(self.after()))

    def body(self):
        return [dict(environmentKey=env['Key'], isBlocked=self.desired['blocked'], isBlockedChangeReason=self.desired['reason'])
                for env in self.changing]

    def matches(self, state):
        return all(state[env['Key'].lower()]['blocked'] == self.desired['blocked'] for env in self.environments)

    def write(self):
        """PUT the configurations that differ, then read them back; returns the end state."""
        client = self.task.client
        key = self.application['Key']
        # The PUT sets absolute values: sending it a second time, when its answer was lost and the configurations
        # read again do not show it, leaves LifeTime exactly as one PUT would.
        send_once(lambda: client.update_application_configurations(key, self.body()),
                  lambda: True if self.matches(self.read()) else None,
                  'the request that changes the configurations of %s' % self.application['Name'], resend=True, progress=self.task.progress)
        end = self.read()
        if not self.matches(end):
            raise LifeTimeError('LifeTime accepted the change to %s but still shows deployments %s in %s.'
                                % (self.application['Name'], 'allowed' if self.desired['blocked'] else 'blocked', self.names(self.changing)),
                                configurations=self.listed(end))
        return end

    @staticmethod
    def names(environments):
        names = [env['Name'] for env in environments]
        return names[0] if len(names) == 1 else ', '.join(names[:-1]) + ' and ' + names[-1]


def _unchanged_message(change):
    desired = change.desired
    message = 'Deployments of %s to %s are already %s: nothing to change.' % (
        change.application['Name'], change.names(change.environments), 'blocked' if desired['blocked'] else 'allowed')
    kept = [item for item in change.listed(change.before) if desired['reason'] and item['blocked'] and item['reason'] != desired['reason']]
    if kept:
        message += (' LifeTime records a reason only with a change of blocked, so the reason it holds is kept: %s.'
                    % '; '.join('%s: %r' % (item['environment'], bounded(item['reason'])) for item in kept))
    return message


def _message(change, check_mode):
    desired = change.desired
    if not change.changing:
        return _unchanged_message(change)
    what = 'deployments of %s to %s' % (change.application['Name'], change.names(change.changing))
    if desired['reason']:
        what += ' (reason: %s)' % bounded(desired['reason'])
    if check_mode:
        return 'Would %s %s.' % ('block' if desired['blocked'] else 'allow', what)
    return '%s %s.' % ('Blocked' if desired['blocked'] else 'Allowed', what)


def ensure_configuration(task, desired):
    """The result of lifetime_application_config for the desired state (see desired_configuration)."""
    change = ConfigurationChange(task, desired)
    result = dict(changed=bool(change.changing), application=dict(name=change.application['Name'], key=change.application['Key']),
                  changed_environments=[env['Name'] for env in change.changing])
    if task.diff:
        result['diff'] = change.diff()
    end = change.before
    if change.changing:
        end = change.after() if task.check_mode else change.write()
    result['configurations'] = change.listed(end)
    result['msg'] = _message(change, task.check_mode)
    return result
