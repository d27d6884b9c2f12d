# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract: the simulator answers every operation it serves as the published Swagger definition says.

For each operation the simulator routes, a recipe calls it (on a fresh simulator of the database-mappings world,
the default world plus an extension with a logical database), with and without each optional boolean query
parameter (a required one is sent true and false), and also with an unknown key. Each answer must have a status
the operation documents, a body that validates against that status's schema (no body where it documents none), and
every property the schema declares, nested ones included. Together the answers must show every property of every
structure the served operations answer with. Departures are listed, with their reasons, in departures.py and
tests/simulator/README.md. The same runs against an older LifeTime (lifetime_version 11.20.0).
"""

from __future__ import annotations

import itertools
import json
import os
import uuid

import pytest

from tests.contract import departures
from tests.contract.definition import DefinitionError, load, parse, raw_bytes
from tests.simulator import Simulator, routes
from tests.simulator.client import Client, key_of
from tests.simulator.model import DEFAULT_LIFETIME_VERSION
from tests.simulator.scenario import DATABASE_MAPPINGS_SCENARIO as SCENARIO, build_world

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIMULATOR_README = os.path.join(REPO_ROOT, 'tests', 'simulator', 'README.md')
OLDER_LIFETIME = '11.20.0'
DEFINITION = load()


def served_operations(world=None):
    """{operationId: Operation} of every API route of the simulator (download links aside)."""
    served = {}
    for route in routes.ROUTES:
        if route.feature and world is not None and not world.supports(route.feature):
            continue
        if route.pattern == 'downloads/{link}':
            continue
        op = DEFINITION.find(route.method, '/%s/' % route.pattern)
        assert op is not None, 'the simulator serves %s %s, which the definition does not have' % (route.method, route.pattern)
        served[op.id] = op
    return served


class Calls:
    """Set-ups and calls on one simulator; each recipe returns the replies to check."""

    def __init__(self, sim):
        self.sim = sim
        self.state = sim.state
        self.api = Client(sim)
        self.dev = self.state.environment('Development').key
        self.qa = self.state.environment('Quality Assurance').key
        self.prd = self.state.environment('Production').key

    def key(self, app):
        return self.state.application(app).key

    def version(self, app, number):
        return self.state.version(app, number).key

    def module(self, name):
        return next(m for m in self.state.module_index.values() if m.name == name)

    def plan(self, app='EmployeeBackoffice', number='1.3', source=None, target=None, start=False):
        body = {'ApplicationOperations': [{'ApplicationVersionKey': self.version(app, number), 'DeploymentZoneKey': ''}],
                'Notes': 'contract', 'SourceEnvironmentKey': source or self.dev, 'TargetEnvironmentKey': target or self.prd}
        reply = self.api.post('/deployments/', body)
        assert reply.status == 201, reply
        key = key_of(reply)
        if start:
            assert self.api.post('/deployments/%s/start/' % key).status == 202
        return key

    def billing_plan(self, start=True):
        """A plan that needs the logical database BillingDB mapped in Production."""
        return self.plan('Billing', '1.1', source=self.qa, start=start)

    def package(self, app='Google Maps Web'):
        link = self.api.get('/environments/%s/applications/%s/content/' % (self.dev, self.key(app))).json()
        return self.api.get(link['url']).body

    def binary_plan(self):
        reply = self.api.post('/environments/%s/deployment/' % self.qa, body=self.package(),
                              headers={'Content-Type': 'application/octet-stream'})
        assert reply.status == 201, reply
        return key_of(reply)

    def solution(self):
        body = {'SolutionName': 'Contract', 'ApplicationKeys': [self.key('EmployeeBackoffice')], 'IncludeReferences': True}
        return key_of(self.api.post('/environments/%s/solution' % self.dev, body))

    def source(self, owner):
        reply = self.api.post('/environments/%s/%s/sourcecodeaccess/' % (self.dev, owner))
        assert reply.status == 200, reply
        return reply.json()['PackageKey']


def _app_owner(c):
    return 'applications/%s' % c.key('Billing')


def _module_owner(c):
    return 'modules/%s' % c.module('Billing').key


def _statuses(c, q):
    c.state.add_outcome_rule('finished_with_warnings', application='Customer Portal', once=True)
    c.state.add_outcome_rule('finished_with_errors', application='Orders API', once=True)
    keys = [c.plan(start=True), c.plan('Customer Portal', '2.1', start=True, target=c.qa),
            c.plan('Orders API', '1.0', source=c.qa, start=True), c.billing_plan()]
    return [c.api.get('/deployments/%s/status/' % key, query=q) for key in keys]


def _details(c, q):
    c.state.add_conflict_rule(application='EmployeeBackoffice', once=True)
    return [c.api.get('/deployments/%s/' % key, query=q) for key in (c.plan(), c.binary_plan())]


def _configure(c, q):
    key = c.billing_plan()
    body = [{'ExtensionKey': c.module('BillingDatabase').key,
             'DBMapping': [{'LogicalDatabaseName': 'BillingDB', 'DatabaseName': 'BillingProduction'}]}]
    reply = c.api.post('/deployments/%s/configuration/' % key, body, query=q)
    assert c.state.database_mappings('Production')[0]['connection'] == 'BillingProduction'
    return [reply]


def _tag(c, q):
    c.state.mark_modified('Development', 'EmployeeBackoffice')
    return [c.api.post('/environments/%s/applications/%s/versions/' % (c.dev, c.key('EmployeeBackoffice')),
                       {'Version': '1.4', 'ChangeLog': 'contract', 'MobileVersions': []}, query=q)]


def _block(c, q):
    body = {'configurations': [{'environmentKey': c.prd, 'isBlocked': True, 'isBlockedChangeReason': 'release freeze'}]}
    reply = c.api.put('/applications/%s/configurations/' % c.key('Billing'), body, query=q)
    assert c.state.application_configuration('Billing', 'Production') == {'is_blocked': True, 'reason': 'release freeze'}
    return [reply]


def _configurations(c, q):
    c.state.set_application_blocked('Billing', 'Production', reason='release freeze')
    return [c.api.get('/applications/%s/configurations/' % c.key('Billing'), query=q)]


def _update(c, q):
    body = {'Notes': 'changed', 'SourceEnvironmentKey': c.qa, 'TargetEnvironmentKey': c.prd,
            'ApplicationOperations': [{'ApplicationVersionKey': c.version('EmployeeBackoffice', '1.2'), 'DeploymentZoneKey': ''}]}
    return [c.api.put('/deployments/%s/' % c.plan(), body, query=q)]


# -- users, roles, teams and database connections --------------------------------------------------------------

def _role_body(c, name='Contract Role'):
    return {'name': name, 'manageInfrastructure': False, 'manageTeams': True, 'environmentPermissions': [
        {'environmentKey': env.key, 'level': 2, 'createApplications': True, 'addDependenciesToSystem': False}
        for env in c.state.environments()]}


def _role(c, name='Developer'):
    return c.state.find_role(name).key


def _user(c, name='ana.silva'):
    return c.state.find_user(name).key


def _team(c, name='Digital'):
    return c.state.find_team(name).key


def _users(c, q):
    c.state.find_user('ana.silva').application_roles[c.key('Billing')] = _role(c, 'Tester')
    return [c.api.get('/users/', query=q)]


def _user_get(c, q):
    c.state.find_user('ana.silva').application_roles[c.key('Billing')] = _role(c, 'Tester')
    return [c.api.get('/users/%s/' % _user(c), query=q)]


def _blocked(c, q):
    c.state.block_login('ana.silva', environment='Production')
    return [c.api.get('/users/%s/blockedlogins/' % _user(c), query=q)]


def _delete_role(c, q):
    """A role a user holds (by default, in an application and in a team), deleted with the role that replaces it."""
    doomed = c.state.add_role('Doomed %s' % uuid.uuid4(), levels='Open Applications').key
    c.state.add_user('holder-%s' % uuid.uuid4(), role=doomed).application_roles[c.key('Billing')] = doomed
    return [c.api.delete('/roles/%s/' % doomed, query=dict(q, UsersNewRoleKey=_role(c)))]


def _revoke(c, q):
    c.state.find_user('ana.silva').application_roles[c.key('Billing')] = _role(c, 'Tester')
    return [c.api.delete('/users/%s/applications/%s/' % (_user(c), c.key('Billing')), query=q)]


def _connection_body(name='ContractDB', password='contract-secret'):
    return {'dbConnectionName': name, 'providerKey': 'sqlserver', 'description': 'contract', 'dbUsername': 'contract',
            'dbPassword': password, 'dbConfigParams': 'Server=sql.company.com;Database=Contract'}


def _connection(c):
    return '/environments/%s/dbconnections/ReportingDB/' % c.prd


GOVERNANCE_RECIPES = {
    'Roles_List': lambda c, q: [c.api.get('/roles/', query=q)],
    'Roles_Create': lambda c, q: [c.api.post('/roles/', _role_body(c), query=q)],
    'Roles_Get': lambda c, q: [c.api.get('/roles/%s/' % _role(c), query=q)],
    'Roles_Update': lambda c, q: [c.api.put('/roles/%s/' % _role(c), _role_body(c, 'Developer'), query=q)],
    'Roles_Delete': _delete_role,
    'Roles_PermissionLevels': lambda c, q: [c.api.get('/roles/permissionlevels/', query=q)],
    'Users_List': _users,
    'Users_Create': lambda c, q: [c.api.post('/users/', {'Username': 'new.person', 'Name': 'New Person', 'Email': 'new.person@company.com',
                                                         'RoleKey': _role(c)}, query=q)],
    'Users_Get': _user_get,
    'Users_Update': lambda c, q: [c.api.put('/users/%s/' % _user(c), {'Name': 'Ana M. Silva', 'IsActive': False}, query=q)],
    'User_BlockedLogins_Get': _blocked,
    'User_BlockedLogins_Unblock': lambda c, q: [c.api.delete('/users/%s/blockedlogins/' % _user(c), query=q)],
    'Users_SetPassword': lambda c, q: [c.api.post('/users/%s/setpassword/' % _user(c), {'password': 'Contract-1'}, query=q)],
    'Users_GrantApp': lambda c, q: [c.api.post('/users/%s/applications/' % _user(c), {'applicationKey': c.key('Billing'),
                                                                                      'roleKey': _role(c)}, query=q)],
    'Users_RevokeApp': _revoke,
    'Teams_List': lambda c, q: [c.api.get('/teams/', query=q)],
    'Teams_Create': lambda c, q: [c.api.post('/teams/', {'name': 'Contract', 'description': 'contract'}, query=q)],
    'Teams_Get': lambda c, q: [c.api.get('/teams/%s/' % _team(c), query=q)],
    'Teams_Update': lambda c, q: [c.api.put('/teams/%s/' % _team(c), {'name': 'Digital', 'description': 'changed'}, query=q)],
    'Teams_Delete': lambda c, q: [c.api.delete('/teams/%s/' % _team(c, 'Finance'), query=q)],
    'Teams_AddApplication': lambda c, q: [c.api.post('/teams/%s/applications/' % _team(c), {'Key': c.key('Billing')}, query=q)],
    'Teams_RemApplication': lambda c, q: [c.api.delete('/teams/%s/applications/%s' % (_team(c), c.key('Customer Portal')), query=q)],
    'Teams_AddUser': lambda c, q: [c.api.post('/teams/%s/users/' % _team(c), {'userKey': _user(c, 'admin'), 'roleKey': _role(c)}, query=q)],
    'Teams_RemUser': lambda c, q: [c.api.delete('/teams/%s/users/%s/' % (_team(c), _user(c)), query=q)],
    'Environments_DBConnections_List': lambda c, q: [c.api.get('/environments/%s/dbconnections/' % c.prd, query=q)],
    'Environments_DBConnections_Create': lambda c, q: [c.api.post('/environments/%s/dbconnections/' % c.prd, _connection_body(), query=q)],
    'Environments_DBConnections_Get': lambda c, q: [c.api.get(_connection(c), query=q)],
    'Environments_DBConnections_Edit': lambda c, q: [c.api.put(_connection(c), _connection_body('ReportingDB'), query=q)],
    'Environments_DBConnections_Delete': lambda c, q: [c.api.delete(_connection(c), query=q)],
    'Environments_DBConnections_SetRolePermissions': lambda c, q: [c.api.put(_connection(c) + 'rolepermissionlevel/', {
        'role': 'Tester', 'permissionLevel': 1}, query=q)],
    'Environments_DBConnections_RevokeRolePermissions': lambda c, q: [c.api.delete(_connection(c) + 'rolepermissionlevel/',
                                                                                   json_body={'role': 'Developer'}, query=q)],
    'Environments_DBConnections_GetRolePermissions': lambda c, q: [c.api.get(_connection(c) + 'rolepermissionlevel/Developer/', query=q)],
    'Environments_DBConnections_SetUserPermissions': lambda c, q: [c.api.put(_connection(c) + 'userpermissionlevel/', {
        'username': 'ana.silva', 'permissionLevel': 2}, query=q)],
    'Environments_DBConnections_RevokeUserPermissions': lambda c, q: [c.api.delete(_connection(c) + 'userpermissionlevel/',
                                                                                   json_body={'username': 'ana.silva'}, query=q)],
    'Environments_DBConnections_GetUserPermissions': lambda c, q: [c.api.get(_connection(c) + 'userpermissionlevel/ana.silva/', query=q)],
    'Environments_DBConnections_ListProviders': lambda c, q: [c.api.get('/environments/%s/dbconnection/dbproviders/' % c.prd, query=q)],
    'Environments_DBConnections_ListPermissionLevels': lambda c, q: [c.api.get('/environments/dbconnection/permissionlevels/', query=q)],
    'Environments_DBConnections_TestConnection': lambda c, q: [c.api.post('/environments/%s/testdbconnection/' % c.prd, _connection_body(),
                                                                          query=q)],
}


# operationId -> recipe(calls, query) -> replies. Every operation the simulator serves needs one (a test checks).
RECIPES = {
    'Applications_List': lambda c, q: [c.api.get('/applications/', query=q)],
    'Applications_Get': lambda c, q: [c.api.get('/applications/%s/' % c.key(app), query=q) for app in ('Directory Mobile', 'Billing')],
    'Applications_Configurations_Get': _configurations,
    'Applications_Configurations_Update': _block,
    'Applications_Versions_List': lambda c, q: [c.api.get('/applications/%s/versions/' % c.key('Directory Mobile'), query=dict(q, **more))
                                                for more in ({}, {'ChangeLogFilter': 'no such change'})],
    'Applications_Versions_Delete': lambda c, q: [c.api.delete('/applications/%s/versions/%s/' % (
        c.key('EmployeeBackoffice'), c.version('EmployeeBackoffice', '1.0')), query=q)],
    'Applications_Versions_Get': lambda c, q: [c.api.get('/applications/%s/versions/%s/' % (
        c.key('Directory Mobile'), c.version('Directory Mobile', '0.4')), query=q)],
    'Applications_Versions_Download': lambda c, q: [c.api.get('/applications/%s/versions/%s/content/' % (
        c.key('EmployeeBackoffice'), c.version('EmployeeBackoffice', '1.1')), query=q)],
    'Deployments_Create': lambda c, q: [c.api.post('/deployments/', {
        'ApplicationOperations': [{'ApplicationVersionKey': c.version('EmployeeBackoffice', '1.3'), 'DeploymentZoneKey': ''}],
        'Notes': 'contract', 'SourceEnvironmentKey': c.dev, 'TargetEnvironmentKey': c.prd}, query=q)],
    'Deployments_List': lambda c, q: [c.api.get('/deployments/', query=q)],
    'Deployments_Delete': lambda c, q: [c.api.delete('/deployments/%s/' % c.plan(), query=q)],
    'Deployments_Update': _update,
    'Deployments_Get': _details,
    'Deployments_ExecuteCommand': lambda c, q: [c.api.post('/deployments/%s/start/' % c.plan(), query=q)],
    'Deployments_GetStatus': _statuses,
    'Deployments_GetMissingDbMappings': lambda c, q: [c.api.get('/deployments/%s/getmissingdbmappings/' % c.billing_plan(False),
                                                                query=q)],
    'Deployments_Configuration': _configure,
    'Environments_List': lambda c, q: [c.api.get('/environments/', query=q)],
    'Environments_Get': lambda c, q: [c.api.get('/environments/%s/' % c.prd, query=q)],
    'Environments_GetRunningApps': lambda c, q: [c.api.get('/environments/%s/applications/' % c.dev, query=q)],
    'Environments_GetRunningApp': lambda c, q: [c.api.get('/environments/%s/applications/%s/' % (c.dev, c.key('Directory Mobile')),
                                                          query=q)],
    'Environments_DownloadRunningApp': lambda c, q: [c.api.get('/environments/%s/applications/%s/content/' % (
        c.dev, c.key('Directory Mobile')), query=dict(q, Type=kind)) for kind in ('oap', 'apk', 'ipa')],
    'Environments_Applications_SourceCode': lambda c, q: [c.api.post('/environments/%s/%s/sourcecodeaccess/' % (c.dev, _app_owner(c)),
                                                                     query=q)],
    'Environments_Applications_SourceCode_Status': lambda c, q: [c.api.get('/environments/%s/%s/sourcecodeaccess/%s/status/' % (
        c.dev, _app_owner(c), c.source(_app_owner(c))), query=q)],
    'Environments_Applications_DownloadSourceCode': lambda c, q: [c.api.get('/environments/%s/%s/sourcecodeaccess/%s/download/' % (
        c.dev, _app_owner(c), c.source(_app_owner(c))), query=q)],
    'Environments_Modules_SourceCode': lambda c, q: [c.api.post('/environments/%s/%s/sourcecodeaccess/' % (c.dev, _module_owner(c)),
                                                                query=q)],
    'Environments_Modules_SourceCode_Status': lambda c, q: [c.api.get('/environments/%s/%s/sourcecodeaccess/%s/status/' % (
        c.dev, _module_owner(c), c.source(_module_owner(c))), query=q)],
    'Environments_Modules_DownloadSourceCode': lambda c, q: [c.api.get('/environments/%s/%s/sourcecodeaccess/%s/download/' % (
        c.dev, _module_owner(c), c.source(_module_owner(c))), query=q)],
    'Environments_Applications_Versions_Create': _tag,
    'Environments_GetDeploymentZones': lambda c, q: [c.api.get('/environments/%s/deploymentzones/' % c.prd, query=q)],
    'Deployments_CreateWithBinary': lambda c, q: [c.api.post('/environments/%s/deployment/' % c.qa, body=c.package(), query=q,
                                                             headers={'Content-Type': 'application/octet-stream'})],
    'Environments_SolutionCreate': lambda c, q: [c.api.post('/environments/%s/solution' % c.dev, {
        'SolutionName': 'Contract', 'ApplicationKeys': [c.key('EmployeeBackoffice')], 'IncludeReferences': True}, query=q)],
    'Environments_SolutionStatus': lambda c, q: [c.api.get('/environments/%s/solutionstatus/%s' % (c.dev, c.solution()), query=q)],
    'Environments_SolutionDownload': lambda c, q: [c.api.get('/environments/%s/solution/%s' % (c.dev, c.solution()), query=q)],
    'Modules_List': lambda c, q: [c.api.get('/modules/', query=q)],
    'Modules_Get': lambda c, q: [c.api.get('/modules/%s/' % c.module('DirectoryMobile').key, query=q)],
    'ModuleVersions_List': lambda c, q: [c.api.get('/modules/%s/versions/' % c.module('DirectoryMobile').key, query=dict(q, **more))
                                         for more in ({}, {'MaximumVersionsToReturn': '0'})],
    'ModuleVersion_Get': lambda c, q: [c.api.get('/modules/%s/versions/%s/' % (
        c.module('DirectoryMobile').key, c.module('DirectoryMobile').version_keys[0]), query=q)],
}
RECIPES.update(GOVERNANCE_RECIPES)


def flag_queries(op):
    """Each combination of the operation's boolean query parameters: optional ones absent or true, required ones true or false."""
    flags = [p for p in op.parameters('query') if p.get('type') == 'boolean']
    choices = [('true', 'false') if p.get('required') else (None, 'true') for p in flags]
    for values in itertools.product(*choices):
        yield {p['name']: value for p, value in zip(flags, values) if value is not None}


