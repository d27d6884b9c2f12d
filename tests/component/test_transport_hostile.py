# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client and the modules against hostile input and hostile servers (tests/hostile_server.py).

Every case checks that the failure is a LifeTimeError (for a module: fail_json) whose message is one plain
sentence (no traceback, no exception class name, never the token or a password), and, when the simulator is
involved, that it received no POST, PUT or DELETE. At the end of the file the tally is printed:

    .venv/bin/pytest -q tests/component/test_transport_hostile.py

ends with "hostile cases: N (M with the simulator), tracebacks: 0, writes before failure: 0".
"""

import importlib.util
import io
import os
import re
import time
import tracemalloc
import zipfile

import pytest
import requests

from ansible_collections.outsystems.lifetime.plugins.module_utils._http import streaming
from ansible_collections.outsystems.lifetime.plugins.module_utils._client import LifeTimeClient
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeError,
    LifeTimeNotFoundError,
    LifeTimeServerError,
    LifeTimeResponseError,
    LifeTimeTransportError,
    LifeTimeUsageError,
)
from tests import hostile_server as hs
from tests.simulator.pytest_plugin import TEST_TOKEN

TOKEN = 'hostile-token-5f2a9c77'
PASSWORD = 'S3cr3t-pw-71'
PRODUCTION = '849515f2-b4ff-4aca-a9d6-9407bea655f4'
DEVELOPMENT = 'f3582e43-43c7-4bb4-8cbb-d9f6cbcbd35e'
ENVIRONMENTS = '/lifetimeapi/rest/v2/environments/'
DEPLOYMENTS = '/lifetimeapi/rest/v2/deployments/'


def _zip(size):
    """A complete zip archive of about ``size`` bytes (one stored member): a download must be one to replace dest."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_STORED) as archive:
        archive.writestr('package.bin', b'package bytes ' * (size // 14))
    return buffer.getvalue()


PACKAGE = _zip(14000)

# What a message must never contain: Python's words for a failure instead of a sentence.
NOT_A_SENTENCE = re.compile(r'Traceback|\b\w+(Error|Exception)\b|\brequests\.|\burllib3\b|<class|object at 0x')

TALLY = {'cases': 0, 'tracebacks': 0, 'writes': 0, 'simulator cases': 0}


# -- what every case checks ---------------------------------------------------------------------------------------------------

class _TallyReport:
    """Prints the tally in pytest's terminal summary."""

    @staticmethod
    def pytest_terminal_summary(terminalreporter):
        terminalreporter.write_line('hostile cases: %(cases)d (%(simulator cases)d with the simulator), tracebacks: %(tracebacks)d, '
                                    'writes before failure: %(writes)d' % TALLY)


@pytest.fixture(scope='module', autouse=True)
def tally(request):
    manager = request.config.pluginmanager
    if not manager.has_plugin('hostile-tally'):
        manager.register(_TallyReport(), 'hostile-tally')
    return TALLY


def plain_sentence(message, secrets=(TOKEN, TEST_TOKEN, PASSWORD)):
    """One plain sentence: no traceback or exception name, no secret, no control character, ends with a full stop."""
    assert message and message.rstrip().endswith(('.', '?')), message
    assert not NOT_A_SENTENCE.search(message), message
    assert all(char.isprintable() for char in message), message
    for secret in secrets:
        assert secret not in message, message
    return message


def fails(call, *args, **kwargs):
    """Run what must fail; return its LifeTimeError after checking its sentence. Anything else counts as a traceback."""
    TALLY['cases'] += 1
    try:
        call(*args, **kwargs)
    except LifeTimeError as exc:
        plain_sentence(str(exc))
        return exc
    except Exception:
        TALLY['tracebacks'] += 1
        raise
    pytest.fail('%s did not fail' % getattr(call, '__name__', call))


def no_writes(sim):
    """The simulator received no POST, PUT or DELETE."""
    writes = sim.writes()
    TALLY['simulator cases'] += 1
    TALLY['writes'] += len(writes)
    assert writes == []


def nothing_sent(sim):
    """The simulator received no request at all (so no write either)."""
    no_writes(sim)
    assert sim.requests == []


def no_token_to(server, *paths):
    """None of the requests ``server`` received for these paths carried an Authorization header."""
    seen = [entry for entry in server.requests if any(entry['path'].startswith(path) for path in paths)]
    assert seen, 'no request reached %s' % (paths,)
    assert [entry['headers'].get('Authorization') for entry in seen] == [None] * len(seen)


def quick(seconds=0):
    """A sleep that does not sleep (backoff in tests)."""


def client_for(url, token=TOKEN, **kwargs):
    kwargs.setdefault('sleep', quick)
    return LifeTimeClient(url, token, **kwargs)


@pytest.fixture
def hostile():
    with hs.HostileServer() as server:
        yield server


@pytest.fixture
def other():
    """A second server: another origin."""
    with hs.HostileServer() as server:
        yield server


@pytest.fixture
def proxy(simulator):
    """A hostile server in front of the simulator: what no route answers goes to the simulator."""
    with hs.HostileServer(upstream=simulator.url) as server:
        yield server


# -- modules, run in-process --------------------------------------------------------------------------------------------------

@pytest.fixture
def run_module(run_module):  # pylint: disable=redefined-outer-name
    """run(name, args) with tests/component/conftest.py's run_module: the task must fail with a plain sentence; any other
    way out of the module (an exception) counts as a traceback."""

    def run(name, args):
        TALLY['cases'] += 1
        try:
            result = run_module(name, args, connection=False)
        except Exception:
            TALLY['tracebacks'] += 1
            raise
        assert result.get('failed') is True, result
        assert 'exception' not in result
        plain_sentence(result['msg'])
        return result

    return run


WRITING_TASK = ('lifetime_deployment', dict(target_environment='Production', applications=[{'name': 'EmployeeBackoffice'}]))
TAGGING_TASK = ('lifetime_app_version', dict(application='EmployeeBackoffice', environment='Development', version='1.9'))


# -- 4. connection options: refused where the client is built, before any request ---------------------------------------------

def _bad_options(sim_url, tmp_path):
    not_pem = tmp_path / 'not-a-certificate.pem'
    not_pem.write_text('this is not a certificate\n')
    empty = tmp_path / 'empty.pem'
    empty.write_text('')
    host = sim_url.split('//', 1)[1]
    return [
        ('request_timeout', dict(request_timeout=0)),
        ('request_timeout', dict(request_timeout=-5)),
        ('request_timeout', dict(request_timeout=float('nan'))),
        ('request_timeout', dict(request_timeout=float('inf'))),
        ('request_timeout', dict(request_timeout=1e9)),
        ('request_timeout', dict(request_timeout='soon')),
        ('ca_path', dict(ca_path=str(tmp_path / 'missing-ca.pem'))),
        ('ca_path', dict(ca_path=str(not_pem))),
        ('ca_path', dict(ca_path=str(empty))),
        ('lifetime_url', dict(lifetime_url='http://[::1')),
        ('lifetime_url', dict(lifetime_url='http://[::1]:99999')),
        ('lifetime_url', dict(lifetime_url='http://lifetime.example.com:port')),
        ('lifetime_url', dict(lifetime_url='http://life time.example.com')),
        ('lifetime_url', dict(lifetime_url='http://lifetime..example.com')),
        ('lifetime_url', dict(lifetime_url='http://%s.example.com' % ('a' * 64))),
        ('lifetime_url', dict(lifetime_url='http://lifetime.example.com:0')),
        ('lifetime_url', dict(lifetime_url='ftp://lifetime.example.com')),
        ('lifetime_url', dict(lifetime_url='https://')),
        ('lifetime_url', dict(lifetime_url='lifetime.example.com')),
        ('lifetime_url', dict(lifetime_url='http://admin:%s@%s' % (PASSWORD, host))),
        ('lifetime_url', dict(lifetime_url='http://admin:%s/x@%s' % (PASSWORD, host))),
        ('lifetime_url', dict(lifetime_url='http://%s@%s' % (PASSWORD, host))),
        ('lifetime_token', dict(lifetime_token='hostile\ntoken')),
        ('lifetime_token', dict(lifetime_token='hostile token')),
        ('lifetime_token', dict(lifetime_token='t\u00f6ken')),
        ('lifetime_token', dict(lifetime_token='   ')),
    ]


BAD_OPTION_IDS = ['timeout-0', 'timeout-negative', 'timeout-nan', 'timeout-inf', 'timeout-1e9', 'timeout-text',
                  'ca-missing', 'ca-not-pem', 'ca-empty',
                  'url-ipv6-unclosed', 'url-port-range', 'url-port-text', 'url-space', 'url-empty-label', 'url-long-label', 'url-port-0',
                  'url-ftp', 'url-no-host', 'url-no-scheme', 'url-user-password', 'url-password-with-slash', 'url-user-only',
                  'token-newline', 'token-space', 'token-non-ascii', 'token-blank']


def _params(sim, **overrides):
    params = dict(lifetime_url=sim.url, lifetime_token=sim.token, validate_certs=True, ca_path=None, request_timeout=60)
    params.update(overrides)
    return params


@pytest.mark.parametrize('index', range(len(BAD_OPTION_IDS)), ids=BAD_OPTION_IDS)
def test_a_bad_connection_option_fails_naming_it_before_any_request(simulator, tmp_path, index):
    parameter, overrides = _bad_options(simulator.url, tmp_path)[index]

    error = fails(LifeTimeClient.from_params, _params(simulator, **overrides))

    assert isinstance(error, LifeTimeUsageError)
    assert error.details['parameter'] == parameter and parameter in str(error)
    nothing_sent(simulator)


def test_credentials_in_lifetime_url_are_refused_without_echoing_them(simulator):
    url = simulator.url.replace('//', '//release:%s@' % PASSWORD)

    message = str(fails(LifeTimeClient, url, TOKEN))

    assert 'put credentials in lifetime_token, not in the URL' in message
    assert 'release' not in message and simulator.url in message


@pytest.mark.parametrize('index', [0, 1, 6, 8, 9, 19, 20, 22], ids=[BAD_OPTION_IDS[i] for i in [0, 1, 6, 8, 9, 19, 20, 22]])
@pytest.mark.parametrize('task', [WRITING_TASK, TAGGING_TASK], ids=['deployment', 'app_version'])
def test_a_module_with_a_bad_connection_option_fails_with_one_sentence_before_any_request(run_module, simulator, tmp_path, index, task):
    parameter, overrides = _bad_options(simulator.url, tmp_path)[index]
    args = dict(task[1], lifetime_url=simulator.url, lifetime_token=simulator.token)
    args.update(overrides)

    result = run_module(task[0], args)

    assert parameter in result['msg'] and result.get('parameter') == parameter
    nothing_sent(simulator)


def test_a_token_with_a_trailing_newline_is_used_without_it(simulator):
    assert len(client_for(simulator.url, simulator.token + '\n').list_environments()) == 3


def test_a_directory_of_certificates_is_accepted_as_ca_path(make_simulator, tmp_path):
    sim = make_simulator(tls=True)
    assert len(client_for(sim.url, sim.token, ca_path=sim.ca_cert_path).list_environments()) == 3
    assert client_for(sim.url, sim.token, ca_path=str(tmp_path)).session.verify == str(tmp_path)


# -- 3. redirects: API calls never follow them ------------------------------------------------------------------------------------

@pytest.mark.parametrize('status', [301, 302, 303, 307, 308])
def test_a_get_redirected_to_another_server_is_an_error_naming_where_and_nothing_is_sent_there(hostile, simulator, status):
    hostile.route(ENVIRONMENTS, hs.redirect(simulator.url + ENVIRONMENTS + '?from=hostile', status=status))

    error = fails(client_for(hostile.url).list_environments)

    assert isinstance(error, LifeTimeResponseError) and error.status == status
    assert 'redirects to %s%s' % (simulator.url, ENVIRONMENTS) in str(error) and 'from=hostile' not in str(error)
    assert 'set lifetime_url' in str(error)
    assert len(hostile.requests) == 1
    nothing_sent(simulator)


@pytest.mark.parametrize('status', [302, 303, 307, 308])
def test_a_plan_post_redirected_to_another_server_is_not_resent_there(hostile, simulator, status):
    hostile.route(DEPLOYMENTS, hs.redirect(simulator.url + DEPLOYMENTS, status=status), method='POST')

    error = fails(client_for(hostile.url).create_deployment, DEVELOPMENT, PRODUCTION, [{'ApplicationVersionKey': 'k'}])

    assert error.status == status and not error.ambiguous
    assert simulator.url + DEPLOYMENTS in str(error)
    assert [entry['method'] for entry in hostile.requests] == ['POST']
    nothing_sent(simulator)


@pytest.mark.parametrize('method, call', [
    ('PUT', lambda client: client.update_deployment('k', {'Notes': 'x'})),
    ('DELETE', lambda client: client.delete_deployment('k')),
    ('POST', lambda client: client.deployment_command('k', 'start')),
])
def test_a_write_redirected_with_307_is_not_followed(hostile, simulator, method, call):
    hostile.route(DEPLOYMENTS, hs.redirect(simulator.url + DEPLOYMENTS + 'k/', status=307))

    error = fails(call, client_for(hostile.url))

    assert error.status == 307 and error.method == method
    assert len(hostile.requests) == 1
    no_writes(simulator)


def test_a_redirect_loop_costs_one_request(hostile):
    hostile.route(ENVIRONMENTS, hs.redirect(ENVIRONMENTS))

    error = fails(client_for(hostile.url, retries=5).list_environments)

    assert 'redirects to %s%s' % (hostile.url, ENVIRONMENTS) in str(error)
    assert len(hostile.requests) == 1


@pytest.mark.parametrize('location, shown', [
    ('https://deploy:%s@sso.example.com/login?token=abc' % PASSWORD, 'https://sso.example.com/login'),
    ('/login?SAMLRequest=xyz', '/login'),
    ('https://127.0.0.1:1/lifetimeapi/rest/v2/environments/', 'https://127.0.0.1:1/lifetimeapi/rest/v2/environments/'),
    ('http://[::1', 'http://[::1'),
    ('\x1b[31mhttp://evil.example/', 'environments/[31mhttp:/evil.example/'),
    (None, 'without saying where to'),
])
def test_a_redirect_names_where_it_points_without_credentials_or_query(hostile, location, shown):
    hostile.route(ENVIRONMENTS, hs.redirect(location))

    message = str(fails(client_for(hostile.url).list_environments))

    assert shown in message
    assert 'abc' not in message and 'xyz' not in message


def test_a_redirect_with_an_endless_body_is_not_read(hostile):
    def endless_redirect(handler):
        handler.head(302, [('Location', 'https://sso.example.com/'), ('Content-Type', 'text/html'), ('Transfer-Encoding', 'chunked')])
        while not handler.stopping:
            handler.write(b'10000\r\n' + b'<' * 65536 + b'\r\n')
            handler.server.count(65536)

    hostile.route(ENVIRONMENTS, endless_redirect)

    message = str(fails(client_for(hostile.url).list_environments))

    # Counted in bytes, not seconds: a client that read the body would take in more than the socket buffers hold.
    assert 'redirects to https://sso.example.com/' in message
    assert hostile.bytes_sent < 32 << 20


def test_a_module_behind_a_redirect_fails_before_any_write(run_module, hostile, simulator):
    hostile.route('/', hs.redirect(simulator.url + ENVIRONMENTS, status=307))
    name, args = WRITING_TASK

    result = run_module(name, dict(args, lifetime_url=hostile.url, lifetime_token=simulator.token))

    assert 'redirects to %s' % simulator.url in result['msg']
    nothing_sent(simulator)


# -- 3. download links: the token only to lifetime_url's origin -----------------------------------------------------------------

def _link_route(server, link):
    server.route('/lifetimeapi/rest/v2/applications/app/versions/v1/content/', hs.json_answer({'url': link}))


def _download(client, tmp_path, name='app.oap'):
    return client.download(lambda: client.application_version_link('app', 'v1'), str(tmp_path / name))


def test_an_http_link_from_an_https_lifetime_on_the_same_host_and_port_gets_no_token(tmp_path):
    with hs.HostileServer(tls_enabled=True) as lifetime:
        _link_route(lifetime, lifetime.http_url + '/downloads/pkg')
        lifetime.route('/downloads/', hs.serve_file(PACKAGE))
        client = client_for(lifetime.url, ca_path=lifetime.ca_cert_path)

        result = _download(client, tmp_path)

    assert result['size'] == len(PACKAGE) and (tmp_path / 'app.oap').read_bytes() == PACKAGE
    [api, link] = lifetime.requests
    assert (api['scheme'], api['headers'].get('Authorization')) == ('https', 'Bearer ' + TOKEN)
    assert (link['scheme'], link['headers'].get('Authorization')) == ('http', None)
    TALLY['cases'] += 1


@pytest.mark.parametrize('where', ['other port', 'other host name'])
def test_a_link_on_another_origin_is_fetched_without_the_token(hostile, other, tmp_path, where):
    base = other.url if where == 'other port' else hostile.url.replace('127.0.0.1', 'localhost')
    _link_route(hostile, base + '/downloads/pkg')
    for server in (hostile, other):
        server.route('/downloads/', hs.serve_file(PACKAGE))

    assert _download(client_for(hostile.url), tmp_path)['size'] == len(PACKAGE)

    no_token_to(other if where == 'other port' else hostile, '/downloads/')
    TALLY['cases'] += 1


def test_a_link_on_the_same_origin_gets_the_token(hostile, tmp_path):
    _link_route(hostile, hostile.url + '/downloads/pkg')
    hostile.route('/downloads/', hs.serve_file(PACKAGE))

    _download(client_for(hostile.url), tmp_path)

    assert hostile.requests[-1]['headers'].get('Authorization') == 'Bearer ' + TOKEN


def test_default_ports_count_as_written_in_the_origin():
    client = client_for('https://lifetime.example.com')
    assert client.same_origin('https://LIFETIME.example.com:443/x') and not client.same_origin('http://lifetime.example.com:443/x')
    assert not client.same_origin('https://lifetime.example.com:8443/x') and not client.same_origin('ftp://lifetime.example.com/x')


def test_a_header_that_cannot_be_sent_fails_at_once_without_retries(simulator):
    client = client_for(simulator.url, simulator.token, retries=5)

    error = fails(client.send, 'GET', '/environments/', headers={'X-Broken': 'one\r\nInjected: two'})

    assert 'a request header cannot be sent' in str(error) and error.attempts == 1 and not error.retryable
    nothing_sent(simulator)


@pytest.mark.parametrize('url, sent', [
    ('https://lifetime.example.com/lifetimeapi/rest/v2/environments/', 'Bearer ' + TOKEN),
    ('https://lifetime.example.com:443/downloads/x', 'Bearer ' + TOKEN),
    ('http://lifetime.example.com/downloads/x', None),
    ('http://lifetime.example.com:443/downloads/x', None),
    ('https://lifetime.example.com:8443/downloads/x', None),
    ('https://cdn.example.com/downloads/x', None),
])
def test_the_session_puts_the_token_only_on_requests_to_lifetime_urls_origin(url, sent):
    client = client_for('https://lifetime.example.com')
    prepared = client.session.prepare_request(requests.Request('GET', url, headers={'Authorization': 'Bearer stale'}))

    assert prepared.headers.get('Authorization') == sent


def test_a_same_origin_link_redirected_elsewhere_loses_the_token_for_good(hostile, other, tmp_path):
    _link_route(hostile, hostile.url + '/downloads/first')
    hostile.route('/downloads/first', hs.redirect(other.url + '/downloads/second'))
    other.route('/downloads/second', hs.redirect(hostile.url + '/downloads/third'))
    hostile.route('/downloads/third', hs.serve_file(PACKAGE))

    assert _download(client_for(hostile.url), tmp_path)['size'] == len(PACKAGE)

    by_path = dict((entry['path'], entry['headers'].get('Authorization')) for entry in hostile.requests + other.requests)
    assert by_path['/downloads/first'] == 'Bearer ' + TOKEN
    assert by_path['/downloads/second'] is None and by_path['/downloads/third'] is None
    TALLY['cases'] += 1


def test_a_link_elsewhere_that_wants_a_token_fails_saying_it_points_elsewhere(hostile, other, tmp_path):
    _link_route(hostile, other.url + '/downloads/pkg')
    other.route('/downloads/', hs.json_answer({'Errors': ['token required']}, status=401))

    message = str(fails(_download, client_for(hostile.url, retries=0), tmp_path))

    assert 'not to the address of lifetime_url' in message and 'without the token' in message
    assert other.url.replace('http://', '') in message
    no_token_to(other, '/downloads/')
    assert not (tmp_path / 'app.oap').exists()


def test_a_link_that_redirects_forever_stops_after_five_redirects(hostile, tmp_path):
    _link_route(hostile, hostile.url + '/downloads/loop')
    hostile.route('/downloads/loop', hs.redirect('/downloads/loop'))

    message = str(fails(_download, client_for(hostile.url), tmp_path))

    assert 'redirected more than 5 times' in message
    assert len([entry for entry in hostile.requests if entry['path'] == '/downloads/loop']) == 6


@pytest.mark.parametrize('link, words', [
    ('file:///etc/passwd', 'not an http(s) address'),
    ('ftp://127.0.0.1/pkg.oap', 'not an http(s) address'),
    ('javascript:alert(1)', 'not an http(s) address'),
    ('http://lifetime..example.com/pkg', 'not a valid address'),
    ('http://user:%s@[::1/pkg' % PASSWORD, 'not an http(s) address'),
])
def test_a_link_that_is_no_http_address_fails_at_once(hostile, tmp_path, link, words):
    _link_route(hostile, link)

    error = fails(_download, client_for(hostile.url, retries=5), tmp_path)

    assert words in str(error)
    assert len(hostile.requests) == 1


def test_a_link_redirecting_to_a_file_url_fails(hostile, tmp_path):
    _link_route(hostile, hostile.url + '/downloads/pkg')
    hostile.route('/downloads/', hs.redirect('file:///etc/passwd'))

    message = str(fails(_download, client_for(hostile.url), tmp_path))

    assert 'redirects to file:///etc/passwd, which is not an http(s) address' in message


def test_a_link_with_credentials_elsewhere_never_shows_them(hostile, other, tmp_path):
    _link_route(hostile, other.url.replace('//', '//deploy:%s@' % PASSWORD) + '/downloads/pkg?sig=abc')
    other.route('/downloads/', hs.json_answer({'Errors': ['gone']}, status=500))

    message = str(fails(_download, client_for(hostile.url, retries=0), tmp_path))

    assert '500' in message and 'sig=abc' not in message


# -- 3. request_timeout bounds a whole request ----------------------------------------------------------------------------------

def ends_within(request_timeout):
    """The seconds a request bounded by ``request_timeout`` may take here in all: three times the time asked, and two seconds
    more for what surrounds it (a module's own steps, a loaded machine). A request nothing bounds lasts as long as the hostile
    server serves, 120 s, far above."""
    return 3 * request_timeout + 2


DRIPS = {
    'headers': hs.drip_headers(0.3),
    'body with a length': hs.drip_body(0.3),
    'body without a length': hs.drip_body(0.3, length=None),
    'error body': hs.drip_body(0.3, status=500),
}


@pytest.mark.parametrize('drip', sorted(DRIPS))
def test_a_server_that_drips_cannot_hold_a_request_past_request_timeout(hostile, drip):
    hostile.route(ENVIRONMENTS, DRIPS[drip])
    started = time.monotonic()

    error = fails(client_for(hostile.url, timeout=1, retries=5).list_environments)

    assert hs.elapsed(started) < ends_within(1)
    assert isinstance(error, LifeTimeTransportError) and 'within 1 second (request_timeout)' in str(error)
    assert len(hostile.requests) == 1


def test_a_dripping_answer_to_a_post_is_ambiguous_and_not_resent(hostile):
    hostile.route(DEPLOYMENTS, hs.drip_headers(0.3), method='POST')
    started = time.monotonic()

    error = fails(client_for(hostile.url, timeout=1).create_deployment, DEVELOPMENT, PRODUCTION, [{'ApplicationVersionKey': 'k'}])

    assert hs.elapsed(started) < ends_within(1)
    assert error.ambiguous and 'may or may not have carried out the request' in str(error)
    assert len(hostile.writes()) == 1


def test_a_slow_answer_within_request_timeout_is_fine(hostile):
    hostile.route(ENVIRONMENTS, hs.slowly(0.5, hs.json_answer([{'Name': 'Development'}])))

    assert client_for(hostile.url, timeout=2).list_environments() == [{'Name': 'Development'}]


def test_a_module_against_a_dripping_server_ends_near_request_timeout(run_module, proxy, simulator):
    proxy.route('/lifetimeapi/rest/v2/applications/', hs.drip_body(0.3))
    name, args = TAGGING_TASK
    started = time.monotonic()

    result = run_module(name, dict(args, lifetime_url=proxy.url, lifetime_token=simulator.token, request_timeout=1))

    assert hs.elapsed(started) < ends_within(1)
    assert 'request_timeout' in result['msg']
    no_writes(simulator)


def test_a_download_that_stalls_fails_after_request_timeout_and_leaves_nothing(hostile, tmp_path):
    _link_route(hostile, hostile.url + '/downloads/pkg')
    hostile.route('/downloads/', hs.drip_body(0.3, content_type='application/octet-stream'))
    started = time.monotonic()

    message = str(fails(_download, client_for(hostile.url, timeout=1, retries=0), tmp_path))

    assert hs.elapsed(started) < ends_within(1)
    assert 'request_timeout' in message
    assert os.listdir(tmp_path) == []


def test_a_download_slower_than_request_timeout_in_total_but_steady_completes(hostile, tmp_path):
    package = _zip(6 * 64 * 1024)
    size = -(-len(package) // 6)

    def steady(handler):
        handler.head(200, [('Content-Type', 'application/octet-stream'), ('Content-Length', str(len(package)))])
        for start in range(0, len(package), size):
            handler.sleep(0.4)
            handler.body_bytes(package[start:start + size])

    _link_route(hostile, hostile.url + '/downloads/pkg')
    hostile.route('/downloads/', steady)
    started = time.monotonic()

    result = _download(client_for(hostile.url, timeout=1, retries=0), tmp_path)

    assert hs.elapsed(started) > 2 and result['size'] == len(package)


def test_a_download_cut_short_of_its_length_fails(hostile, tmp_path):
    _link_route(hostile, hostile.url + '/downloads/pkg')
    hostile.route('/downloads/', hs.raw(b'HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nConnection: close\r\n\r\nPK\x03\x04short'))

    message = str(fails(_download, client_for(hostile.url, retries=1), tmp_path))

    assert 'broke before a complete answer' in message or 'stopped after' in message
    assert os.listdir(tmp_path) == []


def _package(tmp_path, size):
    path = tmp_path / 'big.oap'
    with open(path, 'wb') as handle:
        handle.write(b'PK\x03\x04')
        handle.truncate(size)
    return str(path)


def test_an_upload_slower_than_request_timeout_in_total_but_steady_completes(hostile, tmp_path):
    # 32 MiB read 1 MiB every 0.1 s: more than 3 s in all, longer than request_timeout, and what the kernel's socket
    # buffers still hold when the last byte is written (a few MiB) drains well within it while the answer is awaited.
    hostile.route('/lifetimeapi/rest/v2/environments/', hs.slow_reader(1 << 20, 0.1, hs.answer(200, '"plan-key"')), method='POST')
    started = time.monotonic()

    key, dummy, size = client_for(hostile.url, timeout=2).deploy_binary(PRODUCTION, _package(tmp_path, 32 << 20))

    assert (key, size) == ('plan-key', 32 << 20) and hs.elapsed(started) > 3


def test_an_upload_whose_answer_drips_is_ambiguous_and_sent_once(hostile, tmp_path):
    hostile.route('/lifetimeapi/rest/v2/environments/', hs.drip_headers(0.3), method='POST')
    started = time.monotonic()

    error = fails(client_for(hostile.url, timeout=1, retries=5).deploy_binary, PRODUCTION, _package(tmp_path, 1 << 20))

    assert error.ambiguous and 'request_timeout' in str(error) and hs.elapsed(started) < ends_within(1)
    assert len(hostile.writes()) == 1


# -- 3. size cap on JSON answers --------------------------------------------------------------------------------------------------

def test_an_endless_json_answer_stops_at_the_cap(hostile):
    hostile.route(ENVIRONMENTS, hs.endless())
    client = client_for(hostile.url)
    client.max_json_bytes = 1 << 20

    message = str(fails(client.list_environments))

    assert 'larger than 1 MiB' in message and 'GET /environments/' in message
    assert hostile.bytes_sent < 32 << 20


def test_the_real_cap_holds_an_endless_answer_within_its_size_in_memory(hostile):
    hostile.route(ENVIRONMENTS, hs.endless())
    tracemalloc.start()
    try:
        message = str(fails(client_for(hostile.url).list_environments))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert 'larger than 64 MiB' in message
    assert hostile.bytes_sent > streaming.MAX_JSON_BYTES
    assert peak < streaming.MAX_JSON_BYTES + (24 << 20)


def test_an_answer_announcing_300_mb_is_refused_before_reading_it(hostile):
    hostile.route(ENVIRONMENTS, hs.declared(300 << 20))

    message = str(fails(client_for(hostile.url).list_environments))

    assert 'it announces 314572800 bytes' in message
    assert hostile.bytes_sent < 32 << 20


def test_a_gzip_bomb_is_capped_by_its_decoded_size(hostile):
    hostile.route(ENVIRONMENTS, hs.gzip_bomb(100 << 20))
    client = client_for(hostile.url)
    client.max_json_bytes = 1 << 20

    message = str(fails(client.list_environments))

    assert 'larger than 1 MiB' in message


def test_an_error_answer_that_never_ends_is_read_only_for_its_message(hostile):
    hostile.route(ENVIRONMENTS, hs.endless(piece=b'x' * 65536, content_type='text/plain', status=500))

    error = fails(client_for(hostile.url).list_environments)

    # Counted in bytes, not seconds: a client that read the body would take in more than the socket buffers hold.
    assert error.status == 500 and len(error.lifetime_message) <= 500
    assert hostile.bytes_sent < 32 << 20


# -- 3. answers that are not what the API documents -------------------------------------------------------------------------------

JUNK = {
    'html page': (hs.answer(200, '<!DOCTYPE html><html><body>Sign in</body></html>', 'text/html'), 'an HTML page'),
    'binary junk': (hs.answer(200, b'\x00\xff\xfe\x1b[2J junk'), 'the body is not JSON'),
    'deeply nested json': (hs.nested_json(), 'nested too deeply'),
    'gzip that is not gzip': (hs.gzip_junk, 'could not be decoded'),
    'a thousand headers': (hs.many_headers(), 'not valid HTTP'),
    'a 100 kB header': (hs.long_header(), 'not valid HTTP'),
    'bad chunk size': (hs.bad_chunks, 'not valid HTTP'),
    'junk status line': (hs.raw(b'garbage\r\n\r\n'), 'not valid HTTP'),
    'a TLS alert to plain http': (hs.raw(b'\x15\x03\x01\x00\x02\x02\x50'), 'not valid HTTP'),
    'a json string': (hs.json_answer('x'), 'a string'),
    'a json number': (hs.json_answer(3), 'a number'),
    'an object for a list': (hs.json_answer({'Name': 'x'}), 'got an object'),
    'escape codes in an error': (hs.answer(500, '\x1b]0;owned\x07\x1b[2J boom', 'text/plain'), 'boom'),
}


@pytest.mark.parametrize('junk', sorted(JUNK))
def test_an_answer_that_is_not_lifetimes_fails_with_a_sentence_and_is_not_retried(hostile, junk):
    behaviour, words = JUNK[junk]
    hostile.route(ENVIRONMENTS, behaviour)

    error = fails(client_for(hostile.url, retries=5).list_environments)

    assert words in str(error)
    assert len(hostile.requests) == 1


def test_a_connection_closed_without_answer_is_retried_then_told_plainly(hostile):
    hostile.route(ENVIRONMENTS, hs.hang_up)

    error = fails(client_for(hostile.url, retries=2).list_environments)

    assert 'broke before a complete answer arrived' in str(error) and 'after 3 attempts' in str(error)
    assert len(hostile.requests) == 3


@pytest.mark.parametrize('body', [[1, 2], ['x'], [None], [[]], [True], [{'Name': 'ok'}, 'x']],
                         ids=['numbers', 'strings', 'null', 'lists', 'booleans', 'mixed'])
def test_a_list_of_non_objects_fails_naming_the_item(hostile, body):
    hostile.route(ENVIRONMENTS, hs.json_answer(body))

    message = str(fails(client_for(hostile.url).list_environments))

    assert 'expected a list of records' in message and 'is lifetime_url the address of the LifeTime API?' in message
    assert 'item %d is' % (1 if body[0] == {'Name': 'ok'} else 0) in message


def test_a_list_where_an_object_is_expected_fails(hostile):
    hostile.route(DEPLOYMENTS, hs.json_answer([1, 2]))

    message = str(fails(client_for(hostile.url).get_deployment, 'k'))

    assert 'expected a JSON object, got a list' in message


@pytest.mark.parametrize('path, body', [
    ('/lifetimeapi/rest/v2/environments/', [1, 2]),
    ('/lifetimeapi/rest/v2/environments/', ['x']),
    ('/lifetimeapi/rest/v2/applications/', [1, 2]),
    ('/lifetimeapi/rest/v2/applications/', {'Name': 'not a list'}),
], ids=['environments-numbers', 'environments-strings', 'applications-numbers', 'applications-object'])
@pytest.mark.parametrize('task', [WRITING_TASK, TAGGING_TASK], ids=['deployment', 'app_version'])
def test_a_module_given_junk_lists_fails_with_a_sentence_before_any_write(run_module, proxy, simulator, path, body, task):
    proxy.route(path, hs.json_answer(body))

    result = run_module(task[0], dict(task[1], lifetime_url=proxy.url, lifetime_token=simulator.token))

    assert 'expected a list of records' in result['msg'] and 'lifetime_url' in result['msg']
    no_writes(simulator)


# -- 4. a plain web server given as lifetime_url -------------------------------------------------------------------------------

def test_a_plain_web_server_gets_a_hint_that_it_is_not_lifetime():
    with hs.PlainWebServer() as web:
        error = fails(client_for(web.url).list_environments)

    assert isinstance(error, LifeTimeNotFoundError) and '404' in str(error)
    assert 'Is lifetime_url the address of a LifeTime server?' in str(error) and 'like a plain web server' in str(error)


@pytest.mark.parametrize('task', [('lifetime_environment_info', {}), WRITING_TASK, TAGGING_TASK],
                         ids=['environment_info', 'deployment', 'app_version'])
def test_a_module_pointed_at_a_plain_web_server_says_it_may_not_be_lifetime(run_module, task):
    with hs.PlainWebServer() as web:
        result = run_module(task[0], dict(task[1], lifetime_url=web.url, lifetime_token=TOKEN))

    assert 'Is lifetime_url the address of a LifeTime server?' in result['msg']
    # One GET, never retried (lifetime_deployment reads the environments and the applications at the same time: two).
    seen = web.requests_seen
    assert set(method for method, dummy in seen) == {'GET'} and 1 <= len(seen) <= 2
    assert len(set(path for dummy, path in seen)) == len(seen), seen


def test_lifetimes_own_404_gets_no_such_hint(simulator):
    error = fails(client_for(simulator.url, simulator.token).get, '/environments/00000000-0000-0000-0000-000000000000/')

    assert 'LifeTime server?' not in str(error) and '00000000-0000-0000-0000-000000000000' in str(error)


# -- TLS mistakes and what cannot be sent ----------------------------------------------------------------------------------------

def test_https_to_a_plain_http_server_says_it_does_not_speak_tls(hostile):
    error = fails(client_for(hostile.url.replace('http://', 'https://')).list_environments)

    assert 'does not answer in TLS' in str(error) and error.attempts == 1


def test_http_to_a_tls_lifetime_suggests_https(make_simulator):
    sim = make_simulator(tls=True)

    error = fails(client_for(sim.url.replace('https://', 'http://'), sim.token, retries=1).list_environments)

    assert 'write lifetime_url with https://' in str(error)
    nothing_sent(sim)


def test_a_certificate_from_another_ca_fails_naming_ca_path(make_simulator):
    sim = make_simulator(tls=True)
    with hs.HostileServer(tls_enabled=True) as stranger:
        error = fails(client_for(sim.url, sim.token, ca_path=stranger.ca_cert_path).list_environments)

    assert 'TLS certificate verification failed' in str(error) and 'ca_path' in str(error) and error.attempts == 1
    nothing_sent(sim)


def test_an_unreadable_ca_bundle_in_the_environment_is_a_sentence_not_retried(make_simulator, monkeypatch, tmp_path):
    sim = make_simulator(tls=True)
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', str(tmp_path / 'missing-bundle.pem'))

    error = fails(client_for(sim.url, sim.token, retries=5).list_environments)

    assert 'REQUESTS_CA_BUNDLE' in str(error) and error.attempts == 1 and not error.retryable
    nothing_sent(sim)


# -- proxies: a proxy's failure is told as the proxy's, with its address (password masked) and what to check -------------------

PROXY_USER = 'deploy'
PROXY_VARIABLES = ('HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy')


@pytest.fixture
def tls_simulator(make_simulator):
    return make_simulator(tls=True, token=TOKEN)


@pytest.fixture
def proxy_environment(monkeypatch):
    """set(proxy_url): HTTPS_PROXY for requests (as a task's ``environment:`` would), every other proxy variable unset."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def use(url, no_proxy=None):
        monkeypatch.setenv('HTTPS_PROXY', url)
        if no_proxy:
            monkeypatch.setenv('NO_PROXY', no_proxy)
    return use


def no_token_through(proxy):
    """The token never passed the proxy in clear (a tunnel carries it inside TLS), nor in a header the proxy read."""
    assert TOKEN.encode('ascii') not in proxy.received
    assert all('Authorization' not in entry['headers'] for entry in proxy.log)


def proxy_password_hidden(error):
    """The proxy's password is in neither the message nor anything else the failure returns."""
    assert PASSWORD not in str(error) and PASSWORD not in repr(error.result())


# behaviour, proxy credentials, words of the sentence, CONNECTs the proxy sees with retries=2 (0 when nothing listens)
PROXY_FAILURES = {
    'nothing listens': ('refuse', None, 'cannot connect to the proxy', 0),
    '407 wrong password': ('tunnel', (PROXY_USER, 'the-right-one'), 'asks for authentication (407 Proxy Authentication Required)', 1),
    '403 to the connect': ('forbid', None, 'refused to open a connection to', 1),
    '502 to the connect': ('bad gateway', None, 'could not open a connection to', 3),
    'closed unanswered': ('hang up', None, 'closed the connection before it opened one to', 3),
}


@pytest.mark.parametrize('case', sorted(PROXY_FAILURES))
def test_a_failing_proxy_is_named_with_its_password_masked_and_what_to_check(tls_simulator, proxy_environment, case):
    behaviour, credentials, words, connects = PROXY_FAILURES[case]
    with hs.HostileProxy(behaviour, credentials=credentials) as proxy:
        proxy_environment(proxy.url_with(PROXY_USER, PASSWORD))

        error = fails(client_for(tls_simulator.url, ca_path=tls_simulator.ca_cert_path, retries=2).list_environments)

        message = str(error)
        assert 'the proxy http://%s:***@127.0.0.1:%d' % (PROXY_USER, proxy.port) in message and words in message, message
        assert 'HTTPS_PROXY' in message and 'NO_PROXY' in message and "task's environment" in message
        assert 'write lifetime_url with https' not in message and 'is lifetime_url right' not in message
        proxy_password_hidden(error)
        assert [entry['method'] for entry in proxy.log] == ['CONNECT'] * connects
        no_token_through(proxy)
    nothing_sent(tls_simulator)


def test_a_proxy_url_without_credentials_is_shown_as_written(tls_simulator, proxy_environment):
    with hs.HostileProxy('tunnel', credentials=(PROXY_USER, PASSWORD)) as proxy:
        proxy_environment(proxy.url)

        message = str(fails(client_for(tls_simulator.url, ca_path=tls_simulator.ca_cert_path).list_environments))

        assert 'the proxy %s asks for authentication' % proxy.url in message
        assert len(proxy.log) == 1 and 'Proxy-Authorization' not in proxy.log[0]['headers']
        no_token_through(proxy)
    nothing_sent(tls_simulator)


def test_a_post_through_a_proxy_that_fails_the_connect_is_sent_again_and_never_ambiguous(tls_simulator, proxy_environment):
    with hs.HostileProxy('bad gateway') as proxy:
        proxy_environment(proxy.url)

        error = fails(client_for(tls_simulator.url, ca_path=tls_simulator.ca_cert_path, retries=2).create_deployment,
                      DEVELOPMENT, PRODUCTION, [{'ApplicationVersionKey': 'k'}])

        # Nothing went past the proxy: LifeTime cannot have created a plan, so the POST is tried again and is not ambiguous.
        assert not error.ambiguous and error.attempts == 3 and error.retryable
        assert '502 Bad Gateway to the CONNECT' in str(error)
        assert [entry['method'] for entry in proxy.log] == ['CONNECT'] * 3
        no_token_through(proxy)
    nothing_sent(tls_simulator)


def test_a_proxy_with_the_right_credentials_tunnels_and_the_token_stays_inside_tls(tls_simulator, proxy_environment):
    with hs.HostileProxy('tunnel', credentials=(PROXY_USER, PASSWORD)) as proxy:
        proxy_environment(proxy.url_with(PROXY_USER, PASSWORD))

        environments = client_for(tls_simulator.url, ca_path=tls_simulator.ca_cert_path).list_environments()

        assert len(environments) == 3
        assert [(entry['method'], entry['target']) for entry in proxy.log] == [('CONNECT', tls_simulator.url.split('//', 1)[1])]
        no_token_through(proxy)
    assert [entry['path'] for entry in tls_simulator.requests] == [ENVIRONMENTS]
    TALLY['cases'] += 1


def test_no_proxy_naming_lifetimes_host_bypasses_a_failing_proxy(tls_simulator, proxy_environment):
    with hs.HostileProxy('forbid') as proxy:
        proxy_environment(proxy.url, no_proxy='127.0.0.1')

        assert len(client_for(tls_simulator.url, ca_path=tls_simulator.ca_cert_path).list_environments()) == 3

        assert proxy.log == []
    TALLY['cases'] += 1


def test_an_http_lifetime_url_through_a_proxy_answering_407_names_the_proxy(simulator, proxy_environment, monkeypatch):
    # Over http:// requests sends the request itself to the proxy, token included: the token is in clear on that path
    # whatever the proxy does (the validate_certs/ca_path notes tell users to use https://).
    with hs.HostileProxy('tunnel', credentials=(PROXY_USER, 'the-right-one')) as proxy:
        monkeypatch.setenv('HTTP_PROXY', proxy.url_with(PROXY_USER, PASSWORD))

        error = fails(client_for(simulator.url, simulator.token, retries=2).list_environments)

        assert 'the proxy http://%s:***@127.0.0.1:%d asks for authentication (407' % (PROXY_USER, proxy.port) in str(error)
        assert 'HTTP_PROXY' in str(error) and not error.retryable
        proxy_password_hidden(error)
        assert [entry['method'] for entry in proxy.log] == ['GET']
    nothing_sent(simulator)


@pytest.mark.parametrize('task', [WRITING_TASK, TAGGING_TASK], ids=['deployment', 'app_version'])
def test_a_module_behind_a_proxy_asking_for_credentials_fails_naming_it_before_any_request(run_module, tls_simulator, proxy_environment, task):
    with hs.HostileProxy('tunnel', credentials=(PROXY_USER, 'the-right-one')) as proxy:
        proxy_environment(proxy.url_with(PROXY_USER, PASSWORD))

        result = run_module(task[0], dict(task[1], lifetime_url=tls_simulator.url, lifetime_token=TOKEN, ca_path=tls_simulator.ca_cert_path))

        assert 'the proxy http://%s:***@127.0.0.1:%d asks for authentication' % (PROXY_USER, proxy.port) in result['msg']
        assert PASSWORD not in repr(result)
        assert proxy.log and set(entry['method'] for entry in proxy.log) == {'CONNECT'}
        no_token_through(proxy)
    nothing_sent(tls_simulator)


# An http:// lifetime_url through a proxy: an answer that is the proxy's own (squid's headers) names the proxy, an HTML page
# names the proxy or a web server in front of LifeTime; never LifeTime's service account or LifeTime's failure.
# Behaviour, status, words, GETs the proxy sees with retries=2.
PROXY_OWN_ANSWERS = {
    '403 as an HTML page': ('forbid', '403 Forbidden', "is an HTML page, not the LifeTime API's: it comes from the proxy", 1),
    '403 as squid words it': ('squid forbid', '403 Forbidden', "is not LifeTime's: it probably comes from the proxy", 1),
    '502 as an HTML page': ('bad gateway', '502 Bad Gateway', "is an HTML page, not the LifeTime API's: it comes from the proxy", 3),
}


@pytest.fixture
def http_proxy_environment(monkeypatch):
    """set(proxy_url): HTTP_PROXY (for an http:// lifetime_url), every other proxy variable unset."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return lambda url: monkeypatch.setenv('HTTP_PROXY', url)


@pytest.mark.parametrize('case', sorted(PROXY_OWN_ANSWERS))
def test_a_proxys_own_answer_to_an_http_lifetime_url_names_the_proxy_not_lifetime(simulator, http_proxy_environment, case):
    behaviour, status, words, gets = PROXY_OWN_ANSWERS[case]
    with hs.HostileProxy(behaviour) as proxy:
        http_proxy_environment(proxy.url_with(PROXY_USER, PASSWORD))

        error = fails(client_for(simulator.url, simulator.token, retries=2).list_environments)

        message = str(error)
        assert "%s http://%s:***@127.0.0.1:%d" % (words, PROXY_USER, proxy.port) in message, message
        assert '(%s' % status in message
        assert 'HTTP_PROXY' in message and 'NO_PROXY' in message and "task's environment" in message
        assert 'Grant the service account' not in message and 'LifeTime failed' not in message, message
        assert error.status == int(status.split()[0]) and not error.retryable
        proxy_password_hidden(error)
        assert [entry['method'] for entry in proxy.log] == ['GET'] * gets
    nothing_sent(simulator)


def test_a_proxys_502_to_an_http_post_names_the_proxy_and_leaves_open_whether_lifetime_got_it(simulator, http_proxy_environment):
    with hs.HostileProxy('bad gateway') as proxy:
        http_proxy_environment(proxy.url_with(PROXY_USER, PASSWORD))

        error = fails(client_for(simulator.url, simulator.token, retries=2).create_deployment, DEVELOPMENT, PRODUCTION,
                      [{'ApplicationVersionKey': 'k'}])

        # A proxy that passes plain http on may have sent the POST to LifeTime before answering 502: not sent again.
        assert 'it comes from the proxy http://%s:***@127.0.0.1:%d' % (PROXY_USER, proxy.port) in str(error)
        assert error.ambiguous and 'may or may not have carried out the request' in str(error)
        proxy_password_hidden(error)
        assert [entry['method'] for entry in proxy.log] == ['POST']
    nothing_sent(simulator)


def test_lifetimes_own_json_error_through_a_proxy_stays_lifetimes(simulator, http_proxy_environment):
    with hs.HostileProxy('tunnel') as proxy:
        http_proxy_environment(proxy.url_with(PROXY_USER, PASSWORD))

        error = fails(client_for(simulator.url, simulator.token).get_deployment, '00000000-0000-0000-0000-000000000000')

        assert isinstance(error, LifeTimeNotFoundError) and 'the proxy' not in str(error), str(error)
        assert [entry['method'] for entry in proxy.log] == ['GET']
    assert [entry['path'] for entry in simulator.requests] == [DEPLOYMENTS + '00000000-0000-0000-0000-000000000000/']
    no_writes(simulator)


IIS_500 = b'<!DOCTYPE html><html><head><title>500 - Internal server error.</title></head><body>IIS 10.0 Detailed Error</body></html>'


@pytest.mark.parametrize('headers', [[], [('X-Squid-Error', 'ERR_ACCESS_DENIED 0')]], ids=['html page', 'squid header'])
def test_an_answer_inside_an_https_tunnel_is_never_blamed_on_the_forward_proxy(proxy_environment, headers):
    # The forward proxy only relays the TLS bytes of a CONNECT tunnel: LifeTime's (IIS's) HTML 500 stays LifeTime's failure.
    with hs.HostileServer(tls_enabled=True) as lifetime, hs.HostileProxy('tunnel') as proxy:
        lifetime.route(ENVIRONMENTS, hs.answer(500, IIS_500, 'text/html', headers=headers))
        proxy_environment(proxy.url_with(PROXY_USER, PASSWORD))

        error = fails(client_for(lifetime.url, ca_path=lifetime.ca_cert_path, retries=0).list_environments)

        message = str(error)
        assert isinstance(error, LifeTimeServerError) and error.status == 500 and 'LifeTime failed' in message, message
        assert "not LifeTime's" not in message and 'comes from the proxy' not in message, message
        if headers:
            assert 'from LifeTime or from a TLS-inspecting proxy' in message and 'http://%s:***@' % PROXY_USER in message, message
        else:
            assert 'the proxy' not in message, message
        proxy_password_hidden(error)
        assert [entry['method'] for entry in proxy.log] == ['CONNECT']
        no_token_through(proxy)
    assert [(entry['scheme'], entry['path']) for entry in lifetime.requests] == [('https', ENVIRONMENTS)]


def test_a_plain_text_404_with_only_a_via_header_through_a_proxy_stays_lifetimes(http_proxy_environment):
    # Via is also what a reverse proxy in front of LifeTime adds: it does not make the answer the forward proxy's.
    with hs.HostileServer() as lifetime, hs.HostileProxy('tunnel') as proxy:
        lifetime.route(ENVIRONMENTS, hs.answer(404, b'Not Found', 'text/plain', headers=[('Via', '1.1 lifetime-gw')]))
        http_proxy_environment(proxy.url_with(PROXY_USER, PASSWORD))

        error = fails(client_for(lifetime.url, retries=0).list_environments)

        assert isinstance(error, LifeTimeNotFoundError) and 'the proxy' not in str(error), str(error)
        # The direct path's hint stays: a first answer like a plain web server's.
        assert 'Is lifetime_url the address of a LifeTime server?' in str(error), str(error)
        proxy_password_hidden(error)
        assert [entry['method'] for entry in proxy.log] == ['GET']
    assert [entry['path'] for entry in lifetime.requests] == [ENVIRONMENTS]


def test_lifetimes_html_500_over_http_through_a_proxy_names_both_possible_sources(http_proxy_environment):
    with hs.HostileServer() as lifetime, hs.HostileProxy('tunnel') as proxy:
        lifetime.route(ENVIRONMENTS, hs.answer(500, IIS_500, 'text/html'))
        http_proxy_environment(proxy.url_with(PROXY_USER, PASSWORD))

        error = fails(client_for(lifetime.url, retries=0).list_environments)

        message = str(error)
        assert "not LifeTime's" not in message and 'probably comes from the proxy' not in message, message
        assert ('it comes from the proxy http://%s:***@127.0.0.1:%d that requests to %s go through, or from a web server in front of '
                'LifeTime' % (PROXY_USER, proxy.port, lifetime.url)) in message, message
        proxy_password_hidden(error)
        assert [entry['method'] for entry in proxy.log] == ['GET']
    assert [entry['path'] for entry in lifetime.requests] == [ENVIRONMENTS]


def test_a_proxy_whose_name_does_not_resolve_is_named_so_and_not_tried_again(tls_simulator, proxy_environment):
    proxy_environment('http://%s:%s@no-such-proxy.invalid:3128' % (PROXY_USER, PASSWORD))

    error = fails(client_for(tls_simulator.url, ca_path=tls_simulator.ca_cert_path, retries=5).list_environments)

    message = str(error)
    assert ('the proxy http://%s:***@no-such-proxy.invalid:3128 that requests to %s go through cannot be found: its host name does not '
            'resolve' % (PROXY_USER, tls_simulator.url)) in message, message
    assert 'closed the connection' not in message and error.attempts == 1 and not error.retryable, message
    proxy_password_hidden(error)
    nothing_sent(tls_simulator)


def test_a_proxy_address_with_credentials_and_no_scheme_is_told_to_need_one_before_anything_is_sent(tls_simulator, proxy_environment):
    with hs.HostileProxy('tunnel') as proxy:
        proxy_environment('%s:%s@127.0.0.1:%d' % (PROXY_USER, PASSWORD, proxy.port))

        error = fails(client_for(tls_simulator.url, ca_path=tls_simulator.ca_cert_path, retries=2).list_environments)

        message = str(error)
        # Shown as written: requests reads the user name as a scheme, so this address is not http:// to it.
        assert 'the proxy address %s:***@127.0.0.1:%d in HTTPS_PROXY' % (PROXY_USER, proxy.port) in message, message
        assert 'has no scheme' in message and 'http://user:password@proxy.example.com:3128' in message, message
        assert 'cannot be connected to through the proxy' not in message and error.attempts == 1 and not error.retryable
        proxy_password_hidden(error)
        assert proxy.log == [] and proxy.received == b''
    nothing_sent(tls_simulator)


def test_a_plain_proxy_written_with_https_is_named_when_the_request_times_out(tls_simulator, proxy_environment):
    with hs.HostileProxy('tunnel') as proxy:
        proxy_environment('https://%s:%s@127.0.0.1:%d' % (PROXY_USER, PASSWORD, proxy.port))

        error = fails(client_for(tls_simulator.url, ca_path=tls_simulator.ca_cert_path, timeout=2).list_environments)

        message = str(error)
        assert ('the proxy https://%s:***@127.0.0.1:%d it went through is written with https://: if that proxy speaks plain HTTP '
                '(most do), write it with http:// in HTTPS_PROXY' % (PROXY_USER, proxy.port)) in message, message
        proxy_password_hidden(error)
        # The proxy got a TLS handshake, not a request: it never logged a CONNECT.
        assert proxy.log == []
        no_token_through(proxy)
    nothing_sent(tls_simulator)


HAS_PYSOCKS = importlib.util.find_spec('socks') is not None

# A proxy address requests cannot use: how it is written, the words of the sentence (password masked, what is wrong).
UNUSABLE_PROXY_ADDRESSES = {
    'socks without PySocks': ('socks5://%s:%s@127.0.0.1:{port}', "is a SOCKS proxy, and a SOCKS proxy needs the PySocks package on the "
                              "host that runs the task: install it there (pip install 'requests[socks]')"),
    'a space before the port': ('http://%s:%s@127.0.0.1 :{port}', 'is not a URL: it has white space'),
    'a space in the host name': ('http://%s:%s@proxy host:{port}', 'is not a URL: it has white space'),
    'a line break at the end': ('http://%s:%s@127.0.0.1:{port}\n', 'is not a URL: it has white space'),
    'an unknown scheme': ('ftp://%s:%s@127.0.0.1:{port}', 'is not a proxy URL requests can use'),
}


@pytest.mark.parametrize('case', sorted(UNUSABLE_PROXY_ADDRESSES))
def test_a_proxy_address_requests_cannot_use_is_named_masked_before_anything_is_sent(tls_simulator, proxy_environment, case):
    if case.startswith('socks') and HAS_PYSOCKS:
        pytest.skip('PySocks is installed here')
    written, words = UNUSABLE_PROXY_ADDRESSES[case]
    with hs.HostileProxy('tunnel') as proxy:
        proxy_environment((written % (PROXY_USER, PASSWORD)).format(port=proxy.port))

        error = fails(client_for(tls_simulator.url, ca_path=tls_simulator.ca_cert_path, retries=2).list_environments)

        message = str(error)
        shown = (written % (PROXY_USER, '***')).format(port=proxy.port).replace('\n', '?')
        assert 'the proxy address %s in HTTPS_PROXY' % shown in message and words in message, message
        assert 'lifetime_url' not in message, message
        assert error.attempts == 1 and not error.retryable
        proxy_password_hidden(error)
        assert proxy.log == []
    nothing_sent(tls_simulator)


def test_a_proxy_password_with_an_unencoded_slash_is_never_shown(tls_simulator, proxy_environment):
    password = 'S3cr3t/pw#71'
    with hs.HostileProxy('tunnel') as proxy:
        proxy_environment('http://%s:%s@127.0.0.1:%d' % (PROXY_USER, password, proxy.port))

        error = fails(client_for(tls_simulator.url, ca_path=tls_simulator.ca_cert_path).list_environments)

        assert 'the proxy http://%s:***@127.0.0.1:%d' % (PROXY_USER, proxy.port) in str(error), str(error)
        assert 'lifetime_url' not in str(error)
        assert 'S3cr3t' not in repr(error.result()) + str(error) and 'pw#71' not in str(error)
        assert proxy.log == []
    nothing_sent(tls_simulator)


@pytest.mark.parametrize('written', ['socks5://%s:%s@127.0.0.1:{port}', 'http://%s:%s@127.0.0.1 :{port}'], ids=['socks', 'space'])
def test_a_module_behind_an_unusable_proxy_address_names_it_without_its_password(run_module, tls_simulator, proxy_environment, written):
    if written.startswith('socks') and HAS_PYSOCKS:
        pytest.skip('PySocks is installed here')
    with hs.HostileProxy('tunnel') as proxy:
        proxy_environment((written % (PROXY_USER, PASSWORD)).format(port=proxy.port))

        result = run_module(WRITING_TASK[0], dict(WRITING_TASK[1], lifetime_url=tls_simulator.url, lifetime_token=TOKEN,
                                                  ca_path=tls_simulator.ca_cert_path))

        assert result.get('failed') and 'the proxy address %s' % (written % (PROXY_USER, '***')).format(port=proxy.port) in result['msg']
        assert 'lifetime_url' not in result['msg'] and 'Traceback' not in repr(result)
        assert PASSWORD not in repr(result)
        assert proxy.log == []
    nothing_sent(tls_simulator)


# -- certificates refused for their dates: said so, with the dates, even when ca_path trusts their issuer ----------------------

# The certificate's dates (the CA's when given) and the words of the sentence. A date before 2050 is a UTCTime in the
# certificate, from 2050 a GeneralizedTime: both are read.
CERTIFICATE_DATES = {
    'expired': (dict(certificate=(hs.days_from_now(-30), hs.days_from_now(-2))), 'has expired: it is valid from'),
    'not valid yet': (dict(certificate=(hs.days_from_now(365 * 40), hs.days_from_now(365 * 41))), 'is not valid yet: it is valid from'),
    'its CA expired': (dict(ca=(hs.days_from_now(-30), hs.days_from_now(-2))), ', but a certificate that signed it has expired'),
}


def _day(moment):
    return moment.strftime('%Y-%m-%d %H:%M:%S UTC')


@pytest.mark.parametrize('case', sorted(CERTIFICATE_DATES))
def test_a_certificate_outside_its_dates_says_so_with_its_dates_though_ca_path_trusts_its_issuer(simulator, case):
    validity, words = CERTIFICATE_DATES[case]
    with hs.HostileServer(upstream=simulator.url, tls_enabled=True, validity=validity) as lifetime:
        error = fails(client_for(lifetime.url, ca_path=lifetime.ca_cert_path, retries=5).list_environments)

        message = str(error)
        dates = validity.get('certificate', hs.VALID)
        assert words in message, message
        assert 'valid from %s (notBefore) to %s (notAfter), and it is now' % (_day(dates[0]), _day(dates[1])) in message
        assert 'the TLS certificate of %s' % lifetime.url in message and 'ca_path' in message
        assert 'TLS certificate verification failed' not in message
        assert error.attempts == 1 and not error.retryable
        assert lifetime.requests == []
    nothing_sent(simulator)


@pytest.mark.parametrize('task', [WRITING_TASK, TAGGING_TASK], ids=['deployment', 'app_version'])
def test_a_module_against_an_expired_certificate_fails_with_its_dates_before_any_request(run_module, simulator, task):
    expired = (hs.days_from_now(-30), hs.days_from_now(-2))
    with hs.HostileServer(upstream=simulator.url, tls_enabled=True, validity=dict(certificate=expired)) as lifetime:
        result = run_module(task[0], dict(task[1], lifetime_url=lifetime.url, lifetime_token=simulator.token, ca_path=lifetime.ca_cert_path))

        assert 'has expired: it is valid from %s (notBefore) to %s (notAfter)' % (_day(expired[0]), _day(expired[1])) in result['msg']
        assert lifetime.requests == []
    nothing_sent(simulator)


# -- a missing token or address names the option and its environment variable ---------------------------------------------------

def _every_module_task(tmp_path):
    package = tmp_path / 'app.oap'
    package.write_bytes(PACKAGE)
    return {
        'lifetime_app_version': TAGGING_TASK[1],
        'lifetime_application_config': dict(application='EmployeeBackoffice', environment=['Production'], blocked=True,
                                            reason='Release freeze'),
        'lifetime_application_info': {},
        'lifetime_binary_publish': dict(src=str(package), target_environment='Production'),
        'lifetime_deployment': WRITING_TASK[1],
        'lifetime_deployment_info': {},
        'lifetime_environment_info': {},
        'lifetime_manifest': dict(environment='Production'),
        'lifetime_solution': dict(environment='Development', applications=['EmployeeBackoffice'], dest=str(tmp_path / 'solution.osp')),
        'lifetime_source_code': dict(environment='Development', application='EmployeeBackoffice', dest=str(tmp_path / 'source.zip')),
    }


MODULES = [
    'lifetime_app_version', 'lifetime_application_config', 'lifetime_application_info', 'lifetime_binary_publish', 'lifetime_deployment',
    'lifetime_deployment_info', 'lifetime_environment_info', 'lifetime_manifest', 'lifetime_solution', 'lifetime_source_code']


@pytest.mark.parametrize('name', MODULES)
@pytest.mark.parametrize('option, variable', [('lifetime_token', 'LIFETIME_TOKEN'), ('lifetime_url', 'LIFETIME_URL')])
def test_a_module_without_token_or_address_names_the_option_and_its_environment_variable(run_module, simulator, monkeypatch, tmp_path,
                                                                                         name, option, variable):
    monkeypatch.delenv('LIFETIME_TOKEN', raising=False)
    monkeypatch.delenv('LIFETIME_URL', raising=False)
    args = dict(_every_module_task(tmp_path)[name], lifetime_url=simulator.url, lifetime_token=simulator.token)
    del args[option]

    result = run_module(name, args)

    assert 'set the option %s or the environment variable %s' % (option, variable) in result['msg'], result['msg']
    assert result.get('parameter') == option
    nothing_sent(simulator)


def test_an_empty_token_is_told_apart_from_a_missing_one(simulator):
    assert 'lifetime_token is empty' in str(fails(LifeTimeClient, simulator.url, ' '))
    assert 'lifetime_token is not set' in str(fails(LifeTimeClient, simulator.url, None))
    nothing_sent(simulator)
