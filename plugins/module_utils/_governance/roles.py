# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: LifeTime roles, for lifetime_role and lifetime_role_info.

The flow of lifetime_role: check the parameters, resolve environments and permission levels, read the role
(``before``), merge what the task sets into it (``desired``: only the options given change), compare, report changed
and the diff, stop in check mode, then POST or PUT the whole role and read it back. ``state: absent`` deletes the role;
LifeTime refuses that while users, application roles or team members hold it, unless ``users_new_role`` names the
role they move to, which is checked from the user list before anything is written.
"""

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeAPIError, LifeTimeUsageError, bounded
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.client import ROLES, GovernanceClient
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.resolve import GovernanceNames
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import same_key
from ansible_collections.outsystems.lifetime.plugins.module_utils._writes import send_once

# The holders a failure lists by name; the rest are counted.
SHOWN_HOLDERS = 5
# LifeTime's built-in role: it refuses to update or delete it (400, "reserved"), and its role list does not say so.
BUILT_IN_ROLES = ('administrator',)


def shared_lookups(task):
    """(GovernanceClient, GovernanceNames) for a task: one pair serves every item of a lifetime_governance run."""
    gov = GovernanceClient(task.client, task.progress)
    return gov, GovernanceNames(gov)


class Governance:
    """What every governance task shares: the client, the name lookups and the environments, read once.

    ``shared`` is the (client, names) pair of a run that applies many items (lifetime_governance): its lists are
    read once for all of them, and the items do not read a list back after a write (the write's answer or the
    change itself says what LifeTime now holds).
    """

    def __init__(self, task, shared=None):
        self.task = task
        self.gov, self.names = shared or shared_lookups(task)
        self.read_back_writes = shared is None

    def environments(self):
        return self.task.resolver.environments()


def role_info(role, names, environments):
    """A Role record as the modules return it (snake_case), its permissions in LifeTime's order of environments."""
    granted = dict((str(item.get('environmentKey')).lower(), item) for item in role.get('environmentPermissions') or [])
    permissions = []
    for env in environments:
        item = granted.get(env['Key'].lower())
        if item is not None:
            level = item.get('level')
            permissions.append(dict(environment=env['Name'], environment_key=env['Key'], level=level,
                                    level_label=item.get('levelLabel') or names.role_level_label(level),
                                    create_applications=bool(item.get('createApplications')),
                                    add_dependencies_to_system=bool(item.get('addDependenciesToSystem'))))
    return dict(key=role.get('key'), name=role.get('name'), manage_infrastructure=bool(role.get('manageInfrastructure')),
                manage_teams=bool(role.get('manageTeams')), environment_permissions=permissions)


def roles_info(task, names=None):
    """lifetime_role_info: every role, or those ``names`` names (in that order), with their permissions."""
    governance = Governance(task)
    environments = governance.environments()
    if names:
        records = [governance.names.role(ref, 'name' if len(names) == 1 else 'name[%d]' % index) for index, ref in enumerate(names)]
    else:
        records = sorted(governance.gov.roles(), key=lambda role: str(role.get('name')).lower())
    return [role_info(role, governance.names, environments) for role in records]


def _comparable(info):
    return (info['manage_infrastructure'], info['manage_teams'],
            sorted((p['environment_key'].lower(), p['level'], p['create_applications'], p['add_dependencies_to_system'])
                   for p in info['environment_permissions']))


def _shown(info):
    """A role in a diff: permissions by environment name, so a reviewer reads what changes."""
    if not info:
        return {}
    permissions = dict((p['environment'], dict(level=p['level_label'], create_applications=p['create_applications'],
                                               add_dependencies_to_system=p['add_dependencies_to_system']))
                       for p in info['environment_permissions'])
    return dict(name=info['name'], manage_infrastructure=info['manage_infrastructure'], manage_teams=info['manage_teams'],
                environment_permissions=permissions)


def _name(params):
    name = str(params.get('name') or '').strip()
    if not name:
        raise LifeTimeUsageError('name is empty: give the name of the role.', parameter='name')
    return name


