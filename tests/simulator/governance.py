# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Users, roles, teams and database connections: their state, the World helpers tests read, and their JSON views.

The operations are served by governance_routes.py, as the published definition declares them (README.md,
Behaviour, Governance, for every guess where it is silent). Passwords are kept (``User.password``,
``DbConnection.password``) so tests can check what was set, and no view ever carries them.
"""

from __future__ import annotations

import dataclasses
import datetime

from tests.simulator.model import ApiError, derived_key, iso

# Role permission levels per environment, in LifeTime's own labels (README.md: the numbers are a guess).
ROLE_LEVELS = (
    (0, 'No Access', 'Cannot access the environment.'),
    (1, 'Monitor and Add Dependencies', 'Can monitor applications and reuse their elements.'),
    (2, 'Open Applications', 'Can open and debug applications in Service Studio.'),
    (3, 'Deploy Applications', 'Can deploy applications to the environment.'),
    (4, 'Change and Deploy Applications', 'Can change, publish and deploy applications.'),
    (5, 'Full Control', 'Can do everything in the environment.'),
)
# Database connection permission levels: the three the definition names (Full Control, No Access, Read-Only).
DB_LEVELS = (
    (0, 'No Access', 'None', 'Cannot use the database connection.'),
    (1, 'Read-Only', 'Read', 'Can read data through the database connection.'),
    (2, 'Full Control', 'Full', 'Can read and change data through the database connection.'),
)
DB_PROVIDERS = (('SQL Server', 'sqlserver'), ('Oracle', 'oracle'), ('MySQL', 'mysql'), ('PostgreSQL', 'postgresql'))
REDACTED = '********'

# The default governance world: LifeTime's built-in roles, a few people, teams for the applications' teams.
DEFAULT_GOVERNANCE = {
    'roles': [
        {'name': 'Administrator', 'reserved': True, 'manage_infrastructure': True, 'manage_teams': True, 'levels': 'Full Control'},
        {'name': 'Developer', 'levels': {'Development': 'Change and Deploy Applications', 'Quality Assurance': 'Deploy Applications',
                                         'Production': 'Monitor and Add Dependencies'}, 'create_applications': ['Development']},
        {'name': 'Tester', 'levels': {'Development': 'Open Applications', 'Quality Assurance': 'Open Applications',
                                      'Production': 'No Access'}},
        {'name': 'Release Manager', 'manage_teams': True, 'levels': 'Deploy Applications'},
    ],
    'users': [
        {'username': 'admin', 'name': 'Administrator', 'email': 'admin@company.com', 'role': 'Administrator'},
        {'username': 'ana.silva', 'name': 'Ana Silva', 'email': 'ana.silva@company.com', 'role': 'Developer'},
        {'username': 'joao.costa', 'name': 'Joao Costa', 'email': 'joao.costa@company.com', 'role': 'Tester'},
        {'username': 'maria.lopes', 'name': 'Maria Lopes', 'email': 'maria.lopes@company.com', 'role': 'Release Manager'},
        {'username': 'old.contractor', 'name': 'Old Contractor', 'email': 'old.contractor@company.com', 'role': 'Developer',
         'active': False},
    ],
    'teams': [
        {'name': 'Digital', 'description': 'Customer-facing applications', 'members': {'ana.silva': 'Developer', 'joao.costa': 'Tester'}},
        {'name': 'Integration', 'description': 'APIs and integrations', 'members': {'maria.lopes': 'Developer'}},
        {'name': 'Finance', 'description': 'Billing'},
    ],
    'db_connections': {
        'Production': [{'name': 'ReportingDB', 'provider': 'SQL Server', 'description': 'Reporting warehouse', 'username': 'reporting',
                        'password': 'reporting-secret', 'parameters': 'Server=sql.company.com;Database=Reporting',
                        'roles': {'Developer': 'Read-Only'}}],
    },
}


@dataclasses.dataclass
class Role:
    key: str
    name: str
    manage_infrastructure: bool = False
    manage_teams: bool = False
    reserved: bool = False
    # environment key (lower case) -> {'level': int, 'create_applications': bool, 'add_dependencies_to_system': bool}
    permissions: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class User:
    key: str
    username: str
    name: str
    email: str
    role_key: str
    is_active: bool = True
    password: str = None  # write-only in the API
    application_roles: dict = dataclasses.field(default_factory=dict)  # application key -> role key
    blocked_logins: list = dataclasses.field(default_factory=list)  # dicts of PlatformLoginAttempt fields (snake_case)


@dataclasses.dataclass
class Team:
    key: str
    name: str
    description: str = ''
    members: dict = dataclasses.field(default_factory=dict)  # user key -> role key, in the order they were added
    applications: list = dataclasses.field(default_factory=list)  # application keys


@dataclasses.dataclass
class DbConnection:
    env_key: str
    name: str
    provider_key: str
    description: str = ''
    username: str = ''
    password: str = None
    parameters: str = ''
    role_levels: dict = dataclasses.field(default_factory=dict)  # role key -> level
    user_levels: dict = dataclasses.field(default_factory=dict)  # user key -> level


class Governance:
    """The users, roles, teams and database connections of one LifeTime."""

    def __init__(self, world):
        self.world = world
        self.roles = {}  # key lower -> Role
        self.users = {}
        self.teams = {}
        self.connections = {}  # (env key lower, name lower) -> DbConnection
        self.external_authentication = False
        self.db_connection_test_failure = None  # the message a connection test fails with, or None

    # -- lookups (key or name, case-insensitive) ---------------------------------------------------

    def role(self, ref):
        return _find(self.roles, ref, 'name')

    def user(self, ref):
        return _find(self.users, ref, 'username')

    def team(self, ref):
        return _find(self.teams, ref, 'name')

    def connection(self, env, name):
        self.sync_connections(env)
        return self.connections.get((env.key.lower(), str(name).lower()))

    def sync_connections(self, env):
        """Names the deployment side knows (env.database_connections) are connections here too, and the other way round."""
        for name in env.database_connections:
            if (env.key.lower(), name.lower()) not in self.connections:
                self.connections[env.key.lower(), name.lower()] = DbConnection(env.key, name, DB_PROVIDERS[0][1])
        for connection in self.connections.values():
            if connection.env_key == env.key and connection.name not in env.database_connections:
                env.database_connections.append(connection.name)

    def env_connections(self, env):
        self.sync_connections(env)
        return sorted((c for c in self.connections.values() if c.env_key == env.key), key=lambda c: c.name.lower())

    def role_level(self, ref):
        """A role permission level by number or label (case-insensitive); ApiError 400 otherwise."""
        return _level(ROLE_LEVELS, ref, 'role permission level')

    def db_level(self, ref):
        return _level(DB_LEVELS, ref, 'database connection permission level')

    # -- building (scenarios, generated worlds, test helpers) ----------------------------------------

    def add_role(self, name, *, key=None, manage_infrastructure=False, manage_teams=False, reserved=False, levels='No Access',
                 create_applications=(), add_dependencies=()):
        """``levels``: one level for every environment, or {environment: level}; the others get No Access."""
        role = Role(key or derived_key('role', name), name, manage_infrastructure, manage_teams, reserved)
        for env in self.world.environments():
            level = levels if not isinstance(levels, dict) else levels.get(env.name, levels.get(env.key, 'No Access'))
            role.permissions[env.key.lower()] = {'level': self.role_level(level)[0],
                                                 'create_applications': env.name in create_applications,
                                                 'add_dependencies_to_system': env.name in add_dependencies}
        self.roles[role.key.lower()] = role
        return role

    def add_user(self, username, *, name=None, email=None, role='Developer', key=None, active=True, password=None):
        found = self.role(role)
        if found is None:
            raise ValueError('the simulator has no role %r' % (role,))
        user = User(key or derived_key('user', username), username, name or username, email or '%s@company.com' % username,
                    found.key, active, password)
        self.users[user.key.lower()] = user
        return user

    def add_team(self, name, *, key=None, description='', members=None, applications=()):
        team = Team(key or derived_key('team', name), name, description)
        for user, role in (members or {}).items():
            team.members[self.user(user).key] = self.role(role).key
        for app in applications:
            self.place_application(team, self.world.application(app))
        self.teams[team.key.lower()] = team
        return team

    def place_application(self, team, app):
        """An application belongs to one team: adding it to this one takes it out of any other."""
        for other in self.teams.values():
            if app.key in other.applications and other is not team:
                other.applications.remove(app.key)
        if app.key not in team.applications:
            team.applications.append(app.key)
        app.team = team.name

    def add_connection(self, env_ref, name, *, provider='SQL Server', description='', username='', password=None, parameters='',
                       roles=None, users=None):
        env = self.world.environment(env_ref)
        key = next((k for display, k in DB_PROVIDERS if provider in (display, k)), None)
        if key is None:
            raise ValueError('the simulator has no database provider %r' % (provider,))
        connection = DbConnection(env.key, name, key, description, username, password, parameters)
        connection.role_levels = {self.role(r).key: self.db_level(level)[0] for r, level in (roles or {}).items()}
        connection.user_levels = {self.user(u).key: self.db_level(level)[0] for u, level in (users or {}).items()}
        self.connections[env.key.lower(), name.lower()] = connection
        if name not in env.database_connections:
            env.database_connections.append(name)
        return connection

    def load(self, spec, strict=True):
        """Add what a scenario's ``governance`` section describes; not ``strict``: leave out connections of missing environments."""
        for role in spec.get('roles') or []:
            role = dict(role)
            self.add_role(role.pop('name'), **role)
        for user in spec.get('users') or []:
            user = dict(user)
            self.add_user(user.pop('username'), **user)
        for team in spec.get('teams') or []:
            team = dict(team)
            self.add_team(team.pop('name'), **team)
        for app in self.world.applications():  # the applications' own team names (the deployment side's "Team")
            team = self.team(app.team) if app.team else None
            if app.team and team is None:
                team = self.add_team(app.team)
            if team is not None and app.key not in team.applications:
                self.place_application(team, app)
        for env_name, connections in (spec.get('db_connections') or {}).items():
            if not strict and self.world.find_environment(env_name) is None:
                continue  # the default governance in a world without that environment
            for connection in connections:
                connection = dict(connection)
                self.add_connection(env_name, connection.pop('name'), **connection)

    def generate(self, users=0, teams=0):
        """``users`` synthetic users user0001... (Developers) and ``teams`` teams Team001..., users spread over the teams."""
        made = [self.add_user('user%04d' % index, name='User %04d' % index, role='Developer') for index in range(1, users + 1)]
        for index in range(1, teams + 1):
            members = {u.key: 'Developer' for position, u in enumerate(made) if position % teams == index - 1}
            self.add_team('Team%03d' % index, description='Generated team %d' % index, members=members)


