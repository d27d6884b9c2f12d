# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inventory plugin outsystems.lifetime.lifetime, loaded by ansible-inventory as users run it, against the simulator.

What the hosts carry is checked against the simulator's state, what it cost against its request log.
"""

import json
import os
import re
import subprocess
import sys

import pytest
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
EXAMPLE = os.path.join(REPO_ROOT, 'examples', 'inventory', 'lifetime.yml')
# A token that shows up if anything writes it out.
SECRET = 'tok-3f9c2a-never-print-me'


class Run:
    def __init__(self, process):
        self.rc = process.returncode
        self.stdout = process.stdout
        self.stderr = process.stderr
        self.output = process.stdout + process.stderr
        # ansible-core before 2.19 wraps warnings at 80 columns.
        self.errors = ' '.join(process.stderr.split())

    @property
    def inventory(self):
        return plain(json.loads(self.stdout))

    def hosts(self):
        return sorted(self.inventory['_meta']['hostvars'])

    def hostvars(self, host):
        return self.inventory['_meta']['hostvars'][host]

    def group(self, name):
        return sorted(self.inventory.get(name, {}).get('hosts', []))

    def __repr__(self):
        return 'rc=%s\n%s' % (self.rc, self.output[-4000:])


def plain(data):
    """ansible-inventory's --list output without ansible-core 2.19's markers of strings that are not templates."""
    if isinstance(data, dict):
        if set(data) == {'__ansible_unsafe'}:
            return data['__ansible_unsafe']
        return dict((key, plain(value)) for key, value in data.items())
    if isinstance(data, list):
        return [plain(item) for item in data]
    return data


def write_config(tmp_path, config, name='lifetime.yml'):
    path = tmp_path / name
    data = dict({'plugin': 'outsystems.lifetime.lifetime'}, **config)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def inventory_list(tmp_path, config_path, sim=None, token=None, args=('--list',), extra_env=None, command='ansible-inventory'):
    """ansible-inventory --list on one configuration file, only this plugin enabled, a failed source failing the command."""
    env = dict((name, value) for name, value in os.environ.items() if not name.startswith('LIFETIME_'))
    env.update({
        'ANSIBLE_INVENTORY_ENABLED': 'outsystems.lifetime.lifetime',
        'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'true',
        'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
        'ANSIBLE_NOCOLOR': '1',
        'PATH': BIN + os.pathsep + env.get('PATH', ''),
    })
    if sim is not None:
        env['LIFETIME_URL'] = sim.url
        env['LIFETIME_TOKEN'] = token or sim.token
    env.update(extra_env or {})
    process = subprocess.run([os.path.join(BIN, command), '-i', str(config_path)] + list(args),
                             env=env, capture_output=True, text=True, timeout=120, check=False)
    return Run(process)


def cache_config(tmp_path, **config):
    return dict(config, cache=True, cache_plugin='ansible.builtin.jsonfile', cache_connection=str(tmp_path / 'cache'))


def cache_files_text(tmp_path):
    folder = tmp_path / 'cache'
    return ''.join(path.read_text() for path in sorted(folder.iterdir())) if folder.is_dir() else ''


# --- hosts and their variables


def test_each_environment_is_a_local_host_with_what_the_simulator_says_runs_there(simulator, tmp_path):
    state = simulator.state
    state.mark_modified('Quality Assurance', 'EmployeeBackoffice')

    run = inventory_list(tmp_path, write_config(tmp_path, {}), simulator)

    assert run.rc == 0, run
    assert run.hosts() == sorted(env.name.replace(' ', '_') for env in state.environments())
    for env in state.environments():
        hostvars = run.hostvars(env.name.replace(' ', '_'))
        assert hostvars['ansible_connection'] == 'local'
        environment = hostvars['lifetime_environment']
        assert (environment['key'], environment['name'], environment['order'], environment['environment_type']) == \
            (env.key, env.name, env.order, env.env_type)
        applications = hostvars['lifetime_applications']
        assert [app['name'] for app in applications] == sorted((app.name for app in state.running_apps(env)), key=str.lower)
        for app in applications:
            status = state.app_status(env, app['name'])
            assert app['key'] == state.application(app['name']).key
            assert app['version'] == state.running_version(env, app['name']), app
            assert app['version_key'] == state.running_version_key(env, app['name']), app
            assert app['is_modified'] == state.is_modified(env, app['name']), app
            assert app['deployment_zone_key'] == status.zone_key, app
    modified = [app['name'] for app in run.hostvars('Quality_Assurance')['lifetime_applications'] if app['is_modified']]
    assert modified == ['EmployeeBackoffice']


def test_hosts_run_the_collection_with_the_python_of_ansible_playbook(simulator, tmp_path):
    run = inventory_list(tmp_path, write_config(tmp_path, {}), simulator)

    assert run.rc == 0, run
    assert {run.hostvars(host)['ansible_python_interpreter'] for host in run.hosts()} == {'{{ ansible_playbook_python }}'}


def test_an_older_lifetime_without_version_labels_gives_no_version_number_and_no_more_requests(simulator, tmp_path):
    simulator.state.configure(lifetime_version='11.20.0')

    run = inventory_list(tmp_path, write_config(tmp_path, {}), simulator)

    assert run.rc == 0, run
    production = run.hostvars('Production')['lifetime_applications']
    assert production and all(app['version'] is None and app['version_key'] for app in production)
    assert len(simulator.requests) == 2


# --- cost and cache


def test_three_hundred_applications_cost_two_requests(make_simulator, tmp_path):
    sim = make_simulator(generate_apps=300)

    run = inventory_list(tmp_path, write_config(tmp_path, {}), sim)

    assert run.rc == 0, run
    assert all(len(run.hostvars(host)['lifetime_applications']) >= 300 for host in run.hosts())
    assert sorted((request['method'], request['path'], request['query']) for request in sim.requests) == [
        ('GET', '/lifetimeapi/rest/v2/applications/', {'IncludeEnvStatus': 'true'}),
        ('GET', '/lifetimeapi/rest/v2/environments/', {}),
    ]


def test_a_fresh_cache_sends_no_request_and_never_holds_the_token(make_simulator, tmp_path):
    sim = make_simulator(generate_apps=300, token=SECRET)
    config = write_config(tmp_path, cache_config(tmp_path))

    cold = inventory_list(tmp_path, config, sim)
    cold_requests = len(sim.requests)
    sim.clear_requests()
    warm = inventory_list(tmp_path, config, sim)

    assert cold.rc == 0 and warm.rc == 0, (cold, warm)
    assert cold_requests == 2
    assert sim.requests == []
    assert warm.inventory == cold.inventory
    cached = cache_files_text(tmp_path)
    assert 'App0300' in cached
    assert SECRET not in cached
    assert SECRET not in cold.output and SECRET not in warm.output


def test_a_fresh_cache_needs_no_token(simulator, tmp_path):
    config = write_config(tmp_path, cache_config(tmp_path))
    assert inventory_list(tmp_path, config, simulator).rc == 0
    simulator.clear_requests()

    run = inventory_list(tmp_path, config, extra_env={'LIFETIME_URL': simulator.url})

    assert run.rc == 0, run
    assert 'Production' in run.hosts()
    assert simulator.requests == []


def test_flush_cache_reads_lifetime_again_and_refreshes_the_cache(simulator, tmp_path):
    config = write_config(tmp_path, cache_config(tmp_path))
    assert inventory_list(tmp_path, config, simulator).rc == 0
    simulator.state.mark_modified('Production', 'EmployeeBackoffice')
    simulator.clear_requests()
    playbook = tmp_path / 'nothing.yml'
    playbook.write_text('- hosts: all\n  gather_facts: false\n  tasks: []\n')

    # ansible-playbook has --flush-cache in every ansible-core release (ansible-inventory only from 2.17 on).
    flushed = inventory_list(tmp_path, config, simulator, command='ansible-playbook', args=['--flush-cache', str(playbook)])
    flushed_requests = len(simulator.requests)
    simulator.clear_requests()
    cached = inventory_list(tmp_path, config, simulator)

    assert flushed.rc == 0 and cached.rc == 0, (flushed, cached)
    assert flushed_requests == 2
    assert simulator.requests == []
    production = {app['name']: app for app in cached.hostvars('Production')['lifetime_applications']}
    assert production['EmployeeBackoffice']['is_modified'] is True


def test_the_cache_of_one_lifetime_is_not_served_for_another(make_simulator, tmp_path):
    first, second = make_simulator(), make_simulator()
    second.state.add_environment('Pre-Production', order=3, env_type='Test')
    config = write_config(tmp_path, cache_config(tmp_path))
    assert inventory_list(tmp_path, config, first).rc == 0

    run = inventory_list(tmp_path, config, second)

    assert run.rc == 0, run
    assert len(second.requests) == 2
    assert 'Pre-Production' in run.hosts()


# --- constructed features and host names


def test_keyed_groups_groups_and_compose_follow_the_environments(simulator, tmp_path):
    simulator.state.mark_modified('Development', 'EmployeeBackoffice')
    config = write_config(tmp_path, {
        'keyed_groups': [{'key': 'lifetime_environment.environment_type', 'prefix': 'lifetime_type'}],
        'groups': {'modified_somewhere': "lifetime_applications | selectattr('is_modified') | list | length > 0"},
        'compose': {'running_versions': "lifetime_applications | items2dict(key_name='name', value_name='version')"},
    })

    run = inventory_list(tmp_path, config, simulator)

    assert run.rc == 0, run
    state = simulator.state
    for env in state.environments():
        if env.env_type:
            assert run.group('lifetime_type_' + env.env_type) == [env.name.replace(' ', '_')]
    # The keyed group of an environment without a type is not made (Quality Assurance's type is empty).
    assert sorted(name for name in run.inventory if name.startswith('lifetime_type_')) == ['lifetime_type_Development', 'lifetime_type_Production']
    assert run.group('modified_somewhere') == sorted(env.name.replace(' ', '_') for env in state.environments()
                                                     if any(state.is_modified(env, app.name) for app in state.running_apps(env)))
    assert run.hostvars('Production')['running_versions']['EmployeeBackoffice'] == state.running_version('Production', 'EmployeeBackoffice')


def test_an_expression_that_fails_is_skipped_unless_strict(simulator, tmp_path):
    compose = {'compose': {'broken': 'lifetime_environment.no_such_field.deeper'}}

    lenient = inventory_list(tmp_path, write_config(tmp_path, compose), simulator)
    strict = inventory_list(tmp_path, write_config(tmp_path, dict(compose, strict=True)), simulator)

    assert lenient.rc == 0, lenient
    assert 'Production' in lenient.hosts() and 'broken' not in lenient.hostvars('Production')
    assert strict.rc != 0, strict
    assert 'Could not set broken' in strict.errors


def test_host_names_by_expression_and_prefix_are_valid_host_names(simulator, tmp_path):
    config = write_config(tmp_path, {'hostname': 'lifetime_environment.name | lower', 'hostname_prefix': 'lt '})

    run = inventory_list(tmp_path, config, simulator)

    assert run.rc == 0, run
    assert run.hosts() == ['lt_development', 'lt_production', 'lt_quality_assurance']
    assert run.hostvars('lt_quality_assurance')['lifetime_environment']['name'] == 'Quality Assurance'


def test_a_host_name_that_is_a_group_name_fails_and_leaves_no_host(simulator, tmp_path):
    config = write_config(tmp_path, {'groups': {'Production': "lifetime_environment.environment_type == 'Production'"}})

    run = inventory_list(tmp_path, config, simulator)

    assert run.rc != 0, run
    assert 'The host name Production of environment Production is also the name of a group: set hostname_prefix' in run.errors


def test_two_environments_with_one_host_name_fail(simulator, tmp_path):
    config = write_config(tmp_path, {'hostname': "'lifetime'"})

    run = inventory_list(tmp_path, config, simulator)

    assert run.rc != 0, run
    assert 'both get the host name lifetime' in run.errors


def test_the_environments_option_makes_hosts_of_those_named_only(simulator, tmp_path):
    chosen = inventory_list(tmp_path, write_config(tmp_path, {'environments': ['production', 'Quality Assurance']}), simulator)
    unknown = inventory_list(tmp_path, write_config(tmp_path, {'environments': ['Staging']}), simulator)

    assert chosen.rc == 0, chosen
    assert chosen.hosts() == ['Production', 'Quality_Assurance']
    assert unknown.rc != 0, unknown
    assert "No environment 'Staging' (environments). Existing: Development, Production, Quality Assurance." in unknown.errors


# --- configuration files and errors


def test_a_file_not_named_lifetime_yml_is_not_read_by_the_plugin(simulator, tmp_path):
    run = inventory_list(tmp_path, write_config(tmp_path, {}, name='inventory.yml'), simulator)

    assert run.rc != 0, run
    assert simulator.requests == []


def test_a_wrong_token_fails_in_one_sentence_without_the_token(make_simulator, tmp_path):
    sim = make_simulator()

    run = inventory_list(tmp_path, write_config(tmp_path, {}), sim, token=SECRET)

    assert run.rc != 0, run
    assert 'LifeTime rejected the token (GET /environments/: 401 Unauthorized)' in run.errors
    assert 'Traceback' not in run.output
    assert SECRET not in run.output


def test_an_unreachable_lifetime_fails_in_one_sentence(tmp_path):
    config = write_config(tmp_path, {'lifetime_url': 'http://127.0.0.1:9', 'lifetime_token': SECRET, 'request_timeout': 2})

    run = inventory_list(tmp_path, config)

    assert run.rc != 0, run
    assert 'Could not talk to LifeTime (GET /environments/): cannot connect to http://127.0.0.1:9' in run.errors
    assert 'Traceback' not in run.output
    assert SECRET not in run.output


def test_options_from_the_file_take_templates_and_a_missing_url_is_named(simulator, tmp_path):
    config = write_config(tmp_path, {'lifetime_url': "{{ lookup('ansible.builtin.env', 'MY_LIFETIME') }}",
                                     'lifetime_token': simulator.token})
    templated = inventory_list(tmp_path, config, extra_env={'MY_LIFETIME': simulator.url})
    missing = inventory_list(tmp_path, write_config(tmp_path, {}, name='other.lifetime.yml'))

    assert templated.rc == 0, templated
    assert 'Production' in templated.hosts()
    assert missing.rc != 0, missing
    assert 'lifetime_url' in missing.errors


@pytest.mark.parametrize('name', ['lifetime.yml', 'production.lifetime.yaml'])
def test_the_example_configuration_makes_groups_by_environment_type(simulator, tmp_path, name):
    with open(EXAMPLE, encoding='utf-8') as handle:
        config = yaml.safe_load(handle)
    config.update(cache_connection=str(tmp_path / 'cache'))
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config))

    run = inventory_list(tmp_path, path, simulator)

    assert run.rc == 0, run
    assert run.group('lifetime_type_Production') == ['lt_Production']
    assert run.hostvars('lt_Quality_Assurance')['running_versions']['EmployeeBackoffice'] == \
        simulator.state.running_version('Quality Assurance', 'EmployeeBackoffice')
    assert (tmp_path / 'cache').is_dir()


def test_tls_by_ca_path_from_the_environment_and_unverified_with_a_warning(make_simulator, tmp_path):
    sim = make_simulator(tls=True)
    config = write_config(tmp_path, {})

    untrusted = inventory_list(tmp_path, config, sim)
    trusted = inventory_list(tmp_path, config, sim, extra_env={'LIFETIME_CA_PATH': sim.ca_cert_path})
    unverified = inventory_list(tmp_path, config, sim, extra_env={'LIFETIME_VALIDATE_CERTS': 'false'})

    assert untrusted.rc != 0 and 'Traceback' not in untrusted.output, untrusted
    assert trusted.rc == 0 and 'Production' in trusted.hosts(), trusted
    assert 'validate_certs is false' not in trusted.errors
    assert unverified.rc == 0 and 'Production' in unverified.hosts(), unverified
    assert 'validate_certs is false: the TLS certificate of %s is not verified' % sim.url in unverified.errors


# --- LifeTime's text is data, never a template

CORE_2_16_BIN = os.path.join(REPO_ROOT, '.tmp', 'core-2.16', 'bin')


def pipe_touch(path):
    """A Jinja2 template that creates a file when anything renders it."""
    return "{{ lookup('pipe', 'touch %s') }}" % path


@pytest.mark.parametrize('core_bin', [BIN, CORE_2_16_BIN], ids=['this-ansible-core', 'ansible-core-2.16'])
def test_lifetime_text_that_looks_like_a_template_is_shown_literally_and_never_run(simulator, tmp_path, core_bin):
    if not os.path.exists(os.path.join(core_bin, 'ansible-playbook')):
        pytest.skip('no ansible-playbook in %s (make compat makes .tmp/core-2.16)' % core_bin)
    state = simulator.state
    marks = dict((field, tmp_path / ('ran-' + field)) for field in ('message', 'application', 'environment', 'zone', 'type'))
    evil_env = state.add_environment('Evil' + pipe_touch(marks['environment']), order=3, env_type='Test' + pipe_touch(marks['type']))
    evil_env.zones[0].key = pipe_touch(marks['zone'])
    evil_app = state.add_application('Evil' + pipe_touch(marks['application']))
    state.add_version(evil_app.key, '1.0')
    state.set_running_version('Production', evil_app.key, '1.0')
    state.set_running_version(evil_env.key, evil_app.key, '1.0', zone_key=pipe_touch(marks['zone']))
    state.mark_modified('Production', 'EmployeeBackoffice', message=pipe_touch(marks['message']))
    playbook = tmp_path / 'show.yml'
    playbook.write_text(yaml.safe_dump([{'hosts': 'all', 'gather_facts': False, 'tasks': [
        {'name': 'show', 'ansible.builtin.debug': {'msg': '{{ lifetime_applications | map(attribute="is_modified_message") | list }}'}},
        {'name': 'show', 'ansible.builtin.debug': {'msg': '{{ lifetime_applications | map(attribute="name") | list }}'}},
        {'name': 'show', 'ansible.builtin.debug': {'msg': '{{ lifetime_applications | map(attribute="deployment_zone_key") | list }}'}},
        {'name': 'show', 'ansible.builtin.debug': {'msg': '{{ lifetime_environment.name }} {{ lifetime_environment.environment_type }}'}},
        {'name': 'show', 'ansible.builtin.debug': {'var': 'lifetime_environment'}},
        {'name': 'show', 'ansible.builtin.debug': {'var': 'lifetime_applications'}},
        {'name': 'show', 'ansible.builtin.debug': {'var': 'group_names'}},
    ]}]))
    config = write_config(tmp_path, cache_config(tmp_path, keyed_groups=[{'key': 'lifetime_environment.environment_type', 'prefix': 'type'}]))

    run = inventory_list(tmp_path, config, simulator, command=os.path.join(core_bin, 'ansible-playbook'), args=[str(playbook)])
    read_requests = sorted((request['method'], request['path']) for request in simulator.requests)
    simulator.clear_requests()
    # The same text again from the cache, which stores it as plain JSON.
    cached = inventory_list(tmp_path, config, simulator, command=os.path.join(core_bin, 'ansible-playbook'), args=[str(playbook)])

    assert run.rc == 0 and cached.rc == 0, (run, cached)
    assert sorted(path.name for path in marks.values() if path.exists()) == []
    for field, path in marks.items():
        assert pipe_touch(path) in run.stdout and pipe_touch(path) in cached.stdout, (field, run, cached)
    assert read_requests == [('GET', '/lifetimeapi/rest/v2/applications/'), ('GET', '/lifetimeapi/rest/v2/environments/')]
    assert simulator.requests == []
    # The host and group names made from that text hold no template: its other characters became _.
    assert 'ok: [%s]' % re.sub(r'[^A-Za-z0-9_.-]+', '_', evil_env.name) in run.stdout, run
    assert re.sub(r'[^A-Za-z0-9_]', '_', 'type_' + evil_env.env_type) in run.stdout, run


def test_a_revoked_token_gets_the_fresh_cache_until_it_is_flushed_as_docs_inventory_says(make_simulator, tmp_path):
    sim = make_simulator(token=SECRET)
    config = write_config(tmp_path, cache_config(tmp_path))
    assert inventory_list(tmp_path, config, sim).rc == 0
    sim.clear_requests()
    playbook = tmp_path / 'nothing.yml'
    playbook.write_text('- hosts: all\n  gather_facts: false\n  tasks: []\n')
    revoked = 'tok-revoked-in-lifetime'

    cached = inventory_list(tmp_path, config, sim, token=revoked)
    cached_requests = list(sim.requests)
    flushed = inventory_list(tmp_path, config, sim, token=revoked, command='ansible-playbook', args=['--flush-cache', str(playbook)])

    assert cached.rc == 0 and 'Production' in cached.hosts(), cached
    assert cached_requests == []
    assert flushed.rc != 0, flushed
    assert [(request['method'], request['status']) for request in sim.requests][:1] == [('GET', 401)]
    assert 'LifeTime rejected the token' in flushed.errors
    assert revoked not in flushed.output and SECRET not in cache_files_text(tmp_path)
    with open(os.path.join(REPO_ROOT, 'docs', 'inventory.md'), encoding='utf-8') as handle:
        assert 'a token\nrevoked in LifeTime still gets them until `cache_timeout` runs out' in handle.read()