def _body(reply):
    """The answer's body as the schema sees it: JSON, or a creating call's key answered as plain text."""
    if not reply.body:
        return None
    if (reply.headers.get('content-type') or '').startswith('text/plain'):
        return reply.text
    return json.loads(reply.body)


def check(op, reply, unserved=()):
    """The contract problems of one answer: its status, its body's schema, the properties it leaves out."""
    status = departures.STATUSES.get((op.id, reply.status), (reply.status,))[0]
    if status is None:  # a departure answered with no body
        return [] if not reply.body else ['%s %d should have no body, got %r' % (op, reply.status, reply.body[:200])]
    if op.response(status) is None:
        return ['%s answered %d, which it does not document (%s)' % (op, reply.status, ', '.join(sorted(op.spec['responses'])))]
    schema = schema_of(op, reply)
    body = _body(reply)
    if schema is None or status == 204:
        return [] if body is None else ['%s %d documents no body, got %r' % (op, reply.status, reply.body[:200])]
    if body is None:
        return ['%s %d documents a body, got none' % (op, reply.status)]
    problems = ['%s %d: %s' % (op, reply.status, e) for e in DEFINITION.errors(schema, body)]
    problems += ['%s %d lacks %s' % (op, reply.status, m) for m in DEFINITION.missing_properties(schema, body)
                 if tuple(m.split(' at ')[0].split('.', 1)) not in unserved]
    return problems


