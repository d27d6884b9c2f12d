# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure pieces of the deployment code: plan matching, the concurrent runs' winner, "previous", the summary, lost answers."""

import pytest

from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments import plan as plans
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments import status as statuses
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.summary import summary
from ansible_collections.outsystems.lifetime.plugins.module_utils import _moments as moments
from ansible_collections.outsystems.lifetime.plugins.module_utils import _resolver as resolver
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeError, LifeTimeServerError, LifeTimeTransportError
from ansible_collections.outsystems.lifetime.plugins.module_utils._writes import send_once


def operations(*keys):
    return {'ApplicationOperations': [{'ApplicationVersionKey': key} for key in keys]}


def test_version_keys_ignore_order_and_case():
    assert statuses.version_keys(operations('B', 'a')) == statuses.version_keys(operations('A', 'b')) == ['a', 'b']
    assert statuses.version_keys({}) == []


def test_every_run_agrees_on_the_first_created_plan_then_the_smallest_key():
    first = {'Key': 'ccc', 'CreatedOn': '2026-12-03T10:00:00.100Z'}
    same_time = {'Key': 'bbb', 'CreatedOn': '2026-12-03T10:00:00.100Z'}
    later = {'Key': 'aaa', 'CreatedOn': '2026-12-03T10:00:01.000Z'}
    saved = {'DeploymentStatus': 'saved'}
    for order in ([first, same_time, later], [later, same_time, first], [same_time, later, first]):
        assert statuses.winner([(plan, saved) for plan in order])[0] is same_time


def test_creation_dates_are_compared_as_moments_not_as_text():
    # LifeTime drops trailing zeros of the milliseconds: as text, "00.2Z" sorts after "00.25Z" and "00Z" after "00.5Z".
    whole = {'Key': 'c', 'CreatedOn': '2026-12-03T10:00:00Z'}
    fifth = {'Key': 'b', 'CreatedOn': '2026-12-03T10:00:00.2Z'}
    quarter = {'Key': 'a', 'CreatedOn': '2026-12-03T10:00:00.25Z'}
    saved = {'DeploymentStatus': 'saved'}
    assert statuses.winner([(quarter, saved), (fifth, saved), (whole, saved)])[0] is whole
    assert statuses.winner([(quarter, saved), (fifth, saved)])[0] is fifth
    assert moments.created_before(fifth, quarter) is True and moments.created_before(quarter, fifth) is False
    # Another offset is the same moment.
    assert moments.created_before({'CreatedOn': '2026-12-03T11:00:00.1+01:00'}, fifth) is True


def test_every_run_follows_the_running_plan_else_the_first_created():
    saved_first = ({'Key': 'b', 'CreatedOn': '2026-12-03T10:00:00.1Z'}, {'DeploymentStatus': 'saved'})
    saved_later = ({'Key': 'a', 'CreatedOn': '2026-12-03T10:00:00.15Z'}, {'DeploymentStatus': 'saved'})
    running = ({'Key': 'z', 'CreatedOn': '2026-12-03T10:00:01Z'}, {'DeploymentStatus': 'running'})
    assert statuses.winner([saved_later, saved_first]) is saved_first
    assert statuses.winner([saved_later, saved_first, running]) is running


def test_started_and_aborted_read_lifetimes_never_date():
    assert not statuses.started({'StartedOn': '1900-01-01T00:00:00Z'}) and statuses.started({'StartedOn': '2026-12-03T10:00:00Z'})
    assert not statuses.aborted({'AbortedOn': '1900-01-01T00:00:00Z'}) and statuses.aborted({'AbortedOn': '2026-12-03T10:00:00Z'})


class FakeHistory:
    def __init__(self, plan_list, plan_statuses):
        self._plans = plan_list
        self._statuses = plan_statuses

    def plans(self):
        return self._plans

    def status_if_any(self, plan):
        return {'DeploymentStatus': self._statuses[plan['Key']]}


def test_history_gives_the_versions_successful_plans_deployed_newest_first_without_the_running_one():
    history = FakeHistory([
        {'Key': 'p3', 'ApplicationOperations': [{'ApplicationKey': 'APP', 'ApplicationVersionKey': 'v3'}]},
        {'Key': 'p2', 'ApplicationOperations': [{'ApplicationKey': 'app', 'ApplicationVersionKey': 'v2'}]},
        {'Key': 'p1', 'ApplicationOperations': [{'ApplicationKey': 'app', 'ApplicationVersionKey': 'v1'}]},
        {'Key': 'other', 'ApplicationOperations': [{'ApplicationKey': 'other', 'ApplicationVersionKey': 'x'}]},
    ], {'p3': 'finished_successful', 'p2': 'finished_with_errors', 'p1': 'finished_with_warnings', 'other': 'finished_successful'})
    assert list(plans.deployed_in_history(history, 'app', 'v3')) == ['v1']
    assert list(plans.deployed_in_history(history, 'app', 'v1')) == ['v3']
    assert list(plans.deployed_in_history(history, 'nothing', 'v1')) == []


