# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The API endpoints (seed 002, the solution and binary endpoints of seed 003, and the application configuration,
database mapping and source code endpoints of the Swagger definition).

Each handler takes the World and a Request and returns a Response; failures
are raised as ApiError. Handlers of ``locked`` routes run with the world lock
held and after ``world.advance()``; the upload and download handlers move
large bodies, so they take the lock only around the state they touch.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import re

from tests.simulator import deployments, solutions, sourcecode, views
from tests.simulator.model import ApiError, MobileVersion, UploadedPackage, iso, new_key, parse_date
from tests.simulator.packages import read_package

MAX_JSON_BODY = 10 << 20
DEFAULT_VERSIONS_TO_RETURN = 5
DEFAULT_DEPLOYMENTS_WINDOW = datetime.timedelta(days=7)


class Request:
    """What a handler sees of an HTTP request."""

    def __init__(self, method, params, query, headers, read):
        self.method = method
        self.params = params  # path placeholders, e.g. {'app': '...'}
        self.query = {name.lower(): value for name, value in query.items()}  # parameter names are case-insensitive
        self.headers = headers
        self.read = read  # read(n) -> up to n bytes of the body, b'' at its end

    def json(self, kind=dict):
        """The body as a JSON object, or a list with ``kind=list`` (400 when it is missing, too big or of another kind)."""
        data = b''
        while len(data) <= MAX_JSON_BODY:
            piece = self.read(1 << 16)
            if not piece:
                break
            data += piece
        if len(data) > MAX_JSON_BODY:
            raise ApiError(400, 'The request body is larger than %d bytes.' % MAX_JSON_BODY)
        if not data.strip():
            raise ApiError(400, 'The request body is empty: a JSON object is required.')
        try:
            body = json.loads(data.decode('utf-8'))
        except (UnicodeDecodeError, ValueError) as error:
            raise ApiError(400, 'The request body is not valid JSON: %s' % error) from None
        if not isinstance(body, kind):
            raise ApiError(400, 'The request body must be a JSON %s.' % ('object' if kind is dict else 'list'))
        return body

    def flag(self, name, default=False):
        value = self.query.get(name.lower())
        if value is None or value == '':
            return default
        if value.lower() not in ('true', 'false'):
            raise ApiError(400, "Query parameter %s must be true or false, got '%s'." % (name, value))
        return value.lower() == 'true'

    def integer(self, name, default):
        value = self.query.get(name.lower())
        if value is None or value == '':
            return default
        try:
            return int(value)
        except ValueError:
            raise ApiError(400, "Query parameter %s must be an integer, got '%s'." % (name, value)) from None


class Response:
    """An answer: a JSON or text body, no body, or a package stream."""

    def __init__(self, status, body=b'', content_type='application/json; charset=utf-8', headers=None, stream=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}
        self.stream = stream  # a PackageStream, sent chunk by chunk

    @classmethod
    def json(cls, status, document, headers=None):
        return cls(status, json.dumps(document).encode('utf-8'), headers=headers)

    @classmethod
    def empty(cls, status):
        return cls(status, b'', content_type=None)

    @classmethod
    def error(cls, status, message):
        return cls.json(status, {'Errors': [message], 'StatusCode': status})

    @classmethod
    def key(cls, status, key, quoted):
        """A creating call's answer: the new key as plain text, bare or in double quotes."""
        if quoted:
            return cls(status, json.dumps(key).encode(), content_type='application/json; charset=utf-8')
        return cls(status, key.encode(), content_type='text/plain; charset=utf-8')

    @classmethod
    def listing(cls, items):
        """A list endpoint's answer: 204 with no body when the list is empty."""
        return cls.json(200, items) if items else cls.empty(204)