def schema_of(op, reply):
    status = departures.STATUSES.get((op.id, reply.status), (reply.status,))[0]
    if status is None:
        return None
    if op.id in departures.BODIES and status < 300:
        return departures.BODIES[op.id][0]
    if op.id in departures.LAZY_BODIES and status < 300:
        return departures.LAZY_BODIES[op.id][0]()
    return (op.response(status) or {}).get('schema')


def _simulator(lifetime_version=DEFAULT_LIFETIME_VERSION):
    sim = Simulator('contract', scenario=SCENARIO).start()
    sim.state.configure(lifetime_version=lifetime_version)
    return sim


def _cases():
    """(lifetime, operationId, query) for every operation each LifeTime serves, with each flag combination."""
    cases = []
    for lifetime, version in sorted(LIFETIMES.items()):
        world = build_world()
        world.configure(lifetime_version=version)
        cases += [(lifetime, op_id, query) for op_id, op in sorted(served_operations(world).items()) for query in flag_queries(op)]
    return cases


LIFETIMES = {'current': DEFAULT_LIFETIME_VERSION, 'older': OLDER_LIFETIME}
CASES = _cases()


@pytest.mark.parametrize('lifetime, op_id, query', CASES, ids=['%s-%s%s' % (lifetime, op_id, ''.join(
    '-%s=%s' % kv for kv in sorted(query.items()))) for lifetime, op_id, query in CASES])
