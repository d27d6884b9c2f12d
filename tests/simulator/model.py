# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Records of the simulated LifeTime world: plain data, no HTTP and no locking.

Field names are snake_case here; ``views.py`` turns them into the API's
PascalCase structures.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid

# LifeTime's "never happened" date, as the seeds show it (no time zone suffix).
NO_DATE = '1900-01-01T00:00:00'

# Who the simulator says created plans and versions (the service account of seed 003).
API_USER = 'LT API Account'
API_USERNAME = 'lt_api_account'

TERMINAL_STATUSES = frozenset({'aborted', 'finished_successful', 'finished_with_warnings', 'finished_with_errors'})
# A plan in one of these keeps other plans for the same target from starting.
BLOCKING_STATUSES = frozenset({'running', 'needs_user_intervention', 'aborting'})
# `deployment_prepared` is the spelling real servers have been seen to send.
INTERVENTION_INFOS = (
    'business_process_impact', 'deploy_prepared', 'deployment_prepared',
    'needs_configuration_or_confirmation', 'deployment_suspended',
)

SOLUTION_STEPS = (
    'Created', 'Ready', 'Gathering Dependencies', 'Getting Binaries',
    'Generating Meta Model', 'Generating Solution', 'Completed',
)
# Source code packaging (OutSystems' "Get the source code of an application" walkthrough shows InProgress, then Done).
SOURCE_CODE_STEPS = ('InProgress', 'InProgress', 'Done')

# The LifeTime version the simulator answers as, unless the scenario says otherwise.
DEFAULT_LIFETIME_VERSION = '11.26.0'

# Namespace for the keys the simulator derives from names, so a scenario
# without explicit keys still gives the same keys on every run.
KEY_NAMESPACE = uuid.UUID('6f1c0d4e-58a4-4c52-9b1e-0f5b7d1c2a10')


