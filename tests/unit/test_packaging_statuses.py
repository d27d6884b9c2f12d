# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which statuses of a source code package end the wait, and how (the definition lists none: _source_code.outcome_of)."""

import pytest

from ansible_collections.outsystems.lifetime.plugins.module_utils._source_code import DONE, FAILED, outcome_of


def record(status, *types):
    return {'PackageKey': 'k', 'Status': status, 'Messages': [{'Message': 'm', 'Detail': '', 'Type': kind} for kind in types]}


@pytest.mark.parametrize('status', ['InProgress', 'inprogress', 'Queued', 'Pending', 'Waiting', ''])
def test_statuses_that_name_neither_the_end_nor_a_failure_are_waited_on(status):
    assert outcome_of(record(status)) is None
    assert outcome_of(record(status, 'Info', 'Warning')) is None


@pytest.mark.parametrize('status', ['Done', 'done', 'DONE'])
def test_done_ends_the_wait_whatever_its_case(status):
    assert outcome_of(record(status)) == DONE


def test_done_wins_over_an_error_message():
    assert outcome_of(record('Done', 'Error')) == DONE


@pytest.mark.parametrize('status', ['Failed', 'Failure', 'Error', 'CompletedWithErrors', 'Aborted', 'PackagingFailed'])
def test_a_status_naming_a_failure_ends_the_wait_as_a_failure(status):
    assert outcome_of(record(status)) == FAILED


@pytest.mark.parametrize('status', ['InProgress', 'Queued', ''])
def test_a_message_of_type_error_ends_the_wait_as_a_failure(status):
    assert outcome_of(record(status, 'Info', 'error')) == FAILED


@pytest.mark.parametrize('answer', [None, {}, {'Status': None, 'Messages': None}, {'Status': 'Queued', 'Messages': ['text', 3]}])
def test_records_missing_their_fields_are_waited_on(answer):
    assert outcome_of(answer) is None