def _find(index, ref, name_field):
    if ref is None:
        return None
    ref = getattr(ref, 'key', ref)
    found = index.get(str(ref).lower())
    if found is None:
        lowered = str(ref).lower()
        found = next((o for o in index.values() if getattr(o, name_field).lower() == lowered), None)
    return found


def _level(levels, ref, what):
    for level in levels:
        if ref == level[0] and not isinstance(ref, bool) or (isinstance(ref, str) and ref.strip().lower() == level[1].lower()):
            return level
    raise ApiError(400, "Invalid %s '%s': use one of %s." % (what, ref, ', '.join('%d (%s)' % (lv[0], lv[1]) for lv in levels)))


class GovernanceHelpers:
    """The World's helpers for users, roles, teams and database connections (README.md, State helpers)."""

    governance = None  # a Governance, set by the scenario

    def users(self, include_inactive=True):
        with self.lock:
            return sorted((u for u in self.governance.users.values() if include_inactive or u.is_active), key=lambda u: u.username.lower())

    def roles(self):
        with self.lock:
            return sorted(self.governance.roles.values(), key=lambda r: r.name.lower())

    def teams(self):
        with self.lock:
            return sorted(self.governance.teams.values(), key=lambda t: t.name.lower())

    def db_connections(self, env_ref):
        with self.lock:
            return self.governance.env_connections(self.environment(env_ref))

    def find_user(self, ref):
        return self.governance.user(ref)

    def find_role(self, ref):
        return self.governance.role(ref)

    def find_team(self, ref):
        return self.governance.team(ref)

    def find_db_connection(self, env_ref, name):
        with self.lock:
            return self.governance.connection(self.environment(env_ref), name)

    def add_role(self, name, **fields):
        with self.lock:
            return self.governance.add_role(name, **fields)

    def add_user(self, username, **fields):
        with self.lock:
            return self.governance.add_user(username, **fields)

    def add_team(self, name, **fields):
        with self.lock:
            return self.governance.add_team(name, **fields)

    def add_db_connection(self, env_ref, name, **fields):
        with self.lock:
            return self.governance.add_connection(env_ref, name, **fields)

    def block_login(self, user_ref, *, ip_address='10.0.0.7', environment=None, failures=5):
        """The user's login is blocked after ``failures`` failed attempts from ``ip_address`` (in ``environment``, or LifeTime's)."""
        with self.lock:
            user = self.governance.user(user_ref)
            env = self.environment(environment) if environment else None
            user.blocked_logins.append({'ip_address': ip_address, 'env_key': env.key if env else None,
                                        'env_name': env.name if env else 'LifeTime', 'failures': int(failures),
                                        'instant': self.now()})

    def fail_db_connection_tests(self, message='Login failed for user.'):
        """From now on POST .../testdbconnection/ answers 400 with this message (None: connection tests succeed again)."""
        with self.lock:
            self.governance.db_connection_test_failure = message

    def governance_summary(self):
        """Users, roles, teams and database connections as plain data (never a password)."""
        with self.lock:
            gov = self.governance
            return {
                'roles': [{'key': r.key, 'name': r.name, 'levels': {self.env_index[k].name: ROLE_LEVELS[p['level']][1]
                                                                    for k, p in r.permissions.items() if k in self.env_index}}
                          for r in self.roles()],
                'users': [{'key': u.key, 'username': u.username, 'role': gov.roles[u.role_key.lower()].name, 'active': u.is_active,
                           'has_password': u.password is not None} for u in self.users()],
                'teams': [{'key': t.key, 'name': t.name, 'members': sorted(gov.users[k.lower()].username for k in t.members),
                           'applications': sorted(self.app_index[k.lower()].name for k in t.applications)} for t in self.teams()],
                'db_connections': {env.name: [c.name for c in gov.env_connections(env)] for env in self.environments()},
            }


