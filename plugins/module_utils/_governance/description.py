# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: a whole governance description applied in one run (lifetime_governance).

Every item is planned by the code of its own module (RoleChange, UserChange, TeamChange, ConnectionChange) with one
GovernanceClient and one GovernanceNames for the whole run, so each list (roles, users, teams, the connections of an
environment) is read once whatever the number of items. A role or user the description creates is known to the items
after it by a stand-in record whose key the client turns into LifeTime's own once it is created. Only when every item
is planned (every name resolved, every check made) does the first write go out, in LifeTime's order: roles created or
updated, users, teams, database connections, roles deleted. No list is read back after a write: each write's answer
(a key, a team) or the change itself says what LifeTime holds; a create whose answer is lost is still never sent twice
(``send_once`` looks for it in a fresh list).
"""

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeAPIError, LifeTimeError, LifeTimeUsageError, bounded
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.db_connections import ConnectionChange, desired_connection
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.roles import RoleChange, shared_lookups
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.teams import TeamChange, desired_team
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.users import UserChange

KINDS = ('roles', 'users', 'teams', 'db_connections')


class ItemTask:
    """One item of the description as a module's code sees its task: the item's options; the run's client, mode, warnings."""

    def __init__(self, task, params):
        self._task = task
        self.params = params

    def __getattr__(self, name):
        return getattr(self._task, name)


def located(exc, where):
    """The error of an item, naming the parameter by its path in the description (users[3].role)."""
    parameter = exc.details.get('parameter')
    path = '%s.%s' % (where, parameter) if parameter else where
    text = str(exc)
    if parameter and '(%s)' % parameter in text:
        text = text.replace('(%s)' % parameter, '(%s)' % path, 1)
    elif parameter and text.startswith(parameter):
        text = path + text[len(parameter):]
    else:
        text = '%s: %s' % (path, text)
    details = dict(exc.details, parameter=path)
    details.pop('message', None)
    return LifeTimeUsageError(text, **details)


class Planned:
    """An item that changes: its kind, how the results name it, its change (plan done, apply to come)."""

    def __init__(self, kind, index, label, change):
        self.kind, self.index, self.label, self.change = kind, index, label, change
        self.planned_key = None  # the stand-in key of a role or user this run creates

    def diff(self):
        diff = self.change.diff()
        header = '%s[%d] %s' % (self.kind, self.index, self.label)
        return dict(diff, before_header=header, after_header=header)


