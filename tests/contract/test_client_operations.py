# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract: every operation the collection's client can call is in the definition, and the simulator serves it.

Read statically from plugins/module_utils/_client.py: each LifeTimeClient method's request helper calls
(``self.get('/environments/%s/' % ...)``, ``self.command('DELETE', ...)``...) give its HTTP method and path
template. So a client method added for an operation the simulator does not serve fails here, before any test of it.
"""

from __future__ import annotations

import ast
import os

import pytest

from tests.contract.definition import load
from tests.simulator import routes
from tests.simulator.scenario import build_world

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIENT = os.path.join(REPO_ROOT, 'plugins', 'module_utils', '_client.py')
# The users, roles, teams and database connection operations: a client of their own over LifeTimeClient.
GOVERNANCE_CLIENT = os.path.join(REPO_ROOT, 'plugins', 'module_utils', '_governance', 'client.py')
# The client's request helpers: the HTTP method each sends, or None when the method is their first argument.
HELPERS = {'get': 'GET', 'get_list': 'GET', 'create': 'POST', 'upload': 'POST', 'post_record': 'POST', 'command': None, 'send': None,
           '_json': None}
METHODS = ('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD')


def _template(node):
    """'/deployments/{}/status/' for '/deployments/%s/status/' % ..., the text for a literal, None otherwise."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        node = node.left
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith('/'):
        return node.value.replace('%s', '{}')
    return None


def client_calls(source, class_name='LifeTimeClient'):
    """{(HTTP method, path template)} -> names of the client class's methods that send it."""
    tree = ast.parse(source)
    client = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == class_name)
    calls = {}
    for function in (node for node in client.body if isinstance(node, ast.FunctionDef)):
        for call in (node for node in ast.walk(function) if isinstance(node, ast.Call)):
            func = call.func
            if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == 'self'
                    and func.attr in HELPERS):
                continue
            args = list(call.args)
            method = HELPERS[func.attr]
            if method is None:
                if not args or not (isinstance(args[0], ast.Constant) and args[0].value in METHODS):
                    continue  # the method is a variable: the generic helpers themselves
                method = args.pop(0).value
            path = _template(args[0]) if args else None
            if path is not None:
                calls.setdefault((method, path), set()).add(function.name)
    return calls


def _segments(template):
    return ['key' if segment == '{}' else segment for segment in template.strip('/').split('/')]


with open(CLIENT, encoding='utf-8') as _handle:
    CALLS = client_calls(_handle.read())
with open(GOVERNANCE_CLIENT, encoding='utf-8') as _handle:
    GOVERNANCE_CALLS = client_calls(_handle.read(), 'GovernanceClient')
for _call, _names in GOVERNANCE_CALLS.items():
    CALLS.setdefault(_call, set()).update('GovernanceClient.%s' % name for name in _names)


def test_the_client_is_read():
    names = {name for methods in CALLS.values() for name in methods}
    assert len(CALLS) >= 20 and {'create_deployment', 'deploy_binary', 'create_solution', 'list_environments'} <= names, CALLS


@pytest.mark.parametrize('method, template', sorted(CALLS), ids=['%s %s' % call for call in sorted(CALLS)])
def test_the_simulator_serves_what_the_client_calls(method, template):
    op = load().find_segments(method, _segments(template))
    assert op is not None, '%s %s (LifeTimeClient.%s) is not an operation of the definition' % (
        method, template, ', '.join(sorted(CALLS[method, template])))
    route, allowed = routes.resolve(method, _segments(template), build_world())
    assert route is not None, 'the simulator does not serve %s (called by LifeTimeClient.%s; it allows %s there)' % (
        op, ', '.join(sorted(CALLS[method, template])), allowed)


def test_the_governance_client_calls_every_users_roles_teams_and_database_connection_operation():
    definition = load()
    wanted = {op.id for op in definition.operations if op.path.startswith(('/users', '/roles', '/teams')) or 'dbconnection' in op.path}
    called = {definition.find_segments(method, _segments(template)).id for method, template in GOVERNANCE_CALLS}
    assert len(wanted) == 38 and sorted(wanted - called) == []


def test_the_reader_finds_each_kind_of_call():
    source = '''
class LifeTimeClient:
    def a(self, k):
        return self.get_list('/environments/%s/deploymentzones/' % k)
    def b(self, k):
        return self.command('DELETE', '/deployments/%s/' % k)
    def c(self, path):
        return self.send('GET', path)
    def d(self):
        return self.create('/deployments/', json_body={})
'''
    assert client_calls(source) == {('GET', '/environments/{}/deploymentzones/'): {'a'}, ('DELETE', '/deployments/{}/'): {'b'},
                                    ('POST', '/deployments/'): {'d'}}
