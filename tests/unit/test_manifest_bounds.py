# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A manifest is data, bounded: nesting, size and YAML aliases refused before any parser recurses, and checking it is linear.

Linearity is proved by counting the Python calls made to read and resolve a manifest of N and of 4N entries, not by timing
(benchmarks/manifest_check.py has the figures).
"""

import json
import sys
import uuid

import pytest

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests import load_manifest, reading, resolve_versions
from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests.reading import load_data
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import Resolver

DEPTH = 100000


def entry(index, **fields):
    value = dict(ApplicationKey=str(uuid.UUID(int=index + 1)), ApplicationName='App%05d' % index, VersionKey=str(uuid.UUID(int=10 ** 9 + index)),
                 VersionNumber='1.%d' % index, CreatedOn='2026-01-14T09:12:44.17Z', ChangeLog='', IsTestApplication=False)
    value.update(fields)
    return value


def manifest(count, **fields):
    return dict(ApplicationVersions=[entry(index, **fields) for index in range(count)],
                EnvironmentDefinitions=[dict(EnvironmentKey=str(uuid.UUID(int=2 * 10 ** 9 + index)), EnvironmentName='Env %d' % index,
                                             EnvironmentLabel='Label%d' % index) for index in range(count)])


def refusal(value, parameter='manifest'):
    with pytest.raises(LifeTimeUsageError) as caught:
        load_manifest(value, parameter)
    assert caught.value.details['parameter'] == parameter
    return str(caught.value)


def alias_tree(levels=8, width=10):
    """A YAML document of about 400 bytes that names width ** levels strings through aliases."""
    lines = ['l0: &l0 [%s]' % ', '.join(['x'] * width)]
    for level in range(1, levels):
        lines.append('l%d: &l%d [%s]' % (level, level, ', '.join(['*l%d' % (level - 1)] * width)))
    return '\n'.join(lines) + '\n'


# -- nesting ------------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('text', [
    '{"ApplicationVersions": ' + '[' * DEPTH + ']' * DEPTH + '}',
    '{"ApplicationVersions": ' + '[' * DEPTH,
    'ApplicationVersions: ' + '[' * DEPTH + ']' * DEPTH + '\n',
    'ApplicationVersions:\n' + ''.join('%s- \n' % (' ' * (2 * level)) for level in range(1, 400)),
    ''.join('%sk:\n' % (' ' * level) for level in range(400)),
], ids=['json-file', 'json-file-unclosed', 'yaml-flow-file', 'yaml-block-sequences', 'yaml-block-mappings'])
def test_a_file_nested_too_deep_is_refused_naming_the_parameter(tmp_path, text):
    path = tmp_path / 'deep.yml'
    path.write_text(text)
    message = refusal(str(path), 'source_manifest')
    assert message.startswith('source_manifest %s is nested more than 32 levels deep' % path), message


def test_json_text_nested_too_deep_given_inline_is_refused_and_brackets_in_text_are_no_nesting(tmp_path):
    message = refusal('{"ApplicationVersions": ' + '[' * DEPTH + ']' * DEPTH + '}')
    assert message.startswith('the manifest given inline is nested more than 32 levels deep'), message
    # JSON strings and YAML scalars may hold brackets: only structure counts.
    change_log = '[' * 200 + ' {{ }} ' + ']' * 3
    path = tmp_path / 'release.json'
    path.write_text(json.dumps(manifest(2, ChangeLog=change_log)))
    assert load_manifest(str(path)).applications[1]['change_log'] == change_log
    path = tmp_path / 'release.yml'
    path.write_text('ApplicationVersions:\n- ApplicationKey: k1\n  ApplicationName: A\n  VersionKey: v1\n  VersionNumber: "1.0"\n'
                    '  ChangeLog: fix %s\n' % ('[' * 200))
    assert load_manifest(str(path)).applications[0]['change_log'] == 'fix ' + '[' * 200


def test_a_mapping_nested_too_deep_given_inline_is_refused_without_recursion():
    nested = []
    for dummy in range(DEPTH):
        nested = [nested]
    limit = sys.getrecursionlimit()
    message = refusal({'ApplicationVersions': nested})
    assert message.startswith('the manifest given inline is nested more than 32 levels deep'), message
    assert sys.getrecursionlimit() == limit


# -- aliases ------------------------------------------------------------------------------------------------------------------

def test_a_yaml_alias_tree_is_refused_before_it_expands(tmp_path):
    path = tmp_path / 'bomb.yml'
    path.write_text(alias_tree() + 'ApplicationVersions:\n- ApplicationKey: k1\n  ApplicationName: A\n  VersionKey: v1\n'
                    '  VersionNumber: "1.0"\nConfigurationItems:\n- {ModuleKey: m, ModuleName: M, ConfigurationItemKey: c, '
                    'ConfigurationItemName: C, ConfigurationItemType: Text, Values: [{EnvironmentKey: e, EnvironmentName: E, '
                    'TargetValue: *l7}]}\n')
    message = refusal(str(path))
    assert message == 'manifest %s uses a YAML anchor or alias (line 1): it is read as plain data, so write each value out.' % path


def test_an_anchor_alone_is_refused_too(tmp_path):
    path = tmp_path / 'anchor.yml'
    path.write_text('ApplicationVersions: &versions\n- ApplicationKey: k1\n  ApplicationName: A\n  VersionKey: v1\n  VersionNumber: "1.0"\n')
    assert 'uses a YAML anchor or alias (line 1)' in refusal(str(path))


def test_shared_values_given_inline_are_counted_as_they_would_be_written():
    # Ansible's own YAML may hand a module an alias tree: 10 ** 9 values written out, a few hundred in memory.
    tree = ['x'] * 10
    for dummy in range(8):
        tree = [tree] * 10
    data = manifest(1)
    data['ApplicationVersions'][0]['ChangeLog'] = tree
    assert refusal(data) == 'the manifest given inline holds more than 2000000 values: this is not a manifest.'


def test_a_release_record_file_is_bounded_the_same_way(tmp_path):
    # What the promote and rollback playbooks read from release_file: data, not a manifest.
    path = tmp_path / 'release.yml'
    path.write_text(alias_tree() + 'target_environment: Production\napplications: [{name: A, to_version: "1.2", notes: *l7}]\n')
    with pytest.raises(LifeTimeUsageError) as caught:
        load_data(str(path), 'release_file')
    assert str(caught.value) == 'release_file %s uses a YAML anchor or alias (line 1): it is read as plain data, so write each value out.' % path
    path.write_text('target_environment: Production\napplications: [{name: A, to_version: "1.2"}]\n')
    assert load_data(str(path), 'release_file') == {'target_environment': 'Production', 'applications': [{'name': 'A', 'to_version': '1.2'}]}


# -- size ---------------------------------------------------------------------------------------------------------------------

def test_a_file_bigger_than_the_bound_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / 'huge.json'
    with open(path, 'wb') as handle:
        handle.truncate(reading.MAX_BYTES + 4096)
    assert refusal(str(path)) == 'manifest %s is bigger than the 64 MiB a manifest may have: this is not a manifest.' % path


def test_text_given_inline_bigger_than_the_bound_is_refused():
    text = '{"ApplicationVersions": [], "DeploymentNotes": "%s"}' % ('n' * reading.MAX_BYTES)
    assert 'more than the 64 MiB a manifest may have' in refusal(text)


def test_a_long_value_in_the_wrong_place_is_not_echoed_whole():
    message = refusal(dict(ApplicationVersions='x' * 100000))
    assert message.startswith("manifest.ApplicationVersions must be a list, not 'xxxx"), message
    assert '(100002 characters)' in message and len(message) < 300, len(message)


# -- dates YAML reads ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('created_on', ['0000-01-01', '0000-01-01T00:00:00Z', '2026-02-30'])
def test_an_unquoted_date_outside_the_calendar_stays_text(tmp_path, created_on):
    path = tmp_path / 'release.yml'
    path.write_text('ApplicationVersions:\n- ApplicationKey: k1\n  ApplicationName: A\n  VersionKey: v1\n  VersionNumber: "1.0"\n'
                    '  CreatedOn: %s\n' % created_on)
    assert load_manifest(str(path)).applications[0]['created_on'] == created_on


def test_an_unquoted_date_alone_becomes_text_again(tmp_path):
    path = tmp_path / 'release.yml'
    path.write_text('ApplicationVersions:\n- ApplicationKey: k1\n  ApplicationName: A\n  VersionKey: v1\n  VersionNumber: "1.0"\n'
                    '  CreatedOn: 2026-01-14\n')
    assert load_manifest(str(path)).applications[0]['created_on'] == '2026-01-14'


# -- linear -------------------------------------------------------------------------------------------------------------------

class MemoryClient:
    """A Resolver's calls answered from memory."""

    def __init__(self, data):
        self.applications = [dict(Key=item['ApplicationKey'], Name=item['ApplicationName'], AppStatusInEnvs=[])
                             for item in data['ApplicationVersions']]
        self.versions = dict((item['ApplicationKey'], [dict(Key=item['VersionKey'], Version=item['VersionNumber'])])
                             for item in data['ApplicationVersions'])

    def list_applications(self, include_env_status=True, include_modules=False):  # pylint: disable=unused-argument
        return self.applications

    def list_application_versions(self, key, maximum=None):  # pylint: disable=unused-argument
        return self.versions[key]


