# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the simulator, or the collection, knowingly departs from the Swagger definition, and why.

The definition wins unless a seed shows real LifeTime doing otherwise; every entry here is also written down in
tests/simulator/README.md ("Where it departs from the Swagger definition"), which a contract test checks. Each
reason names its evidence.
"""

from __future__ import annotations

import copy

_EMPTY_LIST = ('seeds/README.md: list endpoints answer 204 with no body when the list is empty (outsystems-pipeline '
               'relies on it); the definition documents 200 only for this list')

# (operationId, status the simulator answers) -> (the documented status whose schema applies instead, or None for
# "no body", reason)
STATUSES = {
    ('Applications_Versions_List', 204): (None, _EMPTY_LIST),
    ('ModuleVersions_List', 204): (None, _EMPTY_LIST),
    ('Deployments_Create', 201): (200, 'seed 002 documents 201 for POST /deployments/; the definition says 200'),
    ('Roles_List', 204): (None, _EMPTY_LIST),
    ('Environments_DBConnections_List', 204): (None, _EMPTY_LIST),
    ('User_BlockedLogins_Get', 204): (None, _EMPTY_LIST),
    ('Environments_SolutionCreate', 201): (
        200, 'kept as the default so the existing integration tests keep passing; solution_create_status: 200 follows the '
             'definition (and outsystems-pipeline 0.11.0)'),
}

# operationId -> (schema that applies instead of the documented one, reason)
BODIES = {
    'Environments_Applications_Versions_Create': (
        {'type': 'string'}, 'the new key as text in double quotes: seeds/README.md, creating calls answer the key as plain '
                            'text, "not as a JSON object" (the definition: TextRecord {ApplicationVersionKey})'),
    'Deployments_CreateWithBinary': (
        {'type': 'string'}, 'the new key as text: seed 003 shows "Response body: 16e9ad8a-..." (the definition: '
                            'DeploymentResponse {DeploymentKey})'),
    'Environments_SolutionStatus': (
        {'$ref': '#/definitions/SolutionStatus'}, 'one SolutionStatus object: seed 003 shows {"Status", "StatusReason"} '
                                                  '(the definition: an array of them)'),
    'Environments_SolutionDownload': (
        {'$ref': '#/definitions/DownloadLink'}, 'a DownloadLink {"url", "expires"}: seed 003 shows it (the definition: an '
                                                'array of DownloadSolutionLink {"Url", "ExpiresAt"})'),
}


_MISMATCHED_REQUIRED = ("the definition's `required` names the fields in PascalCase ({required}) while its properties are "
                        "camelCase: the simulator serves and accepts the declared properties, checked without that `required`")


def _properties_of(definition_name, required=()):
    """An inline schema: a definition's declared properties (their schemas as written), with ``required`` as given."""
    from tests.contract.definition import load  # pylint: disable=import-outside-toplevel
    declared = load().definitions[definition_name]
    schema = {'type': 'object', 'properties': copy.deepcopy(declared['properties'])}
    if required:
        schema['required'] = list(required)
    return schema


# Answers whose schema needs a departure computed from the definition (operationId -> (function, reason)).
LAZY_BODIES = {
    'User_BlockedLogins_Get': (lambda: {'type': 'array', 'items': _properties_of('PlatformLoginAttempt')},
                               _MISMATCHED_REQUIRED.format(required='UserId, Username, ...')),
    'Roles_PermissionLevels': (lambda: {'type': 'array', 'items': {'$ref': '#/definitions/PermissionLevels'}},
                               'a list of PermissionLevels: "Gets available permission levels" (plural) and the module needs '
                               'each label; the definition declares one PermissionLevels object'),
}

# (definition, property) the simulator never serves -> reason
UNSERVED_PROPERTIES = {
    ('ModuleToDelete', 'Key'): 'the simulator never deletes a module: ModulesToDelete is always []',
    ('ModuleToDelete', 'Name'): 'the simulator never deletes a module: ModulesToDelete is always []',
    ('ModuleToDelete', 'Description'): 'the simulator never deletes a module: ModulesToDelete is always []',
}

# Properties an older LifeTime (the lifetime_version scenario setting below 11.21.1) leaves out, on purpose.
OLDER_LIFETIME_UNSERVED = {
    ('AppStatusInEnv_v2', 'BaseApplicationVersionLabel'): 'older LifeTime versions do not send it (the issue asks the '
                                                          'simulator to test both paths of the client)',
}

# Requests: (operationId, query parameter) a client may send although the definition does not declare it -> reason
UNDECLARED_QUERY = {
    ('Deployments_ExecuteCommand', 'ContinueWithErrors'): 'seeds/README.md: the start command accepts RedeployOutdated '
                                                          'and ContinueWithErrors (outsystems-pipeline sends it)',
}

# Requests: operationId -> reason its JSON body is checked against body_schema() below instead of the documented one
_DB_CONNECTION = ('dbConnectionName', 'providerKey', 'description', 'dbUsername', 'dbPassword', 'dbConfigParams')
# Requests: operationId -> (definition, the camelCase properties required in place of the PascalCase names)
CASED_BODIES = {
    'Environments_DBConnections_Create': ('DBConnection_Request_POST', _DB_CONNECTION),
    'Environments_DBConnections_Edit': ('DBConnection_Request_POST', _DB_CONNECTION),
    'Environments_DBConnections_TestConnection': ('DBConnection_Request_POST', _DB_CONNECTION),
    'Environments_DBConnections_SetRolePermissions': ('DBConnection_RolePermissionLevel', ('role',)),
    'Environments_DBConnections_SetUserPermissions': ('DBConnection_UserPermissionLevel', ('username',)),
}

BODY_SCHEMAS = dict({op_id: _MISMATCHED_REQUIRED.format(required=', '.join(n[0].upper() + n[1:] for n in names))
                     for op_id, (_name, names) in CASED_BODIES.items()}, **{
    'Environments_SolutionCreate': 'IncludeReferences as the text "True"/"False": seed 003 sends "IncludeReferences": "True" '
                                   '(the definition: boolean); a boolean is accepted too',
})

# Requests to URLs LifeTime hands out rather than to operations of the definition.
LINK_PATH = ('downloads', '{DownloadKey}')
LINK_REASON = ('GET /downloads/{DownloadKey}: the url of a DownloadLink (seed 003 and the source code walkthrough fetch '
               'it); the definition describes the links, not this path')


def body_schema(definition, operation):
    """The schema a request body of ``operation`` is checked against (the documented one unless BODY_SCHEMAS says)."""
    schema = operation.body_schema()
    if operation.id in CASED_BODIES:
        return _properties_of(*CASED_BODIES[operation.id])
    if operation.id == 'Environments_SolutionCreate':
        schema = copy.deepcopy(definition.resolve(schema))
        schema['properties']['IncludeReferences'] = {'enum': [True, False, 'True', 'False']}
    return schema
