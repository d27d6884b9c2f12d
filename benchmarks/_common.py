# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers shared by benchmarks/deployment_plan.py, benchmarks/deployment_wait.py and benchmarks/end_to_end.py.

* ``Simulator``: the LifeTime simulator (``python -m tests.simulator``) in a subprocess on 127.0.0.1, port 0, with a
  request log in a file; a context manager, so it is terminated whatever happens (also on SIGTERM, see ``stop_on_sigterm``).
* ``run_playbook`` / ``run_streamed``: a command whose output is read line by line, each line stamped with ``time.time()``
  when it arrives, so a line can be compared with the simulator's wall-clock instants (request log ``time``,
  ``Deployment.finished_at``).
* ``task_windows``, ``request_seconds``, ``poll_sleep_seconds``: an ansible-playbook run task by task (its ``TASK [...]``
  lines as stamped when read), and how many of a stretch's seconds went to requests and to sleeps between status polls.
* outsystems-pipeline 0.11.0 (the peer): its throwaway virtualenv under ``.tmp/benchmarks/`` comes from
  ``benchmarks/packages.py`` (``pipeline_python``, installed on first use), so both benchmarks share one install.
"""

import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(os.path.abspath(sys.executable))
RESULTS = os.path.join(REPO_ROOT, 'benchmarks', 'results')
PIPELINE = 'outsystems-pipeline==0.11.0'
PIPELINE_VENV = os.path.join(REPO_ROOT, '.tmp', 'benchmarks', 'outsystems-pipeline-0.11.0')
PLAYBOOKS = os.path.join(REPO_ROOT, 'benchmarks', 'playbooks')
WORK_ROOT = os.path.join(REPO_ROOT, '.tmp', 'benchmarks')
DEV_COLLECTIONS = os.path.join(REPO_ROOT, '.tmp', 'dev-collections')
TOKEN = 'bench-token'
PEER = PIPELINE.replace('==', ' ')
OURS = 'outsystems.lifetime'


def stop_on_sigterm():
    """Turn SIGTERM into SystemExit, so the ``finally`` blocks that stop the simulators run."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


class Simulator:
    """``python -m tests.simulator`` in its own process, with its request log in ``work/<name>-requests.jsonl``."""

    def __init__(self, work, name, scenario=None, step_seconds=0.0, latency_ms=0.0, token=TOKEN, binary_size_mb=0):
        self.name = name
        self.token = token
        self.request_log = os.path.join(work, '%s-requests.jsonl' % name)
        self.stderr_path = os.path.join(work, '%s-stderr.txt' % name)
        command = [sys.executable, '-m', 'tests.simulator', '--host', '127.0.0.1', '--port', '0', '--token', self.token,
                   '--request-log', self.request_log, '--step-seconds', repr(float(step_seconds)), '--latency-ms', repr(float(latency_ms)),
                   '--binary-size-mb', str(binary_size_mb)]
        if scenario:
            command += ['--scenario', scenario]
        with open(self.stderr_path, 'w', encoding='utf-8') as stderr:
            self.process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)  # pylint: disable=consider-using-with
        line = self.process.stdout.readline()
        match = re.search(r'listening on (\S+)', line)
        if not match:
            self.stop()
            with open(self.stderr_path, encoding='utf-8') as handle:
                raise RuntimeError('the simulator did not start: %r\n%s' % (line, handle.read()[-3000:]))
        self.url = match.group(1)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()

    def state(self):
        """``GET /_simulator/state``: environments, applications, deployments (with ``finished_at``)."""
        with urllib.request.urlopen(self.url + '/_simulator/state', timeout=30) as response:
            return json.loads(response.read())

    def requests(self):
        """The request log: dicts with time (epoch s), method, path, query, status; in arrival order."""
        if not os.path.exists(self.request_log):
            return []
        with open(self.request_log, encoding='utf-8') as handle:
            return [json.loads(line) for line in handle if line.strip()]


def api_path(request):
    """The request path below the API base, lower-case, with a trailing slash: ``/deployments/KEY/status/``."""
    path = request['path'].split('?', 1)[0].lower()
    for base in ('/lifetimeapi/rest/v2', '/lifetime/rest/v2'):
        if path.startswith(base):
            path = path[len(base):]
            break
    return path if path.endswith('/') else path + '/'


KEY = re.compile(r'/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=/)')