class Route:
    def __init__(self, method, pattern, handler, *, locked=True, raw_token=False, feature=None):
        self.method = method
        self.pattern = pattern
        self.segments = [s.lower() for s in pattern.strip('/').split('/')]
        self.handler = handler
        self.locked = locked
        self.raw_token = raw_token  # download links also accept "Authorization: <token>"
        self.feature = feature  # a FEATURE_VERSIONS name: an older LifeTime does not have this route at all

    def match(self, segments):
        if len(segments) != len(self.segments):
            return None
        params = {}
        for expected, actual in zip(self.segments, segments):
            if expected.startswith('{'):
                params[expected[1:-1]] = actual
            elif expected != actual.lower():
                return None
        return params


# ------------------------------------------------------------------ lookups

def _environment(world, key):
    env = world.env_index.get(key.lower())
    if env is None:
        raise ApiError(404, 'Failed to retrieve the environment with key %s.' % key)
    return env


def _application(world, key):
    app = world.app_index.get(key.lower())
    if app is None:
        raise ApiError(404, 'Failed to retrieve the application with key %s.' % key)
    return app


def _version(world, app, key):
    version = world.version_index.get(key.lower())
    if version is None or version.application_key != app.key:
        raise ApiError(404, 'Failed to retrieve the application version with key %s of application %s (%s).'
                       % (key, app.key, app.name))
    return version


def _running(world, env, app):
    status = world.status_index.get((env.key.lower(), app.key.lower()))
    if status is None:
        raise ApiError(404, "Application %s (%s) is not running in environment %s (%s)." % (app.key, app.name, env.key, env.name))
    return status


def _deployment(world, key):
    plan = world.find_deployment(key)
    if plan is None:
        raise ApiError(404, 'Deployment with key %s not found.' % key)
    return plan


def _solution(world, env, key):
    solution = world.find_solution(key)
    if solution is None or solution.env_key != env.key:
        raise ApiError(404, 'Solution with key %s not found in environment %s (%s).' % (key, env.key, env.name))
    return solution


def _module(world, key):
    mod = world.module_index.get(key.lower())
    if mod is None:
        raise ApiError(404, 'Failed to retrieve the module with key: %s.' % key)
    return mod


def _status_flags(req, message):
    include_status, include_modules = req.flag('IncludeEnvStatus'), req.flag('IncludeModules')
    if include_modules and not include_status:
        raise ApiError(400, message)
    return include_status, include_modules


def _link_response(world, spec, filename):
    link = world.create_link(spec, filename)
    return Response.json(200, views.download_link(world, link),
                         headers={'Expires': email.utils.format_datetime(link.expires_on, usegmt=True)})


def _file_name(*parts):
    return re.sub(r'[^A-Za-z0-9_.-]+', '_', '_'.join(parts))


# ------------------------------------------------------------- applications

def list_applications(world, req):
    include_status, include_modules = _status_flags(
        req, 'Failed to retrieve applications because IncludeModules was requested but IncludeEnvStatus was not.')
    return Response.listing([views.application(world, app, include_status=include_status, include_modules=include_modules)
                             for app in world.applications()])


def get_configurations(world, req):
    return Response.json(200, views.application_configurations(world, _application(world, req.params['app'])))


def put_configurations(world, req):
    """PUT /applications/{key}/configurations/: block or unblock deployments of the application, per environment."""
    app = _application(world, req.params['app'])
    items = req.json().get('configurations')
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise ApiError(400, "Configurations couldn't be applied for application %s: 'configurations' must be a non-empty list of "
                            '{"environmentKey", "isBlocked", "isBlockedChangeReason"}.' % app.key)
    changes = []
    for item in items:
        key, blocked, reason = item.get('environmentKey'), item.get('isBlocked'), item.get('isBlockedChangeReason', '')
        if not isinstance(key, str) or not isinstance(blocked, bool) or not isinstance(reason, str):
            raise ApiError(400, "Configurations couldn't be applied for application %s: each configuration needs environmentKey "
                                '(text), isBlocked (true or false) and optionally isBlockedChangeReason (text).' % app.key)
        env = world.env_index.get(key.lower())
        if env is None:
            raise ApiError(404, 'Environment with key %s not found.' % key)
        changes.append((env, blocked, reason))
    for env, blocked, reason in changes:  # all or nothing
        world.set_application_blocked(app.key, env.key, blocked, reason=reason)
    return Response.empty(204)