def test_every_served_operation_answers_as_the_definition_says(lifetime, op_id, query):
    op = DEFINITION.operation(op_id)
    unserved = set(departures.UNSERVED_PROPERTIES) | (set(departures.OLDER_LIFETIME_UNSERVED) if lifetime == 'older' else set())
    sim = _simulator(LIFETIMES[lifetime])
    try:
        replies = RECIPES[op_id](Calls(sim), query)
    finally:
        sim.stop()
    assert replies
    problems = [p for reply in replies for p in check(op, reply, unserved)]
    assert problems == []
    # The recipes make successful calls, but for modules asked for without the status they belong to (documented 400).
    refused = query.get('IncludeModules') == 'true' and query.get('IncludeEnvStatus') != 'true' and \
        any(p['name'] == 'IncludeEnvStatus' for p in op.parameters('query'))
    assert [reply.status >= 400 for reply in replies] == [refused] * len(replies), replies


@pytest.mark.parametrize('op_id', sorted(op_id for op_id, op in served_operations().items() if '{' in op.path))
def test_an_unknown_key_gets_a_documented_answer(simulator, op_id):
    op = DEFINITION.operation(op_id)
    path = '/'.join(str(uuid.uuid4()) if s.startswith('{') else s for s in op.segments)
    body = [] if op.id == 'Deployments_Configuration' else {}
    reply = Client(simulator).request(op.method, '/%s/' % path, json_body=body, query=next(flag_queries(op)))
    assert reply.status in (400, 404), reply
    assert check(op, reply) == []


