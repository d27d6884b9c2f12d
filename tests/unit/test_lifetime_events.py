# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source's polling logic (extensions/eda/plugins/event_source/lifetime_events.py) as pure functions: a fake
LifeTime (the records its API answers) in place of the client, no server, no Java."""

import asyncio
import json
import os

import pytest

from ansible_collections.outsystems.lifetime.extensions.eda.plugins.event_source import lifetime_events as le
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeAuthenticationError,
    LifeTimeServerError,
)

QA, PRD = 'env-qa', 'env-prd'
ENVIRONMENTS = [{'Key': QA, 'Name': 'Quality Assurance'}, {'Key': PRD, 'Name': 'Production'}]
NEVER = '1900-01-01T00:00:00'


class FakeLifeTime:
    """What LifeTime answers, as records; counts the requests a poll sends."""

    def __init__(self, apps=2):
        self.date = 'Mon, 07 Dec 2026 10:00:00 GMT'
        self.apps = {}
        self.versions = {}
        for n in range(apps):
            key = 'app-%d' % n
            self.apps[key] = {'Key': key, 'Name': 'App%d' % n, 'status': {QA: ['v%d-1' % n, '1.1', False], PRD: ['v%d-0' % n, '1.0', False]}}
            self.versions['v%d-1' % n] = {'Key': 'v%d-1' % n, 'Version': '1.1', 'EnvironmentKey': QA, 'CreatedOn': '2026-12-01T00:00:00Z'}
        self.plans = []
        self.statuses = {}
        self.blocking = {}
        self.calls = []
        self.fail = None

    @property
    def lifetime_date(self):
        return self.date

    def _call(self, name):
        self.calls.append(name)
        if self.fail is not None:
            raise self.fail

    def list_deployments(self, min_date=None):
        self._call('deployments')
        floor = le.parse_date(min_date)
        return [dict(p) for p in self.plans if floor is None or le.parse_date(p['CreatedOn']) >= floor]

    def list_applications(self, include_env_status=True):
        self._call('applications')
        return [{'Key': a['Key'], 'Name': a['Name'], 'AppStatusInEnvs': [
            {'EnvironmentKey': env, 'BaseApplicationVersionKey': s[0], 'BaseApplicationVersionLabel': s[1], 'IsModified': s[2],
             'IsModifiedReason': 'Module_Modified' if s[2] else '', 'IsModifiedMessage': ''} for env, s in a['status'].items()]}
            for a in self.apps.values()]

    def get_deployment_status(self, key):
        self._call('status')
        return dict(self.statuses[key])

    def get_application_version(self, app, version_key):
        self._call('version')
        return dict(self.versions[version_key])

    def get_application_configurations(self, app):
        self._call('configurations')
        return {'configurations': [{'environmentKey': env, 'isBlocked': blocked, 'isBlockedChangeReason': 'freeze'}
                                   for env, blocked in self.blocking.get(app, {}).items()]}

    # What happens in LifeTime between polls.

    def tag(self, app, env, key, number, created_on='2026-12-07T10:00:01.5Z'):
        self.versions[key] = {'Key': key, 'Version': number, 'EnvironmentKey': env, 'CreatedOn': created_on}
        self.apps[app]['status'][env] = [key, number, False]

    def plan(self, key, target, app, version_key, created_on, started=True, status='running', info='', log=('Deploy started',)):
        self.plans.insert(0, {'Key': key, 'SourceEnvironmentKey': QA, 'TargetEnvironmentKey': target, 'CreatedOn': created_on,
                              'SavedOn': created_on, 'StartedOn': created_on if started else NEVER, 'AbortedOn': NEVER, 'Notes': '',
                              'ApplicationOperations': [{'ApplicationKey': app, 'ApplicationVersionKey': version_key}]})
        self.set_status(key, status, info, log)

    def set_status(self, key, status, info='', log=('Deploy started',)):
        self.statuses[key] = {'DeploymentStatus': status, 'Info': info,
                              'DeploymentLog': [{'Instant': '2026-12-07T10:00:0%dZ' % i, 'Message': m, 'Type': 'Info'} for i, m in enumerate(log)]}
        for plan in self.plans:
            if plan['Key'] == key and status != 'saved':
                plan['StartedOn'] = plan['StartedOn'] if plan['StartedOn'] != NEVER else '2026-12-07T10:00:00Z'


def options(tmp_path, **extra):
    args = {'lifetime_url': 'https://lifetime.example.com', 'lifetime_token': 'secret-token', 'state_file': str(tmp_path / 'cursor.json')}
    args.update(extra)
    return le.read_options(args, {})


def poller(tmp_path, fake, state=None, **extra):
    opts = options(tmp_path, **extra)
    names = le.Names(ENVIRONMENTS, opts['environments'], opts['applications'])
    return le.Poller(opts, names, state or le.empty_state('https://lifetime.example.com'))


def poll(p, fake):
    events, state = p.poll(fake)
    p.state = state
    return events


def types(events):
    return [(e['lifetime']['type'], e['lifetime'].get('environment'), e['lifetime'].get('application'), e['lifetime'].get('status'))
            for e in events]


def test_the_first_start_without_cursor_or_since_gives_nothing_about_the_past(tmp_path):
    fake = FakeLifeTime()
    fake.plan('plan-old', PRD, 'app-0', 'v0-1', '2026-12-06T09:00:00Z', status='finished_successful')
    fake.plan('plan-waiting', PRD, 'app-1', 'v1-1', '2026-12-06T09:30:00Z', status='needs_user_intervention', info='deploy_prepared')
    fake.apps['app-1']['status'][QA][2] = True
    p = poller(tmp_path, fake)
    assert poll(p, fake) == []
    assert poll(p, fake) == []


def test_a_tag_in_quality_assurance_gives_version_created_once_with_lifetime_dates(tmp_path):
    fake = FakeLifeTime()
    p = poller(tmp_path, fake)
    poll(p, fake)
    fake.tag('app-0', QA, 'v0-2', '1.2')
    events = poll(p, fake)
    assert types(events) == [('version_created', 'Quality Assurance', 'App0', None),
                             ('running_version_changed', 'Quality Assurance', 'App0', None)]
    created = events[0]['lifetime']
    assert created['version'] == '1.2' and created['version_key'] == 'v0-2'
    assert created['occurred_at'] == '2026-12-07T10:00:01.500Z'
    assert events[1]['lifetime']['previous_version'] == '1.1'
    assert poll(p, fake) == []


def test_a_deployment_gives_each_status_it_shows_once_and_the_running_version_change_with_its_plan(tmp_path):
    fake = FakeLifeTime()
    p = poller(tmp_path, fake)
    poll(p, fake)
    fake.plan('plan-1', PRD, 'app-0', 'v0-1', '2026-12-07T10:00:00Z', status='running')
    assert types(poll(p, fake)) == [('deployment_status_changed', 'Production', 'App0', 'running')]
    assert poll(p, fake) == []
    fake.set_status('plan-1', 'needs_user_intervention', 'deploy_prepared', log=('Deploy started', 'Waiting for confirmation'))
    events = poll(p, fake)
    assert types(events) == [('deployment_status_changed', 'Production', 'App0', 'needs_user_intervention')]
    assert events[0]['lifetime']['reason'] == 'deploy_prepared'
    assert events[0]['lifetime']['message'] == 'Waiting for confirmation'
    fake.set_status('plan-1', 'finished_with_errors', log=('Deploy started', 'Deploy failed'))
    events = poll(p, fake)
    assert types(events) == [('deployment_status_changed', 'Production', 'App0', 'finished_with_errors')]
    assert events[0]['lifetime']['terminal'] is True
    fake.calls.clear()
    assert poll(p, fake) == []
    assert 'status' not in fake.calls, 'a terminal plan is not asked for again'


def test_a_running_version_explained_by_a_plan_needs_no_version_request(tmp_path):
    fake = FakeLifeTime()
    p = poller(tmp_path, fake)
    poll(p, fake)
    fake.plan('plan-1', PRD, 'app-0', 'v0-1', '2026-12-07T10:00:00Z', status='finished_successful')
    fake.apps['app-0']['status'][PRD] = ['v0-1', '1.1', False]
    fake.calls.clear()
    events = poll(p, fake)
    assert types(events) == [('deployment_status_changed', 'Production', 'App0', 'finished_successful'),
                             ('running_version_changed', 'Production', 'App0', None)]
    assert events[1]['lifetime']['deployment_key'] == 'plan-1'
    assert 'version' not in fake.calls


def test_the_same_happening_has_the_same_id_in_another_run(tmp_path):
    runs = []
    for name in ('one', 'two'):
        fake = FakeLifeTime()
        directory = tmp_path / name
        directory.mkdir()
        p = poller(directory, fake)
        poll(p, fake)
        fake.tag('app-0', QA, 'v0-2', '1.2')
        fake.plan('plan-1', PRD, 'app-1', 'v1-1', '2026-12-07T10:00:00Z', status='finished_successful')
        fake.date = 'Mon, 07 Dec 2026 10:0%d:00 GMT' % len(runs)
        runs.append(sorted(e['lifetime']['id'] for e in poll(p, fake) if e['lifetime']['type'] != 'application_modified'))
    assert runs[0] == runs[1] and len(set(runs[0])) == 3


def test_a_plan_running_across_a_restart_gives_its_later_statuses_once(tmp_path):
    fake = FakeLifeTime()
    p = poller(tmp_path, fake)
    poll(p, fake)
    fake.plan('plan-1', PRD, 'app-0', 'v0-1', '2026-12-07T10:00:00Z', status='running')
    assert types(poll(p, fake)) == [('deployment_status_changed', 'Production', 'App0', 'running')]
    le.save_state(p.options['state_file'], p.state)
    fake.set_status('plan-1', 'finished_successful', log=('Deploy started', 'Deploy completed'))
    restarted = poller(tmp_path, fake, state=le.load_state(p.options['state_file'], 'https://lifetime.example.com'))
    assert types(poll(restarted, fake)) == [('deployment_status_changed', 'Production', 'App0', 'finished_successful')]
    le.save_state(p.options['state_file'], restarted.state)
    third = poller(tmp_path, fake, state=le.load_state(p.options['state_file'], 'https://lifetime.example.com'))
    assert poll(third, fake) == []


def test_since_replays_the_plans_created_after_it(tmp_path):
    fake = FakeLifeTime()
    fake.plan('plan-before', PRD, 'app-0', 'v0-1', '2026-11-01T09:00:00Z', status='finished_successful')
    fake.plan('plan-after', PRD, 'app-1', 'v1-1', '2026-12-06T09:00:00Z', status='finished_with_errors')
    p = poller(tmp_path, fake, since='2026-12-01')
    events = poll(p, fake)
    assert types(events) == [('deployment_status_changed', 'Production', 'App1', 'finished_with_errors')]
    assert poll(p, fake) == []


def test_requests_per_poll_do_not_grow_with_applications_or_finished_plans(tmp_path):
    counts = []
    for apps in (30, 300):
        fake = FakeLifeTime(apps=apps)
        for n in range(apps):
            fake.plan('plan-%d' % n, PRD, 'app-%d' % n, 'v%d-1' % n, '2026-12-06T09:%02d:%02dZ' % (n // 60, n % 60), status='finished_successful')
        directory = tmp_path / str(apps)
        directory.mkdir()
        p = poller(directory, fake)
        per_poll = []
        for dummy in range(60):
            fake.calls.clear()
            poll(p, fake)
            per_poll.append(len(fake.calls))
        # The plans found at the first start are learned a few at a time; then a quiet poll is two lists.
        assert max(per_poll) <= 2 + le.STATUS_REQUESTS_PER_POLL
        counts.append(per_poll[-1])
    assert counts == [2, 2]


def test_status_requests_are_capped_and_the_rest_come_in_the_next_poll(tmp_path):
    fake = FakeLifeTime(apps=20)
    p = poller(tmp_path, fake)
    poll(p, fake)
    for n in range(20):
        fake.plan('plan-%d' % n, PRD, 'app-%d' % n, 'v%d-0' % n, '2026-12-07T10:%02d:00Z' % n, status='finished_successful')
    fake.calls.clear()
    first = poll(p, fake)
    assert fake.calls.count('status') == le.STATUS_REQUESTS_PER_POLL
    second = poll(p, fake)
    third = poll(p, fake)
    keys = [e['lifetime']['deployment_key'] for e in first + second + third]
    assert sorted(keys) == sorted('plan-%d' % n for n in range(20)) and len(set(keys)) == 20


def test_a_modified_application_and_a_blocked_one_are_told_once(tmp_path):
    fake = FakeLifeTime()
    fake.blocking['app-0'] = {QA: False, PRD: False}
    p = poller(tmp_path, fake, applications=['App0'])
    poll(p, fake)
    fake.apps['app-0']['status'][QA][2] = True
    fake.blocking['app-0'][PRD] = True
    events = poll(p, fake)
    assert sorted(types(events)) == [('application_blocking_changed', 'Production', 'App0', 'blocked'),
                                     ('application_modified', 'Quality Assurance', 'App0', None)]
    modified = [e['lifetime'] for e in events if e['lifetime']['type'] == 'application_modified'][0]
    assert modified['reason'] == 'Module_Modified'
    assert poll(p, fake) == []
    fake.blocking['app-0'][PRD] = False
    assert types(poll(p, fake)) == [('application_blocking_changed', 'Production', 'App0', 'unblocked')]


def test_the_filters_leave_out_other_environments_and_applications(tmp_path):
    fake = FakeLifeTime()
    p = poller(tmp_path, fake, environments=['production'], applications=['app-1'])
    poll(p, fake)
    fake.tag('app-0', PRD, 'v0-9', '9.0')
    fake.tag('app-1', QA, 'v1-9', '9.0')
    assert poll(p, fake) == []
    fake.tag('app-1', PRD, 'v1-8', '8.0')
    assert types(poll(p, fake)) == [('version_created', 'Production', 'App1', None), ('running_version_changed', 'Production', 'App1', None)]


def test_an_environment_filter_naming_nothing_stops_with_a_sentence():
    with pytest.raises(le.LifeTimeEventsError, match="environments names 'Staging', which is no environment"):
        le.Names(ENVIRONMENTS, ['Staging'])


def test_options_come_from_the_environment_and_are_checked_before_any_request(tmp_path):
    opts = le.read_options({'state_file': str(tmp_path / 'c.json')},
                           {'LIFETIME_URL': 'https://lt.example.com', 'LIFETIME_TOKEN': 'tok', 'LIFETIME_VALIDATE_CERTS': 'false'})
    assert (opts['lifetime_url'], opts['lifetime_token'], opts['validate_certs']) == ('https://lt.example.com', 'tok', False)
    with pytest.raises(le.LifeTimeEventsError, match='lifetime_token is required'):
        le.read_options({'lifetime_url': 'https://x', 'state_file': str(tmp_path / 'c.json')}, {})
    with pytest.raises(le.LifeTimeEventsError, match='since must be a date'):
        options(tmp_path, since='yesterday')
    with pytest.raises(le.LifeTimeEventsError, match='directory of state_file'):
        options(tmp_path, state_file=str(tmp_path / 'missing' / 'c.json'))


@pytest.mark.parametrize('args, words', [
    (dict(request_timeout=1e9), 'request_timeout must be a number of seconds greater than 0 and at most'),
    (dict(request_timeout='soon'), 'request_timeout must be a number of seconds'),
    (dict(lifetime_token='tok\nen'), 'lifetime_token contains a space, a line break'),
    (dict(ca_path='/nonexistent/ca.pem'), 'ca_path /nonexistent/ca.pem does not exist'),
], ids=['a day exceeded', 'not a number', 'token with a line break', 'missing ca_path'])
def test_connection_options_get_the_modules_checks_before_any_request(tmp_path, args, words):
    with pytest.raises(le.LifeTimeEventsError, match=words) as info:
        options(tmp_path, **args)
    assert str(info.value).startswith('lifetime_events: ') and 'tok\nen' not in str(info.value)


def test_the_state_file_is_replaced_whole_and_names_its_lifetime(tmp_path):
    path = str(tmp_path / 'cursor.json')
    state = le.empty_state('https://a.example.com')
    le.save_state(path, state)
    assert json.load(open(path)) == state
    assert os.listdir(str(tmp_path)) == ['cursor.json']
    with pytest.raises(le.LifeTimeEventsError, match='cursor of another LifeTime'):
        le.load_state(path, 'https://b.example.com')
    with open(path, 'w') as handle:
        handle.write('{"half": ')
    with pytest.raises(le.LifeTimeEventsError, match='cannot read state_file'):
        le.load_state(path, 'https://a.example.com')


class RecordingQueue(asyncio.Queue):
    def __init__(self, order):
        super().__init__()
        self.order = order

    async def put(self, item):
        self.order.append('queued %s' % item['lifetime']['type'])
        await super().put(item)


def _run_main(monkeypatch, tmp_path, fake, polls, state=None, order=None):
    """main() with the fake in place of the client; stops after ``polls`` sleeps."""
    state = state or le.empty_state('https://lifetime.example.com')
    monkeypatch.setattr(le, '_start', lambda options: (fake, le.Names(ENVIRONMENTS), state))
    fake.close = lambda: None
    sleeps = []

    async def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) >= polls:
            raise asyncio.CancelledError()

    monkeypatch.setattr(le.asyncio, 'sleep', sleep)
    queue = RecordingQueue([] if order is None else order)
    args = {'lifetime_url': 'https://lifetime.example.com', 'lifetime_token': 'secret-token', 'state_file': str(tmp_path / 'c.json'), 'interval': 5}
    with pytest.raises(BaseException) as raised:
        asyncio.run(le.main(queue, args))
    return raised.value, sleeps, queue


def test_transient_errors_back_off_without_stopping_the_source(monkeypatch, tmp_path):
    fake = FakeLifeTime()
    fake.fail = LifeTimeServerError('GET', '/deployments/', status=503)
    error, sleeps, dummy = _run_main(monkeypatch, tmp_path, fake, polls=3)
    assert isinstance(error, asyncio.CancelledError)
    assert sleeps == [10.0, 20.0, 40.0]
    assert not os.path.exists(str(tmp_path / 'c.json'))


def test_a_wrong_token_stops_the_source_with_a_plain_sentence(monkeypatch, tmp_path):
    fake = FakeLifeTime()
    fake.fail = LifeTimeAuthenticationError('GET', '/deployments/', status=401)
    error, sleeps, dummy = _run_main(monkeypatch, tmp_path, fake, polls=3)
    assert isinstance(error, le.LifeTimeEventsError)
    assert str(error).startswith('lifetime_events: LifeTime rejected the token') and 'lifetime_token' in str(error)
    assert 'secret-token' not in str(error) and sleeps == []


def test_the_cursor_is_written_after_the_events_are_queued(monkeypatch, tmp_path):
    fake = FakeLifeTime()
    earlier = poller(tmp_path, fake)
    poll(earlier, fake)
    fake.tag('app-0', QA, 'v0-2', '1.2')
    order = []
    real_save = le.save_state
    monkeypatch.setattr(le, 'save_state', lambda path, state: (order.append('saved'), real_save(path, state)))
    dummy, sleeps, queue = _run_main(monkeypatch, tmp_path, fake, polls=1, state=earlier.state, order=order)
    assert order == ['queued version_created', 'queued running_version_changed', 'saved'] and queue.qsize() == 2
    assert json.load(open(str(tmp_path / 'c.json')))['running'][QA]['app-0'][0] == 'v0-2'


# -- review 18 ----------------------------------------------------------------------------------------------------------

def test_plan_events_carry_the_keys_and_leave_out_a_key_that_is_not_key_shaped(tmp_path):
    fake = FakeLifeTime()
    hostile = "{{ lookup('pipe', 'id') }}"
    fake.apps[hostile] = {'Key': hostile, 'Name': 'Evil{{ 7 * 7 }}', 'status': {}}
    p = poller(tmp_path, fake)
    poll(p, fake)
    fake.plan('plan-1', PRD, 'app-0', 'v0-1', '2026-12-07T10:00:00Z', status='running')
    fake.plan('plan-2', QA, hostile, 'v9-9', '2026-12-07T10:00:01Z', status='running')
    events = dict((e['lifetime']['deployment_key'], e['lifetime']) for e in poll(p, fake))
    good, evil = events['plan-1'], events['plan-2']
    assert (good['application_key'], good['application_keys'], good['environment_key'], good['source_environment_key']) == \
        ('app-0', ['app-0'], PRD, QA)
    assert 'application_key' not in evil and 'application_keys' not in evil
    assert evil['application'] == 'Evil{{ 7 * 7 }}'
    assert le.make_event('x', 'i', None, version_key='V0-2 ', application_key='a{{b}}')['lifetime'] == \
        {'type': 'x', 'id': 'i', 'occurred_at': None, 'version_key': 'v0-2'}


def test_a_state_file_directory_the_source_cannot_write_to_stops_before_any_request(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, 'Permission denied')

    monkeypatch.setattr(le.tempfile, 'mkstemp', refuse)
    with pytest.raises(le.LifeTimeEventsError, match=r'cannot write state_file .*cursor\.json in its directory \(Permission denied\)'):
        options(tmp_path)


def test_a_state_file_that_cannot_be_saved_stops_the_source_with_one_sentence(monkeypatch, tmp_path):
    fake = FakeLifeTime()

    def refuse(path, state):
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(le, 'save_state', refuse)
    error, sleeps, dummy = _run_main(monkeypatch, tmp_path, fake, polls=3)
    assert isinstance(error, le.LifeTimeEventsError), repr(error)
    assert str(error).startswith('lifetime_events: cannot write state_file') and 'No space left on device' in str(error)
    assert sleeps == []


def test_since_is_sent_to_lifetime_as_an_iso_utc_date_whatever_form_it_was_given_in(tmp_path):
    import datetime
    given = ['Tue, 01 Dec 2026 08:00:00 GMT', '2026-12-01T09:00:00+01:00',
             datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.timezone.utc), '2026-12-01T08:00:00Z']
    assert [options(tmp_path, since=value)['since'] for value in given] == ['2026-12-01T08:00:00.000Z'] * 4
    assert options(tmp_path, since=datetime.date(2026, 12, 1))['since'] == '2026-12-01T00:00:00.000Z'
    fake = FakeLifeTime()
    sent = []
    real = fake.list_deployments
    fake.list_deployments = lambda min_date=None: (sent.append(min_date), real(min_date))[1]
    poll(poller(tmp_path, fake, since='Tue, 01 Dec 2026 08:00:00 GMT'), fake)
    assert sent == ['2026-12-01T08:00:00.000Z']


def test_a_state_file_that_is_not_a_regular_file_is_refused_before_it_is_opened(tmp_path):
    fifo = str(tmp_path / 'cursor.json')
    os.mkfifo(fifo)
    with pytest.raises(le.LifeTimeEventsError, match='state_file .*cursor.json is not a regular file'):
        options(tmp_path)
    with pytest.raises(le.LifeTimeEventsError, match='is not a regular file'):
        le.load_state(fifo, 'https://lifetime.example.com')
    with pytest.raises(le.LifeTimeEventsError, match='is not a regular file'):
        options(tmp_path, state_file=str(tmp_path))


@pytest.mark.parametrize('state', [
    {'format': 1, 'plans': {}, 'server': 'https://lifetime.example.com', 'running': []},
    {'format': 1, 'plans': {'x': {}}, 'server': 'https://lifetime.example.com', 'running': None},
    {'format': 1, 'plans': {'x': {'created_on': 5, 'status': 'running'}}, 'server': 'https://lifetime.example.com', 'running': None},
    {'format': 1, 'plans': {}, 'server': 'https://lifetime.example.com', 'running': {'env': {'app': [1, 2]}}},
    {'format': 1, 'plans': {}, 'server': 'https://lifetime.example.com', 'running': None, 'blocking': []},
    {'format': 1, 'plans': {}, 'server': None, 'running': None},
    {'format': 1, 'plans': {}, 'server': 'https://lifetime.example.com', 'running': None, 'cursor': 7},
], ids=['running-list', 'plan-without-status', 'plan-date-number', 'running-row-short', 'blocking-list', 'no-server', 'cursor-number'])
def test_a_state_file_of_the_wrong_shape_stops_with_one_sentence_naming_it(tmp_path, state):
    path = str(tmp_path / 'cursor.json')
    with open(path, 'w') as handle:
        json.dump(state, handle)
    with pytest.raises(le.LifeTimeEventsError, match='state_file .*cursor.json is not a cursor this source wrote'):
        le.load_state(path, 'https://lifetime.example.com')


def test_the_same_lifetime_written_another_way_keeps_its_cursor(tmp_path):
    path = str(tmp_path / 'cursor.json')
    le.save_state(path, le.empty_state('https://LT.example.com:443'))
    for same in ('https://lt.example.com', 'https://lt.example.com:443/', 'HTTPS://Lt.Example.com'):
        assert le.load_state(path, same)['server'] == 'https://lt.example.com'
    for other in ('https://lt.example.com:8443', 'http://lt.example.com', 'https://lt2.example.com'):
        with pytest.raises(le.LifeTimeEventsError, match='cursor of another LifeTime'):
            le.load_state(path, other)
    assert le.server_id('http://[::1]:80') == 'http://[::1]' and le.server_id('http://h:8080') == 'http://h:8080'


def test_a_plan_open_longer_than_the_window_no_longer_holds_min_date_back(tmp_path):
    fake = FakeLifeTime()
    fake.plan('plan-forgotten', PRD, 'app-0', 'v0-1', '2026-10-01T09:00:00Z', started=False, status='saved')
    fake.plan('plan-new', PRD, 'app-1', 'v1-1', '2026-12-07T09:00:00Z', status='finished_successful')
    p = poller(tmp_path, fake, since='2026-09-01')
    sent = []
    real = fake.list_deployments
    fake.list_deployments = lambda min_date=None: (sent.append(min_date), real(min_date))[1]
    poll(p, fake)
    assert 'plan-forgotten' not in p.state['plans']
    poll(p, fake)
    window = le.parse_date('2026-12-07T09:00:00Z') - le.datetime.timedelta(days=le.OPEN_PLAN_DAYS)
    assert le.parse_date(sent[-1]) >= window, sent


def test_an_application_filter_naming_nothing_stops_with_a_sentence_and_the_closest_names(tmp_path):
    fake = FakeLifeTime()
    p = poller(tmp_path, fake, applications=['App1', 'Ap0'])
    with pytest.raises(le.LifeTimeEventsError, match=r"applications names 'ap0', which is no application this token can read in LifeTime \(closest: App0"):
        p.poll(fake)
    with pytest.raises(le.LifeTimeEventsError, match=r"no environment this token can read in LifeTime \(closest: Production\)"):
        le.Names(ENVIRONMENTS, ['Producton'])


def test_a_filter_naming_part_of_an_environment_name_offers_it_as_the_closest_as_the_modules_do():
    # The modules' likeness (_resolver.closest): a name held in another counts as alike, though difflib's ratio alone is low.
    with pytest.raises(le.LifeTimeEventsError, match=r"'Prod', which is no environment this token can read in LifeTime \(closest: Production\)"):
        le.Names(ENVIRONMENTS, ['Prod'])


def test_lifetime_dates_with_trailing_zeros_dropped_and_http_dates_are_read_as_the_same_moment():
    assert le.parse_date('2026-01-31T08:00:00.26Z') == le.parse_date('2026-01-31T08:00:00.260Z')
    assert le.lifetime_date('2026-01-31T08:00:00.26Z') == '2026-01-31T08:00:00.260Z'
    assert le.lifetime_date('Sat, 31 Jan 2026 08:00:00 GMT') == '2026-01-31T08:00:00.000Z'
    assert le.parse_date('not a date') is None


def test_the_documentation_and_examples_are_yaml_and_name_the_keys_events_carry():
    import yaml
    documentation = yaml.safe_load(le.DOCUMENTATION)
    text = ' '.join(documentation['description'])
    assert all(key in text for key in ('C(application_key)', 'C(environment_key)', 'C(version_key)', 'C(application_keys)'))
    assert 'LIFETIME_TOKEN' in ' '.join(documentation['options']['lifetime_token']['description'])
    assert yaml.safe_load(le.EXAMPLES)[0]['rules'][0]['action']['run_job_template']['job_args']['extra_vars']['applications'] == \
        '{{ event.lifetime.application_key }}'
