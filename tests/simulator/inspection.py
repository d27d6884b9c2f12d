# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only endpoints under /_simulator: no token, never in the request log.

GET    /_simulator/state             summary of the world (World.summary)
POST   /_simulator/state/{helper}    call a World helper with the JSON body as keyword arguments
GET    /_simulator/requests          the request log
DELETE /_simulator/requests          clear it
GET    /_simulator/faults            the fault rules and how often each fired
POST   /_simulator/faults            add a rule (JSON body: the inject_fault arguments)
DELETE /_simulator/faults            remove every rule
"""

from __future__ import annotations

import json

from tests.simulator.model import ApiError
from tests.simulator.routes import Response

# The World helpers playbook-level tests and the demo may call over HTTP.
HELPERS = (
    'set_running_version', 'mark_modified', 'remove_running', 'add_version', 'add_outcome_rule', 'add_intervention_rule',
    'add_conflict_rule', 'add_solution_rule', 'set_next_deployment_outcome', 'clear_rules', 'start_blocking_deployment',
    'release_deployment', 'provide_database_mappings', 'expire_link', 'expire_all_links', 'advance_time', 'configure',
    'set_application_blocked', 'add_extension', 'add_database_connection', 'fake_downloads',
    'running_version', 'is_modified', 'application_configuration', 'database_mappings', 'missing_database_mappings',
    'add_role', 'add_user', 'add_team', 'add_db_connection', 'block_login', 'fail_db_connection_tests', 'governance_summary',
)


def handle(simulator, method, path, body):
    segments = [s for s in path.split('/') if s][1:]
    try:
        return _route(simulator, method, segments, body)
    except ApiError as error:
        return Response.error(error.status, error.message)
    except (KeyError, ValueError, TypeError) as error:
        return Response.error(400, '%s: %s' % (type(error).__name__, error))
    except Exception as error:  # pylint: disable=broad-exception-caught
        # A helper failed in a way its caller could not foresee: answer instead of dropping the connection.
        return Response.error(500, '%s: %s' % (type(error).__name__, error))


def _route(simulator, method, segments, body):
    if segments == ['state'] and method == 'GET':
        return Response.json(200, simulator.state.summary())
    if len(segments) == 2 and segments[0] == 'state' and method == 'POST':
        return _call_helper(simulator, segments[1], _json_body(body))
    if segments == ['requests']:
        if method == 'GET':
            return Response.json(200, simulator.requests)
        if method == 'DELETE':
            simulator.clear_requests()
            return Response.empty(204)
    if segments == ['faults']:
        if method == 'GET':
            return Response.json(200, simulator.faults.list())
        if method == 'POST':
            return Response.json(201, simulator.inject_fault(**_json_body(body)).describe())
        if method == 'DELETE':
            simulator.clear_faults()
            return Response.empty(204)
    return Response.error(404, 'No simulator endpoint matches %s /_simulator/%s.' % (method, '/'.join(segments)))


def _call_helper(simulator, name, arguments):
    if name not in HELPERS:
        raise ApiError(404, "No simulator helper '%s'; available: %s." % (name, ', '.join(HELPERS)))
    result = getattr(simulator.state, name)(**arguments)
    if hasattr(result, 'key'):
        result = result.key
    elif not isinstance(result, (str, int, float, bool, dict, list, type(None))):
        result = str(result)
    return Response.json(200, {'result': result})


def _json_body(body):
    data = b''
    while True:
        piece = body.read(1 << 16)
        if not piece:
            break
        data += piece
    if not data.strip():
        return {}
    try:
        document = json.loads(data)
    except ValueError as error:
        raise ApiError(400, 'The request body is not valid JSON: %s' % error) from None
    if not isinstance(document, dict):
        raise ApiError(400, 'The request body must be a JSON object.')
    return document