def get_application(world, req):
    include_status, include_modules = _status_flags(
        req, 'Failed to retrieve the application because IncludeModules was requested but IncludeEnvStatus was not.')
    app = _application(world, req.params['app'])
    return Response.json(200, views.application(world, app, include_status=include_status, include_modules=include_modules))


def list_versions(world, req):
    app = _application(world, req.params['app'])
    maximum = req.integer('MaximumVersionsToReturn', DEFAULT_VERSIONS_TO_RETURN)
    if maximum < 0:
        raise ApiError(400, 'Invalid request due to invalid max versions to return (%d is less than 0).' % maximum)
    wanted = (req.query.get('changelogfilter') or '').lower()
    versions = [v for v in reversed(world.versions(app)) if wanted in v.change_log.lower()][:maximum]
    in_use = world.in_use_version_keys()
    return Response.listing([views.version(world, v, in_use) for v in versions])


def get_version(world, req):
    app = _application(world, req.params['app'])
    version = _version(world, app, req.params['version'])
    return Response.json(200, views.version(world, version, world.in_use_version_keys(),
                                            include_modules=req.flag('IncludeModules')))


def delete_version(world, req):
    app = _application(world, req.params['app'])
    version = _version(world, app, req.params['version'])
    if version.key.lower() in world.in_use_version_keys():
        reasons = []
        where = world.where_running(version)
        if where:
            reasons.append('running in %s' % ', '.join(where))
        plans = [d.key for d in world.deployment_index.values()
                 if not d.is_terminal and any(op.version_key == version.key for op in d.operations)]
        if plans:
            reasons.append('part of deployment %s' % ', '.join(plans))
        reason = '; '.join(reasons)
        raise ApiError(400, 'Application version %s (%s %s) is in use (%s) and cannot be deleted.'
                       % (version.key, app.name, version.number, reason))
    app.version_keys.remove(version.key)
    del world.version_index[version.key.lower()]
    return Response.empty(204)


def version_content(world, req):
    app = _application(world, req.params['app'])
    version = _version(world, app, req.params['version'])
    spec = world.package_spec('oap', [world.manifest_entry(app, version)])
    return _link_response(world, spec, _file_name(app.name, version.number) + '.oap')


# -------------------------------------------------------------- deployments

def _date_param(req, name, default, end_of_day=False):
    value = req.query.get(name.lower())
    if not value:
        return default
    try:
        moment = parse_date(value)
    except ValueError:
        raise ApiError(400, "Invalid %s '%s': expected a date such as 2024-01-15 or 2024-01-15T10:00:00Z." % (name, value)) from None
    if end_of_day and len(value.strip()) == 10:  # a bare date includes the whole day
        moment += datetime.timedelta(days=1) - datetime.timedelta(microseconds=1)
    return moment


def list_deployments(world, req):
    now = world.now()
    minimum = _date_param(req, 'MinDate', now - DEFAULT_DEPLOYMENTS_WINDOW)
    maximum = _date_param(req, 'MaxDate', now, end_of_day=True)
    if minimum > maximum and req.query.get('mindate') and req.query.get('maxdate'):
        raise ApiError(400, 'Invalid request for list of deployments created between %s and %s: MinDate is after MaxDate.'
                       % (req.query['mindate'], req.query['maxdate']))
    target = req.query.get('targetenvironmentkey')
    plans = [d for d in world.deployment_index.values() if minimum <= d.created_on <= maximum
             and (not target or d.target_key.lower() == target.lower())]
    plans.sort(key=lambda d: (d.created_on, d.seq), reverse=True)
    return Response.listing([views.deployment(world, d) for d in plans])


