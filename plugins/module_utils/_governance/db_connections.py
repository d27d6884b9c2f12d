# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: database connections of an environment (lifetime_db_connection and lifetime_db_connection_info).

The flow of lifetime_db_connection: check the parameters, resolve the environment, the provider (by its display name),
the roles, users and permission levels, read the connection and the permission levels the task names (``before``),
compare, report changed and the diff, stop there in check mode, optionally test the connection, write, read back.

LifeTime never answers a connection's user name or password, and its update replaces both with what it is sent: they
are write-only, sent when the connection is created, when ``update_password`` is ``always``, and with any other change.
"""

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeBadRequestError,
    LifeTimeError,
    LifeTimeLookupError,
    LifeTimeUsageError,
    bounded,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.client import GovernanceClient
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.roles import shared_lookups
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import existing_names

WRITE_ONLY = '(write-only)'
WRITE_ONLY_SENT = '(write-only, sent)'


def _text(value):
    return '' if value is None else str(value)


def desired_connection(params):
    """What the task asks for, checked without asking LifeTime anything."""
    name = _text(params.get('name')).strip()
    if not name:
        raise LifeTimeUsageError('name is empty: give the name of the database connection.', parameter='name')
    if params.get('password') is not None and not _text(params['password']).strip():
        # An unset secret (an environment variable a credential did not inject) must not become an empty password.
        raise LifeTimeUsageError('password is empty: give the password of the database connection, or leave the option out.',
                                 parameter='password')
    desired = dict(environment=params['environment'], name=name, state=params.get('state') or 'present',
                   provider=params.get('provider'), description=params.get('description'), parameters=params.get('parameters'),
                   username=params.get('username'), password=params.get('password'),
                   update_password=params.get('update_password') or 'on_create', test_connection=bool(params.get('test_connection')))
    for kind, field in (('role_permissions', 'role'), ('user_permissions', 'user')):
        items = params.get(kind) or []
        seen = set()
        for index, item in enumerate(items):
            ref = _text(item.get(field)).strip()
            if not ref:
                raise LifeTimeUsageError('%s[%d].%s is empty.' % (kind, index, field), parameter='%s[%d].%s' % (kind, index, field))
            if ref.lower() in seen:
                raise LifeTimeUsageError('%s names %s twice.' % (kind, bounded(ref)), parameter=kind)
            seen.add(ref.lower())
        desired[kind] = items
    return desired


def connection_entry(env, record):
    """A DBConnection_Response as modules return it."""
    return dict(environment=env['Name'], environment_key=env['Key'], name=record.get('dbConnectionName'),
                provider=record.get('providerName') or '', description=record.get('description') or '',
                parameters=record.get('databaseConfiguration') or '', advanced_configuration=bool(record.get('isAdvancedConfiguration')))


def _find_connection(records, name):
    wanted = name.lower()
    found = [record for record in records or [] if _text(record.get('dbConnectionName')).lower() == wanted]
    exact = [record for record in found if record.get('dbConnectionName') == name]
    return (exact or found or [None])[0]


def _provider(gov, env, ref):
    """The DbProvider whose display name (or key) is ``ref``, case-insensitive."""
    providers = gov.db_providers(env['Key'])
    wanted = _text(ref).strip().lower()
    for field in ('DisplayName', 'ProviderKey'):
        found = [item for item in providers if _text(item.get(field)).lower() == wanted]
        if found:
            return found[0]
    raise LifeTimeLookupError('No database provider %r in %s (provider). %s.' % (bounded(_text(ref)), env['Name'],
                                                                                 existing_names(_text(ref), providers, 'DisplayName')),
                              parameter='provider')


class DbLevels:
    """Database connection permission levels (No Access, Read-Only, Full Control) by label, short label or number."""

    def __init__(self, gov):
        self.gov = gov
        self._levels = None

    def levels(self):
        if self._levels is None:
            self._levels = sorted((record.get('Level'), _text(record.get('Label')), _text(record.get('ShortLabel')))
                                  for record in self.gov.db_permission_levels() if isinstance(record.get('Level'), int))
        return self._levels

    def number(self, ref, parameter):
        text = _text(ref).strip().lower()
        for number, label, short in self.levels():
            if text in (str(number), label.lower(), short.lower()):
                return number
        raise LifeTimeLookupError('%s %r is not a database connection permission level LifeTime knows: use one of %s.'
                                  % (parameter, bounded(_text(ref)), ', '.join('%s (%d)' % (label, number) for number, label, dummy in self.levels())
                                     or 'none'), parameter=parameter)

    def label(self, number):
        return next((label for level, label, dummy in self.levels() if level == number), str(number))


def _level_of(record):
    """The Level of a DbConnectionPermissionLevel answer (wrapped or not)."""
    if isinstance(record, dict):
        record = record.get('DbConnectionPermissionLevel') or record
        level = record.get('Level')
        if isinstance(level, int) and not isinstance(level, bool):
            return level
    return 0


class Grant:
    """One permission the task names: a role (by its name) or a user (by username), and the level it asks for."""

    def __init__(self, kind, record, level):
        self.kind = kind
        self.record = record
        self.level = level
        self.current = 0

    @property
    def key(self):
        return self.record['key'] if self.kind == 'role' else self.record['Key']

    @property
    def grantee(self):
        """What LifeTime's permission operations name: the role's name, the user's username."""
        return self.record['name'] if self.kind == 'role' else self.record['Username']

    def read(self, gov, env_key, connection_name):
        read = gov.db_role_permission if self.kind == 'role' else gov.db_user_permission
        return _level_of(read(env_key, connection_name, self.grantee))

    def write(self, gov, env_key, connection_name):
        write = gov.set_db_role_permission if self.kind == 'role' else gov.set_db_user_permission
        write(env_key, connection_name, self.grantee, self.level)

    def entry(self, levels, level):
        name_field = 'role' if self.kind == 'role' else 'user'
        return {name_field: self.grantee, name_field + '_key': self.key, 'level': level, 'level_label': levels.label(level)}


