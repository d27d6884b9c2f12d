# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._version_numbers import compare, highest, increment, next_version


@pytest.mark.parametrize('version, part, expected', [
    ('1.2.3', 'patch', '1.2.4'),
    ('1.2.3', 'minor', '1.3.0'),
    ('1.2.3', 'major', '2.0.0'),
    ('1.2', 'patch', '1.2.1'),
    ('1.2', 'minor', '1.3'),
    ('1.2', 'major', '2.0'),
    ('1', 'patch', '1.0.1'),
    ('1.2.3.4', 'patch', '1.2.3.5'),
    ('1.2.3.4', 'minor', '1.3.0.0'),
    ('1.2.3.4', 'major', '2.0.0.0'),
    ('1.0-hotfix', 'patch', '1.0.1'),
    ('2024.01.15_1', 'patch', '2024.01.15_2'),
    ('2024.01.15_9', 'patch', '2024.01.15_10'),
    ('0.9', 'patch', '0.9.1'),
    ('1.09', 'minor', '1.10'),
])
def test_increment_handles_the_version_shapes_seen_in_the_wild(version, part, expected):
    assert increment(version, part) == expected


@pytest.mark.parametrize('version', ['', 'hotfix', 'v-next', None])
def test_increment_without_a_leading_number_says_to_give_the_version(version):
    with pytest.raises(LifeTimeUsageError, match='Give the version explicitly'):
        increment(version)


def test_increment_rejects_an_unknown_part():
    with pytest.raises(LifeTimeUsageError, match='increment must be one of'):
        increment('1.0', 'build')


@pytest.mark.parametrize('low, high', [
    ('1.2', '1.10'),
    ('1.0', '1.0-hotfix'),
    ('1.0-hotfix', '1.0.1'),
    ('2024.01.15_1', '2024.01.15_2'),
    ('2024.01.15_9', '2024.1.16'),
    ('1.2.3.4', '1.2.3.10'),
    ('1.0-alpha', '1.0-beta'),
    ('release', '1.0'),
])
def test_compare_orders_versions_without_crashing(low, high):
    assert compare(low, high) == -1
    assert compare(high, low) == 1
    assert compare(low, low) == 0


def test_highest_picks_by_number_not_by_text():
    assert highest(['1.9', '1.10', '1.2']) == '1.10'
    assert highest([]) is None


def test_next_version_skips_numbers_already_taken():
    assert next_version(['1.0', '1.1', '1.0.1'], 'patch') == '1.1.1'
    assert next_version(['1.1', '1.1.1'], 'patch') == '1.1.2'


def test_next_version_of_an_application_without_versions_fails_clearly():
    with pytest.raises(LifeTimeUsageError, match='no version yet'):
        next_version([])
