# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the LifeTime Deployment API v2 client shared by every module and action plugin.

One requests.Session per client, a Bearer token, JSON in and out, a timeout on
every request, retries with jittered exponential backoff for idempotent
requests only, LifeTime's quirks (keys answered as plain text, 204 for empty
lists), and streaming upload/download of packages with sha256 on the way.
"""

import hashlib
import json
import os
import random
import tempfile
import time
import traceback

from urllib.parse import quote, urlsplit, urlunsplit

try:
    import requests
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the sanity import test
    requests = None
    HTTPAdapter = object
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeAPIError,
    LifeTimeResponseError,
    LifeTimeTransportError,
    LifeTimeUsageError,
    error_for_status,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._files import CHUNK, check_dest, file_sha256, umask
from ansible_collections.outsystems.lifetime.plugins.module_utils._version import COLLECTION_VERSION

API_PATH = '/lifetimeapi/rest/v2'
# Seed 000 shows LifeTime also answering under this older base path.
ALTERNATE_API_PATHS = ('/lifetime/rest/v2',)

RETRY_STATUSES = frozenset((429, 502, 503, 504))
# A retried POST can create a second deployment plan: only these methods are retried after the request may have been sent.
IDEMPOTENT_METHODS = frozenset(('GET', 'HEAD', 'DELETE'))
# A download link that answers one of these has expired (or was revoked): ask LifeTime for a new one.
EXPIRED_LINK_STATUSES = frozenset((403, 404, 410))


def normalize_url(url):
    """Return the API base URL for what users write as lifetime_url.

    Accepts ``https://host``, ``https://host/``, ``https://host/lifetimeapi/rest/v2``
    (with or without a trailing slash) and a reverse-proxy prefix such as
    ``https://host/prefix``.
    """
    if not url or not str(url).strip():
        raise LifeTimeUsageError('lifetime_url is empty: set lifetime_url (or LIFETIME_URL) to the address of your LifeTime server, '
                                 'for example https://lifetime.example.com.', parameter='lifetime_url')
    text = str(url).strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ('http', 'https') or not parts.netloc:
        raise LifeTimeUsageError('lifetime_url %r is not an http(s) address: write it as https://lifetime.example.com.' % text,
                                 parameter='lifetime_url')
    path = parts.path.rstrip('/')
    for known in (API_PATH,) + ALTERNATE_API_PATHS:
        if path.lower().endswith(known):
            path = path[:-len(known)]
            break
    return urlunsplit((parts.scheme.lower(), parts.netloc, path + API_PATH, '', ''))


def parse_key(text):
    """A key from the body of a creating call.

    LifeTime answers these with the key as plain text, sometimes wrapped in double
    quotes, sometimes as a JSON string; a JSON object with a key field is accepted too.
    """
    value = (text or '').strip()
    if not value:
        return None
    try:
        value = json.loads(value)
    except ValueError:
        pass
    if isinstance(value, dict):
        for field in ('Key', 'DeploymentKey', 'ApplicationVersionKey', 'SolutionKey'):
            if value.get(field):
                value = value[field]
                break
        else:
            return None
    if not isinstance(value, str):
        return None
    value = value.strip().strip('"').strip()
    return value or None


def lifetime_message(response):
    """LifeTime's own error sentence from an error response, if it sent one."""
    text = (response.text or '').strip()
    if not text:
        return None
    try:
        body = json.loads(text)
    except ValueError:
        # An HTML error page from a proxy says nothing useful beyond its status.
        return None if text.lstrip().startswith('<') else text[:500]
    if isinstance(body, str):
        return body[:500]
    if isinstance(body, dict):
        for field in ('Errors', 'errors', 'Error', 'Message', 'message', 'error'):
            value = body.get(field)
            if isinstance(value, list) and value:
                return '; '.join(str(v) for v in value)[:500]
            if isinstance(value, str) and value:
                return value[:500]
    return text[:500]


class _HashingReader:
    """A file wrapper that hashes what is read from it, so an upload computes its sha256 on the way."""

    def __init__(self, fileobj, size):
        self._file = fileobj
        self._size = size
        self.sha256 = hashlib.sha256()
        self.sent = 0

    def __len__(self):
        return self._size

    def read(self, size=-1):
        chunk = self._file.read(size if size and size > 0 else CHUNK)
        self.sha256.update(chunk)
        self.sent += len(chunk)
        return chunk