def request_shapes(requests):
    """How many requests went to each route: {"GET /applications/{key}/versions/": 30, ...} (keys replaced by {key})."""
    shapes = {}
    for request in requests:
        shape = '%s %s' % (request['method'], KEY.sub('/{key}', api_path(request)))
        shapes[shape] = shapes.get(shape, 0) + 1
    return shapes


def is_create(request):
    """``POST /deployments/``: the request that creates a deployment plan."""
    return request['method'] == 'POST' and api_path(request) == '/deployments/'


def is_status(request, key):
    return request['method'] == 'GET' and api_path(request) == '/deployments/%s/status/' % key.lower()


def is_start(request, key):
    return request['method'] == 'POST' and api_path(request) == '/deployments/%s/start/' % key.lower()


def collections_root(override=None):
    """Where ansible-playbook finds outsystems.lifetime: ``--collections``, $OUTSYSTEMS_LIFETIME_COLLECTIONS, or this work tree
    through .tmp/dev-collections (created here if missing, as tests/conftest.py does)."""
    override = override or os.environ.get('OUTSYSTEMS_LIFETIME_COLLECTIONS')
    if override:
        return os.path.abspath(override)
    link = os.path.join(DEV_COLLECTIONS, 'ansible_collections', 'outsystems', 'lifetime')
    if os.path.realpath(link) != os.path.realpath(REPO_ROOT):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(REPO_ROOT, link, target_is_directory=True)
    return DEV_COLLECTIONS


def ansible_env(work, collections, sim=None):
    """The environment of ansible-playbook: implicit localhost; the connection from LIFETIME_URL/LIFETIME_TOKEN when ``sim`` is
    given (as tests/integration does), else from the playbook's extra vars."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_LOCALHOST_WARNING='False', ANSIBLE_INVENTORY_UNPARSED_WARNING='False', ANSIBLE_RETRY_FILES_ENABLED='False',
               ANSIBLE_HOME=os.path.join(work, 'ansible-home'), ANSIBLE_LOCAL_TEMP=os.path.join(work, 'ansible-tmp'),
               PYTHONUNBUFFERED='1', PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
    for name in ('ANSIBLE_CONFIG', 'LIFETIME_URL', 'LIFETIME_TOKEN', 'LIFETIME_CA_PATH', 'LIFETIME_VALIDATE_CERTS', 'LIFETIME_REQUEST_TIMEOUT'):
        env.pop(name, None)
    if sim is not None:
        env.update(LIFETIME_URL=sim.url, LIFETIME_TOKEN=sim.token)
    return env


class Run:
    """What a streamed command printed: ``lines`` as (epoch seconds when read, text), its exit code, when it started and ended."""

    def __init__(self, command, returncode, lines, started, ended, timed_out=False):
        self.command = command
        self.returncode = returncode
        self.lines = lines
        self.started = started
        self.ended = ended
        # Stopped by run_streamed(..., raise_on_timeout=False) when it ran longer than its timeout.
        self.timed_out = timed_out

    @property
    def output(self):
        return '\n'.join(text for dummy, text in self.lines)

    def first(self, pattern):
        """(instant, text) of the first line matching the regular expression, or (None, None)."""
        regex = re.compile(pattern)
        for instant, text in self.lines:
            if regex.search(text):
                return instant, text
        return None, None

    def check(self, label):
        if self.returncode != 0:
            raise RuntimeError('%s failed (rc %s):\n%s' % (label, self.returncode, self.output[-4000:]))
        return self


def run_streamed(command, cwd, env, timeout=3600, raise_on_timeout=True):
    """Run command, reading stdout+stderr line by line as it arrives; each line is stamped with time.time() when read.

    After ``timeout`` seconds the command and its descendants are stopped, even when it prints nothing: then RuntimeError,
    or with ``raise_on_timeout=False`` a Run whose ``timed_out`` is true (what it printed so far, its exit code after the stop).
    """
    started = time.time()
    lines = []
    expired = threading.Event()
    with subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1) as process:

        def stop():
            expired.set()
            end_process_tree(process)

        watchdog = threading.Timer(timeout, stop)
        watchdog.daemon = True
        watchdog.start()
        try:
            for text in process.stdout:
                lines.append((time.time(), text.rstrip('\n')))
            process.wait()
        finally:
            watchdog.cancel()
            if process.poll() is None:
                end_process_tree(process)
    if expired.is_set() and raise_on_timeout:
        raise RuntimeError('%s ran longer than %d s' % (command[0], timeout))
    return Run(command, process.returncode, lines, started, time.time(), timed_out=expired.is_set())


def descendants(pid):
    """The ids of the processes below pid (Linux /proc); ansible-playbook's workers run the task in a child of their own."""
    found = []
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            threads = os.listdir('/proc/%d/task' % current)
        except OSError:
            continue
        for thread in threads:
            try:
                with open('/proc/%d/task/%s/children' % (current, thread), encoding='ascii') as handle:
                    children = [int(child) for child in handle.read().split()]
            except (OSError, ValueError):
                children = []
            found.extend(children)
            pending.extend(children)
    return found