def test_the_answers_show_every_property_the_served_structures_declare():
    """Across all recipes, every property of every structure the served operations answer with is present somewhere."""
    declared, seen = set(), set()
    for op_id, op in sorted(served_operations().items()):
        sim = _simulator()
        try:
            for query in flag_queries(op):
                for reply in RECIPES[op_id](Calls(sim), query):
                    schema = schema_of(op, reply)
                    if schema is not None and reply.status < 300 and reply.status != 204:
                        DEFINITION.declared_properties(schema, declared)
                        DEFINITION.seen_properties(schema, _body(reply), seen)
        finally:
            sim.stop()
    assert len(declared) > 100
    assert sorted(declared - seen - set(departures.UNSERVED_PROPERTIES)) == []
    assert sorted(set(departures.UNSERVED_PROPERTIES) & seen) == [], 'a listed departure is served now: remove it'


def test_every_served_operation_has_a_recipe():
    assert sorted(served_operations()) == sorted(RECIPES)
    assert len(RECIPES) == 38 + 38  # the release side, then users, roles, teams and database connections


def test_an_older_lifetime_answers_the_11_21_1_endpoints_as_an_older_server_would():
    sim = _simulator(OLDER_LIFETIME)
    try:
        calls = Calls(sim)
        key = calls.billing_plan()
        assert calls.api.get('/deployments/%s/getmissingdbmappings/' % key).status == 405  # only POST .../{Command}/ matches
        assert calls.api.post('/deployments/%s/configuration/' % key, []).status == 404  # command not found
        assert calls.api.post('/environments/%s/%s/sourcecodeaccess/' % (calls.dev, _app_owner(calls))).status == 404
        status = calls.api.get('/environments/%s/applications/' % calls.dev, query={'IncludeEnvStatus': 'true'}).json()
        assert all('BaseApplicationVersionLabel' not in s for app in status for s in app['AppStatusInEnvs'])
        sim.state.provide_database_mappings(key)  # what a user does in LifeTime's interface instead
        assert calls.api.post('/deployments/%s/continue/' % key).status == 202
        assert sim.state.deployment(key).status == 'finished_successful'
    finally:
        sim.stop()


