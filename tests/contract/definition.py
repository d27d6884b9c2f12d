# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The published Swagger 2.0 definition of the LifeTime REST API v2, as an oracle for the contract tests.

``reference/lifetime-api-v2.swagger.json.gz`` is OutSystems' file byte for byte (see reference/README.md); it is
checked against its sha256 and read leniently (the upstream text has one trailing comma). Schemas are JSON Schema
draft 4 with ``$ref: '#/definitions/...'``, resolved against the whole document. ``format`` is not asserted: LifeTime
itself writes "never" as ``1900-01-01T00:00:00`` (seeds 001 and 003), which is no RFC 3339 date-time.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import json
import os
import re

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
DEFINITION_FILE = os.path.join(HERE, 'reference', 'lifetime-api-v2.swagger.json.gz')
# sha256 of the uncompressed upstream bytes (reference/README.md).
DEFINITION_SHA256 = 'cfe8b666de2828a6f2c48e95d0286933fdf5ee393f58464813c922e481d01e6b'
API_BASES = ('/lifetimeapi/rest/v2', '/lifetime/rest/v2')
_TRAILING_COMMA = re.compile(r',(\s*[}\]])')
METHODS = ('get', 'put', 'post', 'delete', 'patch', 'head', 'options')


class DefinitionError(Exception):
    """The vendored definition is not the file it claims to be."""


def raw_bytes():
    with gzip.open(DEFINITION_FILE, 'rb') as handle:
        return handle.read()


def parse(data):
    """The document, with the upstream file's one trailing comma tolerated (and only that one)."""
    digest = hashlib.sha256(data).hexdigest()
    if digest != DEFINITION_SHA256:
        raise DefinitionError('%s holds bytes with sha256 %s, not the upstream file (%s): vendor it again, see reference/README.md'
                              % (DEFINITION_FILE, digest, DEFINITION_SHA256))
    text, count = _TRAILING_COMMA.subn(r'\1', data.decode('utf-8'))
    if count != 1:
        raise DefinitionError('expected the one trailing comma of the upstream file, found %d' % count)
    return json.loads(text)


@dataclasses.dataclass
class Operation:
    method: str  # upper case
    path: str  # as the definition writes it, e.g. /deployments/{DeploymentKey}/
    spec: dict

    @property
    def id(self):
        return self.spec['operationId']

    @property
    def segments(self):
        return [s for s in self.path.split('/') if s]

    def parameters(self, where):
        return [p for p in self.spec.get('parameters') or [] if p.get('in') == where]

    def body_schema(self):
        body = self.parameters('body')
        return body[0]['schema'] if body else None

    def response(self, status):
        """The documented response for a status, or None when the status is not documented."""
        return (self.spec.get('responses') or {}).get(str(status))

    def __str__(self):
        return '%s %s (%s)' % (self.method, self.path, self.id)


def _literal(segment):
    return not segment.startswith('{')


class Definition:
    """Operations (matched by method and path) and schemas (validated, walked for their declared properties)."""

    def __init__(self, document):
        self.document = document
        self.definitions = document['definitions']
        self.operations = [Operation(method.upper(), path, spec) for path, item in document['paths'].items()
                           for method, spec in item.items() if method in METHODS]

    def operation(self, operation_id):
        return next(op for op in self.operations if op.id == operation_id)

    def find(self, method, path):
        """The operation a request (path below the API base, or with it) is for; None when the definition has none.

        Literal segments match case-insensitively and a trailing slash does not matter (the definition itself has
        ``/environments/{EnvironmentKey}`` and ``/environments/{EnvironmentKey}/`` side by side); where a literal
        segment and a placeholder both match (``/environments/blockedipaddresses/``), the literal wins.
        """
        return self.find_segments(method, api_segments(path))

    def find_segments(self, method, segments):
        """The operation for a request's path segments below the API base (see find())."""
        best, best_score = None, -1
        for op in self.operations:
            if op.method != method.upper() or len(op.segments) != len(segments):
                continue
            if all(not _literal(expected) or expected.lower() == actual.lower() for expected, actual in zip(op.segments, segments)):
                score = sum(_literal(s) for s in op.segments)
                if score > best_score:
                    best, best_score = op, score
        return best

    # ------------------------------------------------------------------ schemas

    def resolve(self, schema):
        while isinstance(schema, dict) and '$ref' in schema:
            schema = self.definitions[schema['$ref'].rsplit('/', 1)[-1]]
        return schema

    def errors(self, schema, instance):
        """The schema violations of an instance, as 'path: message' texts (empty when it validates)."""
        root = dict(schema)
        root['definitions'] = self.definitions
        validator = jsonschema.Draft4Validator(root)
        return sorted('%s: %s' % (_where(error.absolute_path), error.message) for error in validator.iter_errors(instance))

    def missing_properties(self, schema, instance, where='$'):
        """Properties the schema declares that the instance lacks, nested ones included: 'Definition.Property at $.path'."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return []
        missing = []
        if isinstance(instance, dict) and isinstance(schema.get('properties'), dict):
            name = self.name_of(schema)
            for prop, sub in schema['properties'].items():
                if prop not in instance:
                    missing.append('%s.%s at %s' % (name, prop, where))
                else:
                    missing += self.missing_properties(sub, instance[prop], '%s.%s' % (where, prop))
        elif isinstance(instance, list) and isinstance(schema.get('items'), dict):
            for index, item in enumerate(instance):
                missing += self.missing_properties(schema['items'], item, '%s[%d]' % (where, index))
        return missing

    def seen_properties(self, schema, instance, seen):
        """Add to ``seen`` each (definition, property) the instance carries where the schema declares it."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return
        if isinstance(instance, dict) and isinstance(schema.get('properties'), dict):
            name = self.name_of(schema)
            for prop, sub in schema['properties'].items():
                if prop in instance:
                    seen.add((name, prop))
                    self.seen_properties(sub, instance[prop], seen)
        elif isinstance(instance, list) and isinstance(schema.get('items'), dict):
            for item in instance:
                self.seen_properties(schema['items'], item, seen)

    def declared_properties(self, schema, found=None):
        """Every (definition, property) reachable from a schema."""
        found = set() if found is None else found
        name = schema['$ref'].rsplit('/', 1)[-1] if isinstance(schema, dict) and '$ref' in schema else None
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return found
        if isinstance(schema.get('properties'), dict):
            name = name or self.name_of(schema)
            if any((name, prop) in found for prop in schema['properties']):
                return found  # already walked (the definitions refer to each other)
            for prop, sub in schema['properties'].items():
                found.add((name, prop))
                self.declared_properties(sub, found)
        if isinstance(schema.get('items'), dict):
            self.declared_properties(schema['items'], found)
        return found

    def name_of(self, schema):
        """The definition name of a resolved schema ('inline' for one written in place)."""
        return next((name for name, candidate in self.definitions.items() if candidate is schema), 'inline')

    def property_names(self):
        """Every property name any definition declares."""
        return {prop for schema in self.definitions.values() for prop in (schema.get('properties') or {})}


def _where(path):
    text = '$'
    for part in path:
        text += '[%d]' % part if isinstance(part, int) else '.%s' % part
    return text


def api_segments(path):
    """The segments of a path below the API base (the base is optional; query strings are dropped)."""
    path = path.split('?', 1)[0]
    for base in API_BASES:
        if path.lower().startswith(base + '/') or path.lower() == base:
            path = path[len(base):]
            break
    return [s for s in path.split('/') if s]


@functools.lru_cache(maxsize=1)
def load():
    """The vendored definition (checked and parsed once per process)."""
    return Definition(parse(raw_bytes()))
