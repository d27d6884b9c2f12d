# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The roles' filters (plugins/filter/release.py): pure functions of task results."""

import re

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.outsystems.lifetime.plugins.filter import release


def tag(name, version, changed=True):
    return {'item': {'name': name}, 'changed': changed, 'version': {'version': version}, 'msg': 'tagged %s' % name}


def test_application_specs_accepts_names_dictionaries_and_a_comma_separated_string():
    assert release.application_specs(' A , B,,') == [{'name': 'A'}, {'name': 'B'}]
    assert release.application_specs(['A', {'name': 'B', 'version': '1.0', 'deployment_zone': None}, {'name': 'C', 'version': ''}]) == [
        {'name': 'A'}, {'name': 'B', 'version': '1.0'}, {'name': 'C'}]


def test_application_specs_gives_a_default_version_only_where_none_is_given():
    assert release.application_specs(['A', {'name': 'B', 'version': '1.0'}], 'previous') == [
        {'name': 'A', 'version': 'previous'}, {'name': 'B', 'version': '1.0'}]


@pytest.mark.parametrize('value, words', [
    ([], 'at least one application'),
    ('', 'at least one application'),
    (['A', 3], 'apps[1] must be an application name'),
    ([{'version': '1.0'}], 'apps[0] must be an application name'),
    ([{'name': 'A', 'versoin': '1.0'}], 'apps[0] has unknown fields versoin'),
])
def test_application_specs_refuses_what_is_not_an_application(value, words):
    with pytest.raises(AnsibleFilterError, match=words.replace('[', r'\[').replace(']', r'\]')):
        release.application_specs(value, parameter='apps')


def test_tagged_versions_deploys_new_tags_by_number_and_leaves_them_out_in_check_mode():
    specs = [{'name': 'A'}, {'name': 'B'}, {'name': 'C', 'version': '2.0'}]
    tags = [tag('A', '1.0.1'), tag('B', '3.1', changed=False)]
    assert release.tagged_versions(specs, tags) == [{'name': 'A', 'version': '1.0.1'}, {'name': 'B'}, {'name': 'C', 'version': '2.0'}]
    assert release.tagged_versions(specs, tags, True) == [{'name': 'B'}, {'name': 'C', 'version': '2.0'}]


def test_pending_tag_lines_name_the_running_version_in_the_target():
    info = {'applications': [{'name': 'A', 'environments': [{'version': '1.0'}]}, {'name': 'B', 'environments': []}]}
    assert release.pending_tag_lines([tag('A', '1.0.1'), tag('B', '0.1')], info) == [
        'A 1.0 -> 1.0.1 (would tag, then deploy)', 'B (not running) -> 0.1 (would tag, then deploy)']


def test_deployment_summary_counts_pending_tags_in_the_plan_line():
    deployment = {'summary': ['B 1.0 -> 1.1 (would deploy)', 'plan: would create one deployment plan for 1 application(s)'],
                  'applications': [{'name': 'B', 'skipped': False}, {'name': 'C', 'skipped': True}]}
    assert release.deployment_summary(deployment, 'Production', ['A 1.0 -> 1.0.1 (would tag, then deploy)']) == [
        'B 1.0 -> 1.1 (would deploy)', 'A 1.0 -> 1.0.1 (would tag, then deploy)', 'plan: would create one deployment plan for 2 application(s)']
    assert release.deployment_summary({}, 'Production') == ['plan: none, Production already runs these versions']