class RoleChange(Governance):
    """The role a lifetime_role task names, as LifeTime holds it and as the task wants it."""

    def __init__(self, task, shared=None):
        super().__init__(task, shared)
        self.params = task.params
        self.name = _name(self.params)
        self.before_record = self.names.find_role(self.name, 'name')
        self.before = role_info(self.before_record, self.names, self.environments()) if self.before_record else {}
        self.wanted = self.replacement = None
        # The users as they are when the role is deleted (lifetime_governance: after the run's user changes).
        self.users_at_delete = self.gov.users

    # -- state: present -----------------------------------------------------------------------------

    def _asked_permissions(self):
        """{environment key lower: (environment, level, create_applications, add_dependencies_to_system)}, every name resolved."""
        asked = {}
        for index, entry in enumerate(self.params.get('environment_permissions') or []):
            where = 'environment_permissions[%d]' % index
            env = self.task.resolver.environment(entry.get('environment'), where + '.environment')
            if env['Key'].lower() in asked:
                raise LifeTimeUsageError('environment_permissions lists %s twice.' % env['Name'], parameter='environment_permissions')
            asked[env['Key'].lower()] = (env, self.names.role_level(entry.get('level'), where + '.level'),
                                         entry.get('create_applications'), entry.get('add_dependencies_to_system'))
        return asked

    def _label(self, level, held):
        # LifeTime's own label when the level stays; the permission levels are read only for a level that changes.
        return held['level_label'] if level == held.get('level') and held.get('level_label') else self.names.role_level_label(level)

    def desired(self):
        """The role after the task: the options given, over what LifeTime holds (or, for a new role, No Access elsewhere)."""
        asked = self._asked_permissions()
        current = dict((p['environment_key'].lower(), p) for p in self.before.get('environment_permissions', []))
        permissions = []
        for env in self.environments():
            held = current.get(env['Key'].lower()) or dict(level=0, create_applications=False, add_dependencies_to_system=False)
            dummy, level, create, dependencies = asked.get(env['Key'].lower(), (env, held['level'], None, None))
            permissions.append(dict(environment=env['Name'], environment_key=env['Key'], level=level,
                                    level_label=self._label(level, held),
                                    create_applications=held['create_applications'] if create is None else bool(create),
                                    add_dependencies_to_system=held['add_dependencies_to_system'] if dependencies is None else bool(dependencies)))
        desired = dict(key=self.before.get('key'), name=self.before.get('name', self.name), environment_permissions=permissions)
        for option in ('manage_infrastructure', 'manage_teams'):
            given = self.params.get(option)
            desired[option] = bool(self.before.get(option, False) if given is None else given)
        if desired['manage_infrastructure'] and not desired['manage_teams']:
            raise LifeTimeUsageError('manage_infrastructure=true needs manage_teams=true: LifeTime refuses a role that manages '
                                     'infrastructure but not teams.', parameter='manage_teams')
        return desired

    @staticmethod
    def body(desired):
        return dict(name=desired['name'], manageInfrastructure=desired['manage_infrastructure'], manageTeams=desired['manage_teams'],
                    environmentPermissions=[dict(environmentKey=p['environment_key'], level=p['level'], createApplications=p['create_applications'],
                                                 addDependenciesToSystem=p['add_dependencies_to_system'])
                                            for p in desired['environment_permissions']])

    def read_back(self, key):
        self.gov.forget(ROLES)
        found = self.names.find_role(key, 'name')
        return role_info(found, self.names, self.environments()) if found else None

    def _shows(self, key, desired):
        found = self.read_back(key)
        return True if found and _comparable(found) == _comparable(desired) else None

    def write(self, desired):
        if not self.before_record:
            key = self.gov.create_role(self.body(desired))
        else:
            key = self.before_record['key']
            # The PUT carries the whole role: sent again when its answer was lost and the role read back differs.
            send_once(lambda: self.gov.update_role(key, self.body(desired)), lambda: self._shows(key, desired),
                      'the request that updates the role %s' % bounded(self.name), resend=True, progress=self.task.progress)
        # LifeTime took the whole role as sent: with many items, what was sent is what it holds.
        return (self.read_back(key) if self.read_back_writes else None) or dict(desired, key=key)

    # -- planned, then applied (lifetime_governance: every item is checked before the first write) ------------

    def plan(self):
        """Work out the change with reads only (every check raises here); whether the role changes."""
        if self.params.get('state') == 'absent':
            self._refuse_built_in('delete')
            self.replacement = self._replacement(self.before['key']) if self.before else None
            return bool(self.before)
        self.wanted = self.desired()
        changed = not self.before or _comparable(self.before) != _comparable(self.wanted)
        if changed:
            self._refuse_built_in('change')
        return changed

    def _refuse_built_in(self, what):
        if self.before and str(self.before.get('name')).strip().lower() in BUILT_IN_ROLES:
            raise LifeTimeUsageError('name is %s, LifeTime\'s built-in role: LifeTime refuses to %s it; leave it as it is.'
                                     % (self.before['name'], what), parameter='name')

    def diff(self):
        return dict(before=_shown(self.before), after=_shown(self.wanted) if self.wanted else {})

    def apply(self):
        """The planned write; the role's key (None once deleted)."""
        if self.wanted is None:
            self.delete(self.before['key'], self.replacement)
            return None
        return self.write(self.wanted)['key']

    def present(self):
        desired = self.desired()
        changed = not self.before or _comparable(self.before) != _comparable(desired)
        if changed:
            self._refuse_built_in('change')
        result = dict(changed=changed, diff=dict(before=_shown(self.before), after=_shown(desired)))
        if not changed:
            result.update(role=self.before, msg='Role %s is already as asked: nothing to change.' % self.before['name'])
        elif self.task.check_mode:
            result.update(role=desired, msg='Would %s role %s.' % ('update' if self.before else 'create', desired['name']))
        else:
            result.update(role=self.write(desired), msg='%s role %s.' % ('Updated' if self.before else 'Created', desired['name']))
        return result

    # -- state: absent ------------------------------------------------------------------------------

    def holders(self, key):
        """Usernames of the users who hold the role as their role, in an application or in a team (one user list)."""
        found = []
        for user in self.users_at_delete():
            held = [user.get('RoleKey')] + [item.get('roleKey') for item in user.get('ApplicationRoles') or []] + \
                [item.get('RoleKey') for item in user.get('Teams') or []]
            if any(same_key(key, role_key) for role_key in held):
                found.append(str(user.get('Username')))
        return found

    def _replacement(self, key):
        ref = self.params.get('users_new_role')
        if ref is None or not str(ref).strip():
            holders = self.holders(key)
            if holders:
                more = len(holders) - SHOWN_HOLDERS
                shown = ', '.join(bounded(name) for name in holders[:SHOWN_HOLDERS]) + (' and %d more' % more if more > 0 else '')
                raise LifeTimeUsageError('users_new_role is required: %d user(s) hold the role %s (%s), and LifeTime deletes a role '
                                         'only when they move to another one.' % (len(holders), self.before['name'], shown),
                                         parameter='users_new_role')
            return None
        replacement = self.names.role(ref, 'users_new_role')
        if same_key(replacement['key'], key):
            raise LifeTimeUsageError('users_new_role names the role being deleted (%s): name another role.' % self.before['name'],
                                     parameter='users_new_role')
        return replacement

    def delete(self, key, replacement):
        try:
            self.gov.delete_role(key, replacement['key'] if replacement else None)
        except LifeTimeAPIError:
            # A lost answer, or a retried DELETE told the role is gone: gone is what was asked.
            if self.read_back(key) is not None:
                raise

    def absent(self):
        if not self.before:
            return dict(changed=False, role={}, diff=dict(before={}, after={}), msg='There is no role %s: nothing to delete.' % bounded(self.name))
        self._refuse_built_in('delete')
        key = self.before['key']
        replacement = self._replacement(key)
        moved = ' (its users move to %s)' % replacement['name'] if replacement else ''
        result = dict(changed=True, role=self.before, diff=dict(before=_shown(self.before), after={}))
        if replacement:
            result['users_new_role'] = dict(key=replacement['key'], name=replacement['name'])
        if self.task.check_mode:
            result['msg'] = 'Would delete role %s%s.' % (self.before['name'], moved)
        else:
            self.delete(key, replacement)
            result['msg'] = 'Deleted role %s%s.' % (self.before['name'], moved)
        return result


def ensure_role(task):
    """The result of lifetime_role."""
    change = RoleChange(task)
    result = change.absent() if task.params.get('state') == 'absent' else change.present()
    if not task.diff:
        result.pop('diff', None)
    return result
