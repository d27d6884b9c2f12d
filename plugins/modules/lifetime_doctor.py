#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_doctor
short_description: Check a LifeTime before the first deployment, reading only
version_added: 0.3.0
description:
  - Checks what a deployment with this collection needs of a LifeTime, and says for each check C(ok), C(warn) or C(fail) and what to do.
  - The connection options; the proxy the requests use (from C(HTTPS_PROXY), C(HTTP_PROXY), C(ALL_PROXY) and C(NO_PROXY), its
    credentials masked); TLS (the chain verified against what the API requests verify it against, O(ca_path) or else
    C(REQUESTS_CA_BUNDLE), C(CURL_CA_BUNDLE) or the CA bundle of requests; the certificate's dates and the days left).
  - The token (accepted, or rejected with 401); the applications and the deployment plans it can list; each environment, whether
    the token can read it.
  - The LifeTime features the collection uses where they exist (version labels in the application statuses, the database mapping
    endpoints, application configurations, source code packages), and the difference between LifeTime's clock and this host's
    (the C(Date) header of LifeTime's answers).
  - Sends only GET requests to LifeTime. The certificate is read by a TLS handshake with lifetime_url's host alone, on which
    nothing is sent, the token least of all.
  - The task does not fail on a C(fail) line. RV(blocking) lists them, and the playbook C(outsystems.lifetime.doctor) prints
    RV(table) and then fails on them. The task fails only when O(dest) cannot be written, before anything is asked of LifeTime.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  dest:
    description:
      - Write a support file here (JSON) with what the checks saw, for a bug report, in RV(support)'s shape.
      - It holds field names, the formats of dates and version numbers (digits written as C(9)), LifeTime's status words, the
        statuses of the answers by route and counts. It never holds the token, a name, a host name or a key; every string in it
        is checked against those LifeTime answered and replaced by C(<redacted>) when it holds one (of three characters or more).
      - An existing file that is not such a support file is refused, before any request. The file is written next to O(dest) and
        renamed over it when complete.
    type: path
  certificate_warn_days:
    description:
      - The TLS certificate line warns when the certificate expires in fewer days than this.
    type: int
    default: 30
extends_documentation_fragment:
  - outsystems.lifetime.connection
  - outsystems.lifetime.attributes
attributes:
  check_mode:
    description: Can run in check_mode and return the same results as without it.
    support: full
    details: The checks only read from LifeTime; in check mode O(dest) is not written, and the result's C(changed) says whether it would be.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
seealso:
  - module: outsystems.lifetime.lifetime_environment_info
'''

EXAMPLES = r'''
- name: Check LifeTime before the first deployment
  outsystems.lifetime.lifetime_doctor:
    lifetime_url: https://lifetime.example.com
    lifetime_token: "{{ lifetime_service_account_token }}"
    ca_path: /etc/pki/tls/certs/corporate-ca.pem
    dest: /var/lib/lifetime/doctor-support.json
  register: doctor

- name: Print the table
  ansible.builtin.debug:
    msg: "{{ doctor.table }}"

- name: Stop on what would stop a deployment
  ansible.builtin.assert:
    that: doctor.blocking | length == 0
    fail_msg: "LifeTime is not ready: {{ doctor.blocking | join(', ') }}"
    quiet: true
'''

RETURN = r'''
checks:
  description: One entry per check, in the order they ran.
  returned: always
  type: list
  elements: dict
  contains:
    check:
      description: What was checked (C(token), C(TLS chain), C(environment Production), C(clock), ...).
      type: str
      sample: token
    verdict:
      description: C(ok), C(warn) or C(fail) (a C(fail) would stop a deployment).
      type: str
      sample: ok
    found:
      description: What the check found, in a sentence.
      type: str
    advice:
      description: What to do about it; empty when nothing.
      type: str
table:
  description: The checks as text lines, a header line first, one line per check (check, verdict, what was found -> what to do).
  returned: always
  type: list
  elements: str
verdict:
  description: The worst verdict of all checks.
  returned: always
  type: str
  sample: warn
blocking:
  description: The checks whose verdict is C(fail), which would stop a deployment; empty when there is none.
  returned: always
  type: list
  elements: str
  sample: [token]
support:
  description:
    - What the support file holds (also without O(dest)). Its C(format) is C(outsystems.lifetime.doctor/1).
    - C(connection), C(tls), C(answers) (statuses by route), C(server), C(clock), C(environments), C(applications), C(deployments),
      C(features), C(verdicts) (by kind of check), C(checked_at) and C(collection_version); no name, key or secret.
  returned: always
  type: dict
dest:
  description: The absolute path of the support file.
  returned: when O(dest) is given
  type: str
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._doctor import examine
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = dict(
    dest=dict(type='path'),
    certificate_warn_days=dict(type='int', default=30),
)
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    return examine(task)


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