def test_older_is_by_creation_date_not_by_number():
    versions = [{'Key': 'k10', 'Version': '1.10', 'CreatedOn': '2026-01-01'}, {'Key': 'k9', 'Version': '1.9', 'CreatedOn': '2026-02-01'}]
    assert moments.created_before(versions[0], versions[1]) is True
    assert moments.created_before(versions[1], versions[0]) is False
    assert moments.created_before({'CreatedOn': ''}, versions[1]) is None


def test_running_record_needs_both_the_key_and_the_label():
    assert resolver.running_record({'BaseApplicationVersionKey': 'k', 'BaseApplicationVersionLabel': '1.2'}) == {'Key': 'k', 'Version': '1.2'}
    assert resolver.running_record({'BaseApplicationVersionKey': 'k'}) is None


def application(name, from_version, to_version, skipped=False, downgrade=False):
    return dict(name=name, from_version=from_version, to_version=to_version, skipped=skipped, downgrade=downgrade)


def test_summary_says_what_became_of_each_application_and_the_plan():
    result = dict(target_environment='Production', deployment_key='k', deployment_status='finished_successful', duration=4.25, verified=True,
                  applications=[application('A', '1.2', '1.3'), application('B', '1.0', '1.0', skipped=True),
                                application('C', '2.0', '1.9', downgrade=True), application('D', None, '0.1')])
    assert summary(result, False) == ['A 1.2 -> 1.3 (deployed)', 'B skipped: already runs 1.0', 'C 2.0 -> 1.9 (rolled back)',
                                      'D (not running) -> 0.1 (deployed)', 'plan k: finished_successful in 4.2 s',
                                      'verified: Production runs the versions deployed']


def test_summary_in_check_mode_and_with_nothing_to_do():
    result = dict(target_environment='Production', deployment_key=None, deployment_status=None,
                  applications=[application('A', '1.2', '1.3'), application('C', '2.0', '1.9', downgrade=True)])
    assert summary(result, True) == ['A 1.2 -> 1.3 (would deploy)', 'C 2.0 -> 1.9 (would roll back)',
                                     'plan: would create one deployment plan for 2 application(s)']
    nothing = dict(target_environment='Production', applications=[application('A', '1.3', '1.3', skipped=True)])
    assert summary(nothing, False)[-1] == 'plan: none, Production already runs these versions'


class Lost:
    """A write whose first answer is lost (ambiguous), or refused plainly."""

    def __init__(self, error):
        self.error = error
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.calls == 1:
            raise self.error
        return 'sent again'


AMBIGUOUS = LifeTimeTransportError('POST', '/deployments/', reason='reset', ambiguous=True)


def test_a_lost_answer_is_recovered_from_the_evidence_and_not_sent_again():
    send = Lost(AMBIGUOUS)
    assert send_once(send, lambda: 'found', 'the create') == 'found'
    assert send.calls == 1


def test_no_evidence_fails_saying_nothing_was_created_unless_resending_is_harmless():
    send = Lost(AMBIGUOUS)
    with pytest.raises(LifeTimeError, match='nothing was created. Run the task again'):
        send_once(send, lambda: None, 'the create')
    assert send.calls == 1
    assert send_once(Lost(AMBIGUOUS), lambda: None, 'the solution', resend=True) == 'sent again'


def test_a_plain_refusal_is_not_looked_into():
    refused = LifeTimeServerError('POST', '/deployments/', status=500)
    looked = []
    with pytest.raises(LifeTimeServerError):
        send_once(Lost(refused), lambda: looked.append(1), 'the create')
    assert not looked


def test_evidence_that_cannot_be_read_fails_without_a_second_write():
    send = Lost(AMBIGUOUS)

    def unreadable():
        raise LifeTimeServerError('GET', '/deployments/', status=503)

    with pytest.raises(LifeTimeError, match='cannot tell whether it was carried out'):
        send_once(send, unreadable, 'the create')
    assert send.calls == 1
