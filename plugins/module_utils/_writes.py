# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: writes whose answer may be lost.

The client marks an error ``ambiguous`` when a POST or PUT may have been carried
out although its answer never arrived (a timeout, a reset connection, a 5xx after
the request was sent). Sending it again blindly could create a second deployment
plan or a second version. ``send_once`` is the one way every write of the
collection handles that: look for evidence of what LifeTime did, and act on it.
"""

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeAPIError, LifeTimeError


def send_once(send, evidence, what, resend=False, progress=None):
    """``send()``; when its answer is lost, ``evidence()`` instead of a blind second send.

    ``evidence()`` returns what the write produced (a key, a status...) when LifeTime
    shows it was carried out, or None when LifeTime shows it was not; it raises a
    LifeTimeError itself when the evidence is contradictory (several candidates).
    Without evidence the write is sent again only when ``resend`` is true (writes
    whose repetition is harmless, or that LifeTime refuses to repeat); otherwise the
    task fails saying nothing was done. ``what`` names the write in messages
    ("the request that creates the deployment plan").
    """
    try:
        return send()
    except LifeTimeAPIError as exc:
        if not exc.ambiguous:
            raise
        lost = exc
    try:
        found = evidence()
    except LifeTimeAPIError as exc:
        raise LifeTimeError('LifeTime did not answer %s (%s), and looking for what it did failed too (%s): cannot tell whether it '
                            'was carried out. Check in LifeTime before running the task again.' % (what, lost, exc))
    if found is not None:
        if progress:
            progress('The answer to %s was lost; LifeTime shows it was carried out.' % what)
        return found
    if resend:
        if progress:
            progress('The answer to %s was lost and LifeTime shows no sign of it; sending it again.' % what)
        return send()
    raise LifeTimeError('LifeTime did not answer %s (%s), and shows no sign of it: nothing was created. Run the task again.'
                        % (what, lost))
