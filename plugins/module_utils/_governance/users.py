# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: LifeTime users, for lifetime_user and lifetime_user_info.

The flow of lifetime_user: check the parameters, read the user list once (``before``), resolve the role and the
application roles (the role list and the application list are read only when a name differs from what the user
record already names), work out the changes, report changed and the diff, stop in check mode, then create or update
the user, set the password, grant and revoke application roles, unblock logins, and read the user back.
LifeTime has no user delete: ``state: absent`` deactivates. A password is sent, never kept, never returned.
"""

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeAPIError, LifeTimeError, LifeTimeUsageError, bounded
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.client import USERS
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.resolve import check_email
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.roles import Governance
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import same_key
from ansible_collections.outsystems.lifetime.plugins.module_utils._writes import send_once

# What a diff shows for a password the task sets: never the value.
WRITE_ONLY = '(write-only)'
# LifeTime's answer to setting a password while an external authentication provider holds them.
EXTERNAL_AUTHENTICATION = 405


def user_info(user):
    """A User record as the modules return it (snake_case)."""
    return dict(key=user.get('Key'), username=user.get('Username'), name=user.get('Name'), email=user.get('Email'),
                role=user.get('RoleName'), role_key=user.get('RoleKey'), active=bool(user.get('IsActive')),
                application_roles=[dict(application=item.get('applicationName'), application_key=item.get('applicationKey'),
                                        role=item.get('roleName'), role_key=item.get('roleKey'))
                                   for item in user.get('ApplicationRoles') or []],
                teams=[dict(team=item.get('TeamName'), team_key=item.get('TeamKey'), role=item.get('RoleName'), role_key=item.get('RoleKey'))
                       for item in user.get('Teams') or []])


def users_info(task, refs=None, include_inactive=False):
    """lifetime_user_info: the users named (username, name or key, in that order), else every (active) user by username."""
    names = Governance(task).names
    if refs:
        return [user_info(names.user(ref, 'username' if len(refs) == 1 else 'username[%d]' % index)) for index, ref in enumerate(refs)]
    users = [user for user in names.gov.users() if include_inactive or user.get('IsActive')]
    return [user_info(user) for user in sorted(users, key=lambda user: str(user.get('Username')).lower())]


def _named(ref, name, key):
    """Whether ``ref`` is the name or the key a record already carries: then no list is read to resolve it."""
    wanted = str(ref).strip().lower()
    return bool(wanted) and wanted in (str(name or '').lower(), str(key or '').lower())


def _shown(info, password=False):
    if not info:
        return {}
    shown = dict(username=info['username'], name=info['name'], email=info['email'], role=info['role'], active=info['active'],
                 application_roles=dict((item['application'], item['role']) for item in info['application_roles']))
    if password:
        shown['password'] = WRITE_ONLY
    return shown


class UserChange(Governance):
    """The user a lifetime_user task names, as LifeTime holds it and what the task changes."""

    def __init__(self, task, shared=None):
        super().__init__(task, shared)
        self.params = task.params
        self.username = str(self.params.get('username') or '').strip()
        if not self.username:
            raise LifeTimeUsageError('username is empty: give the username of the user.', parameter='username')
        if self.params.get('password') is not None and not str(self.params['password']).strip():
            # An unset secret (an environment variable a credential did not inject) must not create a user without a password.
            raise LifeTimeUsageError('password is empty: give the password of the user, or leave the option out.', parameter='password')
        self.before_record = self._find(self.username)
        self.before = user_info(self.before_record) if self.before_record else {}
        self.grants, self.revokes, self.blocked = [], [], []
        self.planned = None
        self.password_refused = False

    def _find(self, ref):
        """The user whose username or key is ``ref`` (case-insensitive): a name is not an identity here."""
        wanted = ref.lower()
        return next((user for user in self.gov.users() if wanted in (str(user.get('Username')).lower(), str(user.get('Key')).lower())), None)

    # -- what the task asks ---------------------------------------------------------------------------

    def _role(self):
        ref = self.params.get('role')
        if ref is None:
            return None
        if self.before and _named(ref, self.before['role'], self.before['role_key']):
            return dict(key=self.before['role_key'], name=self.before['role'])
        return self.names.role(ref, 'role')

    def _fields(self):
        """{Name, Email, RoleKey, IsActive} as the user should have them, and the role name for the result."""
        params, before = self.params, self.before
        missing = [option for option in ('name', 'email', 'role') if not before and not str(params.get(option) or '').strip()]
        if missing:
            raise LifeTimeUsageError('%s is required to create the user %s.' % (' and '.join(missing), bounded(self.username)), parameter=missing[0])
        email = check_email(params['email'], 'email') if params.get('email') is not None else before['email']
        if before and str(email).lower() == str(before['email'] or '').lower():
            email = before['email']  # a case-only difference is no change: LifeTime's casing stays
        name = str(params['name']).strip() if params.get('name') is not None else before['name']
        role = self._role() or dict(key=before['role_key'], name=before['role'])
        return dict(Username=before.get('username', self.username), Name=name, Email=email, RoleKey=role['key'], IsActive=True), role['name']

    def _application_roles(self):
        """[(application record or None, role record, parameter)] the task lists; names already on the user cost no list."""
        held = dict((str(item['application_key']).lower(), item) for item in self.before.get('application_roles', []))
        wanted, seen = [], set()
        for index, entry in enumerate(self.params.get('application_roles') or []):
            where = 'application_roles[%d]' % index
            current = next((item for item in held.values() if _named(entry['application'], item['application'], item['application_key'])), None)
            app = dict(Key=current['application_key'], Name=current['application']) if current else \
                self.task.resolver.application(entry['application'], where + '.application')
            if app['Key'].lower() in seen:
                raise LifeTimeUsageError('application_roles lists %s twice.' % app['Name'], parameter='application_roles')
            seen.add(app['Key'].lower())
            role = dict(key=current['role_key'], name=current['role']) if current and _named(entry['role'], current['role'], current['role_key']) \
                else self.names.role(entry['role'], where + '.role')
            wanted.append((app, role))
        return wanted, held

    def _plan_application_roles(self):
        wanted, held = self._application_roles()
        self.grants = [(app, role) for app, role in wanted
                       if not same_key((held.get(app['Key'].lower()) or {}).get('role_key'), role['key'])]
        # exclusive acts on the list the task gives, as a team's: one it leaves out is not a list of nothing
        if self.params.get('exclusive') and self.params.get('application_roles') is not None:
            listed = set(app['Key'].lower() for app, dummy in wanted)
            self.revokes = [item for key, item in held.items() if key not in listed]

    def _password_set(self):
        return bool(self.params.get('password')) and (not self.before or self.params.get('update_password') == 'always')

    # -- results --------------------------------------------------------------------------------------

    def _after(self, fields, role_name):
        after = dict(self.before, username=fields['Username'], name=fields['Name'], email=fields['Email'], role=role_name,
                     role_key=fields['RoleKey'], active=fields['IsActive'])
        replaced = set(str(item['application_key']).lower() for item in self.revokes) | set(app['Key'].lower() for app, dummy in self.grants)
        roles = [item for item in self.before.get('application_roles', []) if str(item['application_key']).lower() not in replaced]
        roles += [dict(application=app['Name'], application_key=app['Key'], role=role['name'], role_key=role['key']) for app, role in self.grants]
        after['application_roles'] = roles
        after.setdefault('key', None)
        after.setdefault('teams', [])
        return after

    def _differs(self, fields):
        before = self.before
        # An email address is compared case-insensitively (LifeTime's own casing is kept): a case-only difference is no change.
        return not before or (before['name'], str(before['email'] or '').lower(), str(before['role_key']).lower(), before['active']) != \
            (fields['Name'], str(fields['Email'] or '').lower(), str(fields['RoleKey']).lower(), fields['IsActive'])

    # -- writes ---------------------------------------------------------------------------------------

    def _update(self, key, fields):
        # The PUT carries absolute values: sent again only when its answer was lost and the user read back differs.
        def holds():
            found = self.read_back(key)
            return True if found and (found['name'], found['email'], str(found['role_key']).lower(), found['active']) == \
                (fields['Name'], fields['Email'], str(fields['RoleKey']).lower(), fields['IsActive']) else None
        send_once(lambda: self.gov.update_user(key, fields), holds, 'the request that updates the user %s' % bounded(fields['Username']),
                  resend=True, progress=self.task.progress)

    def _write(self, fields, update):
        key = self.before.get('key')
        if not key:
            key = self.gov.create_user(fields)
            if self._password_set():
                self._first_password(key, fields['Username'])
        elif update:
            self._update(key, fields)
        if self.before and self._password_set():
            self._set_password(key, fields['Username'])
        for app, role in self.grants:
            self.gov.grant_application_role(key, app['Key'], role['key'])
        for item in self.revokes:
            self.gov.revoke_application_role(key, item['application_key'])
        if self.blocked:
            self.gov.unblock_logins(key)
        return key

    def _set_password(self, key, username):
        """The password, unless an external authentication provider holds passwords: then the user is kept, with a warning."""
        try:
            self.gov.set_password(key, self.params['password'])
        except LifeTimeAPIError as exc:
            if exc.status != EXTERNAL_AUTHENTICATION:
                raise
            self.password_refused = True
            self.task.warn('The password of the user %s was not set: LifeTime answered 405, as it does when an external '
                           'authentication provider holds the passwords; the user logs in through that provider.' % bounded(username))

    def _first_password(self, key, username):
        """The password of a user just created. LifeTime cannot show whether a user has one, so a later run with
        update_password: on_create would never set it: the task fails saying so now."""
        try:
            self._set_password(key, username)
        except LifeTimeError as exc:
            raise LifeTimeError('The user %s was created, but setting its password failed (%s), so it has none. Run the task once '
                                'with update_password: always to set it.' % (bounded(username), exc), parameter='password') from exc

    def nothing_done(self):
        """Whether the write changed nothing: its only change was a password LifeTime refused (external authentication)."""
        return self.password_refused and bool(self.planned) and self.planned['changes'] == ['password set']

    def _done(self, changes):
        """The changes made, the password's as it went."""
        return [('password not set (external authentication)' if what == 'password set' and self.password_refused else what) for what in changes]

    def read_back(self, key):
        self.gov.forget(USERS)
        found = self._find(key)
        return user_info(found) if found else None

    def _plan_present(self):
        """{fields, update, changes, after}: what the task changes, worked out with reads only."""
        fields, role_name = self._fields()
        self._plan_application_roles()
        if self.params.get('unblock') and self.before:
            self.blocked = self.gov.blocked_logins(self.before['key']) or []
        update = self._differs(fields)
        changes = [what for what, done in (('created' if not self.before else 'updated', update), ('password set', self._password_set()),
                                           ('%d application role(s) granted' % len(self.grants), self.grants),
                                           ('%d application role(s) revoked' % len(self.revokes), self.revokes),
                                           ('%d blocked login(s) removed' % len(self.blocked), self.blocked)) if done]
        self.planned = dict(fields=fields, update=update, changes=changes, after=self._after(fields, role_name))
        return self.planned

    def present(self):
        planned = self._plan_present()
        fields, changes, after = planned['fields'], planned['changes'], planned['after']
        result = dict(changed=bool(changes), diff=dict(before=_shown(self.before), after=_shown(after, self._password_set())))
        if not changes:
            return dict(result, user=self.before, msg='User %s is already as asked: nothing to change.' % self.before['username'])
        if self.task.check_mode:
            return dict(result, user=after, msg='Would change user %s: %s.' % (fields['Username'], ', '.join(changes)))
        key = self._write(fields, planned['update'])
        if self.nothing_done():
            result['changed'] = False  # a refused password is no change: the next run would report it again
        return dict(result, user=self.read_back(key) or dict(after, key=key),
                    msg='User %s: %s.' % (fields['Username'], ', '.join(self._done(changes))))

    # -- planned, then applied (lifetime_governance: every item is checked before the first write) ------------

    def _deactivated_fields(self):
        before = self.before
        return dict(Username=before['username'], Name=before['name'], Email=before['email'], RoleKey=before['role_key'], IsActive=False)

    def plan(self):
        """Work out the change with reads only (every check raises here); whether the user changes."""
        if self.params.get('state') == 'absent':
            return bool(self.before and self.before['active'])
        return bool(self._plan_present()['changes'])

    def diff(self):
        if self.planned is None:
            return dict(before=_shown(self.before), after=_shown(dict(self.before, active=False)) if self.before else {})
        return dict(before=_shown(self.before), after=_shown(self.planned['after'], self._password_set()))

    def user_after(self):
        """The user as the planned change leaves it (as LifeTime's user list shows a user), or None when it stays."""
        if self.planned is None or not self.planned['changes'] or not self.before_record:
            return None
        after = self.planned['after']
        return dict(self.before_record, RoleKey=after['role_key'],
                    ApplicationRoles=[dict(applicationKey=item['application_key'], roleKey=item['role_key']) for item in after['application_roles']])

    def apply(self):
        """The planned write; the user's key."""
        if self.planned is None:
            self._update(self.before['key'], self._deactivated_fields())
            return self.before['key']
        return self._write(self.planned['fields'], self.planned['update'])

    def absent(self):
        if not self.before or not self.before['active']:
            return dict(changed=False, user=self.before, diff=dict(before=_shown(self.before), after=_shown(self.before)),
                        msg='There is no active user %s: nothing to deactivate.' % bounded(self.username))
        before = self.before
        fields = self._deactivated_fields()
        after = dict(before, active=False)
        result = dict(changed=True, diff=dict(before=_shown(before), after=_shown(after)))
        if self.task.check_mode:
            return dict(result, user=after, msg='Would deactivate user %s.' % before['username'])
        self._update(before['key'], fields)
        return dict(result, user=self.read_back(before['key']) or after, msg='Deactivated user %s.' % before['username'])


def ensure_user(task):
    """The result of lifetime_user."""
    change = UserChange(task)
    try:
        result = change.absent() if task.params.get('state') == 'absent' else change.present()
    except LifeTimeError as exc:
        if change.gov.writes_done:
            exc.details['changed'] = True  # a failure after a write still changed LifeTime
        raise
    if not task.diff:
        result.pop('diff', None)
    return result