def end_process_tree(process, grace=10):
    """SIGTERM to a process this script started and to its descendants, SIGKILL to those still there after grace seconds."""
    children = descendants(process.pid)
    for pid in [process.pid] + children:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def run_playbook(playbook, work, collections, sim, extra_vars=None, timeout=3600):
    command = [os.path.join(BIN, 'ansible-playbook'), os.path.join(PLAYBOOKS, playbook)]
    if extra_vars:
        command += ['-e', json.dumps(extra_vars)]
    return run_streamed(command, work, ansible_env(work, collections, sim), timeout=timeout)


def pipeline_python():
    """The python of a throwaway virtualenv with outsystems-pipeline 0.11.0, installed on first use (shared by every benchmark)."""
    python = os.path.join(PIPELINE_VENV, 'bin', 'python')
    probe = [python, '-c', 'import outsystems.pipeline.deploy_package_to_target_env']
    if os.path.exists(python) and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return python
    shutil.rmtree(PIPELINE_VENV, ignore_errors=True)
    print('Installing %s into %s ...' % (PIPELINE, PIPELINE_VENV), flush=True)
    subprocess.run([sys.executable, '-m', 'venv', PIPELINE_VENV], check=True)
    subprocess.run([python, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', PIPELINE], check=True)
    return python


def pipeline_env():
    """outsystems-pipeline's environment: its configuration overridable, 1 s sleeps, and no WORKSPACE (it would join sys.path)."""
    env = dict(os.environ, OVERRIDE_CONFIG_IN_USE='True', SLEEP_PERIOD_IN_SECS='1')
    env.pop('WORKSPACE', None)
    return env


def peer_env(sleep_seconds=None):
    """The peer's environment: its poll period SLEEP_PERIOD_IN_SECS overridden when given, else its default (20 s)."""
    env = pipeline_env()  # OVERRIDE_CONFIG_IN_USE=True, SLEEP_PERIOD_IN_SECS=1, no WORKSPACE
    if sleep_seconds is None:
        env.pop('SLEEP_PERIOD_IN_SECS', None)
    else:
        env['SLEEP_PERIOD_IN_SECS'] = str(int(sleep_seconds))
    env['PYTHONUNBUFFERED'] = '1'
    return env


def peer_command(python, sim, applications, source='Development', target='Production'):
    """outsystems-pipeline 0.11.0 promoting the tagged versions of ``applications`` from source to target."""
    return [python, '-m', 'outsystems.pipeline.deploy_latest_tags_to_target_env', '-u', sim.url, '-t', sim.token,
            '-s', source, '-d', target, '-l', ','.join(applications)]


def fresh_directory(work, name):
    path = os.path.join(work, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def work_directory(prefix):
    stamp = time.strftime('%Y%m%d-%H%M%S')
    work = os.path.join(WORK_ROOT, '%s-%s' % (prefix, stamp))
    os.makedirs(work)
    return work, stamp


def machine_facts():
    """CPU count, Python and ansible-core version, platform: printed above every table."""
    try:
        from ansible.release import __version__ as ansible_core  # pylint: disable=import-outside-toplevel
    except ImportError:
        ansible_core = 'not importable from %s' % sys.executable
    return dict(cpus=os.cpu_count(), python=platform.python_version(), python_executable=sys.executable, ansible_core=ansible_core,
                platform=platform.platform(), machine=platform.machine(), load_average=load_average())


def load_average():
    """The 1, 5 and 15 minute load averages, rounded: timings taken on a busy machine (above its CPU count) mean little."""
    return [round(value, 2) for value in os.getloadavg()]


def print_facts(facts):
    print('Machine: %(cpus)s CPUs (%(machine)s), %(platform)s; Python %(python)s; ansible-core %(ansible_core)s' % facts, flush=True)
    if facts.get('load_average'):
        print('Load average at the start: %s (1, 5, 15 min)' % ', '.join('%.2f' % value for value in facts['load_average']), flush=True)


def write_results(prefix, stamp, data):
    os.makedirs(RESULTS, exist_ok=True)
    output = os.path.join(RESULTS, '%s-%s.json' % (prefix, stamp))
    with open(output, 'w', encoding='utf-8') as handle:
        json.dump(data, handle, indent=1)
    return os.path.relpath(output, REPO_ROOT)


def conclude(prefix, stamp, data, verdicts):
    """Print each check, write the figures with the checks to benchmarks/results/, and return the exit code (1 if one failed)."""
    for passed, text in verdicts:
        print('%s  %s' % ('PASS' if passed else 'FAIL', text))
    data = dict(data, checks=[dict(passed=passed, check=text) for passed, text in verdicts])
    print('\nWritten to %s' % write_results(prefix, stamp, data))
    return 0 if all(passed for passed, dummy in verdicts) else 1


def remove_work(work, keep):
    if keep:
        print('Work directory kept: %s' % work)
    else:
        shutil.rmtree(work, ignore_errors=True)


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if not ordered:
        return None
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2.0


def table(header, rows):
    """Rows of cells as aligned text lines."""
    cells = [[str(cell) for cell in row] for row in [header] + rows]
    widths = [max(len(row[index]) for row in cells) for index in range(len(header))]
    lines = ['  '.join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, '  '.join('-' * width for width in widths))
    return '\n'.join(lines)


def run_collection_playbook(playbook, work, collections, sim, extra_vars=None, timeout=3600):
    """``ansible-playbook NAMESPACE.COLLECTION.PLAYBOOK`` (a playbook the collection ships), found in ``collections``."""
    command = [os.path.join(BIN, 'ansible-playbook'), playbook]
    if extra_vars:
        command += ['-e', json.dumps(extra_vars)]
    return run_streamed(command, work, ansible_env(work, collections, sim), timeout=timeout)


TASK_BANNER = re.compile(r'^(?:TASK|RUNNING HANDLER) \[(.+)\] \*')


def task_windows(run):
    """The tasks of an ansible-playbook run (default stdout callback) as (name, start, end): each task from the instant its
    banner line was read to the next banner or the ``PLAY RECAP`` line (its result line included)."""
    marks = []
    for instant, text in run.lines:
        match = TASK_BANNER.match(text)
        if match:
            marks.append((match.group(1), instant))
        elif text.startswith('PLAY RECAP'):
            marks.append((None, instant))
    windows = []
    for index, (name, start) in enumerate(marks):
        if name is not None:
            end = marks[index + 1][1] if index + 1 < len(marks) else run.ended
            windows.append((name, start, end))
    return windows


def is_any_status(request):
    return request['method'] == 'GET' and KEY.sub('/{key}', api_path(request)) == '/deployments/{key}/status/'


def request_seconds(requests, latency_seconds, start, end):
    """Seconds of [start, end) during which a request was on the server: the union of [arrival, arrival + latency].

    The request log has arrival instants only; with an injected latency of 100 ms or more the server's own work (a few ms)
    and the loopback are small beside it, so latency stands for the round trip."""
    busy = 0.0
    reach = start
    for request in sorted(requests, key=lambda item: item['time']):
        begin = max(request['time'], reach)
        finish = min(request['time'] + latency_seconds, end)
        if finish > begin:
            busy += finish - begin
            reach = finish
    return busy


def poll_sleep_seconds(requests, latency_seconds, start, end):
    """Seconds of [start, end) between the answer to a deployment status request and the next request, when that is a
    status request of the same plan: the client's sleep between polls (and the few ms it takes to send again)."""
    ordered = sorted(requests, key=lambda item: item['time'])
    slept = 0.0
    for previous, current in zip(ordered, ordered[1:]):
        if is_any_status(previous) and is_any_status(current) and api_path(previous) == api_path(current):
            begin = max(previous['time'] + latency_seconds, start)
            finish = min(current['time'], end)
            if finish > begin:
                slept += finish - begin
    return slept