def create_deployment(world, req):
    plan = deployments.create(world, req.json())
    return Response.key(201, plan.key, world.quote_key(False))


def get_deployment(world, req):
    return Response.json(200, views.deployment_details(world, _deployment(world, req.params['deployment'])))


def update_deployment(world, req):
    plan = _deployment(world, req.params['deployment'])
    return Response.json(200, views.deployment(world, deployments.update(world, plan, req.json())))


def delete_deployment(world, req):
    deployments.delete(world, _deployment(world, req.params['deployment']))
    return Response.empty(204)


def execute_command(world, req):
    plan = _deployment(world, req.params['deployment'])
    deployments.execute(world, plan, req.params['command'], redeploy_outdated=req.flag('RedeployOutdated', True),
                        continue_with_errors=req.flag('ContinueWithErrors'))
    return Response.empty(202)


def deployment_status(world, req):
    return Response.json(200, views.deployment_status(_deployment(world, req.params['deployment'])))


def missing_db_mappings(world, req):
    plan = world.find_deployment(req.params['deployment'])
    if plan is None:  # 400, not 404, for this operation (the definition)
        raise ApiError(400, 'The deployment provided does not exist: %s.' % req.params['deployment'])
    return Response.json(200, deployments.missing_mappings(world, plan))


def configure_deployment(world, req):
    plan = _deployment(world, req.params['deployment'])
    deployments.configure(world, plan, req.json(kind=list))
    return Response.empty(200)


# ------------------------------------------------------------- environments

def list_environments(world, _req):
    return Response.listing([views.environment(world, env) for env in world.environments()])


def get_environment(world, req):
    return Response.json(200, views.environment(world, _environment(world, req.params['env'])))


def environment_applications(world, req):
    env = _environment(world, req.params['env'])
    include_status, include_modules = _status_flags(
        req, 'Failed to retrieve applications published in environment %s because IncludeModules was requested but '
             'IncludeEnvStatus was not.' % env.key)
    return Response.listing([views.application(world, app, include_status=include_status, include_modules=include_modules,
                                               env=env) for app in world.running_apps(env)])


def environment_application(world, req):
    env = _environment(world, req.params['env'])
    app = _application(world, req.params['app'])
    include_status, include_modules = _status_flags(req, 'Request asked for Modules but not for Status.')
    _running(world, env, app)
    return Response.json(200, views.application(world, app, include_status=include_status, include_modules=include_modules,
                                                env=env))


def environment_application_content(world, req):
    env = _environment(world, req.params['env'])
    app = _application(world, req.params['app'])
    status = _running(world, env, app)
    kind = (req.query.get('type') or 'oap').lower()
    if kind not in ('oap', 'apk', 'ipa'):
        raise ApiError(400, "The required type '%s' is invalid for given keys (EnvironmentKey: %s; Application: %s): "
                            "use oap, apk or ipa." % (kind, env.key, app.key))
    version = world.version_index[status.base_version_key.lower()]
    extra = {'SourceEnvironment': {'Key': env.key, 'Name': env.name}}
    if kind != 'oap':
        if not app.is_mobile:
            raise ApiError(400, "The required type '%s' is invalid for given keys (EnvironmentKey: %s; Application: %s): "
                                "%s is not a mobile application." % (kind, env.key, app.key, app.name))
        platform = 'Android' if kind == 'apk' else 'iOS'
        if not any(m.platform == platform for m in version.mobile_versions):
            return Response.empty(204)
        extra['NativePlatform'] = platform
    spec = world.package_spec(kind, [world.manifest_entry(app, version, status)], **extra)
    return _link_response(world, spec, _file_name(app.name, version.number) + '.' + kind)


