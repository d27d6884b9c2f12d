# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: teams, their members (a user and a role) and applications (lifetime_team and lifetime_team_info).

The flow of lifetime_team: check the parameters, read the teams (one list, with members and applications), resolve the
members and applications the task names, compare, report changed and the diff, stop there in check mode, write, read
the teams again. A member or application the team already holds as asked is recognised in the team's own record, so an
unchanged team costs one request; users, roles and applications are listed (once each) only for the others.
"""

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeError, LifeTimeUsageError, bounded
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.client import GovernanceClient
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.roles import shared_lookups
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import same_key


def _text(value):
    return '' if value is None else str(value)


def desired_team(params):
    """What the task asks for, checked without asking LifeTime anything."""
    name = _text(params.get('name')).strip()
    if not name:
        raise LifeTimeUsageError('name is empty: give the name of the team.', parameter='name')
    members = params.get('members')
    for index, member in enumerate(members or []):
        for field in ('user', 'role'):
            if not _text(member.get(field)).strip():
                raise LifeTimeUsageError('members[%d].%s is empty.' % (index, field), parameter='members[%d].%s' % (index, field))
    applications = params.get('applications')
    for index, ref in enumerate(applications or []):
        if not _text(ref).strip():
            raise LifeTimeUsageError('applications[%d] is empty.' % index, parameter='applications[%d]' % index)
    return dict(name=name, description=params.get('description'), members=members, applications=applications,
                exclusive=bool(params.get('exclusive')), state=params.get('state') or 'present')


def team_entry(team):
    """A Team record as modules return it."""
    members = [dict(user=member.get('Username'), user_key=member.get('UserKey'), name=member.get('Name') or '',
                    role=member.get('RoleName') or '', role_key=member.get('RoleKey')) for member in team.get('users') or []]
    applications = [dict(name=app.get('Name'), key=app.get('Key')) for app in team.get('applications') or []]
    return dict(key=team.get('key'), name=team.get('name'), description=team.get('description') or '', members=members,
                applications=applications)


def find_team(teams, name):
    """The team of this name: exactly, else case-insensitively when only one has it; None when there is none."""
    exact = [team for team in teams if team.get('name') == name]
    found = exact or [team for team in teams if _text(team.get('name')).lower() == name.lower()]
    if len(found) > 1:
        raise LifeTimeError('LifeTime lists %d teams named %s in different cases: give the exact name.' % (len(found), bounded(name)))
    return found[0] if found else None


def _is(ref, *values):
    wanted = _text(ref).strip().lower()
    return any(wanted == _text(value).lower() for value in values if value)


def _holds(items, key, field):
    return any(same_key(key, item[field]) for item in items)


def _not_in(items, others, field):
    """The items whose ``field`` key none of ``others`` has."""
    return [item for item in items if not _holds(others, item[field], field)]


def _merged_members(members, adding, removing):
    """The members once ``removing`` left and ``adding`` joined (or took their new role)."""
    merged = _not_in(members, removing, 'user_key')
    for member in adding:
        position = next((i for i, item in enumerate(merged) if same_key(item['user_key'], member['user_key'])), None)
        if position is None:
            merged.append(member)
        else:
            merged[position] = member
    return merged


class TeamChange:
    """The team named, its state before, and what the task changes."""

    def __init__(self, task, desired, shared=None):
        self.task = task
        self.desired = desired
        # shared: the (client, names) of a lifetime_governance run, whose items read each list once and nothing back.
        self.gov, self.names = shared or shared_lookups(task)
        self.read_back_writes = shared is None
        self.teams = self.gov.teams()
        self.team = find_team(self.teams, desired['name'])
        self.before = team_entry(self.team) if self.team else None
        self.members = []  # [member entry] as the task asks for them
        self.applications = []  # [{name, key}]
        self.moved = []  # (application name, the team it leaves)
        if desired['state'] == 'present':
            self._resolve_members()
            self._resolve_applications()
        self.changes = self._changes()

    # -- resolving ---------------------------------------------------------------------------------

    def _current_members(self):
        return self.before['members'] if self.before else []

    def _resolve_members(self):
        for index, member in enumerate(self.desired['members'] or []):
            held = next((item for item in self._current_members() if _is(member['user'], item['user_key'], item['user'])), None)
            if held is not None and _is(member['role'], held['role_key'], held['role']):
                entry = dict(held)  # as the team holds it already: no list needed
            else:
                user = self.names.user(member['user'], 'members[%d].user' % index)
                role = self.names.role(member['role'], 'members[%d].role' % index)
                entry = dict(user=user.get('Username'), user_key=user.get('Key'), name=user.get('Name') or '', role=role.get('name'),
                             role_key=role.get('key'))
            if any(same_key(entry['user_key'], other['user_key']) for other in self.members):
                raise LifeTimeUsageError('members names the user %s twice.' % bounded(entry['user']), parameter='members')
            self.members.append(entry)

    def _current_applications(self):
        return self.before['applications'] if self.before else []

    def _team_holding(self, app_key):
        """The other team an application belongs to now, or None."""
        return next((team for team in self.teams if team is not self.team and
                     any(same_key(item.get('Key'), app_key) for item in team.get('applications') or [])), None)

    def _application(self, index, ref):
        held = next((dict(app) for app in self._current_applications() if _is(ref, app['key']) or app['name'] == _text(ref).strip()), None)
        if held is not None:
            return held  # as the team holds it already: no list needed
        app = self.task.resolver.application(ref, 'applications[%d]' % index)
        other = self._team_holding(app['Key'])
        if other is not None:
            self.moved.append((app['Name'], other.get('name')))
        return dict(name=app['Name'], key=app['Key'])

    def _resolve_applications(self):
        for index, ref in enumerate(self.desired['applications'] or []):
            entry = self._application(index, ref)
            if _holds(self.applications, entry['key'], 'key'):
                raise LifeTimeUsageError('applications names %s twice.' % bounded(entry['name']), parameter='applications')
            self.applications.append(entry)

    # -- comparing ---------------------------------------------------------------------------------

    def team_name(self):
        """The name the team keeps: LifeTime's own when the task's differs only in case (a name is compared case-insensitively)."""
        held = _text(self.team.get('name')) if self.team else ''
        return held if held.lower() == self.desired['name'].lower() else self.desired['name']

    def _details_differ(self):
        desired = self.desired
        return self.team.get('name') != self.team_name() or (desired['description'] is not None and desired['description'] != self.before['description'])

    def _members_to_add(self):
        """Members not in the team, or in it with another role (adding them again sets their role)."""
        current = self._current_members()
        return [m for m in self.members if not any(same_key(m['user_key'], c['user_key']) and same_key(m['role_key'], c['role_key'])
                                                   for c in current)]

    def _changes(self):
        """{'create', 'delete', 'details', 'add_members', 'remove_members', 'add_applications', 'remove_applications'}: what differs."""
        desired = self.desired
        if desired['state'] == 'absent':
            return dict(delete=True) if self.team else {}
        changes = {}
        if self.team is None:
            changes['create'] = True
        elif self._details_differ():
            changes['details'] = True
        # exclusive acts on the lists the task gives: one it leaves out is not a list of nothing
        removing_members = desired['exclusive'] and desired['members'] is not None
        removing_applications = desired['exclusive'] and desired['applications'] is not None
        found = dict(add_members=self._members_to_add(),
                     remove_members=_not_in(self._current_members(), self.members, 'user_key') if removing_members else [],
                     add_applications=_not_in(self.applications, self._current_applications(), 'key'),
                     remove_applications=_not_in(self._current_applications(), self.applications, 'key') if removing_applications else [])
        changes.update((name, items) for name, items in found.items() if items)
        return changes

    @property
    def changed(self):
        return bool(self.changes)

    def after_entry(self):
        """The team as the task leaves it (for check mode and the diff)."""
        if self.desired['state'] == 'absent':
            return None
        after = dict(self.before or dict(key=None, members=[], applications=[], description=''))
        after['name'] = self.team_name()
        if self.desired['description'] is not None:
            after['description'] = self.desired['description']
        after['members'] = _merged_members(after['members'], self.changes.get('add_members', []), self.changes.get('remove_members', []))
        after['applications'] = _not_in(after['applications'], self.changes.get('remove_applications', []), 'key') + \
            self.changes.get('add_applications', [])
        return after

    def diff(self):
        def shown(entry):
            if entry is None:
                return {}
            return dict(name=entry['name'], description=entry['description'],
                        members=dict((m['user'], m['role']) for m in entry['members']),
                        applications=sorted(a['name'] for a in entry['applications']))
        return dict(before=shown(self.before), after=shown(self.after_entry()))

    # -- writing -----------------------------------------------------------------------------------

    def write(self):
        """The writes, in the order LifeTime needs them: the team first, then members and applications; the end state."""
        gov, changes = self.gov, self.changes
        if changes.get('delete'):
            gov.delete_team(self.team['key'])
            return None
        key = self.team['key'] if self.team else gov.create_team(self.desired['name'], self.desired['description'] or '')
        if changes.get('details'):
            description = self.desired['description'] if self.desired['description'] is not None else self.before['description']
            gov.update_team(key, self.team_name(), description)
        for member in changes.get('remove_members', []):
            gov.remove_team_member(key, member['user_key'])
        for member in changes.get('add_members', []):
            gov.add_team_member(key, member['user_key'], member['role_key'])
        for app in changes.get('remove_applications', []):
            gov.remove_team_application(key, app['key'])
        for app in changes.get('add_applications', []):
            gov.add_team_application(key, app['key'])
        if not self.read_back_writes:
            # LifeTime answered every write above: the team is as planned.
            return dict(self.after_entry(), key=key)
        found = next((team for team in gov.teams() if same_key(team.get('key'), key)), None)
        if found is None:
            raise LifeTimeError('LifeTime accepted the changes to the team %s but does not list it.' % bounded(self.desired['name']))
        return team_entry(found)


def _message(change, check_mode):
    name = bounded(change.desired['name'])
    changes = change.changes
    if not changes:
        return 'The team %s %s: nothing to change.' % (name, 'does not exist' if change.desired['state'] == 'absent' else 'is as asked')
    if changes.get('delete'):
        return ('Would delete' if check_mode else 'Deleted') + ' the team %s.' % name
    done = []
    if changes.get('create'):
        done.append(('create', 'created', 'the team'))
    elif changes.get('details'):
        done.append(('change', 'changed', 'its name or description'))
    for field, verb, past, what in (('add_members', 'add', 'added', 'member'), ('remove_members', 'remove', 'removed', 'member'),
                                    ('add_applications', 'add', 'added', 'application'),
                                    ('remove_applications', 'remove', 'removed', 'application')):
        count = len(changes.get(field) or [])
        if count:
            done.append((verb, past, '%d %s%s' % (count, what, '' if count == 1 else 's')))
    return '%s %s: %s.' % ('Would change' if check_mode else 'Changed', 'the team %s' % name,
                           ', '.join('%s %s' % (verb if check_mode else past, what) for verb, past, what in done))


def written(change):
    """The change's writes; a failure after one of them still changed LifeTime (changed: true)."""
    try:
        return change.write()
    except LifeTimeError as exc:
        if change.gov.writes_done:
            exc.details['changed'] = True
        raise


def ensure_team(task, desired):
    """The result of lifetime_team for the desired state (see desired_team)."""
    change = TeamChange(task, desired)
    result = dict(changed=change.changed)
    if task.diff:
        result['diff'] = change.diff()
    end = change.before
    if change.changed:
        end = change.after_entry() if task.check_mode else written(change)
    for app_name, team_name in change.moved:
        task.warn('The application %s leaves the team %s: an application belongs to one team in LifeTime.' % (app_name, team_name))
    result['team'] = end or {}
    result['msg'] = _message(change, task.check_mode)
    return result


def list_teams(task, params):
    """The result of lifetime_team_info: every team, or the one named."""
    gov = GovernanceClient(task.client, progress=task.progress)
    teams = gov.teams()
    name = _text(params.get('name')).strip()
    if name:
        found = find_team(teams, name)
        teams = [found] if found else []
    return dict(changed=False, teams=[team_entry(team) for team in teams])
