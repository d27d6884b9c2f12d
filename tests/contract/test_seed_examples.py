# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract: every example response in seeds 000-003 has the shape of the simulator's answer to the same call.

The examples are parsed out of the seed documents at test time ("{...}"
placeholders and all), so a change to the seeds is checked as it lands.
Shapes compare field names and JSON types recursively; lists compare their
elements' shapes. Fields the seeds disagree on (IsOffline appears only in
seed 000) may be present in the simulator's answer, and so may fields the
seeds' examples predate but the Swagger definition declares (DetailsURL,
BaseApplicationVersionLabel, a log line's Type...).
"""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.contract.definition import load
from tests.simulator.client import Client, key_of

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The project's copies of the seed documents, so the contract is checked wherever the repository is cloned;
# the originals, when they are beside the repository, must still match them.
SEEDS = os.path.join(REPO_ROOT, 'tests', 'simulator', 'reference')
ORIGINAL_SEEDS = os.path.join(os.path.dirname(REPO_ROOT), 'shared', 'seeds')
# The copies have ASCII quotes where the originals have typographic ones (ansible-test's no-smart-quotes).
ASCII_QUOTES = str.maketrans({'\u2018': "'", '\u2019': "'", '\u201c': '"', '\u201d': '"'})
SEED_FILES = ('000_58d3815b0c74e516.txt', '001_e58afbcebfdd56b1.txt', '002_14d4cc0962c1b27d.txt', '003_aeaf5b28fe39baaa.txt')
OPTIONAL_FIELDS = {'IsOffline'} | load().property_names()
LITERAL_SEGMENTS = {'applications', 'versions', 'content', 'deployments', 'status', 'environments', 'deploymentzones',
                    'solution', 'solutionstatus', 'deployment', 'modules', 'downloads', 'start', 'continue', 'abort'}
_BLOCK = re.compile(r'```(\w*)\n(.*?)```', re.S)
_CALL = re.compile(r'`(GET|POST|PUT|DELETE) (/lifetime(?:api)?/rest/v2/[^`\s]*)`')
_INLINE_KEY = re.compile(r'Response body: `([0-9A-Za-z-]{36})`')
_UUID = re.compile(r'^"?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"?$')


def _template(method, path):
    segments = [s for s in path.split('/') if s][3:]
    return '%s %s' % (method, '/'.join(s if s.lower() in LITERAL_SEGMENTS else '{key}' for s in segments))


def _without_placeholders(text):
    text = re.sub(r'\{\.\.\.\}', '', text)
    text = re.sub(r',(\s*,)+', ',', text)
    text = re.sub(r'([\[{])\s*,', r'\1', text)
    return re.sub(r',(\s*[\]}])', r'\1', text)


def _seed_examples():
    """(id, template, example) for each response example: JSON documents and plain-text keys."""
    examples = []
    for name in SEED_FILES:
        path = os.path.join(SEEDS, name)
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
        position = 0
        for match in _BLOCK.finditer(text):
            before = text[position:match.start()]
            position = match.end()
            if 'response body' not in before.lower():
                continue
            calls = _CALL.findall(text[:match.start()])
            template = _template(*calls[-1])
            body = match.group(2).strip()
            example = json.loads(_without_placeholders(body)) if match.group(1) else ('key', body)
            examples.append(('%s:%d %s' % (name[:3], text.count('\n', 0, match.start()) + 1, template), template, example))
        for match in _INLINE_KEY.finditer(text):
            template = _template(*_CALL.findall(text[:match.start()])[-1])
            examples.append(('%s:%d %s' % (name[:3], text.count('\n', 0, match.start()) + 1, template), template,
                             ('key', match.group(1))))
    return examples


EXAMPLES = _seed_examples()


def _kind(value):
    if isinstance(value, bool):
        return 'boolean'
    if isinstance(value, (int, float)):
        return 'number'
    if value is None:
        return 'null'
    return type(value).__name__


def shape_differences(expected, actual, where='$'):
    """How ``actual`` differs in shape from ``expected`` (empty when they match)."""
    if _kind(expected) != _kind(actual):
        return ['%s: %s in the seed, %s in the simulator' % (where, _kind(expected), _kind(actual))]
    problems = []
    if isinstance(expected, dict):
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected) - OPTIONAL_FIELDS)
        if missing:
            problems.append('%s: missing %s' % (where, ', '.join(missing)))
        if extra:
            problems.append('%s: unexpected %s' % (where, ', '.join(extra)))
        for name in sorted(set(expected) & set(actual)):
            problems += shape_differences(expected[name], actual[name], '%s.%s' % (where, name))
    elif isinstance(expected, list):
        for i, item in enumerate(expected):
            for j, other in enumerate(actual):
                problems += shape_differences(item, other, '%s[seed %d vs simulator %d]' % (where, i, j))
    return problems


class _Calls:
    """The simulator's answer to each seed call, made with keys of the simulator's own world."""

    def __init__(self, sim):
        self.sim = sim
        self.state = sim.state
        self.api = Client(sim)
        self.dev = self.state.environment('Development').key
        self.prd = self.state.environment('Production').key

    def answer(self, template, example):
        if template == 'GET environments':
            return self.api.get('/environments/')
        if template == 'GET applications':
            return self.api.get('/applications/', query={'IncludeEnvStatus': 'true', 'IncludeModules': 'true'})
        if template == 'GET applications/{key}/versions':
            return self.api.get('/applications/%s/versions/' % self.state.application('Directory Mobile').key)
        if template == 'GET environments/{key}/applications':
            return self.api.get('/environments/%s/applications/' % self.dev)
        if template == 'GET environments/{key}/applications/{key}/content':
            return self.api.get('/environments/%s/applications/%s/content' % (self.dev, self.state.application('Google Maps Web').key))
        if template == 'POST deployments':
            return self.api.post('/deployments', self._plan_body())
        if template in ('GET deployments/{key}', 'GET deployments/{key}/status'):
            key = self._binary_plan() if 'ApplicationsToDeploy' in example or self._binary_log(example) else self._plan()
            return self.api.get('/deployments/%s/%s' % (key, 'status/' if template.endswith('status') else ''))
        if template == 'POST environments/{key}/solution':
            return self.api.post('/environments/%s/solution' % self.dev, self._solution_body())
        if template == 'GET environments/{key}/solutionstatus/{key}':
            return self.api.get('/environments/%s/solutionstatus/%s' % (self.dev, key_of(self.answer('POST environments/{key}/solution', None))))
        if template == 'GET environments/{key}/solution/{key}':
            return self.api.get('/environments/%s/solution/%s' % (self.dev, key_of(self.answer('POST environments/{key}/solution', None))))
        if template == 'POST environments/{key}/deployment':
            return self.api.post('/environments/%s/deployment/' % self.prd, body=self._package(),
                                 headers={'Content-Type': 'application/octet-stream'})
        raise AssertionError('the contract test does not know how to make the call %s' % template)

    @staticmethod
    def _binary_log(example):
        return any('solution pack file from disk' in line.get('Message', '') for line in example.get('DeploymentLog', []))

    def _plan_body(self):
        return {'ApplicationOperations': [{'ApplicationVersionKey': self.state.version('EmployeeBackoffice', '1.3').key,
                                           'DeploymentZoneKey': ''}],
                'Notes': 'contract', 'SourceEnvironmentKey': self.dev, 'TargetEnvironmentKey': self.prd}

    def _solution_body(self):
        return {'SolutionName': 'Contract', 'ApplicationKeys': [self.state.application('Google Maps Web').key],
                'IncludeReferences': 'True'}

    def _plan(self):
        key = key_of(self.api.post('/deployments/', self._plan_body()))
        self.api.post('/deployments/%s/start/' % key)
        return key

    def _package(self):
        link = self.api.get('/environments/%s/applications/%s/content' % (self.dev, self.state.application('Google Maps Web').key))
        return self.api.get(link.json()['url']).body

    def _binary_plan(self):
        key = key_of(self.api.post('/environments/%s/deployment/' % self.dev, body=self._package(),
                                   headers={'Content-Type': 'application/octet-stream'}))
        self.api.post('/deployments/%s/start/' % key)
        return key


@pytest.mark.parametrize('name', SEED_FILES)
def test_the_reference_copies_match_the_original_seeds(name):
    original = os.path.join(ORIGINAL_SEEDS, name)
    if not os.path.isfile(original):
        pytest.skip('the original seed documents are not beside the repository (%s)' % ORIGINAL_SEEDS)
    with open(original, encoding='utf-8') as handle, open(os.path.join(SEEDS, name), encoding='utf-8') as copy:
        assert handle.read().translate(ASCII_QUOTES) == copy.read(), 'tests/simulator/reference/%s differs from the seed: copy it again' % name


def test_the_seeds_have_examples_to_check():
    templates = {template for _id, template, _example in EXAMPLES}
    assert {'GET environments', 'GET applications', 'GET deployments/{key}', 'GET deployments/{key}/status',
            'POST deployments', 'GET environments/{key}/solutionstatus/{key}'} <= templates


@pytest.mark.parametrize('template, example', [example[1:] for example in EXAMPLES], ids=[example[0] for example in EXAMPLES])
def test_seed_example_has_the_shape_of_the_simulator_answer(simulator, template, example):
    reply = _Calls(simulator).answer(template, example)
    if isinstance(example, tuple):  # a creating call: the key as plain text
        assert reply.status == 201, reply
        assert _UUID.match(example[1])
        assert _UUID.match(reply.text), reply.text
        return
    assert reply.status == 200, reply
    assert shape_differences(example, reply.json()) == []


def test_shape_comparison_catches_differences():
    assert shape_differences({'A': 1, 'B': [{'C': 'x'}]}, {'A': 2, 'B': [{'C': 'y'}, {'C': 'z'}]}) == []
    assert shape_differences({'A': 1}, {'A': '1'}) == ['$.A: number in the seed, str in the simulator']
    assert shape_differences({'A': 1}, {'A': 1, 'Z': 0}) == ['$: unexpected Z']
    assert shape_differences({'A': True, 'B': 0}, {'B': 0}) == ['$: missing A']
    assert shape_differences([{'A': 1}], []) == []