def create_version(world, req):
    env = _environment(world, req.params['env'])
    app = _application(world, req.params['app'])
    status = _running(world, env, app)
    body = req.json()
    number = body.get('Version')
    if not isinstance(number, str) or not number.strip():
        raise ApiError(400, 'Version is required: the version number of the new application version.')
    if any(v.number == number for v in world.versions(app)):
        raise ApiError(400, "Version '%s' already exists for application %s (%s)." % (number, app.key, app.name))
    change_log = body.get('ChangeLog') or ''
    if not isinstance(change_log, str):
        raise ApiError(400, 'ChangeLog must be text.')
    expected = body.get('ModuleVersionKeys')
    if expected is not None and {str(k).lower() for k in expected} != {k.lower() for k in status.module_versions.values()}:
        raise ApiError(400, 'ModuleVersionKeys do not match the module versions running in environment %s (%s).'
                       % (env.key, env.name))
    version = world.add_version(app.key, number, key=new_key(), created_on=world.now(), change_log=change_log,
                                mobile_versions=_mobile_versions(body.get('MobileVersions'), app, number),
                                module_versions=dict(status.module_versions), env_ref=env.key)
    status.base_version_key = version.key
    status.modified, status.modified_reason, status.modified_message = False, '', ''
    return Response.key(201, version.key, world.quote_key(True))


def _mobile_versions(items, app, number):
    if items is None:
        return None  # add_version gives mobile applications an Android build with the version number
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ApiError(400, 'MobileVersions must be a list of {"NativePlatform", "VersionNumber", "VersionDescription"}.')
    if items and not app.is_mobile:
        raise ApiError(400, 'MobileVersions were given but %s is not a mobile application.' % app.name)
    return [MobileVersion(str(i.get('NativePlatform', '')), str(i.get('VersionNumber') or number),
                          str(i.get('VersionDescription', ''))) for i in items]


def _source_owner(world, req):
    """(environment, application, module or None) of a source code request, under .../applications/ or .../modules/."""
    env = _environment(world, req.params['env'])
    if 'module' in req.params:
        module = _module(world, req.params['module'])
        return env, world.app_index[module.application_key.lower()], module
    return env, _application(world, req.params['app']), None


def create_source_package(world, req):
    package = sourcecode.create(world, *_source_owner(world, req))
    return Response.json(200, views.source_code_status(world, package))


def source_package_status(world, req):
    package = sourcecode.find(world, *_source_owner(world, req), req.params['package'])
    return Response.json(200, views.source_code_status(world, package))


def source_package_link(world, req):
    env, app, module = _source_owner(world, req)
    package = sourcecode.find(world, env, app, module, req.params['package'])
    name = module.name if module is not None else app.name
    return _link_response(world, sourcecode.download_spec(package), _file_name(name, 'source') + '.zip')


def deployment_zones(world, req):
    env = _environment(world, req.params['env'])
    return Response.listing([views.deployment_zone(zone) for zone in env.zones])


def create_solution(world, req):
    env = _environment(world, req.params['env'])
    solution = solutions.create(world, env, req.json())
    return Response.key(world.solution_create_status, solution.key, world.quote_key(False))


def solution_status(world, req):
    env = _environment(world, req.params['env'])
    solution = _solution(world, env, req.params['solution'])
    return Response.json(200, {'Status': solution.status, 'StatusReason': solution.status_reason})


def solution_link(world, req):
    env = _environment(world, req.params['env'])
    solution = _solution(world, env, req.params['solution'])
    return _link_response(world, solutions.download_spec(solution), _file_name(solution.name) + '.osp')


def upload_deployment(world, req):
    """POST /environments/{key}/deployment/: the body is a package, read as a stream outside the lock."""
    with world.lock:
        env = _environment(world, req.params['env'])
    content_type = (req.headers.get('Content-Type') or '').split(';')[0].strip().lower()
    if content_type != 'application/octet-stream':
        raise ApiError(400, "The binary content must be sent with Content-Type application/octet-stream (got '%s')."
                       % (content_type or 'none'))
    manifest, size, digest = read_package(req.read)
    with world.lock:
        world.advance()
        env = _environment(world, env.key)
        upload = UploadedPackage(target_key=env.key, size=size, sha256=digest, manifest=manifest, received_on=world.now())
        plan = deployments.create_binary(world, env, upload)
        return Response.key(201, plan.key, world.quote_key(True))