class ConnectionChange:
    """The connection named, its state before, and what the task changes."""

    def __init__(self, task, desired, shared=None):
        self.task = task
        self.desired = desired
        # shared: the (client, names) of a lifetime_governance run, whose items read each list once and nothing back.
        self.gov, self.names = shared or shared_lookups(task)
        self.read_back_writes = shared is None
        self.env = task.resolver.environment(desired['environment'])
        self.existing = _find_connection(self.gov.db_connections(self.env['Key']), desired['name'])
        self.levels = DbLevels(self.gov)
        self.grants = []
        self.provider = None
        if desired['state'] == 'present':
            self._resolve()
            self._read_grants()
        self.fields_changing = self._fields_changing()
        self.grants_changing = [grant for grant in self.grants if grant.current != grant.level]
        self.credentials_sent = self._credentials_sent()
        self._check_credentials()
        self.tested = False  # lifetime_governance tests every connection before its first write

    @property
    def name(self):
        return self.existing['dbConnectionName'] if self.existing else self.desired['name']

    def _resolve(self):
        desired = self.desired
        if desired['provider'] is not None:
            self.provider = _provider(self.gov, self.env, desired['provider'])
        elif self.existing is None:
            raise LifeTimeUsageError('provider is required to create the database connection %s in %s: give its display name, '
                                     'for example SQL Server.' % (bounded(desired['name']), self.env['Name']), parameter='provider')
        names = self.names
        for kind, field, lookup in (('role_permissions', 'role', names.role), ('user_permissions', 'user', names.user)):
            for index, item in enumerate(desired[kind]):
                record = lookup(item[field], '%s[%d].%s' % (kind, index, field))
                level = self.levels.number(item.get('level'), '%s[%d].level' % (kind, index))
                if any(grant.kind == field and grant.key == (record['key'] if field == 'role' else record['Key']) for grant in self.grants):
                    raise LifeTimeUsageError('%s names the %s %s twice.' % (kind, field, bounded(_text(item[field]))), parameter=kind)
                self.grants.append(Grant(field, record, level))

    def _read_grants(self):
        """The level each role and user named holds now (one request each: LifeTime lists no connection's permissions)."""
        if self.existing is None:
            return  # a new connection grants nothing yet: No Access for everyone
        for grant in self.grants:
            if not self.gov.is_planned(grant.key):  # a role or user this run creates holds nothing yet
                grant.current = grant.read(self.gov, self.env['Key'], self.name)

    def _fields_changing(self):
        """The names of the readable fields that differ: provider, description, parameters (all of them for a new connection)."""
        if self.desired['state'] == 'absent':
            return []
        if self.existing is None:
            return ['created']
        before = connection_entry(self.env, self.existing)
        changing = []
        if self.provider is not None and _text(self.provider.get('DisplayName')).lower() != before['provider'].lower():
            changing.append('provider')
        for field in ('description', 'parameters'):
            if self.desired[field] is not None and self.desired[field] != before[field]:
                changing.append(field)
        return changing

    def _credentials_sent(self):
        desired = self.desired
        if desired['state'] == 'absent':
            return False
        return bool(self.fields_changing) or (desired['update_password'] == 'always' and desired['password'] is not None)

    def _check_credentials(self):
        """LifeTime's update replaces the user name and password: an update needs both, known before any write."""
        if not self.credentials_sent or self.existing is None:
            return
        missing = [option for option in ('username', 'password') if self.desired[option] is None]
        if missing:
            raise LifeTimeUsageError('%s needed to change %s of the database connection %s in %s: LifeTime cannot show them and its '
                                     'update replaces them with what it is sent.'
                                     % (' and '.join(missing) + (' are' if len(missing) > 1 else ' is'),
                                        ', '.join(self.fields_changing), bounded(self.name), self.env['Name']),
                                     parameter=missing[0])

    @property
    def changed(self):
        if self.desired['state'] == 'absent':
            return self.existing is not None
        return bool(self.credentials_sent or self.grants_changing)

    def fields(self):
        """DBConnection_Request_POST: all six fields (LifeTime's create and update both need them)."""
        before = connection_entry(self.env, self.existing) if self.existing else {}
        desired = self.desired
        provider = self.provider or {}
        if not provider:
            provider = _provider(self.gov, self.env, before.get('provider'))
        return {'dbConnectionName': self.name, 'providerKey': provider.get('ProviderKey'),
                'description': _text(desired['description'] if desired['description'] is not None else before.get('description')),
                'dbUsername': _text(desired['username']), 'dbPassword': _text(desired['password']),
                'dbConfigParams': _text(desired['parameters'] if desired['parameters'] is not None else before.get('parameters'))}

    # -- what is shown -----------------------------------------------------------------------------

    def before_entry(self):
        if self.existing is None:
            return None
        entry = connection_entry(self.env, self.existing)
        self._add_grants(entry, lambda grant: grant.current)
        return entry

    def after_entry(self):
        if self.desired['state'] == 'absent':
            return None
        entry = self.before_entry() or dict(environment=self.env['Name'], environment_key=self.env['Key'], advanced_configuration=False)
        entry['name'] = self.name
        if self.provider is not None:
            entry['provider'] = self.provider.get('DisplayName')
        for field in ('description', 'parameters'):
            if self.desired[field] is not None or field not in entry:
                entry[field] = _text(self.desired[field])
        entry['advanced_configuration'] = bool(entry['parameters'])
        self._add_grants(entry, lambda grant: grant.level)
        return entry

    def _add_grants(self, entry, level_of):
        entry['role_permissions'] = [grant.entry(self.levels, level_of(grant)) for grant in self.grants if grant.kind == 'role']
        entry['user_permissions'] = [grant.entry(self.levels, level_of(grant)) for grant in self.grants if grant.kind == 'user']

    def diff(self):
        def shown(entry, credentials):
            if entry is None:
                return {}
            view = dict((field, entry[field]) for field in ('name', 'provider', 'description', 'parameters'))
            view['username'] = view['password'] = credentials
            view['role_permissions'] = dict((item['role'], item['level_label']) for item in entry['role_permissions'])
            view['user_permissions'] = dict((item['user'], item['level_label']) for item in entry['user_permissions'])
            return view
        return dict(before=shown(self.before_entry(), WRITE_ONLY),
                    after=shown(self.after_entry(), WRITE_ONLY_SENT if self.credentials_sent else WRITE_ONLY))

    # -- writing -----------------------------------------------------------------------------------

    def tests_before_write(self):
        """Whether the write sends the connection's fields and the task asks for a connection test first."""
        return self.desired['state'] != 'absent' and self.credentials_sent and self.desired['test_connection'] and not self.tested

    def test(self, fields):
        try:
            self.gov.test_db_connection(self.env['Key'], fields)
        except LifeTimeBadRequestError as exc:
            raise LifeTimeError('LifeTime could not connect with the database connection %s in %s, so nothing was saved: %s'
                                % (bounded(self.desired['name']), self.env['Name'], exc.lifetime_message or exc)) from exc

    def write(self):
        """Delete, or create or update and set the permissions that differ; returns the end state."""
        env_key = self.env['Key']
        if self.desired['state'] == 'absent':
            self.gov.delete_db_connection(env_key, self.name)
            return None
        if self.credentials_sent:
            fields = self.fields()
            if self.tests_before_write():
                self.test(fields)
            if self.existing is None:
                self.gov.create_db_connection(env_key, fields)
            else:
                self.gov.update_db_connection(env_key, self.name, fields)
        for grant in self.grants_changing:
            grant.write(self.gov, env_key, self.name)
        # LifeTime answered every write above: with many items, the connection is as planned.
        return self.read_back() if self.read_back_writes else self.after_entry()

    def read_back(self):
        """The connection as LifeTime lists it now, with the levels it holds for the roles and users the task changed."""
        found = _find_connection(self.gov.db_connections(self.env['Key']), self.name)
        if found is None:
            raise LifeTimeError('LifeTime accepted the database connection %s in %s but does not list it.'
                                % (bounded(self.desired['name']), self.env['Name']))
        entry = connection_entry(self.env, found)
        levels = dict((id(grant), grant.read(self.gov, self.env['Key'], found['dbConnectionName']) if grant in self.grants_changing
                       else grant.current) for grant in self.grants)
        self._add_grants(entry, lambda grant: levels[id(grant)])
        return entry


