# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
name: lifetime
short_description: OutSystems LifeTime environments as inventory hosts
version_added: 0.3.0
description:
  - Reads the environments of a LifeTime infrastructure and makes each one a host, with C(ansible_connection=local);
    tasks aimed at an environment run on the controller and talk to LifeTime's API.
  - Each host carries the environment (C(lifetime_environment)) and the applications running there with their running
    version (C(lifetime_applications)), in the same snake_case records M(outsystems.lifetime.lifetime_environment_info)
    returns.
  - The name of the configuration file must end with C(lifetime.yml) or C(lifetime.yaml), for example C(lifetime.yml) or
    C(production.lifetime.yml).
  - Costs two API requests (the environments, and the applications with their status in each environment, read at the same
    time) whatever the number of applications; none when O(cache) is on and the cache is fresh.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin; it marks the file as a configuration of it.
    type: str
    required: true
    choices:
      - outsystems.lifetime.lifetime
  lifetime_url:
    description:
      - Address of the LifeTime server.
      - V(https://lifetime.example.com), V(https://lifetime.example.com/) and the API base
        V(https://lifetime.example.com/lifetimeapi/rest/v2) are all accepted.
      - A user name or password in the address is refused; the token goes in O(lifetime_token).
      - May be a Jinja2 template, for example a lookup.
    type: str
    required: true
    env:
      - name: LIFETIME_URL
  lifetime_token:
    description:
      - Token of a LifeTime service account (LifeTime > User Management > Service Accounts), sent as a Bearer token.
      - It is never written to the inventory's variables, to the cache or to an error message.
      - May be a vaulted value or a Jinja2 template, for example a lookup. White space around it is ignored.
      - Not needed while the cache is fresh.
    type: str
    env:
      - name: LIFETIME_TOKEN
  validate_certs:
    description:
      - Verify the TLS certificate of LifeTime.
      - Set to V(false) only for test servers with self-signed certificates; prefer O(ca_path).
    type: bool
    default: true
    env:
      - name: LIFETIME_VALIDATE_CERTS
  ca_path:
    description:
      - PEM file of the certificate authority (or bundle) that signed the LifeTime certificate, checked before the first request.
        A directory prepared with C(openssl rehash) is accepted too.
      - When not set, the system trust store is used.
    type: path
    env:
      - name: LIFETIME_CA_PATH
  request_timeout:
    description:
      - Seconds one API request may take in all, from connecting to the last byte of the answer.
      - Must be greater than 0 and at most 86400 (a day).
    type: float
    default: 60
    env:
      - name: LIFETIME_REQUEST_TIMEOUT
  environments:
    description:
      - Names or keys of the environments to make hosts of. All environments when omitted.
      - A name matches exactly, or case-insensitively when only one environment has it; an unknown name fails the inventory
        and lists the environments that exist.
    type: list
    elements: str
  hostname:
    description:
      - A Jinja2 expression (as in O(compose)) that gives the host name of an environment from its variables
        (C(lifetime_environment), C(lifetime_applications)).
      - The result, after O(hostname_prefix), is made a valid host name, every run of characters other than letters, digits,
        V(_), V(.) and V(-) becomes one V(_) (V(Quality Assurance) becomes V(Quality_Assurance)).
      - Two environments with the same host name, or a host name that is also the name of a group this inventory makes, fail the
        inventory; set O(hostname_prefix) or another O(hostname).
    type: str
    default: lifetime_environment.name
  hostname_prefix:
    description:
      - Text put before every host name, for example V(lifetime_), so that environments never take the name of a group.
    type: str
    default: ''
notes:
  - Each host gets C(ansible_python_interpreter) set to the Python that runs C(ansible-playbook) (C(ansible_playbook_python)),
    as the implicit C(localhost) has, so the collection's modules find C(requests) there. A host variable or O(compose) can
    set another.
  - The version number of an application (C(lifetime_applications[].version)) comes from LifeTime's
    C(BaseApplicationVersionLabel); an older LifeTime that does not report it gives V(null) there (the version key is always
    given). M(outsystems.lifetime.lifetime_environment_info) reads the numbers one application at a time instead.
  - Deployment zones are given by key (C(deployment_zone_key), empty for the default zone); their names cost one request per
    environment (M(outsystems.lifetime.lifetime_environment_info) with O(outsystems.lifetime.lifetime_environment_info#module:include_deployment_zones=true)).
  - GET requests are retried up to five times, with jittered exponential backoff, on connection errors and on HTTP 429, 502,
    503 and 504, as the modules do.
requirements:
  - requests >= 2.25 and urllib3 >= 1.26 (Python libraries) on the controller
seealso:
  - module: outsystems.lifetime.lifetime_environment_info
  - plugin: ansible.builtin.constructed
    plugin_type: inventory
'''

EXAMPLES = r'''
# lifetime.yml: every environment a host, the token from LIFETIME_TOKEN.
plugin: outsystems.lifetime.lifetime
lifetime_url: https://lifetime.example.com

---
# production.lifetime.yml: groups by environment type (lifetime_type_Production, ...), host names
# with a prefix, a shorter variable, and the answers cached for ten minutes.
plugin: outsystems.lifetime.lifetime
lifetime_url: https://lifetime.example.com
lifetime_token: "{{ lookup('ansible.builtin.env', 'LIFETIME_SERVICE_ACCOUNT_TOKEN') }}"
hostname_prefix: lt_
keyed_groups:
  - key: lifetime_environment.environment_type
    prefix: lifetime_type
groups:
  modified_somewhere: lifetime_applications | selectattr('is_modified') | list | length > 0
compose:
  running_versions: lifetime_applications | items2dict(key_name='name', value_name='version')
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/lifetime-inventory
cache_timeout: 600

---
# Only two environments, named in lower case.
plugin: outsystems.lifetime.lifetime
lifetime_url: https://lifetime.example.com
environments:
  - Quality Assurance
  - Production
hostname: lifetime_environment.name | lower
strict: true
'''

import hashlib
import re

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19 templates inventory variables without being told to
    def trust_as_template(value):
        return value

try:
    # ansible-core < 2.19 templates every string variable when used, so LifeTime's text ("{{ lookup('pipe', ...) }}" in an
    # application's name or modification message) would run on the controller: it is marked unsafe, as aws_ec2 does.
    # From 2.19 on a plugin's strings are never templated unless trusted, and wrap_var only drops that trust.
    from ansible.utils.unsafe_proxy import wrap_var as make_unsafe
except ImportError:  # a later ansible-core without the module: its strings are data already
    def make_unsafe(value):
        return value

from ansible_collections.outsystems.lifetime.plugins.module_utils._client import LifeTimeClient
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeError
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.options import normalize_url
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import Resolver, match_one, running_record
from ansible_collections.outsystems.lifetime.plugins.module_utils._results import snake

CONFIG_FILE_ENDINGS = ('lifetime.yml', 'lifetime.yaml')
INVALID_HOST_CHARACTERS = re.compile(r'[^A-Za-z0-9_.-]+')
# Bumped when the shape of the cached records changes, so an older cache is read again from LifeTime.
CACHE_FORMAT = 1

display = Display()


def application_entry(application, status):
    """What an environment runs of an application, from its AppStatusInEnv record alone (no request per application):
    the fields of lifetime_environment_info's applications, the version number from BaseApplicationVersionLabel."""
    running = running_record(status)
    return {
        'key': application.get('Key'),
        'name': application.get('Name'),
        'kind': application.get('Kind'),
        'is_system': bool(application.get('IsSystem')),
        'version': running['Version'] if running else None,
        'version_key': status.get('BaseApplicationVersionKey') or None,
        'is_modified': bool(status.get('IsModified')),
        'is_modified_reason': status.get('IsModifiedReason') or '',
        'is_modified_message': status.get('IsModifiedMessage') or '',
        'consistency_status': status.get('ConsistencyStatus') or '',
        'consistency_status_messages': status.get('ConsistencyStatusMessages') or '',
        'deployment_zone_key': status.get('DeploymentZoneKey') or '',
        'mobile_apps_status': snake(status.get('MobileAppsStatus') or []),
    }


def environment_records(environments, applications):
    """Each environment in LifeTime's order as {'environment': its record, 'applications': what runs there, by name}:
    what the cache holds (LifeTime's data only, never an option)."""
    running = dict((env['Key'].lower(), []) for env in environments)
    for application in applications:
        for status in application.get('AppStatusInEnvs') or []:
            entries = running.get(str(status.get('EnvironmentKey', '')).lower())
            if entries is not None:
                entries.append(application_entry(application, status))
    return [{'environment': snake(env),
             'applications': sorted(running[env['Key'].lower()], key=lambda entry: (entry['name'] or '').lower())}
            for env in environments]


def host_name(name, prefix=''):
    """A valid host name: runs of characters other than letters, digits, _ . - become one _."""
    return INVALID_HOST_CHARACTERS.sub('_', '%s%s' % (prefix or '', name))


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """LifeTime environments as hosts, with the applications each runs."""

    NAME = 'outsystems.lifetime.lifetime'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(CONFIG_FILE_ENDINGS)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        try:
            base_url = normalize_url(self._option_text('lifetime_url'))
            cache_key = self._cache_key(path, base_url)
            records = self._cached_records(cache_key, cache)
            if records is None:
                records = self._read_lifetime()
                self._update_cache(cache_key, records)
            records = self._selected(records)
        except LifeTimeError as exc:
            raise AnsibleParserError(str(exc))
        self._populate(records)

    # -- options ----------------------------------------------------------------------------------

    def _option_text(self, name):
        """An option as text: a vaulted value decrypted, a Jinja2 template (a lookup) rendered; None when unset."""
        value = self.get_option(name)
        if value is None:
            return None
        if self.templar.is_template(value):
            value = self.templar.template(value)
        return str(value)

    # -- cache ------------------------------------------------------------------------------------

    def _cache_key(self, path, base_url):
        # The LifeTime address is part of the key, so a configuration pointed at another LifeTime (LIFETIME_URL changed)
        # never gets the first one's environments. The token is not: the cache must not hold it, not even as a digest.
        digest = hashlib.sha256(('%d %s' % (CACHE_FORMAT, base_url)).encode('utf-8')).hexdigest()[:12]
        return '%s_%s' % (self.get_cache_key(path), digest)

    def _cached_records(self, cache_key, cache):
        """The records in the cache, or None when caching is off, --flush-cache was given, or the cache has none (expired)."""
        if not (cache and self.get_option('cache')):
            return None
        try:
            records = self._cache[cache_key]
        except KeyError:
            return None
        return records if isinstance(records, list) else None

    def _update_cache(self, cache_key, records):
        # Only records just read from LifeTime are written: writing back what came from the cache would reset its timeout.
        if self.get_option('cache'):
            self._cache[cache_key] = records

    # -- LifeTime ---------------------------------------------------------------------------------

    def _read_lifetime(self):
        """The environments and what runs in them: two requests, sent at the same time, whatever the number of applications."""
        client = LifeTimeClient(self._option_text('lifetime_url'), self._option_text('lifetime_token'),
                                validate_certs=self.get_option('validate_certs'), ca_path=self.get_option('ca_path'),
                                timeout=self.get_option('request_timeout'))
        try:
            if not self.get_option('validate_certs') and client.server.startswith('https:'):
                display.warning('validate_certs is false: the TLS certificate of %s is not verified, so whoever sits between '
                                'this host and LifeTime can read the token. For a private certificate authority set ca_path '
                                'instead.' % client.server)
            resolver = Resolver(client)
            resolver.prefetch_lists()
            return environment_records(resolver.environments(), resolver.applications())
        finally:
            client.close()

    def _selected(self, records):
        """The records of the environments named in the environments option (all when it is empty), in LifeTime's order."""
        names = self.get_option('environments')
        if not names:
            return records
        known = [{'Key': record['environment'].get('key'), 'Name': record['environment'].get('name')} for record in records]
        chosen = set(str(match_one(known, name, 'environment', 'environments')['Key']).lower() for name in names)
        return [record for record in records if str(record['environment'].get('key')).lower() in chosen]

    # -- inventory --------------------------------------------------------------------------------

    def _populate(self, records):
        strict = self.get_option('strict')
        hosts = {}
        named = []
        # Every host name first, so that a name two environments share fails before any host is added.
        for record in records:
            # LifeTime's data, from the server or the cache, is never a template (host names are made of [A-Za-z0-9_.-] only).
            variables = make_unsafe({'lifetime_environment': record['environment'], 'lifetime_applications': record['applications']})
            name = self._host_name(variables)
            if name in hosts:
                raise AnsibleParserError('The environments %s and %s both get the host name %s: set hostname or hostname_prefix '
                                         'so that each environment has its own.' % (hosts[name], record['environment'].get('name'), name))
            hosts[name] = record['environment'].get('name')
            named.append((name, variables))
        for name, variables in named:
            self.inventory.add_host(name)
            variables['ansible_connection'] = 'local'
            # The implicit localhost's interpreter: the collection's modules need requests, which the Python running
            # ansible-playbook has and the one interpreter discovery would pick may not.
            variables['ansible_python_interpreter'] = trust_as_template('{{ ansible_playbook_python }}')
            for var_name, value in variables.items():
                self.inventory.set_variable(name, var_name, value)
            try:
                self._set_composite_vars(self.get_option('compose'), variables, name, strict=strict)
                self._add_host_to_composed_groups(self.get_option('groups'), variables, name, strict=strict)
                self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, name, strict=strict)
            except Exception:  # pylint: disable=broad-except  # ansible-core raises a bare Exception for a group of the host's name
                # Ansible refuses a host in a group of its own name ("can't add group to itself"): say why, and what to set.
                self._refuse_group_names(hosts)
                raise
        self._refuse_group_names(hosts)

    def _refuse_group_names(self, hosts):
        """Fail, leaving none of this source's hosts behind, when a host name is also a group's (Ansible would only warn)."""
        clashes = sorted(name for name in hosts if name in self.inventory.groups)
        if clashes:
            for name in hosts:
                if name in self.inventory.hosts:
                    self.inventory.remove_host(self.inventory.hosts[name])
            raise AnsibleParserError('The host name %s of environment %s is also the name of a group: set hostname_prefix (for example '
                                     'lifetime_) so that hosts and groups never share a name.' % (clashes[0], hosts[clashes[0]]))

    def _host_name(self, variables):
        """The host name of an environment: the hostname expression, after hostname_prefix, made a valid host name."""
        expression = self.get_option('hostname')
        environment = variables['lifetime_environment'].get('name')
        try:
            # The expression is the configuration file's (or this plugin's default): trusted like compose's.
            value = self._compose(trust_as_template(expression), variables)
        except Exception as exc:  # pylint: disable=broad-except  # any template error is the user's expression at fault
            raise AnsibleParserError('hostname %s cannot be evaluated for environment %s: %s.' % (expression, environment, str(exc).rstrip('.')))
        text = '' if value is None else str(value)
        if not text.strip():
            raise AnsibleParserError('hostname %s gives an empty host name for environment %s: give an expression that names each '
                                     'environment.' % (expression, environment))
        return host_name(text, self.get_option('hostname_prefix'))