def calls_to_check(tmp_path, count):
    """Python function calls (in this thread) to read a manifest file of ``count`` entries and resolve it against LifeTime."""
    data = manifest(count)
    path = tmp_path / ('release-%d.json' % count)
    path.write_text(json.dumps(data))
    resolver = Resolver(MemoryClient(data))
    resolved, calls = counted_calls(lambda: resolve_versions(resolver, load_manifest(str(path))))
    assert len(resolved) == count
    return calls


def test_checking_a_manifest_is_linear_in_its_entries(tmp_path):
    small, large = calls_to_check(tmp_path, 500), calls_to_check(tmp_path, 2000)
    # Four times the entries, four times the calls (and some slack for the thread pool that lists the versions).
    assert large <= 4.5 * small, (small, large)


def counted_calls(work):
    """(what ``work()`` returned, the calls it made in this thread: Python functions and built-ins such as str.lower)."""
    counted = [0]

    def profile(frame, event, arg):  # pylint: disable=unused-argument
        if event in ('call', 'c_call'):
            counted[0] += 1

    sys.setprofile(profile)
    try:
        return work(), counted[0]
    finally:
        sys.setprofile(None)


def with_duplicate_application(count):
    data = manifest(count)
    data['ApplicationVersions'][count - 1]['ApplicationKey'] = data['ApplicationVersions'][17]['ApplicationKey'].upper()
    return data