def _message(change, check_mode):
    name = '%s in %s' % (bounded(change.name), change.env['Name'])
    if not change.changed:
        if change.desired['state'] == 'absent':
            return 'The database connection %s does not exist: nothing to delete.' % name
        return 'The database connection %s is as asked: nothing to change.' % name
    if change.desired['state'] == 'absent':
        verbs, what = ('delete', 'Deleted'), 'the database connection %s' % name
    elif change.existing is None:
        verbs, what = ('create', 'Created'), 'the database connection %s' % name
    else:
        parts = list(change.fields_changing)
        if change.credentials_sent and not parts:
            parts.append('the user name and password')
        if change.grants_changing:
            parts.append('the permissions of %s' % ', '.join(bounded(grant.grantee) for grant in change.grants_changing))
        verbs, what = ('change', 'Changed'), '%s of the database connection %s' % (', '.join(parts), name)
    return 'Would %s %s.' % (verbs[0], what) if check_mode else '%s %s.' % (verbs[1], what)


def written(change):
    """The change's writes; a failure after one of them still changed LifeTime (changed: true)."""
    try:
        return change.write()
    except LifeTimeError as exc:
        if change.gov.writes_done:
            exc.details['changed'] = True
        raise


def ensure_connection(task, desired):
    """The result of lifetime_db_connection for the desired state (see desired_connection)."""
    change = ConnectionChange(task, desired)
    result = dict(changed=change.changed)
    if task.diff:
        result['diff'] = change.diff()
    end = change.before_entry()
    if change.changed:
        end = change.after_entry() if task.check_mode else written(change)
    result['db_connection'] = end or {}
    result['msg'] = _message(change, task.check_mode)
    return result


def list_connections(task, params):
    """The result of lifetime_db_connection_info: the connections of the environments named (all when none is)."""
    resolver = task.resolver
    refs = params.get('environment') or []
    environments = [resolver.environment(ref, 'environment' if len(refs) == 1 else 'environment[%d]' % index)
                    for index, ref in enumerate(refs)] or resolver.environments()
    gov = GovernanceClient(task.client, progress=task.progress)
    wanted = _text(params.get('name')).strip().lower()
    connections = []
    for env in environments:
        for record in gov.db_connections(env['Key']):
            if not wanted or _text(record.get('dbConnectionName')).lower() == wanted:
                connections.append(connection_entry(env, record))
    return dict(changed=False, db_connections=connections)
