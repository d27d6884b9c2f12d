# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Simulator: a World served over HTTP(S) in a background thread."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import tempfile
import threading

from tests.simulator import scenario as scenarios
from tests.simulator import tls
from tests.simulator.faults import Fault, FaultSet
from tests.simulator.server import Server

WRITE_METHODS = ('POST', 'PUT', 'DELETE', 'PATCH')
# When set, every simulator (in a test process or started with python -m tests.simulator) also appends its request
# log to a file of its own in this directory; `make pytest` collects them for tests/contract/test_requests_sent.py.
LOG_DIR_VARIABLE = 'LIFETIME_SIM_REQUEST_LOG_DIR'
_log_numbers = itertools.count(1)


class Simulator:
    """A stateful LifeTime Deployment API v2 server for tests, demos and benchmarks.

    ``scenario`` is a YAML/JSON path or a dict (None: the default world);
    ``latency`` is in seconds and delays every API request.
    """

    def __init__(self, token='t', *, host='127.0.0.1', port=0, scenario=None, step_seconds=0.0, binary_size_mb=0,
                 generate_apps=0, request_log=None, read_only_token=None, tls=False, latency=0.0, fault_seed=0, generate_users=0,
                 generate_teams=0):
        if not token:
            raise ValueError('the simulator needs a token')
        self.token = token
        self.read_only_token = read_only_token
        self.host = host
        self.port = port
        self.tls = tls
        self.latency = float(latency)
        self.request_log = request_log
        self.state = scenarios.build_world(scenario, step_seconds=step_seconds, binary_size_mb=binary_size_mb,
                                           generate_apps=generate_apps, generate_users=generate_users,
                                           generate_teams=generate_teams)
        self.lock = self.state.lock
        self.faults = FaultSet(fault_seed)
        self.url = None
        self.ca_cert_path = None
        self._requests = []
        self._requests_lock = threading.Lock()
        self._log_files = []
        self._server = None
        self._thread = None
        self._tmpdir = None

    # ------------------------------------------------------------ lifecycle

    def start(self):
        """Bind and serve in a background thread; returns self."""
        context = None
        if self.tls:
            self._tmpdir = tempfile.mkdtemp(prefix='lifetime-simulator-')
            self.ca_cert_path, key_path = tls.write_self_signed(self._tmpdir)
            context = tls.server_context(self.ca_cert_path, key_path)
        self._server = Server((self.host, self.port), self, context)
        self.port = self._server.server_address[1]
        host = '127.0.0.1' if self.host in ('', '0.0.0.0') else self.host
        if ':' in host:
            host = '[%s]' % host
        self.url = '%s://%s:%d' % ('https' if self.tls else 'http', host, self.port)
        self.state.base_url = self.url
        for path in self._log_paths():
            self._log_files.append(open(path, 'a', encoding='utf-8', buffering=1))  # pylint: disable=consider-using-with
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={'poll_interval': 0.05},
                                        name='lifetime-simulator:%d' % self.port, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop serving, close open connections and remove the TLS files; quick and safe to call twice."""
        if self._server is not None:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None
        with self._requests_lock:
            for handle in self._log_files:
                handle.close()
            self._log_files = []
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def api_url(self):
        return self.url + '/lifetimeapi/rest/v2'

    # ---------------------------------------------------------- request log

    def _log_paths(self):
        paths = [self.request_log] if self.request_log else []
        directory = os.environ.get(LOG_DIR_VARIABLE)
        if directory:
            os.makedirs(directory, exist_ok=True)
            paths.append(os.path.join(directory, 'simulator-%d-%d-%d.jsonl' % (os.getpid(), self.port, next(_log_numbers))))
        return paths

    def log_request(self, started, method, path, query, status, *, raw_path=None, user_agent='', body=None):
        """Record one API request: no header but the User-Agent, a JSON body only, and never a token."""
        entry = {'time': started, 'method': method, 'path': path, 'raw_path': raw_path or path, 'query': query,
                 'body': body, 'user_agent': user_agent, 'status': status}
        with self._requests_lock:
            self._requests.append(entry)
            for handle in self._log_files:
                handle.write(json.dumps(entry) + '\n')

    @property
    def requests(self):
        with self._requests_lock:
            return list(self._requests)

    def clear_requests(self):
        with self._requests_lock:
            self._requests.clear()

    def writes(self):
        """The logged requests that could change something (POST, PUT, DELETE, PATCH)."""
        return [r for r in self.requests if r['method'] in WRITE_METHODS]

    # --------------------------------------------------------------- faults

    def inject_fault(self, method, path, *, status=None, count=None, fraction=None, latency=None, drop=False,
                     after_processing=False, retry_after=1):
        """Fail, drop or delay requests matching ``method`` ('*' for any) and an API path pattern.

        ``path`` is relative to the API base, with {placeholders} or '*' for one
        segment, e.g. "/deployments/*/status/". With ``after_processing`` the
        request is handled (state changes!) and only then answered with
        ``status`` or dropped.
        """
        return self.faults.add(Fault(method=method, path=path, status=status, count=count, fraction=fraction,
                                     latency=latency, drop=drop, after_processing=after_processing,
                                     retry_after=retry_after))

    def clear_faults(self):
        self.faults.clear()