def test_the_checks_catch_a_simulator_that_departs():
    op = DEFINITION.operation('Environments_Get')
    with Simulator('t') as sim:
        reply = Client(sim).get('/environments/%s/' % sim.state.environment('Production').key)
    good = json.loads(reply.body)
    assert check(op, reply) == []
    reply.body = json.dumps(dict(good, Order='2')).encode()
    assert check(op, reply) == ["GET /environments/{EnvironmentKey}/ (Environments_Get) 200: $.Order: '2' is not of type 'integer'"]
    reply.body = json.dumps({k: v for k, v in good.items() if k != 'DetailsURL'}).encode()
    assert check(op, reply) == ['GET /environments/{EnvironmentKey}/ (Environments_Get) 200 lacks Environment.DetailsURL at $']
    reply.status = 201
    assert check(op, reply)[0].startswith('GET /environments/{EnvironmentKey}/ (Environments_Get) answered 201, which it does not')


def test_the_vendored_definition_is_the_upstream_file():
    data = raw_bytes()
    assert len(data) == 245234
    assert len(DEFINITION.operations) == 86 and len(DEFINITION.definitions) == 75
    with pytest.raises(DefinitionError):
        parse(data.replace(b'"v2"', b'"v3"', 1))


def test_every_departure_is_written_down_in_the_simulator_readme():
    with open(SIMULATOR_README, encoding='utf-8') as handle:
        readme = handle.read()
    section = readme.split('## Where it departs from the Swagger definition', 1)[1].split('\n## ', 1)[0]
    names = ([op_id for op_id, _status in departures.STATUSES] + list(departures.BODIES) + list(departures.BODY_SCHEMAS)
             + list(departures.LAZY_BODIES)
             + ['%s.%s' % pair for pair in list(departures.UNSERVED_PROPERTIES) + list(departures.OLDER_LIFETIME_UNSERVED)]
             + [param for _op, param in departures.UNDECLARED_QUERY] + ['/downloads/{DownloadKey}'])
    assert [name for name in names if name not in section] == []