# ------------------------------------------------------------------ modules

def list_modules(world, req):
    include_status = req.flag('IncludeEnvStatus')
    modules = sorted(world.module_index.values(), key=lambda m: m.name.lower())
    return Response.listing([views.module(world, m, include_status=include_status) for m in modules])


def get_module(world, req):
    return Response.json(200, views.module(world, _module(world, req.params['module']),
                                           include_status=req.flag('IncludeEnvStatus')))


def list_module_versions(world, req):
    mod = _module(world, req.params['module'])
    maximum = req.integer('MaximumVersionsToReturn', DEFAULT_VERSIONS_TO_RETURN)
    if maximum < 0:
        raise ApiError(400, 'Invalid request due to invalid max versions to return (%d is less than 0).' % maximum)
    versions = sorted((world.module_version_index[k.lower()] for k in mod.version_keys), key=lambda v: v.created_on,
                      reverse=True)[:maximum]
    return Response.listing([views.module_version(v) for v in versions])


def get_module_version(world, req):
    mod = _module(world, req.params['module'])
    mv = world.module_version_index.get(req.params['moduleversion'].lower())
    if mv is None or mv.module_key != mod.key:
        raise ApiError(404, 'Failed to retrieve the module version with key: %s.' % req.params['moduleversion'])
    return Response.json(200, views.module_version(mv))


# ---------------------------------------------------------------- downloads

def download(world, req):
    """GET /downloads/{id}: stream the package behind a link (outside the lock)."""
    with world.lock:
        link = world.link_index.get(req.params['link'].lower())
        if link is None:
            raise ApiError(404, 'Download link %s not found.' % req.params['link'])
        if link.expired(world.now()):
            raise ApiError(410, 'Download link %s expired at %s: ask for a new link.' % (link.id, iso(link.expires_on)))
        fake = world.take_fake_download()
    if fake is not None:
        return _fake_download(link, *fake)
    return Response(200, content_type='application/octet-stream', stream=link.spec.stream(),
                    headers={'Content-Disposition': 'attachment; filename="%s"' % link.filename})


# The sign-in page an SSO proxy in front of LifeTime answers with 200 instead of the package.
LOGIN_PAGE = (b'<!DOCTYPE html>\n<html><head><title>Sign in - Corporate SSO</title></head>\n<body><form method="post" '
              b'action="/sso/login"><input name="username"><input name="password" type="password"></form></body></html>\n')


