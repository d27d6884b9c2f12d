# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An Event-Driven Ansible source: what happens in OutSystems LifeTime, polled through its Deployment API v2.

ansible-rulebook calls ``main(queue, args)``. Everything that decides which events a poll gives is a pure function of
what LifeTime answered and of the state the previous poll left (``Poller.poll`` and the functions it calls), so
tests/unit/test_lifetime_events.py checks it without a server. docs/eda.md is the user's documentation.
"""

import asyncio
import datetime
import email.utils
import hashlib
import json
import logging
import os
import re
import stat
import sys
import tempfile
from urllib.parse import urlsplit

DOCUMENTATION = r"""
---
short_description: Events from OutSystems LifeTime, polled through its Deployment API v2
description:
  - An ansible-rulebook event source that polls LifeTime and puts one event on the queue per happening.
  - Each event is a dict with one top-level key, C(lifetime), holding C(type), C(id) (the same happening always has
    the same id), C(occurred_at) (LifeTime's date) and, where they apply, C(application), C(environment), C(version),
    C(deployment_key), C(status), C(reason) and C(message).
  - Next to each name, the key - C(application_key), C(environment_key), C(version_key), C(source_environment_key)
    and, for a deployment plan, C(application_keys). A key is only letters, digits and hyphens (LifeTime's keys are
    GUIDs; a key of any other form is left out), so keys are the one part of an event a rulebook may pass to a
    playbook as extra vars. Names, notes and messages are text anyone who can edit in LifeTime writes, and
    ansible-playbook evaluates templates in extra vars, so never pass them (docs/eda.md, "Passing events to playbooks").
  - Types are C(version_created), C(running_version_changed), C(deployment_status_changed),
    C(application_blocking_changed) and C(application_modified). docs/eda.md tells what each carries.
  - The first start without a cursor in O(state_file) and without O(since) gives nothing about the past. After that,
    every happening once; the cursor (LifeTime's own dates and what it last answered) is written atomically after the
    events of a poll are queued, so a restart gives nothing again.
  - Each poll sends the same number of requests whatever the number of applications and plans, except one request per
    application named in O(applications) for its blocking (docs/eda.md, "Cost").
options:
  lifetime_url:
    description: The LifeTime address, as for the modules. Default the environment variable E(LIFETIME_URL).
    type: str
    required: true
  lifetime_token:
    description:
      - A LifeTime service account token. Default the environment variable E(LIFETIME_TOKEN).
      - Give it only through E(LIFETIME_TOKEN) (or the EDA controller's credential); ansible-rulebook itself logs a
        source's arguments with C(-vvv), so a token written in the rulebook ends up in its log.
      - Sent only to the origin of O(lifetime_url); never in an event or in a line this source logs.
    type: str
    required: true
  validate_certs:
    description: Verify LifeTime's TLS certificate. Default the environment variable E(LIFETIME_VALIDATE_CERTS), else true.
    type: bool
    default: true
  ca_path:
    description: A CA bundle to verify LifeTime's certificate with. Default the environment variable E(LIFETIME_CA_PATH).
    type: path
  request_timeout:
    description: Seconds one request may take. Default the environment variable E(LIFETIME_REQUEST_TIMEOUT), else 60.
    type: float
    default: 60
  interval:
    description: Seconds between two polls.
    type: float
    default: 60
  state_file:
    description:
      - The file where the cursor lives between runs (JSON, written atomically). Its directory must exist and be
        writable (create it first); a relative path is relative to the directory ansible-rulebook runs in.
      - Checked before the first request (a regular file or none yet, in a directory the source can write to), so the
        source never queues events it could not remember.
      - One file per source: two sources sharing a file would take each other's cursor.
    type: path
    required: true
  environments:
    description: Names or keys of the environments to watch (case-insensitive). Default all.
    type: list
    elements: str
  applications:
    description:
      - Names or keys of the applications to watch (case-insensitive). Default all.
      - A name or key that is no application this token can read stops the source at its first poll, naming it.
      - Blocking (C(application_blocking_changed)) is watched only for the applications named here, one request each
        per poll.
    type: list
    elements: str
  since:
    description:
      - Replay from this date (C(2026-01-31) or C(2026-01-31T08:00:00Z)) when O(state_file) holds no cursor yet
        the deployment plans created since then give their status. Ignored once a cursor exists.
    type: str
"""

EXAMPLES = r"""
- name: Promote what Quality Assurance tags
  hosts: localhost
  sources:
    - outsystems.lifetime.lifetime_events:
        lifetime_url: https://lifetime.example.com
        interval: 60
        state_file: lifetime-events.json
        environments: [Quality Assurance, Production]
  rules:
    - name: A version tagged in Quality Assurance
      condition: >-
        event.lifetime.type == "version_created" and event.lifetime.environment == "Quality Assurance"
      action:
        run_job_template:
          name: OutSystems LifeTime - Promote
          organization: Default
          job_args:
            extra_vars:
              source_environment: Quality Assurance
              target_environment: Production
              # The key, never the name: ansible-playbook evaluates templates in extra vars.
              applications: "{{ event.lifetime.application_key }}"
"""


def _make_collection_importable():
    """Let ``ansible_collections.outsystems.lifetime`` be imported from the copy this file belongs to.

    ansible-rulebook runs a source with runpy.run_path and no Ansible collection loader: the collections directory
    that holds this file (…/ansible_collections/outsystems/lifetime/extensions/eda/plugins/event_source/) goes first
    on sys.path, so the collection's own transport (token to lifetime_url's origin only, deadlines, retries) is used.
    """
    here = os.path.abspath(__file__)
    for path in (here, os.path.realpath(here)):
        parts = path.split(os.sep)
        if len(parts) > 8 and parts[-8] == 'ansible_collections':
            root = os.sep.join(parts[:-8]) or os.sep
            if root not in sys.path:
                sys.path.insert(0, root)
            return


_make_collection_importable()

# pylint: disable=wrong-import-position
from ansible_collections.outsystems.lifetime.plugins.module_utils._client import LifeTimeClient  # noqa: E402
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (  # noqa: E402
    LifeTimeAPIError,
    LifeTimeAuthenticationError,
    LifeTimeBadRequestError,
    LifeTimeError,
    LifeTimeNotFoundError,
    LifeTimePermissionError,
    LifeTimeUsageError,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.options import (  # noqa: E402
    check_ca_path,
    check_request_timeout,
    check_token,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._moments import parse_moment  # noqa: E402
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import closest  # noqa: E402

LOG = logging.getLogger('outsystems.lifetime.lifetime_events')

STATE_FORMAT = 1
TERMINAL = frozenset(('finished_successful', 'finished_with_warnings', 'finished_with_errors', 'aborted'))
DEPLOYED = frozenset(('finished_successful', 'finished_with_warnings'))
# LifeTime writes this date for "never" (StartedOn of a plan not started).
NEVER_YEAR = 1901
# Requests per poll beyond the two lists: plan statuses and version records, each capped; what is left over waits for
# the next poll (docs/eda.md, "Cost").
STATUS_REQUESTS_PER_POLL = 8
VERSION_REQUESTS_PER_POLL = 8
# Back-off after a failed poll: interval doubled each time, up to this many seconds.
MAX_BACKOFF = 300.0
# MinDate is never older than this many days before the newest plan seen: a plan left saved or waiting for a user
# longer than that stops being followed, so the plan list each poll asks for cannot grow without end.
OPEN_PLAN_DAYS = 30
# What a key in an event may hold: LifeTime's keys are GUIDs; never anything a template engine would read as code.
KEY_PATTERN = re.compile(r'^[0-9a-z][0-9a-z-]{0,63}$')
DEFAULT_PORTS = {'http': 80, 'https': 443}

EVENT_TYPES = ('version_created', 'running_version_changed', 'deployment_status_changed', 'application_blocking_changed',
               'application_modified')


class LifeTimeEventsError(Exception):
    """The source cannot go on: one plain sentence for ansible-rulebook's log."""


# -- options ----------------------------------------------------------------------------------------------------------

def _env_or(args, name, variable, environ):
    value = args.get(name)
    if value is None or value == '':
        value = environ.get(variable)
    return value


def _as_bool(name, value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ('1', 'true', 'yes', 'on'):
        return True
    if text in ('0', 'false', 'no', 'off'):
        return False
    raise LifeTimeEventsError('lifetime_events: %s must be true or false, not %r.' % (name, value))


def _as_number(name, value, minimum):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LifeTimeEventsError('lifetime_events: %s must be a number of seconds, not %r.' % (name, value)) from None
    if number < minimum:
        raise LifeTimeEventsError('lifetime_events: %s must be at least %s seconds, not %s.' % (name, minimum, value))
    return number


def _as_names(name, value):
    if value is None or value == '':
        return []
    if isinstance(value, str):
        value = value.split(',')
    if not isinstance(value, (list, tuple)):
        raise LifeTimeEventsError('lifetime_events: %s must be a list of names or keys.' % name)
    return [str(item).strip() for item in value if str(item).strip()]


def read_options(args, environ=None):
    """The source's options from the rulebook's arguments and the LIFETIME_* environment variables; one sentence if wrong."""
    environ = os.environ if environ is None else environ
    validate_certs = _env_or(args, 'validate_certs', 'LIFETIME_VALIDATE_CERTS', environ)
    options = {
        'lifetime_url': _env_or(args, 'lifetime_url', 'LIFETIME_URL', environ),
        'lifetime_token': _env_or(args, 'lifetime_token', 'LIFETIME_TOKEN', environ),
        'validate_certs': _as_bool('validate_certs', validate_certs) if validate_certs is not None else True,
        'ca_path': _env_or(args, 'ca_path', 'LIFETIME_CA_PATH', environ) or None,
        'request_timeout': _env_or(args, 'request_timeout', 'LIFETIME_REQUEST_TIMEOUT', environ) or 60,
        'interval': _as_number('interval', args.get('interval', 60), 0.1),
        'state_file': args.get('state_file'),
        'environments': _as_names('environments', args.get('environments')),
        'applications': _as_names('applications', args.get('applications')),
        'since': args.get('since') or None,
    }
    for required, variable in (('lifetime_url', 'LIFETIME_URL'), ('lifetime_token', 'LIFETIME_TOKEN')):
        if not options[required]:
            raise LifeTimeEventsError('lifetime_events: %s is required (or the environment variable %s).' % (required, variable))
    try:
        # The modules' own checks of the connection options, before the first request.
        options['lifetime_token'] = check_token(options['lifetime_token'])
        options['request_timeout'] = check_request_timeout(options['request_timeout'])
        if options['ca_path']:
            options['ca_path'] = check_ca_path(options['ca_path'])
    except LifeTimeUsageError as exc:
        raise LifeTimeEventsError('lifetime_events: %s' % exc) from None
    if not options['state_file']:
        raise LifeTimeEventsError('lifetime_events: state_file is required: the file where the cursor lives between runs.')
    options['state_file'] = os.path.abspath(os.path.expanduser(str(options['state_file'])))
    check_state_file(options['state_file'])
    if options['since'] is not None:
        # LifeTime takes MinDate as ISO 8601: whatever form was accepted here (an HTTP date, an offset, a YAML date) is
        # sent as UTC.
        since = lifetime_date(str(options['since']))
        if since is None:
            raise LifeTimeEventsError('lifetime_events: since must be a date such as 2026-01-31 or 2026-01-31T08:00:00Z, not %r.'
                                      % str(options['since']))
        options['since'] = since
    return options


def check_state_file(path):
    """Stop before the first request unless ``path`` is a regular file (or none yet) in a directory the source can write to."""
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise LifeTimeEventsError('lifetime_events: the directory of state_file %s does not exist; create it first.' % path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise LifeTimeEventsError('lifetime_events: cannot read state_file %s (%s).' % (path, exc.strerror or exc)) from None
    if mode is not None and not stat.S_ISREG(mode):
        # A FIFO or a device would block the read for ever; a directory cannot be replaced by a file.
        raise LifeTimeEventsError('lifetime_events: state_file %s is not a regular file.' % path)
    try:
        handle, probe = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=directory)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise LifeTimeEventsError('lifetime_events: cannot write state_file %s in its directory (%s).' % (path, exc.strerror or exc)) from None


# -- LifeTime's dates -------------------------------------------------------------------------------------------------

def parse_date(text):
    """An aware datetime of LifeTime's date text (``2018-10-10T15:36:38.26Z``, a bare date, or an HTTP Date); None if none."""
    if not text:
        return None
    # The collection's reader: LifeTime's milliseconds with trailing zeros dropped (.26Z), which fromisoformat refuses before Python 3.11.
    parsed = parse_moment(text)
    if parsed is not None:
        return parsed[0]
    try:
        moment = email.utils.parsedate_to_datetime(str(text).strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def lifetime_date(text):
    """A date as events and the cursor carry it: ISO 8601 UTC, milliseconds kept; None for LifeTime's "never"."""
    moment = parse_date(text)
    if moment is None or moment.year < NEVER_YEAR:
        return None
    moment = moment.astimezone(datetime.timezone.utc)
    return moment.strftime('%Y-%m-%dT%H:%M:%S') + ('.%03dZ' % (moment.microsecond // 1000))


def _creation_order(record):
    return parse_date(record.get('CreatedOn')) or datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)


def _earliest(dates):
    known = [(parse_date(d), d) for d in dates if parse_date(d) is not None]
    return min(known)[1] if known else None


def _latest(dates):
    known = [(parse_date(d), d) for d in dates if parse_date(d) is not None]
    return max(known)[1] if known else None


# -- events -----------------------------------------------------------------------------------------------------------

def event_id(kind, *parts):
    """The id of a happening: the same parts (LifeTime's keys and dates) give the same id, in every run."""
    text = '\x1f'.join([kind] + ['' if part is None else str(part).lower() for part in parts])
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:32]


def safe_key(value):
    """A LifeTime key as events carry it (lower case), or None when it is not key-shaped: keys are what rulebooks may pass on."""
    text = str(value or '').strip().lower()
    return text if KEY_PATTERN.match(text) else None


def make_event(kind, ident, occurred_at, **fields):
    body = {'type': kind, 'id': ident, 'occurred_at': occurred_at}
    for name, value in fields.items():
        if name.endswith('_keys'):
            value = [safe_key(item) for item in value or []]
            value = value if value and None not in value else None
        elif name.endswith('_key'):
            value = safe_key(value)
        if value is not None:
            body[name] = value
    return {'lifetime': body}


def _closest(wanted, names):
    close = closest(wanted, sorted(set(str(name) for name in names if name)))
    return ' (closest: %s)' % ', '.join(close) if close else ''


class Names:
    """Names and keys of environments and applications, and the watched ones (the ``environments``/``applications`` filters)."""

    def __init__(self, environments, env_filter=(), app_filter=()):
        self.env_names = dict((str(e.get('Key', '')).lower(), e.get('Name')) for e in environments if e.get('Key'))
        self.env_watched = self._resolve('environments', environments, env_filter)
        self.app_filter = [name.lower() for name in app_filter]
        self.app_names = {}
        self.apps_checked = not self.app_filter

    def check_applications(self, applications):
        """Stop, naming it, at a name or key in ``applications`` that is no application LifeTime listed (as for environments)."""
        if self.apps_checked:
            return
        known = set()
        for app in applications:
            known.update(str(app.get(field) or '').lower() for field in ('Key', 'Name'))
        for wanted in self.app_filter:
            if wanted not in known:
                raise LifeTimeEventsError('lifetime_events: applications names %r, which is no application this token can read in LifeTime%s.'
                                          % (wanted, _closest(wanted, [app.get('Name') for app in applications])))
        self.apps_checked = True

    @staticmethod
    def _resolve(option, environments, wanted):
        if not wanted:
            return None
        found = set()
        for name in wanted:
            keys = [str(e['Key']).lower() for e in environments if e.get('Key') and name.lower() in (str(e['Key']).lower(), str(e.get('Name', '')).lower())]
            if not keys:
                raise LifeTimeEventsError('lifetime_events: %s names %r, which is no environment this token can read in LifeTime%s.'
                                          % (option, name, _closest(name, [e.get('Name') for e in environments])))
            found.update(keys)
        return found

    def env_name(self, key):
        return self.env_names.get(str(key or '').lower())

    def watches_env(self, key):
        return self.env_watched is None or str(key or '').lower() in self.env_watched

    def watches_app(self, key, name=None):
        if not self.app_filter:
            return True
        return str(key or '').lower() in self.app_filter or str(name or '').lower() in self.app_filter

    def app_name(self, key):
        return self.app_names.get(str(key or '').lower())


def running_snapshot(applications, names):
    """{environment key: {application key: [version key, version label, modified, reason, message]}} of the watched ones."""
    snapshot = {}
    for app in applications:
        key = str(app.get('Key') or '').lower()
        if not key:
            continue
        names.app_names[key] = app.get('Name')
        if not names.watches_app(key, app.get('Name')):
            continue
        for status in app.get('AppStatusInEnvs') or []:
            env = str(status.get('EnvironmentKey') or '').lower()
            if not env or not names.watches_env(env):
                continue
            snapshot.setdefault(env, {})[key] = [
                str(status.get('BaseApplicationVersionKey') or '').lower(), status.get('BaseApplicationVersionLabel'),
                bool(status.get('IsModified')), status.get('IsModifiedReason') or None, status.get('IsModifiedMessage') or None,
            ]
    return snapshot


def _plan_for(plans, env, app, version_key):
    """The newest started plan to ``env`` that deploys ``version_key`` of ``app``: what explains a running version's change."""
    found = None
    for plan in plans:
        if str(plan.get('TargetEnvironmentKey') or '').lower() != env or lifetime_date(plan.get('StartedOn')) is None:
            continue
        for op in plan.get('ApplicationOperations') or []:
            if str(op.get('ApplicationKey') or '').lower() == app and str(op.get('ApplicationVersionKey') or '').lower() == version_key:
                if found is None or parse_date(plan.get('CreatedOn')) > parse_date(found.get('CreatedOn')):
                    found = plan
    return found


def running_changes(previous, current, plans):
    """What changed in the running versions: [(env, app, before, after, plan or None)] and the drift [(env, app, after)]."""
    changes, drift = [], []
    for env, apps in sorted(current.items()):
        before_env = previous.get(env)
        if before_env is None:
            # An environment not seen before (the filter changed, or a new one): its state is the baseline.
            continue
        for app, after in sorted(apps.items()):
            before = before_env.get(app)
            if before is None or before[0] != after[0]:
                changes.append((env, app, before, after, _plan_for(plans, env, app, after[0])))
            elif after[2] and not before[2]:
                drift.append((env, app, after))
    return changes, drift


def version_events(change, version, names, seen_at):
    """The events of one running version's change; ``version`` is the version record when it was read (else None)."""
    env, app, before, after, plan = change
    label = after[1] or (version or {}).get('Version')
    common = dict(application=names.app_name(app), application_key=app, environment=names.env_name(env), environment_key=env,
                  version=label, version_key=after[0])
    events = []
    created_here = version is not None and str(version.get('EnvironmentKey') or '').lower() == env and plan is None
    if created_here:
        events.append(make_event('version_created', event_id('version_created', env, app, after[0]),
                                 lifetime_date(version.get('CreatedOn')) or seen_at, change_log=version.get('ChangeLog') or None, **common))
    plan_key = plan.get('Key') if plan else None
    events.append(make_event('running_version_changed', event_id('running_version_changed', env, app, before and before[0], after[0], plan_key),
                             seen_at, previous_version=before[1] if before else None, previous_version_key=before[0] if before else None,
                             deployment_key=plan_key, **common))
    return events


def drift_event(env, app, after, names, seen_at):
    return make_event('application_modified', event_id('application_modified', env, app, after[0], seen_at), seen_at,
                      application=names.app_name(app), application_key=app, environment=names.env_name(env), environment_key=env,
                      version=after[1], version_key=after[0], reason=after[3], message=after[4])


def blocking_snapshot(configurations, names):
    """{environment key: [blocked, reason]} of one application's configurations, for the watched environments."""
    found = {}
    for item in (configurations or {}).get('configurations') or []:
        env = str(item.get('environmentKey') or '').lower()
        if env and names.watches_env(env):
            found[env] = [bool(item.get('isBlocked')), item.get('isBlockedChangeReason') or None]
    return found


def blocking_events(app, previous, current, names, seen_at):
    events = []
    if previous is None:
        return events
    for env, (blocked, reason) in sorted(current.items()):
        before = previous.get(env)
        if before is not None and before[0] != blocked:
            events.append(make_event('application_blocking_changed', event_id('application_blocking_changed', app, env, blocked, seen_at), seen_at,
                                     application=names.app_name(app), application_key=app, environment=names.env_name(env), environment_key=env,
                                     blocked=blocked, status='blocked' if blocked else 'unblocked', message=reason))
    return events


def plan_watched(plan, names):
    if not names.watches_env(plan.get('TargetEnvironmentKey')):
        return False
    if not names.app_filter:
        return True
    return any(names.watches_app(op.get('ApplicationKey'), names.app_name(op.get('ApplicationKey'))) for op in plan.get('ApplicationOperations') or [])


def _status_occurred_at(plan, word, last):
    """LifeTime's date of a status: when the plan was saved, aborted, or its log's last line."""
    if word == 'saved':
        return lifetime_date(plan.get('SavedOn')) or lifetime_date(plan.get('CreatedOn'))
    if word == 'aborted':
        return lifetime_date(plan.get('AbortedOn')) or lifetime_date(last.get('Instant'))
    return lifetime_date(last.get('Instant')) or lifetime_date(plan.get('StartedOn'))


def _plan_fields(plan, names):
    apps = [names.app_name(op.get('ApplicationKey')) or op.get('ApplicationKey') for op in plan.get('ApplicationOperations') or []]
    target = str(plan.get('TargetEnvironmentKey') or '').lower()
    source = str(plan.get('SourceEnvironmentKey') or '').lower()
    keys = [op.get('ApplicationKey') for op in plan.get('ApplicationOperations') or []]
    return dict(environment=names.env_name(target), environment_key=target, source_environment=names.env_name(source),
                source_environment_key=source, applications=apps, application=apps[0] if len(apps) == 1 else None,
                application_keys=keys, application_key=keys[0] if len(keys) == 1 else None, notes=plan.get('Notes') or None)


def status_word(status):
    """(DeploymentStatus, Info) of a status record; a plan never started (no record) is saved."""
    word = (status or {}).get('DeploymentStatus') or 'saved'
    return word, ((status or {}).get('Info') or None) if word == 'needs_user_intervention' else None


def plan_status_event(plan, status, names, seen):
    """The event of a plan's status; ``status`` is the DeploymentStatus record, or None for a plan never started (saved)."""
    key = str(plan.get('Key') or '')
    word, info = status_word(status)
    log = (status or {}).get('DeploymentLog') or []
    last = log[-1] if log else {}
    # The nth time this plan shows this status (running again after a continue) is another happening.
    count = seen.count(word)
    return make_event('deployment_status_changed', event_id('deployment_status_changed', key, word, info, count),
                      _status_occurred_at(plan, word, last), deployment_key=key, status=word, reason=info,
                      message=last.get('Message') or None, terminal=word in TERMINAL, **_plan_fields(plan, names))


# -- one poll ---------------------------------------------------------------------------------------------------------

def empty_state(server):
    return {'format': STATE_FORMAT, 'server': server, 'cursor': None, 'plans': {}, 'running': None, 'blocking': {}}


def deployments_min_date(state):
    """MinDate of the next plan list: the oldest plan still to follow, else the newest plan seen (LifeTime's dates).

    Never more than OPEN_PLAN_DAYS before the newest plan seen: forget_stale_plans stops following older open plans.
    """
    open_plans = [p['created_on'] for p in state['plans'].values() if p['status'] not in TERMINAL]
    oldest_open = _earliest(open_plans)
    if oldest_open is None:
        return state.get('cursor')
    return _latest([oldest_open, _open_plan_floor(state)])


def _open_plan_floor(state):
    newest = parse_date(state.get('cursor'))
    if newest is None:
        return None
    return lifetime_date((newest - datetime.timedelta(days=OPEN_PLAN_DAYS)).isoformat())


def forget_stale_plans(state):
    """Stop following the open plans created more than OPEN_PLAN_DAYS before the newest one; their keys, for the log."""
    floor = parse_date(_open_plan_floor(state))
    stale = []
    for key, record in list(state['plans'].items()):
        created = parse_date(record.get('created_on'))
        if record['status'] not in TERMINAL and floor is not None and created is not None and created < floor:
            stale.append(key)
            del state['plans'][key]
    return stale


class Poller:
    """One poll at a time: the requests, the events and the next state. ``client`` is a LifeTimeClient (or a test's stand-in)."""

    def __init__(self, options, names, state):
        self.options = options
        self.names = names
        self.state = state

    def poll(self, client, seen_at_of=None):
        """(events, next state). Nothing is written to LifeTime; the caller queues the events, then saves the state."""
        seen_at_of = seen_at_of or (lambda: lifetime_date(getattr(client, 'lifetime_date', None)))
        state = json.loads(json.dumps(self.state))
        first = state['running'] is None
        replay = first and self.options.get('since')
        min_date = deployments_min_date(state) or (self.options['since'] if replay else None)
        # The applications first: they also name the applications of the plans' events.
        applications = client.list_applications(include_env_status=True)
        self.names.check_applications(applications)
        current = running_snapshot(applications, self.names)
        seen_at = seen_at_of()
        plans = [p for p in client.list_deployments(min_date=min_date) if p.get('Key')]
        events = self._plans(client, plans, state, quiet=first and not replay)
        if first:
            state['running'] = current
        else:
            events.extend(self._running(client, state, current, plans, seen_at))
        for app in self._blocking_apps(current):
            now = blocking_snapshot(client.get_application_configurations(app), self.names)
            if not first:
                events.extend(blocking_events(app, state['blocking'].get(app), now, self.names, seen_at))
            state['blocking'][app] = now
        self._forget_deleted_plans(state, plans, min_date)
        state['cursor'] = _latest([state.get('cursor')] + [p.get('CreatedOn') for p in plans]) or state.get('cursor') or seen_at
        self._forget_old_plans(state)
        for key in forget_stale_plans(state):
            LOG.warning('lifetime_events: deployment plan %s is still open %d days after it was created; its later statuses will not be told '
                        '(the running versions it changes still are).', key, OPEN_PLAN_DAYS)
        return events, state

    def _blocking_apps(self, current):
        if not self.names.app_filter:
            return []
        keys = set()
        for apps in current.values():
            keys.update(app for app in apps if self.names.watches_app(app, self.names.app_name(app)))
        keys.update(key for key, name in self.names.app_names.items() if self.names.watches_app(key, name))
        return sorted(keys)

    def _plans(self, client, plans, state, quiet):
        events = []
        budget = [STATUS_REQUESTS_PER_POLL]
        for plan in sorted(plans, key=_creation_order):
            key = str(plan['Key']).lower()
            known = state['plans'].get(key)
            if (known is not None and known['status'] in TERMINAL) or not plan_watched(plan, self.names):
                continue
            try:
                status = self._status(client, plan, budget)
            except LifeTimeNotFoundError:
                state['plans'].pop(key, None)
                continue
            record = known or {'created_on': plan.get('CreatedOn'), 'status': None, 'info': None, 'seen': [], 'quiet': quiet}
            state['plans'][key] = record
            if status is False:
                # Kept open without a status: MinDate keeps it in the next list, which asks for it.
                continue
            word, info = status_word(status)
            if (record['status'], record.get('info')) != (word, info):
                if not record.pop('quiet', False):
                    events.append(plan_status_event(plan, status, self.names, record['seen']))
                record['seen'].append(word)
            record.update(status=word, info=info)
        return events

    @staticmethod
    def _status(client, plan, budget):
        """The status record of a started plan, None for one never started, False when this poll has no request left for it."""
        if lifetime_date(plan.get('StartedOn')) is None:
            return None
        if budget[0] <= 0:
            # Left for the next poll: the plan stays open, so MinDate keeps it in the list.
            return False
        budget[0] -= 1
        return client.get_deployment_status(plan['Key'])

    def _running(self, client, state, current, plans, seen_at):
        events = []
        changes, drift = running_changes(state['running'], current, plans)
        budget = VERSION_REQUESTS_PER_POLL
        for change in changes:
            env, app, before, after, plan = change
            version = None
            if plan is None or not after[1]:
                if budget <= 0:
                    # Not read this poll: keep what ran before, so the next poll sees the change again.
                    if before is None:
                        current[env].pop(app)
                    else:
                        current[env][app] = before
                    continue
                budget -= 1
                try:
                    version = client.get_application_version(app, after[0])
                except LifeTimeNotFoundError:
                    version = None
            events.extend(version_events(change, version, self.names, seen_at))
        for env, app, after in drift:
            events.append(drift_event(env, app, after, self.names, seen_at))
        for env in state['running']:
            # An environment that runs nothing now keeps its (empty) place: what appears there later is a change.
            if env not in current and self.names.watches_env(env):
                current[env] = {}
        state['running'] = current
        return events

    @staticmethod
    def _forget_deleted_plans(state, plans, min_date):
        """A plan still to follow that the list no longer shows was deleted (LifeTime deletes saved plans only)."""
        listed = set(str(p['Key']).lower() for p in plans)
        floor = parse_date(min_date)
        for key in list(state['plans']):
            record = state['plans'][key]
            created = parse_date(record.get('created_on'))
            if key not in listed and record['status'] not in TERMINAL and floor is not None and created is not None and created >= floor:
                del state['plans'][key]

    @staticmethod
    def _forget_old_plans(state):
        floor = parse_date(deployments_min_date(state))
        for key in list(state['plans']):
            record = state['plans'][key]
            created = parse_date(record.get('created_on'))
            if record['status'] in TERMINAL and floor is not None and created is not None and created < floor:
                del state['plans'][key]


# -- the state file ---------------------------------------------------------------------------------------------------

def server_id(url):
    """The LifeTime a cursor belongs to: scheme and host in lower case, the scheme's default port left out."""
    parts = urlsplit(str(url or '').strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    host = (parts.hostname or '').lower()
    if ':' in host:
        host = '[%s]' % host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        host = '%s:%d' % (host, port)
    return '%s://%s' % (scheme, host)


def _is_str(value, optional=True):
    return isinstance(value, str) or (optional and value is None)


def _valid_plan(record):
    return (isinstance(record, dict) and 'status' in record and _is_str(record.get('created_on')) and _is_str(record.get('status'))
            and _is_str(record.get('info')) and isinstance(record.get('seen', []), list) and all(isinstance(s, str) for s in record.get('seen', [])))


def _valid_table(table, width):
    """{key: {key: [width items]}}: the running versions (width 5) and the blocking (width 2) as the source writes them."""
    return isinstance(table, dict) and all(
        isinstance(inner, dict) and all(isinstance(row, list) and len(row) == width for row in inner.values()) for inner in table.values())


def valid_state(state):
    """Whether ``state`` has the shape this source writes (a hand-edited or foreign JSON file would fail later, mid-poll)."""
    return (isinstance(state, dict) and state.get('format') == STATE_FORMAT and _is_str(state.get('server'), optional=False)
            and _is_str(state.get('cursor')) and isinstance(state.get('plans'), dict) and all(_valid_plan(r) for r in state['plans'].values())
            and (state.get('running') is None or _valid_table(state['running'], 5))
            and _valid_table(state.get('blocking', {}), 2))


def load_state(path, server):
    """The cursor a previous run left, or a fresh state; a file of another LifeTime or an unreadable one stops the source."""
    server = server_id(server)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise LifeTimeEventsError('lifetime_events: state_file %s is not a regular file.' % path)
        with open(path, 'r', encoding='utf-8') as handle:
            state = json.load(handle)
    except FileNotFoundError:
        return empty_state(server)
    except (OSError, ValueError) as exc:
        raise LifeTimeEventsError('lifetime_events: cannot read state_file %s (%s); move it away to start again from now.' % (path, exc)) from None
    if not valid_state(state):
        raise LifeTimeEventsError('lifetime_events: state_file %s is not a cursor this source wrote; move it away to start again from now.' % path)
    if server_id(state['server']) != server:
        raise LifeTimeEventsError('lifetime_events: state_file %s holds the cursor of another LifeTime (%s); give each LifeTime its own state_file.'
                                  % (path, state.get('server')))
    state['server'] = server
    state.setdefault('blocking', {})
    return state


def save_state(path, state):
    """Write the state atomically: a reader (or a crash) sees the old file or the new one, never half of one."""
    directory = os.path.dirname(path)
    handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(handle, 'w', encoding='utf-8') as out:
            json.dump(state, out, sort_keys=True, separators=(',', ':'))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


# -- the client and the loop ------------------------------------------------------------------------------------------

class EventsClient(LifeTimeClient):
    """The collection's client, remembering the Date of LifeTime's last answer: the clock of events seen by polling."""

    lifetime_date = None

    def send(self, *args, **kwargs):  # pylint: disable=signature-differs
        response = super().send(*args, **kwargs)
        date = response.headers.get('Date')
        if date:
            self.lifetime_date = date
        return response


def is_fatal(error):
    """Whether trying again cannot help: the token, the permissions, or a request LifeTime refuses."""
    return isinstance(error, (LifeTimeAuthenticationError, LifeTimePermissionError, LifeTimeBadRequestError, LifeTimeUsageError))


def backoff(interval, failures):
    return min(MAX_BACKOFF, max(interval, 1.0) * (2 ** min(failures, 10)))


def _start(options):
    """The client, the names and the state: one request (the environments), which also checks the token."""
    client = EventsClient(options['lifetime_url'], options['lifetime_token'], validate_certs=options['validate_certs'],
                          ca_path=options['ca_path'], timeout=options['request_timeout'], retries=2)
    names = Names(client.list_environments(), options['environments'], options['applications'])
    state = load_state(options['state_file'], server_id(client.server))
    return client, names, state


async def _started(options):
    failures = 0
    while True:
        try:
            return await asyncio.to_thread(_start, options)
        except LifeTimeError as exc:
            if is_fatal(exc) or not isinstance(exc, LifeTimeAPIError):
                raise LifeTimeEventsError('lifetime_events: %s' % exc) from None
            failures += 1
            LOG.warning('lifetime_events: %s Trying again in %d seconds.', exc, backoff(options['interval'], failures))
            await asyncio.sleep(backoff(options['interval'], failures))


async def main(queue, args):
    """ansible-rulebook's entry point: poll LifeTime every ``interval`` seconds until cancelled."""
    options = read_options(args)
    client, names, state = await _started(options)
    poller = Poller(options, names, state)
    failures = 0
    try:
        while True:
            try:
                events, state = await asyncio.to_thread(poller.poll, client)
            except LifeTimeError as exc:
                if is_fatal(exc):
                    raise LifeTimeEventsError('lifetime_events: %s' % exc) from None
                failures += 1
                delay = backoff(options['interval'], failures)
                LOG.warning('lifetime_events: %s Trying again in %d seconds.', exc, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            for event in events:
                await queue.put(event)
            # After the events are queued: a crash before this line gives them again (same ids), never loses them.
            try:
                save_state(options['state_file'], state)
            except OSError as exc:
                raise LifeTimeEventsError('lifetime_events: cannot write state_file %s (%s); the events of the last poll will be given again '
                                          'at the next start.' % (options['state_file'], exc.strerror or exc)) from None
            poller.state = state
            await asyncio.sleep(options['interval'])
    finally:
        client.close()


if __name__ == '__main__':
    class _PrintQueue:
        """Print each event: ``LIFETIME_URL=… LIFETIME_TOKEN=… python lifetime_events.py STATE_FILE``."""

        async def put(self, event):
            print(json.dumps(event, sort_keys=True))

    asyncio.run(main(_PrintQueue(), {'state_file': sys.argv[1] if len(sys.argv) > 1 else 'lifetime-events.json', 'interval': 10}))
