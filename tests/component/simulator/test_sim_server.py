# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The server around the API: request log, inspection endpoints, TLS, command line, shutdown."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse

import pytest

from tests.simulator.client import Client

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SECRET = 'S3cr3t-token-never-logged'


def test_request_log_holds_json_bodies_and_the_user_agent_but_no_token(make_simulator, tmp_path):
    log = tmp_path / 'requests.jsonl'
    sim = make_simulator(token=SECRET, request_log=str(log))
    api = Client(sim)
    api.get('/environments/', query={'x': '1'}, headers={'User-Agent': 'a-test/1.0'})
    api.post('/deployments/', {'Notes': 'token %s here' % SECRET})
    Client(sim, token=SECRET + '-wrong').get('/applications/')
    api.post('/environments/%s/deployment/' % sim.state.environment('Production').key, body=b'PK\x03\x04' + SECRET.encode(),
             headers={'Content-Type': 'application/octet-stream'})
    api.get('/applications/x%2Fy/versions/')
    Client(sim, token=None, prefix='/_simulator').get('/state')  # inspection: not logged
    entries = sim.requests
    assert [(e['method'], e['path'], e['status']) for e in entries] == [
        ('GET', '/lifetimeapi/rest/v2/environments/', 200), ('POST', '/lifetimeapi/rest/v2/deployments/', 400),
        ('GET', '/lifetimeapi/rest/v2/applications/', 401), ('POST', '/lifetimeapi/rest/v2/environments/%s/deployment/'
                                                             % sim.state.environment('Production').key, 400),
        ('GET', '/lifetimeapi/rest/v2/applications/x/y/versions/', 404)]
    assert all(set(e) == {'time', 'method', 'path', 'raw_path', 'query', 'body', 'user_agent', 'status'} for e in entries)
    assert entries[0]['query'] == {'x': '1'} and entries[0]['user_agent'] == 'a-test/1.0'
    assert entries[1]['body'] == {'Notes': 'token ******** here'}  # JSON bodies are kept, the token never
    assert entries[3]['body'] is None  # nor a binary upload
    assert entries[4]['raw_path'] == '/lifetimeapi/rest/v2/applications/x%2Fy/versions/'
    sim.stop()
    text = log.read_text()
    assert [json.loads(line) for line in text.splitlines()] == entries
    assert SECRET not in text
    assert [e['method'] for e in sim.writes()] == ['POST', 'POST']
    sim.clear_requests()
    assert sim.requests == []


def test_every_simulator_also_logs_to_the_directory_the_environment_names(make_simulator, tmp_path, monkeypatch):
    monkeypatch.setenv('LIFETIME_SIM_REQUEST_LOG_DIR', str(tmp_path / 'logs'))
    first, second = make_simulator(), make_simulator()
    Client(first).get('/environments/')
    Client(second).get('/applications/')
    first.stop()
    second.stop()
    process, url, _lines = _start_cli('--token', 't')  # a simulator in its own process (it inherits the variable)
    try:
        assert Client(url, token='t').get('/modules/').status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
    logged = sorted(json.loads(line)['path'] for path in (tmp_path / 'logs').iterdir() for line in path.read_text().splitlines())
    assert logged == ['/lifetimeapi/rest/v2/applications/', '/lifetimeapi/rest/v2/environments/', '/lifetimeapi/rest/v2/modules/']
    assert len(list((tmp_path / 'logs').iterdir())) == 3


def test_inspection_endpoints_need_no_token(simulator):
    inspect = Client(simulator, token=None, prefix='/_simulator')
    state = inspect.get('/state').json()
    assert set(state) == {'environments', 'applications', 'deployments', 'solutions', 'uploaded_packages'}
    production = next(e for e in state['environments'] if e['name'] == 'Production')
    assert production['applications']['EmployeeBackoffice']['version'] == '1.2'
    assert state['environments'][0]['applications']['Customer Portal']['is_modified'] is True
    assert state['applications']['EmployeeBackoffice']['versions'] == ['1.0', '1.1', '1.2', '1.3']
    assert any(d['target'] == 'Production' and d['status'] == 'finished_successful' for d in state['deployments'])
    reply = inspect.post('/state/set_running_version', {'env_ref': 'Production', 'app_ref': 'EmployeeBackoffice',
                                                        'version_ref': '1.1'})
    assert reply.status == 200
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.1'
    assert inspect.post('/state/running_version', {'env_ref': 'Production', 'app_ref': 'EmployeeBackoffice'}).json() == \
        {'result': '1.1'}
    assert inspect.post('/state/delete_everything', {}).status == 404
    assert inspect.post('/state/set_running_version', {'env_ref': 'Nowhere', 'app_ref': 'X', 'version_ref': '1'}).status == 400
    Client(simulator).get('/environments/')
    assert [r['path'] for r in inspect.get('/requests').json()] == ['/lifetimeapi/rest/v2/environments/']
    assert inspect.delete('/requests').status == 204 and simulator.requests == []