def _fake_download(link, kind, content_type):
    """What ``world.fake_downloads`` serves instead of the package, with 200 and a Content-Length that matches."""
    if kind == 'login_page':
        body, own_type = LOGIN_PAGE, 'text/html; charset=utf-8'
    elif kind == 'empty':
        body, own_type = b'', 'application/octet-stream'
    else:
        package = b''.join(link.spec.stream().chunks())
        if kind == 'truncated':
            # Cut short where the package still starts like a zip, and said to be complete (its Content-Length is the cut).
            body, own_type = package[:len(package) // 2], 'application/octet-stream'
        else:  # wrong_content_type: the package itself, labelled as a web page
            body, own_type = package, 'text/html; charset=utf-8'
    return Response(200, body, content_type=content_type or own_type,
                    headers={'Content-Disposition': 'attachment; filename="%s"' % link.filename})


ROUTES = [
    Route('GET', 'applications', list_applications),
    Route('GET', 'applications/{app}', get_application),
    Route('GET', 'applications/{app}/configurations', get_configurations),
    Route('PUT', 'applications/{app}/configurations', put_configurations),
    Route('GET', 'applications/{app}/versions', list_versions),
    Route('GET', 'applications/{app}/versions/{version}', get_version),
    Route('DELETE', 'applications/{app}/versions/{version}', delete_version),
    Route('GET', 'applications/{app}/versions/{version}/content', version_content),
    Route('GET', 'deployments', list_deployments),
    Route('POST', 'deployments', create_deployment),
    Route('GET', 'deployments/{deployment}', get_deployment),
    Route('PUT', 'deployments/{deployment}', update_deployment),
    Route('DELETE', 'deployments/{deployment}', delete_deployment),
    Route('GET', 'deployments/{deployment}/status', deployment_status),
    Route('GET', 'deployments/{deployment}/getmissingdbmappings', missing_db_mappings, feature='database_mappings'),
    Route('POST', 'deployments/{deployment}/configuration', configure_deployment, feature='database_mappings'),
    Route('POST', 'deployments/{deployment}/{command}', execute_command),
    Route('GET', 'environments', list_environments),
    Route('GET', 'environments/{env}', get_environment),
    Route('GET', 'environments/{env}/applications', environment_applications),
    Route('GET', 'environments/{env}/applications/{app}', environment_application),
    Route('GET', 'environments/{env}/applications/{app}/content', environment_application_content),
    Route('POST', 'environments/{env}/applications/{app}/versions', create_version),
    Route('POST', 'environments/{env}/applications/{app}/sourcecodeaccess', create_source_package, feature='source_code_access'),
    Route('GET', 'environments/{env}/applications/{app}/sourcecodeaccess/{package}/status', source_package_status,
          feature='source_code_access'),
    Route('GET', 'environments/{env}/applications/{app}/sourcecodeaccess/{package}/download', source_package_link,
          feature='source_code_access'),
    Route('POST', 'environments/{env}/modules/{module}/sourcecodeaccess', create_source_package, feature='source_code_access'),
    Route('GET', 'environments/{env}/modules/{module}/sourcecodeaccess/{package}/status', source_package_status,
          feature='source_code_access'),
    Route('GET', 'environments/{env}/modules/{module}/sourcecodeaccess/{package}/download', source_package_link,
          feature='source_code_access'),
    Route('GET', 'environments/{env}/deploymentzones', deployment_zones),
    Route('POST', 'environments/{env}/solution', create_solution),
    Route('GET', 'environments/{env}/solutionstatus/{solution}', solution_status),
    Route('GET', 'environments/{env}/solution/{solution}', solution_link),
    Route('POST', 'environments/{env}/deployment', upload_deployment, locked=False),
    Route('GET', 'modules', list_modules),
    Route('GET', 'modules/{module}', get_module),
    Route('GET', 'modules/{module}/versions', list_module_versions),
    Route('GET', 'modules/{module}/versions/{moduleversion}', get_module_version),
    Route('GET', 'downloads/{link}', download, locked=False, raw_token=True),
]


# The users, roles, teams and database connection operations (governance_routes.py builds on Route and Response above).
from tests.simulator import governance_routes  # noqa: E402  pylint: disable=wrong-import-position,cyclic-import

ROUTES.extend(governance_routes.ROUTES)


def resolve(method, segments, world=None):
    """The route and path parameters for a request; (None, allowed methods) when only the method is wrong.

    With a ``world``, routes of features its LifeTime version lacks do not exist, so such a request gets what an
    older server answers: the route that matches instead (405 for GET .../getmissingdbmappings/, which only the
    POST command route matches; "command not found" for POST .../configuration/), or 404.
    """
    allowed = []
    for route in ROUTES:
        if route.feature and world is not None and not world.supports(route.feature):
            continue
        params = route.match(segments)
        if params is None:
            continue
        if route.method == method or (method == 'HEAD' and route.method == 'GET'):
            return route, params
        allowed.append(route.method)
    return None, allowed
