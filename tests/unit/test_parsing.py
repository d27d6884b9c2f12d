# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.outsystems.lifetime.plugins.module_utils._http.failures import parse_key
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.options import normalize_url
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeLookupError, LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import match_one


@pytest.mark.parametrize('url', [
    'https://lt.example.com',
    'https://lt.example.com/',
    'https://lt.example.com/lifetimeapi/rest/v2',
    'https://lt.example.com/lifetimeapi/rest/v2/',
    'https://lt.example.com/lifetime/rest/v2',
    'HTTPS://lt.example.com',
    '  https://lt.example.com  ',
])
def test_lifetime_url_accepts_host_and_api_base(url):
    assert normalize_url(url) == 'https://lt.example.com/lifetimeapi/rest/v2'


def test_lifetime_url_keeps_a_reverse_proxy_prefix():
    assert normalize_url('https://proxy.example.com/lt/') == 'https://proxy.example.com/lt/lifetimeapi/rest/v2'


@pytest.mark.parametrize('url', ['', 'lt.example.com', 'ftp://lt.example.com', 'https://'])
def test_lifetime_url_that_is_not_http_fails_naming_the_parameter(url):
    with pytest.raises(LifeTimeUsageError) as info:
        normalize_url(url)
    assert 'lifetime_url' in str(info.value)


@pytest.mark.parametrize('body', [
    'dce64ad4-2ddf-4e54-a639-3524bcd5b9a1',
    '"dce64ad4-2ddf-4e54-a639-3524bcd5b9a1"',
    ' "dce64ad4-2ddf-4e54-a639-3524bcd5b9a1"\n',
    '{"Key": "dce64ad4-2ddf-4e54-a639-3524bcd5b9a1"}',
    '{"DeploymentKey": "dce64ad4-2ddf-4e54-a639-3524bcd5b9a1"}',
])
def test_keys_answered_as_text_quoted_or_not_are_parsed(body):
    assert parse_key(body) == 'dce64ad4-2ddf-4e54-a639-3524bcd5b9a1'


@pytest.mark.parametrize('body', ['', '   ', '{}', '[]', '""'])
def test_an_answer_without_a_key_gives_none(body):
    assert parse_key(body) is None


APPS = [
    {'Key': 'k1', 'Name': 'EmployeeBackoffice'},
    {'Key': 'k2', 'Name': 'Directory'},
    {'Key': 'k3', 'Name': 'directory'},
    {'Key': 'k4', 'Name': 'Orders'},
]


def test_match_by_key_is_case_insensitive():
    assert match_one(APPS, 'K4', 'application', 'name')['Name'] == 'Orders'


def test_exact_name_wins_over_case_insensitive_matches():
    assert match_one(APPS, 'directory', 'application', 'name')['Key'] == 'k3'


def test_unique_case_insensitive_name_matches():
    assert match_one(APPS, 'employeebackoffice', 'application', 'name')['Key'] == 'k1'


def test_ambiguous_name_lists_the_candidates():
    with pytest.raises(LifeTimeLookupError) as info:
        match_one(APPS, 'DIRECTORY', 'application', 'applications')
    message = str(info.value)
    assert 'ambiguous' in message and 'Directory (k2)' in message and 'directory (k3)' in message
    assert 'applications' in message
    assert len(info.value.details['candidates']) == 2


def test_unknown_name_lists_what_exists():
    with pytest.raises(LifeTimeLookupError) as info:
        match_one(APPS, 'Payroll', 'application', 'name')
    assert "No application 'Payroll'" in str(info.value)
    assert 'EmployeeBackoffice' in str(info.value) and 'Orders' in str(info.value)