class ApiError(Exception):
    """A failure the API reports as ``{"Errors": [message], "StatusCode": status}``."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def derived_key(*parts):
    """A stable key for an object the scenario did not give a key to."""
    return str(uuid.uuid5(KEY_NAMESPACE, '/'.join(str(p) for p in parts)))


def new_key():
    return str(uuid.uuid4())


def parse_date(text):
    """Read an ISO 8601 date or date-time (``2024-01-15``, ``2018-10-10T15:36:38.26Z``); naive means UTC."""
    moment = datetime.datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def iso(moment):
    """Format a date the way LifeTime does: ``2018-10-10T15:36:38.26Z`` (milliseconds, trailing zeros dropped)."""
    if moment is None:
        return NO_DATE
    moment = moment.astimezone(datetime.timezone.utc)
    text = moment.strftime('%Y-%m-%dT%H:%M:%S')
    millis = moment.microsecond // 1000
    if millis:
        text += ('.%03d' % millis).rstrip('0')
    return text + 'Z'


@dataclasses.dataclass
class DeploymentZone:
    key: str
    name: str
    is_default: bool = False
    technology_key: str = ''
    technology_name: str = 'Classic'


@dataclasses.dataclass
class Environment:
    key: str
    name: str
    order: int
    env_type: str = ''
    host_name: str = ''
    os_version: str = '11.26.0'
    use_https: bool = True
    number_of_front_ends: int = 1
    app_server_type: str = '.NET'
    app_server: str = 'IIS'
    database_provider: str = 'SQLServer'
    is_cloud: bool = False
    is_offline: bool = False
    zones: list = dataclasses.field(default_factory=list)
    database_connections: list = dataclasses.field(default_factory=list)  # names of its database connections
    # (extension key, logical database name), lower case -> the database connection it is mapped to
    database_mappings: dict = dataclasses.field(default_factory=dict)

    def default_zone(self):
        return next((z for z in self.zones if z.is_default), None)

    def zone(self, key):
        return next((z for z in self.zones if z.key.lower() == key.lower()), None)


@dataclasses.dataclass
class ModuleVersion:
    key: str
    module_key: str
    created_on: datetime.datetime
    general_hash: str
    direct_upgrade_from_hash: str = ''
    created_by: str = 'Administrator'
    created_by_username: str = 'admin'


@dataclasses.dataclass
class Module:
    key: str
    name: str
    application_key: str
    kind: str = 'eSpace'
    description: str = ''
    version_keys: list = dataclasses.field(default_factory=list)
    logical_databases: list = dataclasses.field(default_factory=list)  # of an Extension: names to map in each target

    @property
    def is_extension(self):
        return self.kind == 'Extension'


@dataclasses.dataclass
class MobileVersion:
    platform: str
    number: str
    description: str = ''


@dataclasses.dataclass
class Version:
    key: str
    application_key: str
    number: str
    created_on: datetime.datetime
    change_log: str = ''
    module_version_keys: list = dataclasses.field(default_factory=list)
    mobile_versions: list = dataclasses.field(default_factory=list)
    primary_color: str = ''
    native_hash: str = ''
    env_key: str = ''  # the environment it was created in (EnvironmentKey)


@dataclasses.dataclass
class Application:
    key: str
    name: str
    kind: str = 'WebResponsive'
    team: str = ''
    description: str = ''
    url_path: str = ''
    icon_hash: str = ''
    is_system: bool = False
    module_keys: list = dataclasses.field(default_factory=list)
    version_keys: list = dataclasses.field(default_factory=list)

    @property
    def is_mobile(self):
        return self.kind == 'Mobile'


@dataclasses.dataclass
class AppStatus:
    """What one environment runs of one application."""

    env_key: str
    app_key: str
    base_version_key: str
    module_versions: dict  # module key -> module version key running there
    zone_key: str = ''
    modified: bool = False
    modified_reason: str = ''
    modified_message: str = ''


@dataclasses.dataclass
class LogLine:
    instant: datetime.datetime
    message: str
    kind: str = 'Info'  # the DeploymentMessage Type: Info, Warning or Error


@dataclasses.dataclass
class Operation:
    app_key: str
    version_key: str
    zone_key: str = ''


@dataclasses.dataclass
class Deployment:
    key: str
    source_key: str
    target_key: str
    notes: str
    created_on: datetime.datetime
    seq: int  # creation order, to sort plans created within the same millisecond
    operations: list = dataclasses.field(default_factory=list)
    status: str = 'saved'
    info: str = ''
    log: list = dataclasses.field(default_factory=list)
    saved_on: datetime.datetime = None
    started_on: datetime.datetime = None
    aborted_on: datetime.datetime = None
    conflicts: list = dataclasses.field(default_factory=list)
    package: object = None  # the UploadedPackage of a binary plan
    applications_to_deploy: list = dataclasses.field(default_factory=list)  # binary plans: what the package holds
    redeploy_outdated: bool = True
    continue_with_errors: bool = False
    # Progress, computed lazily from the monotonic clock (see deployments.py).
    next_phase: int = 0
    next_due: float = 0.0
    held_until: float = None
    outcome: str = 'finished_successful'
    outcome_message: str = ''
    failed_application: str = None  # the application an outcome rule named: with ContinueWithErrors, only it is not deployed
    intervention: str = ''
    intervention_phase: int = 0
    needs_mappings: bool = False
    mappings_checked: bool = False  # the missing database mappings were looked for before the prepare phase
    database_mappings: list = dataclasses.field(default_factory=list)  # what POST .../configuration/ gave, as dicts
    finished_at: float = None  # wall-clock time.time() of the instant it became terminal

    @property
    def is_binary(self):
        return self.package is not None

    @property
    def is_terminal(self):
        return self.status in TERMINAL_STATUSES


@dataclasses.dataclass
class Solution:
    key: str
    env_key: str
    name: str
    app_keys: list
    include_references: bool
    created_on: datetime.datetime
    package: object  # PackageSpec snapshot taken when the solution was created
    step: int = 0
    next_due: float = 0.0
    abort_reason: str = ''  # set by a rule: the solution ends Aborted with this reason
    status_reason: str = ''

    @property
    def status(self):
        if self.status_reason:
            return 'Aborted'
        return SOLUTION_STEPS[self.step]


@dataclasses.dataclass
class SourceCodePackage:
    """The source code of an application, or of one module, running in an environment, being packaged."""

    key: str
    env_key: str
    app_key: str
    module_keys: list  # the modules whose code it holds (never extensions)
    module_key: str  # set when one module was asked for, '' for an application
    created_on: datetime.datetime
    package: object  # PackageSpec snapshot of what ran when it was asked for
    step: int = 0
    next_due: float = 0.0

    @property
    def status(self):
        return SOURCE_CODE_STEPS[self.step]


@dataclasses.dataclass
class DownloadLink:
    id: str
    spec: object  # the PackageSpec it serves
    expires_on: datetime.datetime
    filename: str = 'package.bin'
    revoked: bool = False  # expired on purpose by a test

    def expired(self, now):
        return self.revoked or now >= self.expires_on


@dataclasses.dataclass
class UploadedPackage:
    target_key: str
    size: int
    sha256: str
    manifest: dict
    received_on: datetime.datetime
    deployment_key: str = ''
