# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the doctor's checks in order, and lifetime_doctor's result.

The connection options, the proxy, TLS, then GET requests only: the token, the applications, each environment, the
deployment plans, the features, the clock. A check that everything after it needs (the options, reaching LifeTime,
the token) ends the run with its fail line; the others each give their line whatever the one before found.
"""

import datetime
import re
import time

from urllib.parse import unquote, urlsplit

from ansible_collections.outsystems.lifetime.plugins.module_utils._connection import url_secrets
from ansible_collections.outsystems.lifetime.plugins.module_utils._doctor.api import NO_KEY, NOT_JSON, Reader, body_words, feature_answer, segment
from ansible_collections.outsystems.lifetime.plugins.module_utils._doctor.network import (
    EXPIRED, NOT_YET_VALID, TRUST_NONE, inspect_certificate, masked_proxy, proxy_for, proxy_unreachable, trust_of, utc_date)
from ansible_collections.outsystems.lifetime.plugins.module_utils._doctor.report import FAIL, OK, WARN, Report
from ansible_collections.outsystems.lifetime.plugins.module_utils._doctor.support import (
    FORMAT, checked_support_dest, counted, field_names, identifying_strings, scrubbed, shape, write_support)
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeAPIError, LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.options import API_PATH, normalize_url, proxy_url_problem
from ansible_collections.outsystems.lifetime.plugins.module_utils._version import COLLECTION_VERSION

# LifeTime's clock against the controller's: beyond WARN a user compares dates by eye; beyond FAIL lifetime_deployment's
# read of the target's recent plans (by date, up to tomorrow on the controller's calendar) can miss the plans LifeTime
# has just dated.
CLOCK_WARN_SECONDS = 300
CLOCK_FAIL_SECONDS = 12 * 3600
REACH_ADVICE = 'check lifetime_url (the address of LifeTime, not of an environment), the network path and the proxy, then run the doctor again'
NOT_LIFETIME_ADVICE = ('something other than LifeTime answers there (a proxy, a gateway or a sign-in page): check lifetime_url and the '
                       'proxy, then run the doctor again')
RENEW_ADVICE = 'renew the certificate of LifeTime, or set the clock of this host right if it is wrong'
CLOCK_ADVICE = "check the clock of this host, or the certificate's dates"
# Longest proxy connection check: a proxy that accepts connections does so at once.
PROXY_CONNECT_SECONDS = 10


class Doctor:
    """One run of the checks: the report, what the support file will show, the strings it must never show."""

    def __init__(self, task, now=None):
        self.task = task
        self.params = task.params
        self.report = Report()
        self.seen = dict(format=FORMAT, collection_version=COLLECTION_VERSION, answers={})
        self.secrets = set(url_secrets(self.params))
        self.secrets.add(str(self.params.get('lifetime_token') or ''))
        self.now = now if now is not None else time.time()
        self.reader = None
        # The proxy's user names as the URL and the transport's messages write them: shown as *** on every line.
        self.proxy_users = []

    def add(self, check, verdict, found, advice='', topic=None):
        self.report.add(check, verdict, self._masked(found), self._masked(advice), topic)

    def _masked(self, text):
        """text with any user:password@ or user:***@ of the proxy shown as ***@, as the proxy line shows it."""
        for user in self.proxy_users:
            text = re.sub(re.escape(user) + r'(:[^@\s]*)?@', '***@', text)
        return text

    # -- connection ---------------------------------------------------------------------------------

    def connection(self):
        """The API base URL, or None after a fail line when the connection options are wrong."""
        try:
            base = normalize_url(self.params.get('lifetime_url'))
        except LifeTimeUsageError as exc:
            self.add('connection options', FAIL, str(exc), 'correct the option it names')
            return None
        parts = urlsplit(base)
        self.secrets.add(parts.hostname or '')
        self.seen['connection'] = dict(scheme=parts.scheme, port_given=parts.port is not None, path_prefix=parts.path != API_PATH,
                                       validate_certs=bool(self.params.get('validate_certs', True)),
                                       ca_path_given=bool(self.params.get('ca_path')))
        return base

    def proxy(self, base):
        proxy = proxy_for(base)
        self.seen['connection']['proxy'] = dict(in_use=bool(proxy))
        if not proxy:
            self.add('proxy', OK, 'none: LifeTime is reached directly (no HTTPS_PROXY, HTTP_PROXY or ALL_PROXY applies to it)')
            return None
        problem = proxy_url_problem(proxy)
        if problem:
            # Nothing can go through it: the address is neither shown nor parsed further (it may hold a password).
            self.secrets.add(proxy)
            self.seen['connection']['proxy'].update(usable=False)
            self.add('proxy', FAIL, 'the proxy address from the environment %s' % problem,
                     'correct HTTPS_PROXY, HTTP_PROXY or ALL_PROXY (or NO_PROXY) of this host')
            return UNUSABLE
        parts = urlsplit(proxy if '://' in proxy else 'http://' + proxy)
        self.secrets.update(item for item in (parts.hostname, parts.username, parts.password) if item)
        if parts.username:
            self.proxy_users = sorted({parts.username, unquote(parts.username)}, key=len, reverse=True)
        self.seen['connection']['proxy'].update(scheme=parts.scheme, credentials=bool(parts.username or parts.password))
        timeout = min(float(self.params.get('request_timeout') or PROXY_CONNECT_SECONDS), PROXY_CONNECT_SECONDS)
        failure = proxy_unreachable(proxy, timeout)
        self.seen['connection']['proxy']['connects'] = failure is None
        if failure:
            self.add('proxy', FAIL, '%s, from the environment: cannot connect to it (%s)' % (masked_proxy(proxy), failure),
                     'check that the proxy runs, and HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY of this host')
        else:
            self.add('proxy', OK, '%s, from the environment (NO_PROXY does not exclude LifeTime)' % masked_proxy(proxy))
        return proxy

    def client(self):
        try:
            return self.task.client
        except LifeTimeUsageError as exc:
            self.add('connection options', FAIL, str(exc), 'correct the option it names')
            return None

    # -- TLS ----------------------------------------------------------------------------------------

    def tls(self, client, proxy):
        """The TLS lines; False when the API cannot be reached (no connection, or a chain the requests would refuse)."""
        scheme, host, port = client.origin
        if scheme != 'https':
            self.add('TLS', WARN, 'lifetime_url is plain http: the token and everything LifeTime answers travel unencrypted',
                     'use the https:// address of LifeTime')
            return True
        if proxy and urlsplit(proxy if '://' in proxy else 'http://' + proxy).scheme == 'https':
            self.add('TLS', OK, 'not inspected: the proxy is an https:// proxy; the API requests below verify the chain as usual')
            return True
        validate = bool(self.params.get('validate_certs', True))
        # With validate_certs false the chain is still tried, against what would be used, to tell whether turning it on works.
        kind, cafile, capath = trust_of(dict(self.params, validate_certs=True), self.params.get('ca_path'))
        found = inspect_certificate(host, port, cafile, capath, True, proxy, client.timeout)
        self.seen['tls'] = dict(verified=found.verified, validate_certs=validate, trust=kind if validate else TRUST_NONE,
                                protocol=found.protocol, self_signed=found.self_signed, days_left=found.days_left(self.now),
                                failure=found.failure, connected=found.error is None)
        if found.error:
            self.add('TLS', FAIL, 'no TLS connection to %s:%d: %s' % (host, port, found.error), REACH_ADVICE)
            return False
        self._chain(found, kind, validate)
        self._expiry(found, validate)
        return found.verified or not validate

    def _chain(self, found, kind, validate):
        if found.verified and validate:
            self.add('TLS chain', OK, 'verified against %s (%s)' % (kind, found.protocol))
        elif found.verified:
            self.add('TLS chain', WARN, 'validate_certs is false, yet the certificate verifies against %s' % kind,
                     'remove validate_certs: false, so that no one in between can read the token')
        else:
            advice = _chain_advice(found)
            if validate:
                self.add('TLS chain', FAIL, 'does not verify against %s: %s' % (kind, found.failure), advice)
            else:
                self.add('TLS chain', WARN, 'not verified (validate_certs is false); it would not verify against %s either: %s'
                         % (kind, found.failure), advice + ', then remove validate_certs: false')

    def _expiry(self, found, validate):
        warn_days = self.params.get('certificate_warn_days', 30)
        if found.not_after is None:
            self.add('TLS certificate dates', WARN, 'not read: the certificate did not verify and the Python library cryptography, '
                     'which reads it then, is not installed', 'install cryptography, or fix the chain first')
            return
        days = found.days_left(self.now)
        until = utc_date(found.not_after)
        # With validate_certs false the API requests do not look at the dates: deployments work, so it is a warning then.
        outside = FAIL if validate else WARN
        unchecked = '' if validate else ' (validate_certs is false, so the API requests do not check it)'
        if found.not_after <= self.now:
            self.add('TLS certificate dates', outside, 'expired on %s%s' % (until, unchecked), RENEW_ADVICE)
        elif found.not_before is not None and found.not_before > self.now:
            self.add('TLS certificate dates', outside, 'not valid before %s%s' % (utc_date(found.not_before), unchecked), CLOCK_ADVICE)
        elif days < warn_days:
            self.add('TLS certificate dates', WARN, 'expires on %s: %d days left' % (until, days),
                     'renew the certificate before %s' % until)
        else:
            self.add('TLS certificate dates', OK, 'valid until %s: %d days left' % (until, days))

    # -- the API ------------------------------------------------------------------------------------

    def api(self, client):
        self.reader = Reader(client)
        try:
            environments = self.token()
            if environments is None:
                return
            applications = self.applications()
            self.environments(environments, applications)
            plans = self.plans()
            self.features(environments, applications, plans)
        except LifeTimeAPIError as exc:
            self.add('LifeTime API', FAIL, str(exc), REACH_ADVICE)
        finally:
            self.seen['answers'] = dict((route, counted(statuses)) for route, statuses in sorted(self.reader.statuses.items()))
            self.clock()

    def token(self):
        """The environments LifeTime lists, or None after a fail line."""
        answer = self.reader.get('/environments/', '/environments/')
        self.seen['server'] = answer.headers.get('Server') or ''
        status = answer.status
        if status in (200, 204) and answer.body is not NOT_JSON and isinstance(answer.body, (list, type(None))):
            environments = sorted(answer.records(), key=lambda env: (env.get('Order') if isinstance(env.get('Order'), int) else 0))
            self.secrets |= identifying_strings(environments)
            self.add('token', OK, 'LifeTime accepted it for reads (GET /environments/ answered %d); whether it may also tag, deploy or '
                     'block shows only when it writes, which the doctor never does' % status)
            return environments
        if status == 401:
            self.add('token', FAIL, 'LifeTime rejected the token (401)',
                     'set lifetime_token (or LIFETIME_TOKEN) to a valid, unexpired LifeTime service account token')
        elif status == 403:
            self.add('token', FAIL, 'LifeTime accepted the token but may not list environments with it (403)',
                     'give the service account a role that can see the environments (User Management > Service Accounts)')
        else:
            self.add('LifeTime API', FAIL, 'GET %s/environments/ answered %d%s: this is not the LifeTime API'
                     % (self.reader.client.base_url, status, ' with something that is not a list of environments' if status == 200 else ''),
                     REACH_ADVICE)
        return None

    def applications(self):
        answer = self.reader.get('/applications/', '/applications/', params={'IncludeEnvStatus': 'true'})
        if answer.status not in (200, 204):
            self.add('applications', FAIL, 'the token cannot list applications (GET /applications/ answered %d)' % answer.status,
                     'give the service account a role that can see the applications it deploys')
            return []
        applications = answer.records()
        self.secrets |= identifying_strings(applications)
        self.seen['applications'] = _applications_seen(applications)
        system = self.seen['applications']['system']
        self.add('applications', OK, '%d applications readable (%d of them the platform\'s own)' % (len(applications), system))
        return applications

    def environments(self, environments, applications):
        self.seen['environments'] = _environments_seen(environments)
        running = {}
        for status in _statuses(applications):
            key = str(status.get('EnvironmentKey') or '').lower()
            running[key] = running.get(key, 0) + 1
        readable = sum(self._environment(env, running.get(str(env.get('Key') or '').lower(), 0)) for env in environments)
        self.seen['environments']['readable'] = readable
        advice = 'give the service account a role in the environments it deploys to and from'
        if not environments:
            self.add('environments', FAIL, 'LifeTime lists no environment this token can see', advice)
        elif not readable:
            self.add('environments', FAIL, 'none of the %d environments can be read with this token' % len(environments), advice)
        elif readable < len(environments):
            self.add('environments', WARN, '%d of %d environments readable' % (readable, len(environments)), 'see the environment lines above')
        else:
            self.add('environments', OK, '%d of %d environments readable' % (readable, len(environments)))

    def _environment(self, env, running):
        """One environment's line; 1 when the token can read it, else 0."""
        check = 'environment %s' % env.get('Name')
        answer = self.reader.get('/environments/{EnvironmentKey}/deploymentzones/', '/environments/%s/deploymentzones/' % segment(env.get('Key')))
        offline = ' LifeTime reports it offline.' if env.get('IsOffline') is True else ''
        if answer.status in (200, 204):
            self.secrets |= identifying_strings(answer.records())
            self.add(check, WARN if offline else OK, 'readable: %d applications run there, deployment zones: %d.%s'
                     % (running, len(answer.records()), offline), 'bring it back online in LifeTime' if offline else '', topic='environment')
            return 1
        if answer.status == 403:
            self.add(check, WARN, 'the token cannot read it (403)', 'if the collection deploys to or from it, give the service account '
                     'a role in this environment', topic='environment')
        else:
            self.add(check, WARN, 'GET of its deployment zones answered %d' % answer.status, 'look at the environment in LifeTime',
                     topic='environment')
        return 0

    def plans(self):
        answer = self.reader.get('/deployments/', '/deployments/')
        if answer.status not in (200, 204):
            self.add('deployment plans', FAIL, 'the token cannot list deployment plans (GET /deployments/ answered %d)' % answer.status,
                     'give the service account a role that can see the deployments of its environments: lifetime_deployment reads '
                     "the target's plans before it creates one")
            return []
        plans = answer.records()
        self.secrets |= identifying_strings(plans)
        self.seen['deployments'] = dict(count=len(plans), fields=field_names(plans),
                                        created_on_formats=counted(shape(plan.get('CreatedOn')) for plan in plans if 'CreatedOn' in plan))
        self.add('deployment plans', OK, '%d plans in the last week (LifeTime\'s default window)' % len(plans))
        return plans

    # -- features -----------------------------------------------------------------------------------

    def features(self, environments, applications, plans):
        self.seen['features'] = {}
        self._version_labels(applications)
        mappings = self._database_mappings(plans)
        self._configurations(applications)
        self._source_code(environments, applications, mappings)

    def _feature(self, name, state, found, advice=''):
        self.seen['features'][name] = state
        self.add(name, OK if state == 'present' else WARN, found, advice)

    def _version_labels(self, applications):
        statuses = [status for status in _statuses(applications) if status.get('BaseApplicationVersionKey')]
        labelled = sum(1 for status in statuses if 'BaseApplicationVersionLabel' in status)
        if not statuses:
            self.seen['features']['version_labels'] = 'unknown'
            self.add('version labels', WARN, 'not known: no application runs in an environment this token can read',
                     'run the doctor again once applications run there')
        elif labelled == len(statuses):
            self._feature('version labels', 'present', 'LifeTime names the version each environment runs (BaseApplicationVersionLabel)')
        else:
            self._feature('version labels', 'absent' if not labelled else 'partial',
                          'LifeTime names the running version in %d of %d application statuses (BaseApplicationVersionLabel, '
                          'LifeTime 11.21.1 and later)' % (labelled, len(statuses)),
                          'nothing to do: the collection then reads the versions of each application it deploys (one request more each)')

    def _probe(self, name, answer, state, route, expected, present, advice):
        """A feature's line: present, absent or forbidden by LifeTime's answer, unknown when the body is not LifeTime's."""
        if state == 'present':
            self._feature(name, state, present)
        elif state == 'unknown' and answer.status in (200, 400):
            self._feature(name, state, 'unknown: GET %s answered %d with %s, not %s' % (route, answer.status, body_words(answer.body), expected),
                          NOT_LIFETIME_ADVICE)
        else:
            self._feature(name, state, '%s: GET %s answered %d' % (state, route, answer.status), advice)

    def _database_mappings(self, plans):
        key = plans[0].get('Key') if plans and plans[0].get('Key') else NO_KEY
        answer = self.reader.get('/deployments/{DeploymentKey}/getmissingdbmappings/', '/deployments/%s/getmissingdbmappings/' % segment(key))
        # The plan's logical databases (REST_LogicalDatabase); no plan has the key NO_KEY, so a 200 for it is not LifeTime's.
        state = feature_answer(answer, lambda body: key != NO_KEY and isinstance(body, list) and all(
            isinstance(item, dict) and ('LogicalDatabase' in item or 'ExtensionKey' in item) for item in body))
        self._probe('database mappings', answer, state, '.../getmissingdbmappings/', "a plan's list of logical databases",
                    'present (GET .../getmissingdbmappings/ answers; POST .../configuration/ comes with it)',
                    "a plan whose extensions need database connections will wait for someone to map them in LifeTime's interface")
        if state == 'absent':
            self.report.checks[-1]['found'] += ' (LifeTime 11.21.1 and later have it)'
        return state

    def _configurations(self, applications):
        key = applications[0].get('Key') if applications else NO_KEY
        answer = self.reader.get('/applications/{ApplicationKey}/configurations/', '/applications/%s/configurations/' % segment(key))
        state = feature_answer(answer, lambda body: isinstance(body, dict) and isinstance(body.get('configurations'), list), present=(200, 204))
        if not applications and state == 'absent':
            state = 'unknown'
        self._probe('application configurations', answer, state, '/applications/{key}/configurations/', 'an object with configurations',
                    'present (deployment blocking: GET /applications/{key}/configurations/ answers)',
                    'lifetime_application_config cannot block or unblock, and lifetime_deployment cannot tell a blocked '
                    'application before LifeTime refuses its plan')

    def _source_code(self, environments, applications, mappings):
        env_key, app_key = _running_pair(environments, applications)
        route = '/environments/{EnvironmentKey}/applications/{ApplicationKey}/sourcecodeaccess/{PackageKey}/status/'
        answer = self.reader.get(route, '/environments/%s/applications/%s/sourcecodeaccess/%s/status/' % (segment(env_key), segment(app_key), NO_KEY))
        state = feature_answer(answer, lambda body: isinstance(body, dict) and 'Status' in body, absent=(405,))
        if answer.status == 404:
            # A package no one asked for and a route LifeTime does not have both answer 404: the release that brought the
            # database mapping endpoint brought this one (11.21.1), so that one tells.
            state = 'present' if mappings == 'present' else 'absent'
        self._probe('source code packages', answer, state, '.../sourcecodeaccess/{key}/status/', "a package's status",
                    'present (the .../sourcecodeaccess/ routes answer, LifeTime 11.21.1 and later)',
                    'lifetime_source_code needs LifeTime 11.21.1 or later and a role that may download source code')

    # -- the clock ----------------------------------------------------------------------------------

    def clock(self):
        skew = self.reader.clock_skew() if self.reader else None
        self.seen['clock'] = dict(date_header=skew is not None, skew_seconds=int(round(skew)) if skew is not None else None)
        if skew is None:
            if self.reader and self.reader.statuses:
                self.add('clock', WARN, "LifeTime's answers carry no Date header: the difference of the clocks is not known",
                         'make sure LifeTime and this host set their clocks by NTP')
            return
        amount = abs(skew)
        direction = 'ahead of' if skew > 0 else 'behind'
        text = "LifeTime's clock is %s %s this host's (its answers' Date header)" % (_duration(amount), direction)
        if amount < CLOCK_WARN_SECONDS:
            self.add('clock', OK, text)
        elif amount < CLOCK_FAIL_SECONDS:
            self.add('clock', WARN, text, 'set both clocks by NTP: dates LifeTime writes and dates given to it (from, to) disagree')
        else:
            self.add('clock', FAIL, text, "set both clocks by NTP: lifetime_deployment reads the target's recent plans by date and "
                     'would miss the plans LifeTime dates beyond tomorrow')

    # -- the result ---------------------------------------------------------------------------------

    def support(self):
        data = dict(self.seen)
        data['checked_at'] = datetime.datetime.fromtimestamp(self.now, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
        data['verdicts'] = [dict(check=item['topic'], verdict=item['verdict']) for item in self.report.checks]
        return scrubbed(data, self.secrets)


def _chain_advice(found):
    """What to do about a chain that does not verify, by OpenSSL's reason."""
    if found.verify_code == EXPIRED:
        return RENEW_ADVICE
    if found.verify_code == NOT_YET_VALID:
        return CLOCK_ADVICE
    if 'hostname' in (found.failure or '').lower():
        return 'give lifetime_url a host name the certificate holds'
    return 'set ca_path to the PEM file of the certificate authority that signed it'


def _running_pair(environments, applications):
    """(environment key, application key) of an application running in a listed environment; NO_KEY twice when none does."""
    readable = set(str(env.get('Key') or '').lower() for env in environments)
    for app in applications:
        for status in app.get('AppStatusInEnvs') or []:
            if isinstance(status, dict) and status.get('EnvironmentKey') and str(status['EnvironmentKey']).lower() in readable and app.get('Key'):
                return status['EnvironmentKey'], app['Key']
    return NO_KEY, NO_KEY


def _statuses(applications):
    """Every AppStatusInEnvs record of the applications."""
    return [status for app in applications for status in (app.get('AppStatusInEnvs') or []) if isinstance(status, dict)]


def _applications_seen(applications):
    """What the support file shows of the applications: counts, field names, LifeTime's words, version number formats."""
    statuses = _statuses(applications)
    modified = [status for status in statuses if status.get('IsModified') is True]
    return dict(count=len(applications), system=sum(1 for app in applications if app.get('IsSystem') is True),
                fields=field_names(applications), kinds=counted(app.get('Kind') for app in applications),
                statuses_in_environments=len(statuses), status_fields=field_names(statuses), modified=len(modified),
                modified_reasons=counted(status.get('IsModifiedReason') for status in modified),
                version_number_formats=counted(shape(status['BaseApplicationVersionLabel']) for status in statuses
                                               if isinstance(status.get('BaseApplicationVersionLabel'), str)))


def _environments_seen(environments):
    """What the support file shows of the environments (not EnvironmentType: a type's word is often an environment's name)."""
    seen = dict(count=len(environments), fields=field_names(environments), with_type=sum(1 for env in environments if env.get('EnvironmentType')))
    for field in ('OSVersion', 'ApplicationServerType', 'ApplicationServer', 'DatabaseProvider', 'UseHTTPS', 'IsCloudEnvironment', 'IsOffline'):
        seen[field] = counted(env.get(field) for env in environments if field in env)
    return seen


def _duration(seconds):
    if seconds < 120:
        return '%d s' % round(seconds)
    if seconds < 7200:
        return '%d min' % round(seconds / 60.0)
    if seconds < 172800:
        return '%.1f h' % (seconds / 3600.0)
    return '%.1f days' % (seconds / 86400.0)


# What Doctor.proxy answers for a proxy address requests cannot use: nothing is sent, the proxy line says why.
UNUSABLE = object()


def examine(task):
    """lifetime_doctor's result: the checks, the table, the verdict, the blocking checks, the support data (and dest)."""
    dest = checked_support_dest(task.params['dest']) if task.params.get('dest') is not None else None
    doctor = Doctor(task)
    base = doctor.connection()
    if base is not None:
        proxy = doctor.proxy(base)
        client = doctor.client()
        if client is not None and proxy is not UNUSABLE:
            if doctor.tls(client, proxy):
                doctor.api(client)
    report = doctor.report
    support = doctor.support()
    result = dict(changed=False, checks=[dict((name, item[name]) for name in ('check', 'verdict', 'found', 'advice')) for item in report.checks],
                  table=report.table(), verdict=report.verdict, blocking=report.blocking, support=support)
    if dest is not None:
        result.update(write_support(dest, support, task.check_mode))
    return result
