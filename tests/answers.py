# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Answers LifeTime may give and the simulator never does: the simulator's own answer, changed on its way to the client.

A behaviour for a tests/hostile_server.py HostileServer in front of a simulator (``upstream=sim.url``), for GET routes::

    proxy.route('/lifetimeapi/rest/v2/deployments/', answers.changed(sim, unlabelled), method='GET')

Each request routed there goes on to the simulator, which logs it and acts on it as usual; the JSON body of its
answer passes through ``change(body)`` before the client gets it, with the same status. An answer without a body
comes back as it was. The client under test parses the changed answer as it would LifeTime's: nothing of the
collection is patched.
"""

from tests import hostile_server as hs
from tests.simulator.client import Client


def changed(sim, change):
    """The behaviour: ``sim``'s answer to the request, its JSON body replaced by ``change(body)``."""
    def behaviour(handler):
        reply = Client(sim).request(handler.command, sim.url + handler.path)
        if not reply.body:
            hs.answer(reply.status)(handler)
            return
        hs.json_answer(change(reply.json()), status=reply.status)(handler)
    return behaviour