# -- views: the JSON LifeTime answers, with the definition's field names and casing ----------------------

def role_view(world, role, include_permissions=True):
    permissions = []
    if include_permissions:
        for env in world.environments():
            grant = role.permissions.get(env.key.lower()) or {'level': 0, 'create_applications': False, 'add_dependencies_to_system': False}
            permissions.append({'environmentKey': env.key, 'environmentName': env.name, 'level': grant['level'],
                                'levelLabel': ROLE_LEVELS[grant['level']][1], 'createApplications': grant['create_applications'],
                                'addDependenciesToSystem': grant['add_dependencies_to_system']})
    return {'key': role.key, 'name': role.name, 'manageInfrastructure': role.manage_infrastructure, 'manageTeams': role.manage_teams,
            'environmentPermissions': permissions}


def permission_levels_view():
    return [{'level': level, 'levelLabel': label, 'description': description} for level, label, description in ROLE_LEVELS]


def user_view(world, user, include_teams=True, include_application_roles=True):
    gov = world.governance
    role = gov.roles[user.role_key.lower()]
    app_roles = []
    if include_application_roles:
        for app_key, role_key in user.application_roles.items():
            app, app_role = world.app_index.get(app_key.lower()), gov.roles.get(role_key.lower())
            app_roles.append({'applicationKey': app_key, 'applicationName': app.name if app else '', 'roleKey': role_key,
                              'roleName': app_role.name if app_role else ''})
    teams = []
    if include_teams:
        for team in world.teams():
            if user.key in team.members:
                team_role = gov.roles.get(team.members[user.key].lower())
                teams.append({'TeamKey': team.key, 'TeamName': team.name, 'RoleKey': team.members[user.key],
                              'RoleName': team_role.name if team_role else ''})
    return {'Key': user.key, 'Username': user.username, 'Name': user.name, 'Email': user.email, 'IsActive': user.is_active,
            'RoleKey': role.key, 'RoleName': role.name, 'ApplicationRoles': app_roles, 'Teams': teams}


