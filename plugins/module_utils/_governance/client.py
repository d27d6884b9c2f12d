# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: LifeTime's users, roles, teams and database connections, one method per operation.

A thin layer over the LifeTimeClient a task already has (its transport, retries, names for messages): each method
names its path, query parameters and body as LifeTime's API definition declares them, with its casing (roles and
teams camelCase, users PascalCase, database connections camelCase). Lists are read once per concept and kept until
a write of that concept (``roles()``, ``users()``, ``teams()``, ``db_connections(env)``), so a run reads each list
once whatever the number of users or teams. Every create goes through ``send_once`` with the evidence a lost answer
leaves: the object of that name in a fresh list. Passwords are sent, never kept, never returned. A role or user a
lifetime_governance run is about to create is named by a planned key (``plan_key``) until LifeTime gives its own
(``learn_key``); the writes that carry a role or user key send LifeTime's (``real_key``).
"""

import time
from urllib.parse import quote

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeAPIError, LifeTimeError, bounded
from ansible_collections.outsystems.lifetime.plugins.module_utils._writes import send_once

ROLES, USERS, TEAMS = 'roles', 'users', 'teams'
NOT_FOUND = 404
# A create whose answer was lost may still be on its way in LifeTime: its list is read again after these pauses (seconds)
# before the run says it cannot tell.
EVIDENCE_PAUSES = (1.0, 2.0)


class GovernanceClient:
    """The users, roles, teams and database connection operations, over a LifeTimeClient."""

    def __init__(self, client, progress=None):
        self.client = client
        self.progress = progress
        self._lists = {}
        # A role or user a run creates is named by a planned key until LifeTime gives its own (lifetime_governance).
        self._planned = {}
        # Writes LifeTime carried out: a task failing after one reports changed.
        self.writes_done = 0

    # -- keys of what a run creates ---------------------------------------------------------------

    def plan_key(self, kind, name):
        """A stand-in key for a role or user this run is about to create; ``real_key`` turns it into LifeTime's."""
        planned = 'planned %s %d: %s' % (kind, len(self._planned) + 1, name)
        self._planned[planned] = None
        return planned

    def learn_key(self, planned, key):
        """LifeTime created what ``planned`` stood for, with this key."""
        if planned in self._planned:
            self._planned[planned] = key

    def is_planned(self, key):
        """Whether ``key`` stands for a role or user this run creates (LifeTime knows nothing of it yet)."""
        return key in self._planned

    def real_key(self, key):
        """The key a write sends: LifeTime's own for a role or user created earlier in the run."""
        if key not in self._planned:
            return key
        if self._planned[key] is None:
            raise LifeTimeError('The %s was not created, so nothing can name it yet.' % key.split(':', 1)[0])
        return self._planned[key]

    # -- the client's request helpers (the contract test reads the calls below) ----------------------

    def get(self, path, params=None, expect=dict):
        return self.client.get(path, params=params, expect=expect)

    def get_list(self, path, params=None):
        return self.client.get_list(path, params=params)

    def create(self, path, json_body=None):
        return self._done(self.client.create(path, json_body=json_body))

    def command(self, method, path, json_body=None, params=None, counted=True):
        """A write (``counted``), or a POST that saves nothing (a connection test): not counted as a write done."""
        answer = self.client.command(method, path, json_body=json_body, params=params, invalid_state=False)
        return self._done(answer) if counted else answer

    def send(self, method, path, json_body=None, params=None):
        """A write whose answer body is not needed (a key as text, or a record): the response itself."""
        return self._done(self.client.send(method, path, json_body=json_body, params=params))

    def _done(self, answer):
        self.writes_done += 1
        return answer

    def post_record(self, path, json_body):
        """A creating call LifeTime answers with the record itself (a team, a database connection)."""
        return self.client._json('POST', path, self.send('POST', path, json_body=json_body))  # pylint: disable=protected-access

    def _cached(self, concept, read):
        if concept not in self._lists:
            self._lists[concept] = read()
        return self._lists[concept]

    def forget(self, concept):
        """A write changed this concept: the next read lists it again."""
        self._lists.pop(concept, None)

    def _create_once(self, concept, send, find, what, hint=''):
        """A creating call; when its answer is lost, the object ``find`` picks in a fresh list is the evidence."""
        def fresh():
            self.forget(concept)
            return find()
        try:
            return self._done(send_once(send, awaited(fresh, what, hint), what, progress=self.progress))
        finally:
            self.forget(concept)

    # -- roles ------------------------------------------------------------------------------------

    def list_roles(self):
        return self.get_list('/roles/', params={'IncludeEnvPermissions': 'true'})

    def roles(self):
        return self._cached(ROLES, self.list_roles)

    def get_role(self, role_key):
        return self.get('/roles/%s/' % _seg(role_key), params={'IncludeEnvPermissions': 'true'})

    def role_permission_levels(self):
        """[{level, levelLabel, description}]: the labels LifeTime gives the role permission levels."""
        levels = self.get('/roles/permissionlevels/', expect=(list, dict))
        return levels if isinstance(levels, list) else [levels] if levels else []

    def create_role(self, body):
        """Role {name, manageInfrastructure, manageTeams, environmentPermissions}: the new key."""
        return self._create_once(ROLES, lambda: self.create('/roles/', json_body=body),
                                 lambda: _key_of_one(self.roles(), 'name', body.get('name'), 'key', 'role'),
                                 'the request that creates the role %s' % bounded(body.get('name')))

    def update_role(self, role_key, body):
        self.forget(ROLES)
        self.send('PUT', '/roles/%s/' % _seg(role_key), json_body=body)

    def delete_role(self, role_key, users_new_role_key=None):
        self.forget(ROLES)
        self.forget(USERS)
        self.forget(TEAMS)
        params = {'UsersNewRoleKey': self.real_key(users_new_role_key)} if users_new_role_key else None
        return self.command('DELETE', '/roles/%s/' % _seg(role_key), params=params)

    # -- users ------------------------------------------------------------------------------------

    def list_users(self):
        return self.get_list('/users/', params={'IncludeInactive': 'true', 'IncludeTeams': 'true', 'IncludeApplicationRoles': 'true'})

    def users(self):
        return self._cached(USERS, self.list_users)

    def get_user(self, user_key):
        return self.get('/users/%s/' % _seg(user_key), params={'includeTeams': 'true', 'includeApplicationRoles': 'true'})

    def create_user(self, body):
        """User {Username, Name, Email, RoleKey, IsActive}: the new key. A password is set with set_password."""
        body = dict(body, RoleKey=self.real_key(body.get('RoleKey')))
        return self._create_once(USERS, lambda: self.create('/users/', json_body=body),
                                 lambda: _key_of_one(self.users(), 'Username', body.get('Username'), 'Key', 'user'),
                                 'the request that creates the user %s' % bounded(body.get('Username')),
                                 hint=' A user it shows then without a password gets one from a run with update_password: always.')

    def update_user(self, user_key, body):
        self.forget(USERS)
        if 'RoleKey' in body:
            # A role created earlier in the run stands in with a temporary key until LifeTime answered with the real one.
            body = dict(body, RoleKey=self.real_key(body['RoleKey']))
        self.send('PUT', '/users/%s/' % _seg(user_key), json_body=body)

    def set_password(self, user_key, password):
        """LifeTime answers 405 under external authentication. Setting the same password again is harmless: resent."""
        send_once(lambda: self.command('POST', '/users/%s/setpassword/' % _seg(user_key), json_body={'password': password}),
                  lambda: None, 'the request that sets the password of %s' % bounded(user_key), resend=True, progress=self.progress)

    def blocked_logins(self, user_key, env_key=None):
        return self.get_list('/users/%s/blockedlogins/' % _seg(user_key), params={'EnvironmentKey': env_key} if env_key else None)

    def unblock_logins(self, user_key, env_key=None, ip_address=None):
        params = dict((name, value) for name, value in (('EnvironmentKey', env_key), ('IpAddress', ip_address)) if value)
        return self.command('DELETE', '/users/%s/blockedlogins/' % _seg(user_key), params=params or None)

    def grant_application_role(self, user_key, app_key, role_key):
        """Granting again replaces the role, so a lost answer is resent."""
        self.forget(USERS)
        role_key = self.real_key(role_key)
        send_once(lambda: self.command('POST', '/users/%s/applications/' % _seg(user_key),
                                       json_body={'applicationKey': app_key, 'roleKey': role_key}),
                  lambda: None, 'the request that grants a role in an application', resend=True, progress=self.progress)

    def revoke_application_role(self, user_key, app_key):
        self.forget(USERS)
        return self.command('DELETE', '/users/%s/applications/%s/' % (_seg(user_key), _seg(app_key)))

    # -- teams ------------------------------------------------------------------------------------

    def list_teams(self):
        return self.get_list('/teams/', params={'IncludeUsers': 'true', 'IncludeApplications': 'true'})

    def teams(self):
        return self._cached(TEAMS, self.list_teams)

    def get_team(self, team_key):
        return self.get('/teams/%s/' % _seg(team_key), params={'IncludeUsers': 'true', 'IncludeApplications': 'true'})

    def create_team(self, name, description=''):
        """LifeTime answers the Team; its key is what the caller needs."""
        body = {'name': name, 'description': description or ''}

        def send():
            team = self.post_record('/teams/', body)
            key = team.get('key') if isinstance(team, dict) else None
            if not key:
                raise LifeTimeError('LifeTime created the team %s but its answer carries no key.' % bounded(name))
            return key
        try:
            what = 'the request that creates the team %s' % bounded(name)
            return self._done(send_once(send, awaited(lambda: self._fresh_key(TEAMS, 'name', name, 'key', 'team'), what), what, progress=self.progress))
        finally:
            self.forget(TEAMS)

    def update_team(self, team_key, name, description=''):
        self.forget(TEAMS)
        self.send('PUT', '/teams/%s/' % _seg(team_key), json_body={'name': name, 'description': description or ''})

    def delete_team(self, team_key):
        self.forget(TEAMS)
        return self.command('DELETE', '/teams/%s/' % _seg(team_key))

    def add_team_application(self, team_key, app_key):
        self.forget(TEAMS)
        send_once(lambda: self.command('POST', '/teams/%s/applications/' % _seg(team_key), json_body={'Key': app_key}),
                  lambda: None, 'the request that adds an application to a team', resend=True, progress=self.progress)

    def remove_team_application(self, team_key, app_key):
        self.forget(TEAMS)
        try:
            return self.command('DELETE', '/teams/%s/applications/%s' % (_seg(team_key), _seg(app_key)))
        except LifeTimeAPIError as exc:
            # 404: the application is not in the team (another team took it, or a retried DELETE): gone is what was asked.
            if exc.status != NOT_FOUND:
                raise
            return None

    def add_team_member(self, team_key, user_key, role_key):
        """Adding a member again replaces their role, so a lost answer is resent."""
        self.forget(TEAMS)
        user_key, role_key = self.real_key(user_key), self.real_key(role_key)
        send_once(lambda: self.command('POST', '/teams/%s/users/' % _seg(team_key), json_body={'userKey': user_key, 'roleKey': role_key}),
                  lambda: None, 'the request that adds a member to a team', resend=True, progress=self.progress)

    def remove_team_member(self, team_key, user_key):
        self.forget(TEAMS)
        return self.command('DELETE', '/teams/%s/users/%s/' % (_seg(team_key), _seg(user_key)))

    def _fresh_key(self, concept, name_field, name, key_field, what):
        self.forget(concept)
        records = {ROLES: self.roles, USERS: self.users, TEAMS: self.teams}[concept]()
        return _key_of_one(records, name_field, name, key_field, what)

    # -- database connections ---------------------------------------------------------------------

    def list_db_connections(self, env_key):
        return self.get_list('/environments/%s/dbconnections/' % _seg(env_key))

    def db_connections(self, env_key):
        return self._cached(('db', str(env_key).lower()), lambda: self.list_db_connections(env_key))

    def get_db_connection(self, env_key, name):
        return self.get('/environments/%s/dbconnections/%s/' % (_seg(env_key), _seg(name)))

    def create_db_connection(self, env_key, fields):
        """DBConnection_Request_POST (all six fields, dbPassword included); evidence of a lost answer: the name in a fresh list."""
        concept = ('db', str(env_key).lower())

        def evidence():
            self.forget(concept)
            return _key_of_one(self.db_connections(env_key), 'dbConnectionName', fields.get('dbConnectionName'), 'dbConnectionName',
                               'database connection')
        try:
            what = 'the request that creates the database connection %s' % bounded(fields.get('dbConnectionName'))
            return self._done(send_once(lambda: _name_of(self.post_record('/environments/%s/dbconnections/' % _seg(env_key), fields), fields),
                                        awaited(evidence, what), what, progress=self.progress))
        finally:
            self.forget(concept)

    def update_db_connection(self, env_key, name, fields):
        self.forget(('db', str(env_key).lower()))
        self.send('PUT', '/environments/%s/dbconnections/%s/' % (_seg(env_key), _seg(name)), json_body=fields)

    def delete_db_connection(self, env_key, name):
        self.forget(('db', str(env_key).lower()))
        return self.command('DELETE', '/environments/%s/dbconnections/%s/' % (_seg(env_key), _seg(name)))

    def db_role_permission(self, env_key, name, role):
        return self.get('/environments/%s/dbconnections/%s/rolepermissionlevel/%s/' % (_seg(env_key), _seg(name), _seg(role)))

    def set_db_role_permission(self, env_key, name, role, level):
        return self.command('PUT', '/environments/%s/dbconnections/%s/rolepermissionlevel/' % (_seg(env_key), _seg(name)),
                            json_body={'role': role, 'permissionLevel': level})

    def revoke_db_role_permission(self, env_key, name, role):
        return self.command('DELETE', '/environments/%s/dbconnections/%s/rolepermissionlevel/' % (_seg(env_key), _seg(name)),
                            json_body={'role': role})

    def db_user_permission(self, env_key, name, username):
        return self.get('/environments/%s/dbconnections/%s/userpermissionlevel/%s/' % (_seg(env_key), _seg(name), _seg(username)))

    def set_db_user_permission(self, env_key, name, username, level):
        return self.command('PUT', '/environments/%s/dbconnections/%s/userpermissionlevel/' % (_seg(env_key), _seg(name)),
                            json_body={'username': username, 'permissionLevel': level})

    def revoke_db_user_permission(self, env_key, name, username):
        return self.command('DELETE', '/environments/%s/dbconnections/%s/userpermissionlevel/' % (_seg(env_key), _seg(name)),
                            json_body={'username': username})

    def db_providers(self, env_key):
        """[{DisplayName, ProviderKey}]: a connection names its provider by key, users by its display name."""
        return self._cached(('providers', str(env_key).lower()),
                            lambda: self.get_list('/environments/%s/dbconnection/dbproviders/' % _seg(env_key)))

    def db_permission_levels(self):
        """[{Id, Label, ShortLabel, Description, Level}], unwrapped from LifeTime's DbConnectionPermissionLevelRecord."""
        records = self._cached('db_levels', lambda: self.get_list('/environments/dbconnection/permissionlevels/'))
        return [record.get('DbConnectionPermissionLevel') or record for record in records]

    def test_db_connection(self, env_key, fields):
        """LifeTime tries the connection without saving it; a failure is its 400 (LifeTimeBadRequestError)."""
        # Not a change: LifeTime saves nothing, so it does not count as a write done.
        return self.command('POST', '/environments/%s/testdbconnection/' % _seg(env_key), json_body=fields, counted=False)


