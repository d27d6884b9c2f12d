# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The users, roles, teams and database connection operations of the published definition (state in governance.py).

Handlers look up the keys of the path first (404), then read the body (400), as LifeTime's documented answers
order them. Field names of request bodies are matched case-insensitively: the definition itself names the required
fields of several bodies in PascalCase and declares their properties in camelCase (README.md, Behaviour, Governance).
"""

from __future__ import annotations

import re

from tests.simulator import governance as gov
from tests.simulator.model import ApiError, new_key
from tests.simulator.routes import Response, Route, _application, _environment

EMAIL = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s]+$')


# -- body and lookups ------------------------------------------------------------------------------

def _body(req, what):
    """The JSON object body with its field names in lower case."""
    body = req.json()
    return {str(name).lower(): value for name, value in body.items()}, what


def _text(fields, name, what, *, required=True, empty=False):
    value = fields[0].get(name.lower())
    if value is None and not required:
        return None
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise ApiError(400, '%s: %s is required and must be %stext.' % (fields[1], name, '' if empty else 'non-empty '))
    return value


def _flag(fields, name, default):
    value = fields[0].get(name.lower(), default)
    if not isinstance(value, bool):
        raise ApiError(400, '%s: %s must be true or false.' % (fields[1], name))
    return value


def _role(world, key):
    role = world.governance.roles.get(str(key).lower())
    if role is None:
        raise ApiError(404, 'Role with key %s not found.' % key)
    return role


def _user(world, key):
    user = world.governance.users.get(str(key).lower())
    if user is None:
        raise ApiError(404, 'User with key %s not found.' % key)
    return user


def _team(world, key):
    team = world.governance.teams.get(str(key).lower())
    if team is None:
        raise ApiError(404, 'Team with key %s not found.' % key)
    return team


def _connection(world, env, name):
    connection = world.governance.connection(env, name)
    if connection is None:
        raise ApiError(404, "Database connection '%s' not found in environment %s (%s)." % (name, env.key, env.name))
    return connection


def _role_in_body(world, key, what):
    role = world.governance.roles.get(str(key).lower()) if isinstance(key, str) else None
    if role is None:
        raise ApiError(400, '%s: role %s does not exist.' % (what, key))
    return role


# -- roles -----------------------------------------------------------------------------------------

def list_roles(world, req):
    include = req.flag('IncludeEnvPermissions')
    return Response.listing([gov.role_view(world, role, include) for role in world.roles()])


def get_role(world, req):
    return Response.json(200, gov.role_view(world, _role(world, req.params['role']), req.flag('IncludeEnvPermissions')))


def permission_levels(world, req):
    return Response.json(200, gov.permission_levels_view())


def _role_fields(world, req, role):
    """Name, flags and per-environment permissions of a role body, checked (400) before anything changes."""
    what = 'Failed to %s role' % ('create' if role is None else 'update')
    fields = _body(req, what)
    name = _text(fields, 'name', what, required=role is None)
    name = role.name if name is None else name.strip()
    other = world.governance.role(name)
    if other is not None and other is not role:
        raise ApiError(400, "%s: a role named '%s' already exists." % (what, name))
    manage_infrastructure = _flag(fields, 'manageInfrastructure', role.manage_infrastructure if role else False)
    manage_teams = _flag(fields, 'manageTeams', role.manage_teams if role else False)
    if manage_infrastructure and not manage_teams:
        raise ApiError(400, '%s: a role that manages infrastructure must manage teams too.' % what)
    items = fields[0].get('environmentpermissions')
    if items is None and role is not None:
        items = []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ApiError(400, '%s: environmentPermissions must be a list of {environmentKey, level, createApplications, '
                            'addDependenciesToSystem}.' % what)
    permissions = {}
    for item in items:
        item = ({str(k).lower(): v for k, v in item.items()}, what)
        env = world.env_index.get(str(item[0].get('environmentkey')).lower())
        if env is None:
            raise ApiError(400, '%s: environment %s does not exist.' % (what, item[0].get('environmentkey')))
        permissions[env.key.lower()] = {'level': world.governance.role_level(item[0].get('level'))[0],
                                        'create_applications': _flag(item, 'createApplications', False),
                                        'add_dependencies_to_system': _flag(item, 'addDependenciesToSystem', False)}
    if role is None and set(permissions) != set(world.env_index):
        raise ApiError(400, '%s: environmentPermissions must define a permission level for every environment (%s).'
                       % (what, ', '.join(env.name for env in world.environments())))
    return name, manage_infrastructure, manage_teams, permissions


def create_role(world, req):
    name, manage_infrastructure, manage_teams, permissions = _role_fields(world, req, None)
    role = gov.Role(new_key(), name, manage_infrastructure, manage_teams, permissions=permissions)
    world.governance.roles[role.key.lower()] = role
    return Response.key(201, role.key, world.quote_key(False))


def update_role(world, req):
    role = _role(world, req.params['role'])
    if role.reserved:
        raise ApiError(400, 'Failed to update role: %s is protected.' % role.name)
    role.name, role.manage_infrastructure, role.manage_teams, permissions = _role_fields(world, req, role)
    role.permissions.update(permissions)  # environments the body leaves out keep their permissions
    return Response.key(200, role.key, world.quote_key(False))


def delete_role(world, req):
    role = _role(world, req.params['role'])
    if role.reserved:
        raise ApiError(400, "Role %s can't be deleted because it is reserved." % role.name)
    state = world.governance
    holders = [u for u in state.users.values() if u.role_key == role.key or role.key in u.application_roles.values()]
    holders += [t for t in state.teams.values() if role.key in t.members.values()]
    replacement = req.query.get('usersnewrolekey')
    if holders:
        if not replacement:
            raise ApiError(400, "Role %s can't be deleted: users have it; name the role that replaces it in UsersNewRoleKey." % role.name)
        new = state.roles.get(replacement.lower())
        if new is None or new is role:
            raise ApiError(400, "Role %s can't be deleted: UsersNewRoleKey %s is not another role." % (role.name, replacement))
        for user in state.users.values():
            user.role_key = new.key if user.role_key == role.key else user.role_key
            user.application_roles = {app: new.key if key == role.key else key for app, key in user.application_roles.items()}
        for team in state.teams.values():
            team.members = {user: new.key if key == role.key else key for user, key in team.members.items()}
    for connection in state.connections.values():
        connection.role_levels.pop(role.key, None)
    del state.roles[role.key.lower()]
    return Response.empty(204)


# -- users -----------------------------------------------------------------------------------------

def list_users(world, req):
    include_teams, include_roles = req.flag('IncludeTeams'), req.flag('IncludeApplicationRoles')
    return Response.listing([gov.user_view(world, user, include_teams, include_roles)
                             for user in world.users(include_inactive=req.flag('IncludeInactive'))])


def get_user(world, req):
    user = _user(world, req.params['user'])
    return Response.json(200, gov.user_view(world, user, req.flag('IncludeTeams'), req.flag('IncludeApplicationRoles')))


def _user_fields(world, req, user):
    what = 'Failed to %s user' % ('create' if user is None else 'update')
    fields = _body(req, what)
    creating = user is None
    username = _text(fields, 'Username', what, required=creating)
    username = user.username if username is None else username.strip()
    other = world.governance.user(username)
    if other is not None and other is not user:
        raise ApiError(400, "%s: the username '%s' is taken." % (what, username))
    name = _text(fields, 'Name', what, required=creating)
    email = _text(fields, 'Email', what, required=creating)
    email = user.email if email is None else email.strip()
    if not EMAIL.match(email):
        raise ApiError(400, "%s: '%s' is not an email address." % (what, email))
    role_key = _text(fields, 'RoleKey', what, required=creating)
    role = _role_in_body(world, role_key, what) if role_key is not None else None
    active = _flag(fields, 'IsActive', user.is_active if user else True)
    return {'username': username, 'name': (user.name if name is None else name.strip()), 'email': email,
            'role_key': role.key if role else user.role_key, 'is_active': active}


def create_user(world, req):
    fields = _user_fields(world, req, None)
    user = gov.User(new_key(), fields['username'], fields['name'], fields['email'], fields['role_key'], fields['is_active'])
    world.governance.users[user.key.lower()] = user
    return Response.key(201, user.key, world.quote_key(False))


def update_user(world, req):
    user = _user(world, req.params['user'])
    for name, value in _user_fields(world, req, user).items():
        setattr(user, name, value)
    return Response.key(200, user.key, world.quote_key(False))


def set_password(world, req):
    user = _user(world, req.params['user'])
    if world.governance.external_authentication:
        raise ApiError(405, 'Failed to change the password of %s because an external authentication provider is in use.' % user.username)
    password = _text(_body(req, 'Failed to change password'), 'password', 'Failed to change password')
    user.password = password
    return Response.empty(200)


def _login_filter(world, req):
    env_key = req.query.get('environmentkey')
    if env_key:
        _environment(world, env_key)
    return lambda attempt: ((not env_key or (attempt['env_key'] or '').lower() == env_key.lower())
                            and (not req.query.get('ipaddress') or attempt['ip_address'] == req.query['ipaddress']))


def blocked_logins(world, req):
    user = _user(world, req.params['user'])
    wanted = _login_filter(world, req)
    return Response.listing([gov.login_attempt_view(user, attempt, number) for number, attempt in enumerate(user.blocked_logins)
                             if wanted(attempt)])


def unblock_logins(world, req):
    user = _user(world, req.params['user'])
    wanted = _login_filter(world, req)
    user.blocked_logins = [attempt for attempt in user.blocked_logins if not wanted(attempt)]
    return Response.empty(200)


def _application_in_body(world, key, what):
    """The application a request body names by key, or the 400 LifeTime gives for a key it does not know."""
    app = world.app_index.get(str(key).lower())
    if app is None:
        raise ApiError(400, '%s: application %s does not exist.' % (what, key))
    return app


def grant_application(world, req):
    user = _user(world, req.params['user'])
    what = 'Failed to add application to user'
    fields = _body(req, what)
    app = _application_in_body(world, fields[0].get('applicationkey'), what)
    role = _role_in_body(world, fields[0].get('rolekey'), what)
    user.application_roles[app.key] = role.key
    return Response.empty(201)


def revoke_application(world, req):
    user = _user(world, req.params['user'])
    app = _application(world, req.params['app'])
    if app.key not in user.application_roles:
        raise ApiError(404, 'User %s has no role in application %s.' % (user.username, app.name))
    del user.application_roles[app.key]
    return Response.empty(204)


# -- teams -----------------------------------------------------------------------------------------

def _team_flags(req):
    return req.flag('IncludeUsers'), req.flag('IncludeApplications')


def list_teams(world, req):
    return Response.listing([gov.team_view(world, team, *_team_flags(req)) for team in world.teams()])


def get_team(world, req):
    return Response.json(200, gov.team_view(world, _team(world, req.params['team']), *_team_flags(req)))


def _team_name(world, fields, what, team):
    name = _text(fields, 'name', what, required=team is None)
    name = team.name if name is None else name.strip()
    other = world.governance.team(name)
    if other is not None and other is not team:
        raise ApiError(400, "%s: a team named '%s' already exists." % (what, name))
    description = _text(fields, 'description', what, required=False, empty=True)
    return name, (team.description if team and description is None else description or '')


def create_team(world, req):
    what = 'Failed to create team'
    fields = _body(req, what)
    name, description = _team_name(world, fields, what, None)
    members, apps = {}, []
    for item in fields[0].get('users') or []:
        item = {str(k).lower(): v for k, v in item.items()} if isinstance(item, dict) else {}
        user = world.governance.users.get(str(item.get('userkey')).lower())
        if user is None:
            raise ApiError(400, '%s: user %s does not exist.' % (what, item.get('userkey')))
        members[user.key] = _role_in_body(world, item.get('rolekey'), what).key
    for item in fields[0].get('applications') or []:
        apps.append(_application_in_body(world, item.get('Key') if isinstance(item, dict) else item, what))
    team = gov.Team(new_key(), name, description, members)
    world.governance.teams[team.key.lower()] = team
    for app in apps:
        world.governance.place_application(team, app)
    return Response.json(201, gov.team_view(world, team))


def update_team(world, req):
    team = _team(world, req.params['team'])
    team.name, team.description = _team_name(world, _body(req, 'Failed to update team'), 'Failed to update team', team)
    for key in team.applications:
        world.app_index[key.lower()].team = team.name
    return Response.json(200, gov.team_view(world, team))


def delete_team(world, req):
    team = _team(world, req.params['team'])
    for key in team.applications:
        world.app_index[key.lower()].team = ''
    del world.governance.teams[team.key.lower()]
    return Response.empty(204)


def add_team_application(world, req):
    team = _team(world, req.params['team'])
    what = 'Failed to add application to team'
    fields = _body(req, what)
    app = _application_in_body(world, fields[0].get('key'), what)
    world.governance.place_application(team, app)
    return Response.empty(201)


def remove_team_application(world, req):
    team = _team(world, req.params['team'])
    app = _application(world, req.params['app'])
    if app.key not in team.applications:
        raise ApiError(404, 'Application %s is not in team %s.' % (app.name, team.name))
    team.applications.remove(app.key)
    app.team = ''
    return Response.empty(200)


def add_team_user(world, req):
    team = _team(world, req.params['team'])
    what = 'Failed to add user to team'
    fields = _body(req, what)
    user = world.governance.users.get(str(fields[0].get('userkey')).lower())
    if user is None:
        raise ApiError(400, "%s: user %s doesn't exist." % (what, fields[0].get('userkey')))
    team.members[user.key] = _role_in_body(world, fields[0].get('rolekey'), what).key
    return Response.empty(201)


def remove_team_user(world, req):
    team = _team(world, req.params['team'])
    user = _user(world, req.params['user'])
    if user.key not in team.members:
        raise ApiError(404, 'User %s is not in team %s.' % (user.username, team.name))
    del team.members[user.key]
    return Response.empty(200)


# -- database connections --------------------------------------------------------------------------

CONNECTION_FIELDS = ('dbConnectionName', 'providerKey', 'description', 'dbUsername', 'dbPassword', 'dbConfigParams')


def _connection_fields(world, req, what):
    """The six fields of DBConnection_Request_POST, all required (400 naming the first one missing)."""
    fields = _body(req, what)
    values = {name: _text(fields, name, what, empty=name not in ('dbConnectionName', 'providerKey')) for name in CONNECTION_FIELDS}
    values['dbConnectionName'] = values['dbConnectionName'].strip()
    if not any(key == values['providerKey'].lower() for _display, key in gov.DB_PROVIDERS):
        raise ApiError(400, '%s: provider %s does not exist; see .../dbconnection/dbproviders/.' % (what, values['providerKey']))
    return values


def list_connections(world, req):
    env = _environment(world, req.params['env'])
    return Response.listing([gov.connection_view(c) for c in world.governance.env_connections(env)])


def get_connection(world, req):
    env = _environment(world, req.params['env'])
    return Response.json(200, gov.connection_view(_connection(world, env, req.params['name'])))


def _store(world, env, connection, values):
    connection.name, connection.provider_key = values['dbConnectionName'], values['providerKey'].lower()
    connection.description, connection.username = values['description'], values['dbUsername']
    connection.password, connection.parameters = values['dbPassword'], values['dbConfigParams']
    world.governance.connections[env.key.lower(), connection.name.lower()] = connection
    if connection.name not in env.database_connections:
        env.database_connections.append(connection.name)


def create_connection(world, req):
    env = _environment(world, req.params['env'])
    values = _connection_fields(world, req, 'Failed to create DB connection')
    if world.governance.connection(env, values['dbConnectionName']) is not None:
        raise ApiError(400, "Failed to create DB connection: '%s' already exists in environment %s." % (values['dbConnectionName'], env.name))
    connection = gov.DbConnection(env.key, values['dbConnectionName'], values['providerKey'])
    _store(world, env, connection, values)
    return Response.json(201, gov.connection_view(connection))


def edit_connection(world, req):
    env = _environment(world, req.params['env'])
    connection = _connection(world, env, req.params['name'])
    values = _connection_fields(world, req, 'Failed to update DB connection')
    other = world.governance.connection(env, values['dbConnectionName'])
    if other is not None and other is not connection:
        raise ApiError(400, "Failed to update DB connection: '%s' already exists in environment %s." % (values['dbConnectionName'], env.name))
    if values['dbConnectionName'] != connection.name:  # renamed
        del world.governance.connections[env.key.lower(), connection.name.lower()]
        env.database_connections.remove(connection.name)
    _store(world, env, connection, values)
    return Response.empty(200)


def delete_connection(world, req):
    env = _environment(world, req.params['env'])
    connection = _connection(world, env, req.params['name'])
    del world.governance.connections[env.key.lower(), connection.name.lower()]
    env.database_connections.remove(connection.name)
    return Response.empty(204)


def _grantee(world, req, kind, ref):
    """The role (by name or key) or user (by username or key) a permission body or path names; 400 when there is none."""
    found = world.governance.role(ref) if kind == 'role' else world.governance.user(ref)
    if found is None or not isinstance(ref, str):
        raise ApiError(400, 'Failed to update the permission level: %s %s does not exist.' % (kind, ref))
    return found


def _levels(connection, kind):
    return connection.role_levels if kind == 'role' else connection.user_levels


def _set_permission(kind):
    def handler(world, req):
        env = _environment(world, req.params['env'])
        connection = _connection(world, env, req.params['name'])
        fields = _body(req, 'Failed to update the permission level')
        grantee = _grantee(world, req, kind, fields[0].get('role' if kind == 'role' else 'username'))
        _levels(connection, kind)[grantee.key] = world.governance.db_level(fields[0].get('permissionlevel'))[0]
        return Response.empty(200)
    return handler


def _revoke_permission(kind):
    def handler(world, req):
        env = _environment(world, req.params['env'])
        connection = _connection(world, env, req.params['name'])
        fields = _body(req, 'Failed to revoke the permission level')
        grantee = _grantee(world, req, kind, fields[0].get('role' if kind == 'role' else 'username'))
        _levels(connection, kind).pop(grantee.key, None)
        return Response.empty(200)
    return handler


def _get_permission(kind):
    def handler(world, req):
        env = _environment(world, req.params['env'])
        connection = _connection(world, env, req.params['name'])
        grantee = _grantee(world, req, kind, req.params['grantee'])
        return Response.json(200, gov.db_level_view(_levels(connection, kind).get(grantee.key, 0)))
    return handler


def providers(world, req):
    _environment(world, req.params['env'])
    return Response.listing([gov.provider_view(display, key) for display, key in gov.DB_PROVIDERS])


def db_permission_levels(world, req):
    return Response.json(200, [{'DbConnectionPermissionLevel': gov.db_level_view(level)} for level in range(len(gov.DB_LEVELS))])


def check_connection(world, req):
    env = _environment(world, req.params['env'])
    values = _connection_fields(world, req, 'Failed to test DB Connection')
    failure = world.governance.db_connection_test_failure
    if failure:
        raise ApiError(400, "Failed to test DB Connection '%s' in %s: %s" % (values['dbConnectionName'], env.name, failure))
    return Response.empty(200)


ROUTES = [
    Route('GET', 'roles/permissionlevels', permission_levels),  # before roles/{role}, which its path also matches
    Route('GET', 'roles', list_roles),
    Route('POST', 'roles', create_role),
    Route('GET', 'roles/{role}', get_role),
    Route('PUT', 'roles/{role}', update_role),
    Route('DELETE', 'roles/{role}', delete_role),
    Route('GET', 'users', list_users),
    Route('POST', 'users', create_user),
    Route('GET', 'users/{user}', get_user),
    Route('PUT', 'users/{user}', update_user),
    Route('GET', 'users/{user}/blockedlogins', blocked_logins),
    Route('DELETE', 'users/{user}/blockedlogins', unblock_logins),
    Route('POST', 'users/{user}/setpassword', set_password),
    Route('POST', 'users/{user}/applications', grant_application),
    Route('DELETE', 'users/{user}/applications/{app}', revoke_application),
    Route('GET', 'teams', list_teams),
    Route('POST', 'teams', create_team),
    Route('GET', 'teams/{team}', get_team),
    Route('PUT', 'teams/{team}', update_team),
    Route('DELETE', 'teams/{team}', delete_team),
    Route('POST', 'teams/{team}/applications', add_team_application),
    Route('DELETE', 'teams/{team}/applications/{app}', remove_team_application),
    Route('POST', 'teams/{team}/users', add_team_user),
    Route('DELETE', 'teams/{team}/users/{user}', remove_team_user),
    Route('GET', 'environments/dbconnection/permissionlevels', db_permission_levels),
    Route('GET', 'environments/{env}/dbconnection/dbproviders', providers),
    Route('GET', 'environments/{env}/dbconnections', list_connections),
    Route('POST', 'environments/{env}/dbconnections', create_connection),
    Route('GET', 'environments/{env}/dbconnections/{name}', get_connection),
    Route('PUT', 'environments/{env}/dbconnections/{name}', edit_connection),
    Route('DELETE', 'environments/{env}/dbconnections/{name}', delete_connection),
    Route('PUT', 'environments/{env}/dbconnections/{name}/rolepermissionlevel', _set_permission('role')),
    Route('DELETE', 'environments/{env}/dbconnections/{name}/rolepermissionlevel', _revoke_permission('role')),
    Route('GET', 'environments/{env}/dbconnections/{name}/rolepermissionlevel/{grantee}', _get_permission('role')),
    Route('PUT', 'environments/{env}/dbconnections/{name}/userpermissionlevel', _set_permission('user')),
    Route('DELETE', 'environments/{env}/dbconnections/{name}/userpermissionlevel', _revoke_permission('user')),
    Route('GET', 'environments/{env}/dbconnections/{name}/userpermissionlevel/{grantee}', _get_permission('user')),
    Route('POST', 'environments/{env}/testdbconnection', check_connection),
]