def team_view(world, team, include_users=True, include_applications=True):
    gov = world.governance
    users = []
    if include_users:
        for user_key, role_key in team.members.items():
            user, role = gov.users[user_key.lower()], gov.roles.get(role_key.lower())
            users.append({'UserKey': user.key, 'Name': user.name, 'Username': user.username, 'RoleKey': role_key,
                          'RoleName': role.name if role else ''})
    apps = []
    if include_applications:
        apps = [{'Key': key, 'Name': world.app_index[key.lower()].name} for key in team.applications if key.lower() in world.app_index]
    return {'key': team.key, 'name': team.name, 'description': team.description, 'users': users, 'applications': apps}


def connection_view(connection):
    provider = next((display for display, key in DB_PROVIDERS if key == connection.provider_key), connection.provider_key)
    return {'dbConnectionName': connection.name, 'description': connection.description, 'providerName': provider,
            'isAdvancedConfiguration': bool(connection.parameters), 'databaseConfiguration': connection.parameters}


def db_level_view(level):
    number, label, short, description = DB_LEVELS[level]
    return {'Id': number + 1, 'Label': label, 'ShortLabel': short, 'Description': description, 'Level': number}


def provider_view(display, key):
    return {'DisplayName': display, 'ProviderKey': key}


def login_attempt_view(user, attempt, number):
    return {'userId': int(user.key.replace('-', '')[:6], 16) % 100000, 'username': user.username, 'success': False,
            'instant': iso(attempt['instant'] - datetime.timedelta(seconds=number)), 'ipAddress': attempt['ip_address'],
            'usernameFailureCount': attempt['failures'], 'originAddressFailureCount': attempt['failures'],
            'userAgent': 'Mozilla/5.0', 'visitor': derived_key('visitor', user.key, attempt['ip_address']),
            'requestKey': derived_key('request', user.key, number), 'result': 'Blocked',
            'environmentId': 0 if attempt['env_key'] is None else number + 1, 'environmentName': attempt['env_name']}


def redact_passwords(document):
    """The document with the value of every field whose name mentions a password replaced (request log, summaries)."""
    if isinstance(document, dict):
        return {k: (REDACTED if 'password' in str(k).lower() and v is not None else redact_passwords(v)) for k, v in document.items()}
    if isinstance(document, list):
        return [redact_passwords(item) for item in document]
    return document