def with_label(count, label):
    data = manifest(count)
    data['EnvironmentDefinitions'][count - 1]['EnvironmentLabel'] = label
    return data


@pytest.mark.parametrize('make, expected', [
    (with_duplicate_application, 'manifest.ApplicationVersions lists application App%05d twice (entries 17 and %d): a manifest names one '
                                 'version per application.'),
    (lambda count: with_label(count, 'Label0'), "manifest.EnvironmentDefinitions has the label 'Label0' twice"),
    (lambda count: with_label(count, ' label1'), "manifest.EnvironmentDefinitions has the labels 'Label1' and ' label1', which differ only"),
], ids=['application-twice', 'label-twice', 'labels-differing-in-case'])
def test_a_duplicate_is_named_with_both_entries_in_a_linear_number_of_calls(make, expected):
    """The checks that compared each entry with every earlier one still name both, at a cost linear in the entries."""
    small_message, small = counted_calls(lambda: refusal(make(500)))
    large_message, large = counted_calls(lambda: refusal(make(2000)))
    for count, message in ((500, small_message), (2000, large_message)):
        assert message.startswith(expected % (count - 1, count - 1) if '%' in expected else expected), message
    assert large <= 4.5 * small, (small, large)


# -- values YAML 1.1 or Python would change or fail on --------------------------------------------------------------------------

ITEM = ('ConfigurationItems:\n- {ModuleKey: m1, ModuleName: M, ConfigurationItemKey: c1, ConfigurationItemName: C, ConfigurationItemType: T,\n'
        '   Values: [{EnvironmentKey: e1, EnvironmentName: E, TargetValue: %s}]}\n')
ENTRY = 'ApplicationVersions:\n- ApplicationKey: k1\n  ApplicationName: A\n  VersionKey: v1\n  VersionNumber: "1.0"\n'


def target_value(tmp_path, text):
    path = tmp_path / 'release.yml'
    path.write_text(ENTRY + ITEM % text)
    return load_manifest(str(path)).configuration_items[0]['Values'][0]['TargetValue']


@pytest.mark.parametrize('text', ['190:20:30', '0x_FF', '0xFF', '012', '0o17', '0b1010', '1_000', '1:30.5', '1_0.5',
                                  '2024-01-31t10:00:00.5', '2024-01-31 10:00:00', '2026-01-14T09:12:44.17Z'])
def test_a_yaml_1_1_number_or_time_not_in_plain_decimals_stays_the_text_written(tmp_path, text):
    assert target_value(tmp_path, text) == text


@pytest.mark.parametrize('text, value', [('42', 42), ('-7', -7), ('0', 0), ('1.5', 1.5), ('6.02e+23', 6.02e+23), ('true', True), ('no', False)])
def test_plain_decimal_numbers_and_booleans_read_as_before(tmp_path, text, value):
    read = target_value(tmp_path, text)
    assert read == value and type(read) is type(value)


def test_an_integer_too_long_for_python_is_refused_naming_the_field(tmp_path):
    long = '9' * 5000
    message = refusal('{"ApplicationVersions": [], "DeploymentNotes": %s}' % long)
    assert message == 'the manifest given inline holds an integer of 5000 digits at DeploymentNotes, more than can be read: write it as text (quoted).'
    path = tmp_path / 'release.yml'
    path.write_text(ENTRY + ITEM % ('-' + long))
    message = refusal(str(path))
    assert message.startswith('manifest %s holds an integer of 5000 digits at ConfigurationItems[0].Values[0].TargetValue' % path), message
    assert len(message) < 300


def test_a_value_its_yaml_tag_does_not_allow_is_refused_in_one_sentence(tmp_path):
    path = tmp_path / 'release.yml'
    path.write_text(ENTRY + ITEM % '!!bool maybe')
    assert 'holds a value its YAML tag does not allow' in refusal(str(path))