def test_tls_is_verified_with_the_generated_certificate(make_simulator):
    sim = make_simulator(tls=True)
    assert sim.url.startswith('https://127.0.0.1:')
    assert os.path.isfile(sim.ca_cert_path)
    with pytest.raises(ssl.SSLCertVerificationError):
        Client(sim, ssl_context=ssl.create_default_context()).get('/environments/')
    assert Client(sim).get('/environments/').status == 200  # the client trusts sim.ca_cert_path
    by_name = Client(sim.url.replace('127.0.0.1', 'localhost'), token=sim.token,
                     ssl_context=ssl.create_default_context(cafile=sim.ca_cert_path))
    assert by_name.get('/environments/').status == 200
    link = Client(sim).get('/applications/%s/versions/%s/content/' % (
        sim.state.application('Orders API').key, sim.state.version('Orders API', '1.0').key)).json()['url']
    assert link.startswith(sim.url)
    path = sim.ca_cert_path
    sim.stop()
    assert not os.path.exists(path)


def test_stop_closes_idle_keep_alive_connections_at_once(make_simulator):
    sim = make_simulator()
    connection = http.client.HTTPConnection('127.0.0.1', int(sim.url.rsplit(':', 1)[1]), timeout=10)
    connection.request('GET', '/lifetimeapi/rest/v2/environments/', headers={'Authorization': 'Bearer ' + sim.token})
    connection.getresponse().read()
    sim.stop()
    # The connection's server side is shut, not left waiting for a next request (for up to 300 s): the client reads the
    # end of the stream, well within its own 10 s timeout, which a connection left open would run into.
    assert connection.sock.recv(1) == b''
    connection.close()
    sim.stop()  # twice is fine


def test_a_client_leaving_mid_download_leaves_no_traceback(make_simulator, capfd):
    sim = make_simulator(binary_size_mb=64)
    api = Client(sim)
    url = urllib.parse.urlsplit(api.get('/applications/%s/versions/%s/content/' % (
        sim.state.application('Orders API').key, sim.state.version('Orders API', '1.0').key)).json()['url'])
    raw = socket.create_connection((url.hostname, url.port))
    raw.sendall(('GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n\r\n' % (url.path, sim.token)).encode())
    raw.recv(65536)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
    raw.close()  # reset in the middle of the body
    time.sleep(0.3)
    assert api.get('/environments/').status == 200
    assert 'Traceback' not in capfd.readouterr().err


def _start_cli(*args):
    process = subprocess.Popen([sys.executable, '-m', 'tests.simulator', '--port', '0', *args], cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    while True:
        line = process.stdout.readline()
        assert line, 'the simulator exited: %s' % process.stderr.read()
        lines.append(line.strip())
        if line.startswith('LifeTime simulator listening on '):
            return process, line.split(' on ', 1)[1].strip(), lines


def test_command_line_serves_until_sigterm_and_exits_zero(tmp_path):
    log = tmp_path / 'requests.jsonl'
    process, url, _lines = _start_cli('--token', SECRET, '--request-log', str(log), '--step-seconds', '0.1',
                                      '--fault', 'GET /environments/=503x1', '--latency-ms', '1')
    try:
        assert url.startswith('http://127.0.0.1:')
        api = Client(url, token=SECRET)
        assert [api.get('/environments/').status for attempt in range(2)] == [503, 200]
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert SECRET not in out + err + log.read_text()
    assert [json.loads(line)['status'] for line in log.read_text().splitlines()] == [503, 200]


def test_command_line_tls_prints_the_certificate_path():
    process, url, lines = _start_cli('--token', 't', '--tls')
    try:
        assert url.startswith('https://') and len(lines) == 1  # the URL is the first line
        ca_line = process.stdout.readline().strip()
        assert ca_line.startswith('LifeTime simulator CA certificate: ')
        ca_path = ca_line.split(': ', 1)[1]
        assert os.path.isfile(ca_path)
        assert Client(url, token='t', ssl_context=ssl.create_default_context(cafile=ca_path)).get('/environments/').status == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
    assert process.returncode == 0


def test_command_line_help_documents_the_flags():
    result = subprocess.run([sys.executable, '-m', 'tests.simulator', '--help'], cwd=REPO_ROOT, capture_output=True,
                            text=True, check=True)
    for flag in ('--port', '--token', '--scenario', '--step-seconds', '--binary-size-mb', '--generate-apps', '--request-log',
                 '--read-only-token', '--tls', '--host', '--fault', '--latency-ms'):
        assert flag in result.stdout
    assert "POST /deployments/=503x1" in result.stdout


def test_command_line_refuses_a_bad_fault_spec():
    result = subprocess.run([sys.executable, '-m', 'tests.simulator', '--token', 't', '--fault', 'nonsense'],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2 and 'fault' in result.stderr