def test_release_record_carries_every_version_for_the_next_node():
    deployment = {'source_environment': 'QA', 'target_environment': 'PRD', 'deployment_key': 'k', 'deployment_status': 'finished_successful',
                  'applications': [{'name': 'A', 'key': 'a', 'from_version': '1.0', 'from_version_key': 'v0', 'to_version': '1.1',
                                    'version_key': 'v1', 'skipped': False}]}
    assert release.release_record(deployment) == {
        'source_environment': 'QA', 'target_environment': 'PRD', 'deployment_key': 'k', 'deployment_status': 'finished_successful',
        'applications': [{'name': 'A', 'key': 'a', 'from_version': '1.0', 'from_version_key': 'v0', 'to_version': '1.1', 'version_key': 'v1',
                          'planned': True, 'deployed': True}]}
    assert release.release_record({}, 'QA', 'PRD')['target_environment'] == 'PRD'
    # A plan that ended with errors deployed nothing the record can vouch for.
    failed = release.release_record(dict(deployment, deployment_status='finished_with_errors'))
    assert failed['applications'][0]['planned'] is True and failed['applications'][0]['deployed'] is False


def test_publish_versions_from_a_solution_or_from_downloads():
    solution = {'applications': [{'name': 'A', 'key': 'a', 'version': '1.0', 'version_key': 'v', 'is_modified': True}]}
    assert release.publish_versions(solution, {'skipped': True}) == [{'name': 'A', 'key': 'a', 'version': '1.0', 'version_key': 'v', 'modified': True}]
    downloads = {'results': [{'item': 'B', 'version': {'application_key': 'b', 'version': '2.0', 'key': 'w'}}]}
    assert release.publish_versions({'skipped': True}, downloads) == [{'name': 'B', 'key': 'b', 'version': '2.0', 'version_key': 'w', 'modified': False}]


def test_version_mismatches_names_what_does_not_run_its_version():
    info = {'applications': [{'name': 'A', 'environments': [{'version': '1.0'}]}, {'name': 'B', 'environments': [{'version': '2.0'}]},
                             {'name': 'C', 'environments': []}]}
    expected = [{'name': 'A', 'version': '1.0'}, {'name': 'B', 'version': '2.1'}, {'name': 'C', 'version': '3.0'},
                {'name': 'D', 'version': '1.0', 'modified': True}]
    assert release.version_mismatches(expected, info) == ['B runs 2.0, not 2.1', 'C runs nothing, not 3.0']


def test_publish_summary_lists_versions_then_packages():
    versions = [{'name': 'A', 'version': '1.0'}, {'name': 'B', 'version': '2.0', 'modified': True}]
    published = {'results': [{'summary': 'Release.osp (10 bytes, sha256 abc): plan k finished_successful in 1.0 s'}, {'skipped': True}]}
    assert release.publish_summary(versions, published) == ['A 1.0 (published)', 'B 2.0 with changes since that version (published)',
                                                            'Release.osp (10 bytes, sha256 abc): plan k finished_successful in 1.0 s']
    assert release.publish_summary(versions[:1], {'results': [{'skipped': True}]}, True, 'application') == [
        'A 1.0 (would be published)', 'would download each application package from the source and publish it in the target']


def test_release_versions_take_keys_before_numbers_and_leave_out_what_ran_nothing():
    record = {'applications': [{'name': 'A', 'from_version': '1.0', 'from_version_key': 'k0', 'to_version': '1.10', 'version_key': 'k1'},
                               {'name': 'B', 'from_version': None, 'from_version_key': None, 'to_version': '0.1', 'version_key': None}]}
    assert release.release_versions(record) == [{'name': 'A', 'version': 'k1'}, {'name': 'B', 'version': '0.1'}]
    assert release.release_versions(record, 'from') == [{'name': 'A', 'version': 'k0'}]
    assert release.release_versions({}) == []
    # With the application's key, the key names it: a name that disagrees cannot redirect the version to another application.
    keyed = {'applications': [{'name': 'Not A', 'key': 'app-a', 'to_version': '1.1', 'version_key': 'k1'}]}
    assert release.release_versions(keyed) == [{'key': 'app-a', 'version': 'k1'}]