class Description:
    """The description a lifetime_governance task gives, planned whole, then applied."""

    def __init__(self, task):
        self.task = task
        self.shared = shared_lookups(task)
        self.gov, self.names = self.shared
        self.changes = []  # [Planned] in the order of the writes
        self.user_changes = []
        self.done = dict((kind, []) for kind in KINDS)

    # -- planning: reads only --------------------------------------------------------------------------

    def _plan(self, kind, index, label, make, *args):
        """The item's change, ``make(*args)``, and its Planned (None when it changes nothing); its errors name their path."""
        where = '%s[%d]' % (kind, index)
        try:
            change = make(*args)
            changed = change.plan() if hasattr(change, 'plan') else change.changed
        except LifeTimeAPIError:
            raise
        except LifeTimeError as exc:
            raise located(exc, where) from exc
        return change, (Planned(kind, index, label, change) if changed else None)

    def _once(self, seen, kind, index, identity, label):
        """Each role, user, team or connection once in the description."""
        if identity in seen:
            raise LifeTimeUsageError('%s[%d] names the same %s as %s[%d] (%s): give each once.'
                                     % (kind, index, kind.rstrip('s').replace('_', ' '), kind, seen[identity], bounded(label)),
                                     parameter='%s[%d]' % (kind, index))
        seen[identity] = index

    def _plan_roles(self, roles, absent):
        seen, planned = {}, []
        for index, item in enumerate(roles):
            self._once(seen, 'roles', index, str(item['name']).strip().lower(), item['name'])
            if (item.get('state') == 'absent') != absent:
                continue
            change, plan = self._plan('roles', index, item['name'], self._role_change, item)
            if not absent and change.before_record is None:
                plan.planned_key = self.gov.plan_key('role', change.name)
                self.gov.roles().append(dict(key=plan.planned_key, name=change.name, environmentPermissions=[]))
            planned.append(plan)
        planned = [plan for plan in planned if plan]
        if absent:
            self._check_replacements(planned)
        return planned

    @staticmethod
    def _check_replacements(deleted):
        """A role the users of a deleted role move to must outlive the run: LifeTime would refuse its delete after the first."""
        by_key = dict((str(plan.change.before['key']).lower(), plan) for plan in deleted)
        for plan in deleted:
            replacement = plan.change.replacement
            other = by_key.get(str(replacement['key']).lower()) if replacement else None
            if other is not None:
                raise LifeTimeUsageError('roles[%d].users_new_role names %s, which roles[%d] deletes in this run: name a role that stays.'
                                         % (plan.index, bounded(replacement['name']), other.index),
                                         parameter='roles[%d].users_new_role' % plan.index)

    def _role_change(self, item):
        change = RoleChange(ItemTask(self.task, item), self.shared)
        # Deleted last: whoever holds the role then is who holds it once this run's users changed.
        change.users_at_delete = self.users_after_run
        return change

    def _plan_users(self, users):
        seen = {}
        for index, item in enumerate(users):
            self._once(seen, 'users', index, str(item['username']).strip().lower(), item['username'])
            change, plan = self._plan('users', index, item['username'], UserChange, ItemTask(self.task, item), self.shared)
            self.user_changes.append(change)
            if plan and change.before_record is None:
                fields = change.planned['fields']
                plan.planned_key = self.gov.plan_key('user', fields['Username'])
                self.gov.users().append(dict(Key=plan.planned_key, Username=fields['Username'], Name=fields['Name'], Email=fields['Email'],
                                             RoleKey=fields['RoleKey'], IsActive=True, ApplicationRoles=[], Teams=[]))
            if plan:
                self.changes.append(plan)

    def users_after_run(self):
        """The user list as this run's user changes leave it: who still holds a role when it is deleted."""
        after = dict((str(change.before_record['Key']).lower(), change.user_after()) for change in self.user_changes if change.user_after())
        return [after.get(str(user.get('Key')).lower(), user) for user in self.gov.users()]

    def _plan_teams(self, teams):
        seen, planned = {}, []
        for index, item in enumerate(teams):
            self._once(seen, 'teams', index, str(item['name']).strip().lower(), item['name'])
            change, dummy = self._plan('teams', index, item['name'], lambda params: TeamChange(self.task, desired_team(params), self.shared), item)
            planned.append((index, item, change))
        claimed = self._claimed_applications(planned)
        for index, item, change in planned:
            for app_name, team_name in change.moved:
                self.task.warn('teams[%d]: the application %s leaves the team %s: an application belongs to one team in LifeTime.'
                               % (index, app_name, team_name))
            # An application another team of the description takes moves there: this team does not remove it itself.
            kept = [app for app in change.changes.get('remove_applications', []) if claimed.get(str(app['key']).lower(), index) == index]
            if 'remove_applications' in change.changes:
                change.changes['remove_applications'] = kept
                if not kept:
                    del change.changes['remove_applications']
            if change.changed:
                self.changes.append(Planned('teams', index, item['name'], change))

    @staticmethod
    def _claimed_applications(planned):
        """{application key lower: index of the team that lists it}; an application listed by two teams is refused."""
        claimed = {}
        for index, dummy, change in planned:
            for app in change.applications:
                other = claimed.setdefault(str(app['key']).lower(), index)
                if other != index:
                    raise LifeTimeUsageError('teams[%d].applications names %s, which teams[%d] lists too: an application belongs to one '
                                             'team in LifeTime, so give it to one.' % (index, bounded(app['name']), other),
                                             parameter='teams[%d].applications' % index)
        return claimed

    def _plan_connections(self, connections):
        seen = {}
        for index, item in enumerate(connections):
            label = '%s/%s' % (item['environment'], item['name'])
            change, plan = self._plan('db_connections', index, label,
                                      lambda params: ConnectionChange(self.task, desired_connection(params), self.shared), item)
            self._once(seen, 'db_connections', index, (change.env['Key'].lower(), change.name.lower()), label)
            if plan:
                self.changes.append(plan)

    def plan(self):
        """Every item planned, in the order of the writes; nothing is written."""
        params = self.task.params
        roles = params.get('roles') or []
        self.changes.extend(self._plan_roles(roles, absent=False))
        self._plan_users(params.get('users') or [])
        self._plan_teams(params.get('teams') or [])
        self._plan_connections(params.get('db_connections') or [])
        deleted = self._plan_roles(roles, absent=True)
        self._check_deleted_roles_unassigned(deleted)
        self._warn_deactivated_members()
        self.changes.extend(deleted)
        return self.changes

    def _role_references(self):
        """(path, role named) of every item that gives a role to someone: users, application roles, team members, connections."""
        params = self.task.params
        for kind, lists in (('users', ('application_roles',)), ('teams', ('members',)), ('db_connections', ('role_permissions',))):
            for index, item in enumerate(params.get(kind) or []):
                if item.get('state') == 'absent':
                    continue
                if kind == 'users' and item.get('role') is not None:
                    yield '%s[%d].role' % (kind, index), item['role']
                for field in lists:
                    for position, entry in enumerate(item.get(field) or []):
                        yield '%s[%d].%s[%d].role' % (kind, index, field, position), entry['role']

    def _check_deleted_roles_unassigned(self, deleted):
        """A role this run deletes is given to no one by it: the run would pass, and every later one fail for a role not found."""
        by_key = dict((str(plan.change.before['key']).lower(), plan) for plan in deleted)
        if not by_key:
            return
        for path, ref in self._role_references():
            role = self.names.find_role(ref, path)
            plan = by_key.get(str(role['key']).lower()) if role else None
            if plan is not None:
                raise LifeTimeUsageError('%s names %s, which roles[%d] deletes in this run: name a role that stays, or keep that one.'
                                         % (path, bounded(role['name']), plan.index), parameter=path)

    def _warn_deactivated_members(self):
        """A user the description deactivates and also lists as a team member: LifeTime keeps the membership, likely not meant."""
        users = self.task.params.get('users') or []
        deactivated = dict((str(change.before['key']).lower(), index) for index, change in enumerate(self.user_changes)
                           if users[index].get('state') == 'absent' and change.before)
        if not deactivated:
            return
        for index, item in enumerate(self.task.params.get('teams') or []):
            if item.get('state') == 'absent':
                continue
            for position, member in enumerate(item.get('members') or []):
                user = self.names.find_user(member['user'], 'teams[%d].members[%d].user' % (index, position))
                other = deactivated.get(str(user['Key']).lower()) if user else None
                if other is not None:
                    self.task.warn('teams[%d].members[%d] lists %s, whom users[%d] deactivates: the team keeps an inactive member.'
                                   % (index, position, bounded(user['Username']), other))

    # -- applying ----------------------------------------------------------------------------------------

    def _test_connections(self):
        """Every connection test before the first write of the description: a connection that fails saves nothing, and nor does the rest."""
        for plan in self.changes:
            change = plan.change
            if isinstance(change, ConnectionChange) and change.tests_before_write():
                try:
                    change.test(change.fields())
                except LifeTimeError as exc:
                    raise LifeTimeError('db_connections[%d]: %s' % (plan.index, exc), parameter='db_connections[%d].test_connection' % plan.index) from exc
                change.tested = True

    def apply(self):
        self._test_connections()
        for plan in self.changes:
            writes_before = self.gov.writes_done
            try:
                key = plan.change.apply() if hasattr(plan.change, 'apply') else plan.change.write()
            except LifeTimeError as exc:
                # What LifeTime holds now: the items done, and this one when it wrote before failing (a user created, its password not set).
                done = dict((kind, list(plans)) for kind, plans in self.done.items())
                if self.gov.writes_done > writes_before:
                    done[plan.kind].append(plan)
                exc.details.setdefault('changes', self.changes_by_kind(done))
                if self.gov.writes_done:
                    exc.details['changed'] = True
                raise
            if plan.planned_key:
                self.gov.learn_key(plan.planned_key, key)
            self.done[plan.kind].append(plan)
        # A user whose only change was a password LifeTime refused (external authentication) did not change.
        self.changes = [plan for plan in self.changes if not getattr(plan.change, 'nothing_done', bool)()]

    # -- results -----------------------------------------------------------------------------------------

    @staticmethod
    def changes_by_kind(planned):
        """{kind: [names]} in the description's order (a role deleted after those kept, as listed)."""
        by_kind = dict((kind, []) for kind in KINDS)
        for plan in sorted((plan for kind in KINDS for plan in planned.get(kind, [])), key=lambda plan: (plan.kind, plan.index)):
            by_kind[plan.kind].append(plan.label)
        return by_kind

    def result(self):
        planned = dict((kind, [plan for plan in self.changes if plan.kind == kind]) for kind in KINDS)
        changes = self.changes_by_kind(planned)
        counts = ', '.join('%s: %d' % (kind.replace('_', ' '), len(changes[kind])) for kind in KINDS)
        if not self.changes:
            msg = 'The governance description is as LifeTime holds it: nothing to change.'
        elif self.task.check_mode:
            msg = 'Would change %s.' % counts
        else:
            msg = 'Changed %s.' % counts
        result = dict(changed=bool(self.changes), changes=changes, msg=msg)
        if self.task.diff:
            result['diff'] = [plan.diff() for plan in self.changes]  # in the order of the writes
        return result


def apply_description(task):
    """The result of lifetime_governance."""
    description = Description(task)
    description.plan()
    if not task.check_mode:
        description.apply()
    return description.result()