class LifeTimeClient:
    """The LifeTime Deployment API v2 over one requests.Session."""

    def __init__(self, url, token, validate_certs=True, ca_path=None, timeout=60, retries=5,
                 backoff_base=0.5, backoff_max=10.0, sleep=time.sleep):
        if not HAS_REQUESTS:
            raise LifeTimeUsageError('The Python library requests is required on the host that runs this task.')
        if not token:
            raise LifeTimeUsageError('lifetime_token is empty: set lifetime_token (or LIFETIME_TOKEN) to a LifeTime service account token.',
                                     parameter='lifetime_token')
        self.base_url = normalize_url(url)
        parts = urlsplit(self.base_url)
        self.server = urlunsplit((parts.scheme, parts.netloc, '', '', ''))
        self._token = token
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._sleep = sleep
        self.session = requests.Session()
        self.session.headers.update({
            'Authorization': 'Bearer %s' % token,
            'Accept': 'application/json',
            'User-Agent': 'ansible-collection-outsystems.lifetime/%s' % COLLECTION_VERSION,
        })
        if validate_certs and ca_path:
            self.session.verify = ca_path
        else:
            self.session.verify = bool(validate_certs)
        if not validate_certs:
            # The user asked for it; urllib3 would print a warning per request to stderr.
            requests.packages.urllib3.disable_warnings(requests.packages.urllib3.exceptions.InsecureRequestWarning)
        # Enough pooled connections for the small thread pools of the deployment planner.
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
        self.session.mount('https://', adapter)
        self.session.mount('http://', adapter)

    @classmethod
    def from_params(cls, params, **kwargs):
        """A client from the shared connection options of a module."""
        return cls(params['lifetime_url'], params['lifetime_token'], validate_certs=params['validate_certs'],
                   ca_path=params.get('ca_path'), timeout=params['request_timeout'], **kwargs)

    def close(self):
        self.session.close()

    def scrub(self, text):
        """Remove the token from a text, should anything ever echo it."""
        if text and self._token:
            return text.replace(self._token, '********')
        return text

    # -- transport --------------------------------------------------------------------------------

    def _timeouts(self):
        return (min(10.0, self.timeout), self.timeout)

    def _backoff(self, attempt, response=None):
        """Full-jitter exponential backoff; honours Retry-After from a 429/503."""
        delay = random.uniform(0, min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1))))
        if response is not None:
            retry_after = response.headers.get('Retry-After')
            if retry_after and retry_after.strip().isdigit():
                delay = max(delay, min(float(retry_after), self.backoff_max))
        return delay

    @staticmethod
    def _not_sent(exc):
        """True when a connection error happened before any byte of the request reached the server."""
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return True
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, 'reason', reason)
        name = type(reason).__name__
        return name in ('NewConnectionError', 'NameResolutionError', 'ConnectTimeoutError')

    def _transport_error(self, method, path, exc, attempts):
        if isinstance(exc, requests.exceptions.SSLError):
            reason = ('TLS certificate verification failed for %s: set ca_path to the CA bundle that signed the LifeTime certificate, '
                      'or validate_certs to false for a test server' % self.server)
            return LifeTimeTransportError(method, path, reason=reason, attempts=attempts)
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            reason = 'could not connect to %s within %g seconds' % (self.server, self._timeouts()[0])
        elif isinstance(exc, requests.exceptions.Timeout):
            reason = 'no answer from %s within %g seconds (request_timeout)' % (self.server, self.timeout)
        elif self._not_sent(exc):
            reason = 'cannot connect to %s (is lifetime_url right and the server reachable?)' % self.server
        else:
            reason = 'the connection to %s failed: %s' % (self.server, type(exc).__name__)
        ambiguous = method not in IDEMPOTENT_METHODS and not self._not_sent(exc)
        if ambiguous:
            reason += '; LifeTime may or may not have carried out the request'
        return LifeTimeTransportError(method, path, reason=self.scrub(reason), ambiguous=ambiguous, attempts=attempts)

    def send(self, method, path, params=None, json_body=None, data=None, headers=None, stream=False, url=None,
             invalid_state=False, ok=(200, 201, 202, 204), retry=None):
        """Send one API request and return the requests.Response, or raise a LifeTimeAPIError.

        ``path`` is relative to the API base (``/deployments/``); ``url`` overrides it for links
        LifeTime hands out. GET, HEAD and DELETE are retried on connection errors and 429/502/503/504;
        other methods only when the connection failed before anything was sent.
        """
        method = method.upper()
        target = url or (self.base_url + path)
        shown = path if url is None else urlsplit(url).path
        retry = (method in IDEMPOTENT_METHODS) if retry is None else retry
        attempts = 1 + (self.retries if retry or method not in IDEMPOTENT_METHODS else 0)
        attempt = 0
        while True:
            attempt += 1
            try:
                # verify per request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a Session's verify,
                # which would ignore ca_path and validate_certs=false wherever those variables are set.
                response = self.session.request(method, target, params=params, json=json_body, data=data, headers=headers,
                                                stream=stream, timeout=self._timeouts(), verify=self.session.verify)
            except requests.exceptions.RequestException as exc:
                retryable = not isinstance(exc, requests.exceptions.SSLError) and (retry or self._not_sent(exc))
                if retryable and attempt < attempts and (data is None or not hasattr(data, 'read')):
                    self._sleep(self._backoff(attempt))
                    continue
                raise self._transport_error(method, shown, exc, attempt)
            if response.status_code in ok:
                return response
            if retry and response.status_code in RETRY_STATUSES and attempt < attempts:
                response.close()
                self._sleep(self._backoff(attempt, response))
                continue
            if method == 'DELETE' and response.status_code == 404 and attempt > 1:
                # An earlier attempt whose answer was lost did the delete.
                return response
            error = error_for_status(response.status_code, invalid_state=invalid_state)
            raise error(method, shown, status=response.status_code, lifetime_message=self.scrub(lifetime_message(response)),
                        ambiguous=response.status_code >= 500 and method not in IDEMPOTENT_METHODS, attempts=attempt)

    def _json(self, method, path, response):
        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            snippet = self.scrub(response.text.strip()[:200])
            raise LifeTimeResponseError(method, path, status=response.status_code, reason='the body is not JSON: %r' % snippet)

    def get(self, path, params=None):
        """GET a JSON document; None for 204 No Content."""
        return self._json('GET', path, self.send('GET', path, params=params))

    def get_list(self, path, params=None):
        """GET a JSON list; LifeTime answers 204 with an empty body for an empty list."""
        body = self.get(path, params=params)
        if body is None:
            return []
        if not isinstance(body, list):
            raise LifeTimeResponseError('GET', path, status=200, reason='expected a list, got %s' % type(body).__name__)
        return body

    def create(self, path, json_body=None, params=None):
        """POST a creating call and return the key LifeTime answers with (plain text, quoted or not)."""
        response = self.send('POST', path, json_body=json_body, params=params)
        key = parse_key(response.text)
        if not key:
            raise LifeTimeResponseError('POST', path, status=response.status_code,
                                        reason='the answer carries no key: %r' % self.scrub(response.text.strip()[:200]))
        return key

    def command(self, method, path, json_body=None, params=None, invalid_state=True):
        """A request whose answer body does not matter (202/204); 400 means the object's state forbids it."""
        return self._json(method, path, self.send(method, path, json_body=json_body, params=params, invalid_state=invalid_state))

    # -- streaming --------------------------------------------------------------------------------

    def upload(self, path, src, content_type='application/octet-stream'):
        """POST a file as the raw request body, streamed in chunks; returns (key, sha256 hex, bytes sent)."""
        size = os.path.getsize(src)
        with open(src, 'rb') as handle:
            reader = _HashingReader(handle, size)
            response = self.send('POST', path, data=reader, headers={'Content-Type': content_type, 'Content-Length': str(size)})
        key = parse_key(response.text)
        if not key:
            raise LifeTimeResponseError('POST', path, status=response.status_code,
                                        reason='the answer carries no key: %r' % self.scrub(response.text.strip()[:200]))
        return key, reader.sha256.hexdigest(), reader.sent

    def _open_link(self, url):
        """GET a download link: with the API's Bearer header, then once with the raw token if the link answers 401."""
        parts = urlsplit(url)
        path = parts.path
        if parts.netloc.lower() != urlsplit(self.server).netloc.lower():
            # Never hand the token to another host: a link elsewhere must be usable without it.
            return self.send('GET', path, url=url, stream=True, ok=(200,), headers={'Authorization': None})
        try:
            return self.send('GET', path, url=url, stream=True, ok=(200,))
        except LifeTimeAPIError as exc:
            if exc.status != 401:
                raise
        # Links have been served to clients that send the token without the Bearer prefix.
        return self.send('GET', path, url=url, stream=True, ok=(200,), headers={'Authorization': self._token})

    def download(self, get_link, dest):
        """Download what a LifeTime link points at to ``dest``, atomically, in chunks.

        ``get_link`` is a callable returning a fresh link (a DownloadLink dict or a URL); it is
        called again once if the link has expired. The file is written next to ``dest`` and
        renamed over it only when complete, so a failure never leaves a half-written ``dest``.
        Returns dict(sha256, size, changed): changed is False when ``dest`` already held the same bytes.
        """
        dest = check_dest(dest)
        directory = os.path.dirname(dest)
        link = self._link_url(get_link())
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._download_once(link, dest, directory)
            except LifeTimeAPIError as exc:
                if attempt == 1 and exc.status in EXPIRED_LINK_STATUSES:
                    link = self._link_url(get_link())
                    continue
                if isinstance(exc, LifeTimeTransportError) and attempt <= self.retries:
                    # The stream broke mid-way: start over; the partial file is already gone.
                    self._sleep(self._backoff(attempt))
                    continue
                raise

    def _link_url(self, link):
        url = link.get('url') or link.get('Url') if isinstance(link, dict) else link
        if not url:
            raise LifeTimeResponseError('GET', 'download link', reason='LifeTime returned no download link (no binary available)')
        if url.startswith('/'):
            url = self.server + url
        return url

    def _download_once(self, url, dest, directory):
        path = urlsplit(url).path
        response = self._open_link(url)
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(dest), suffix='.part')
        try:
            with os.fdopen(fd, 'wb') as handle:
                try:
                    for chunk in response.iter_content(CHUNK):
                        digest.update(chunk)
                        handle.write(chunk)
                        size += len(chunk)
                except requests.exceptions.RequestException as exc:
                    raise self._transport_error('GET', path, exc, 1)
                finally:
                    response.close()
            declared = response.headers.get('Content-Length')
            if declared and declared.isdigit() and int(declared) != size:
                raise LifeTimeTransportError('GET', path, reason='the download stopped after %d of %s bytes' % (size, declared))
            sha256 = digest.hexdigest()
            if os.path.exists(dest) and os.path.getsize(dest) == size and file_sha256(dest) == sha256:
                return dict(sha256=sha256, size=size, changed=False)
            mode = (os.stat(dest).st_mode & 0o7777) if os.path.exists(dest) else (0o666 & ~umask())
            os.chmod(tmp, mode)
            os.replace(tmp, dest)
            tmp = None
            return dict(sha256=sha256, size=size, changed=True)
        finally:
            if tmp and os.path.exists(tmp):
                os.unlink(tmp)

    # -- environments -----------------------------------------------------------------------------

    def list_environments(self):
        return self.get_list('/environments/')

    def list_deployment_zones(self, env_key):
        return self.get_list('/environments/%s/deploymentzones/' % _seg(env_key))

    def running_application_link(self, env_key, app_key, binary_type=None):
        params = {'Type': binary_type} if binary_type else None
        return self.get('/environments/%s/applications/%s/content/' % (_seg(env_key), _seg(app_key)), params=params)

    def create_application_version(self, env_key, app_key, version, change_log=None, mobile_versions=None):
        body = {'Version': version, 'ChangeLog': change_log or '', 'MobileVersions': mobile_versions or []}
        return self.create('/environments/%s/applications/%s/versions/' % (_seg(env_key), _seg(app_key)), json_body=body)

    # -- applications -----------------------------------------------------------------------------

    def list_applications(self, include_env_status=True, include_modules=False):
        # LifeTime answers 400 when modules are asked for without the environment status.
        return self.get_list('/applications/',
                             params=_flags(IncludeEnvStatus=include_env_status or include_modules, IncludeModules=include_modules))

    def list_application_versions(self, app_key, maximum=None):
        params = {}
        if maximum is not None:
            params['MaximumVersionsToReturn'] = int(maximum)
        return self.get_list('/applications/%s/versions/' % _seg(app_key), params=params or None)

    def get_application_version(self, app_key, version_key, include_modules=False):
        return self.get('/applications/%s/versions/%s/' % (_seg(app_key), _seg(version_key)),
                        params=_flags(IncludeModules=include_modules))

    def delete_application_version(self, app_key, version_key):
        return self.command('DELETE', '/applications/%s/versions/%s/' % (_seg(app_key), _seg(version_key)))

    def application_version_link(self, app_key, version_key):
        return self.get('/applications/%s/versions/%s/content/' % (_seg(app_key), _seg(version_key)))

    # -- deployments ------------------------------------------------------------------------------

    def list_deployments(self, target_env_key=None, min_date=None, max_date=None):
        params = {}
        if target_env_key:
            params['TargetEnvironmentKey'] = target_env_key
        if min_date:
            params['MinDate'] = min_date
        if max_date:
            params['MaxDate'] = max_date
        return self.get_list('/deployments/', params=params or None)

    def create_deployment(self, source_env_key, target_env_key, operations, notes=''):
        body = {
            'ApplicationOperations': [
                {'ApplicationVersionKey': op['ApplicationVersionKey'], 'DeploymentZoneKey': op.get('DeploymentZoneKey') or ''}
                for op in operations
            ],
            'Notes': notes or '',
            'SourceEnvironmentKey': source_env_key,
            'TargetEnvironmentKey': target_env_key,
        }
        return self.create('/deployments/', json_body=body)

    def get_deployment(self, deployment_key):
        return self.get('/deployments/%s/' % _seg(deployment_key))

    def update_deployment(self, deployment_key, body):
        return self._json('PUT', '/deployments/%s/' % _seg(deployment_key),
                          self.send('PUT', '/deployments/%s/' % _seg(deployment_key), json_body=body, invalid_state=True))

    def delete_deployment(self, deployment_key):
        return self.command('DELETE', '/deployments/%s/' % _seg(deployment_key))

    def deployment_command(self, deployment_key, command, redeploy_outdated=None, continue_with_errors=None):
        params = {}
        if redeploy_outdated is not None:
            params['RedeployOutdated'] = _bool(redeploy_outdated)
        if continue_with_errors is not None:
            params['ContinueWithErrors'] = _bool(continue_with_errors)
        return self.command('POST', '/deployments/%s/%s/' % (_seg(deployment_key), _seg(command)), params=params or None)

    def get_deployment_status(self, deployment_key):
        return self.get('/deployments/%s/status/' % _seg(deployment_key))

    def deploy_binary(self, env_key, src):
        """Upload an .oap/.osp as a new deployment plan to an environment; returns (key, sha256, size)."""
        return self.upload('/environments/%s/deployment/' % _seg(env_key), src)

    # -- solutions ---------------------------------------------------------------------------------

    def create_solution(self, env_key, name, app_keys, include_references):
        body = {'SolutionName': name, 'ApplicationKeys': list(app_keys), 'IncludeReferences': 'True' if include_references else 'False'}
        return self.create('/environments/%s/solution/' % _seg(env_key), json_body=body)

    def get_solution_status(self, env_key, solution_key):
        return self.get('/environments/%s/solutionstatus/%s/' % (_seg(env_key), _seg(solution_key)))

    def solution_link(self, env_key, solution_key):
        return self.get('/environments/%s/solution/%s/' % (_seg(env_key), _seg(solution_key)))


def _seg(value):
    """One URL path segment, escaped: keys come from users and must not add path segments."""
    return quote(str(value), safe='')


def _bool(value):
    return 'true' if value else 'false'


def _flags(**flags):
    params = dict((name, 'true') for name, value in flags.items() if value)
    return params or None