def awaited(find, what, hint=''):
    """The evidence of a lost create: what ``find`` reads in a fresh list, read again while the create may still be on its way.

    Not found after the pauses is no proof that nothing was created (the request may land later), so the run fails saying so.
    """
    def evidence():
        for pause in EVIDENCE_PAUSES + (None,):
            found = find()
            if found is not None:
                return found
            if pause:
                time.sleep(pause)
        raise LifeTimeError('LifeTime did not answer %s, and its list does not show it yet: it may still be created. Check in LifeTime '
                            'before running the task again.%s' % (what, hint))
    return evidence


def _key_of_one(records, name_field, name, key_field, what):
    """The key of the one record named ``name`` (case-insensitive), None when there is none; several is contradictory."""
    wanted = str(name or '').lower()
    found = [record for record in records or [] if str(record.get(name_field) or '').lower() == wanted]
    if len(found) > 1:
        raise LifeTimeError('LifeTime lists %d %ss named %s: cannot tell which one this run created.' % (len(found), what, bounded(name)))
    return found[0].get(key_field) if found else None


def _name_of(connection, fields):
    return connection.get('dbConnectionName') if isinstance(connection, dict) and connection.get('dbConnectionName') else \
        fields.get('dbConnectionName')


def _seg(value):
    """One URL path segment, escaped: keys and names come from users and must not add path segments."""
    return quote(str(value), safe='')