def test_release_versions_refuse_a_version_that_is_a_number_without_its_key():
    record = {'applications': [{'name': 'A', 'from_version': 1.1, 'to_version': 1.10}]}
    with pytest.raises(AnsibleFilterError, match=re.escape('applications[0].to_version of the release record is the number 1.1, not text')):
        release.release_versions(record)
    with pytest.raises(AnsibleFilterError, match='from_version of the release record is the number 1.1'):
        release.release_versions(record, 'from')
    # With the key, the number does not matter: the key decides.
    assert release.release_versions({'applications': [{'name': 'A', 'to_version': 1.1, 'version_key': 'k'}]}) == [
        {'name': 'A', 'version': 'k'}]


@pytest.mark.parametrize('record, side, words', [
    ({}, 'sideways', 'takes to or from'),
    ('a string', 'to', 'a lifetime_release record'),
    ({'applications': [{'to_version': '1.0'}]}, 'to', 'applications[0] of the release record has no name'),
])
def test_release_versions_refuses_what_is_not_a_release_in_a_sentence(record, side, words):
    with pytest.raises(AnsibleFilterError, match=re.escape(words)):
        release.release_versions(record, side)


KEY = 'c9a7a82e-0eee-4a3d-8e22-2a19c69c766f'


def test_applications_given_by_key_are_tagged_planned_and_reported_by_key():
    specs = release.application_specs([{'key': KEY}, 'B'])
    assert release.application_refs(specs) == [KEY, 'B']
    results = [{'item': {'key': KEY}, 'changed': True, 'version': {'version': '1.4'}}, tag('B', '2.0', changed=False)]
    assert release.tagged_versions(specs, results) == [{'key': KEY, 'version': '1.4'}, {'name': 'B'}]
    assert release.tagged_versions(specs, results, check_mode=True) == [{'name': 'B'}]
    info = {'applications': [{'name': 'EmployeeBackoffice', 'key': KEY.upper(), 'environments': [{'version': '1.3'}]}]}
    assert release.pending_tag_lines(results, info) == ['%s 1.3 -> 1.4 (would tag, then deploy)' % KEY]


def versions_info(**applications):
    return {'applications': [{'name': name, 'versions': [{'version': number} for number in numbers]}
                             for name, numbers in applications.items()]}


def test_a_version_that_arrived_as_a_number_is_the_one_version_that_reads_as_it():
    found = release.version_from_number(versions_info(A=['1.10', '1.2'], B=['1.1']), 1.1)
    assert found == {'applications': [{'name': 'A', 'version': '1.10'}, {'name': 'B', 'version': '1.1'}], 'problem': None}
    assert release.version_from_number(versions_info(C=['2', '2.0.1']), 2)['applications'] == [{'name': 'C', 'version': '2'}]
    # 2.0 (a float) is not the answer 2 (an integer): YAML reads them differently, so they were typed differently.
    assert 'C has no version that reads as that number' in release.version_from_number(versions_info(C=['2.0']), 2)['problem']
    info = versions_info(A=['1.10', '1.2', '1.0'], B=['1.1', '1.0.3'], C=['2', '2.0.1'])
    assert 'A has no version that reads as that number' in release.version_from_number(info, 1.3)['problem']


def test_a_number_that_several_versions_read_as_is_refused_naming_them():
    problem = release.version_from_number(versions_info(A=['1.10', '1.1']), 1.1, 'to_version')['problem']
    assert 'to_version arrived as the number 1.1, not as text' in problem and 'several versions that read as it (1.10, 1.1)' in problem
    assert 'write it with a v (v1.10)' in problem
    with pytest.raises(AnsibleFilterError, match='takes a number'):
        release.version_from_number(versions_info(A=['1.1']), '1.1')
    with pytest.raises(AnsibleFilterError, match='takes a number'):
        release.version_from_number(versions_info(A=['1.1']), True)


def test_release_data_parses_json_text_and_gives_anything_else_back():
    assert release.release_data('{"target_environment": "QA", "applications": []}') == {'target_environment': 'QA', 'applications': []}
    assert release.release_data(' {"broken": ') == ' {"broken": '
    assert release.release_data('EmployeeBackoffice') == 'EmployeeBackoffice'
    record = {'target_environment': 'QA'}
    assert release.release_data(record) is record
