"""Talk to a person: a returnee's message reaches their supervisor and the commune police as a
help request (an alert event); staff answer through the bot; the thread is kept."""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import AlertReason, Person, Role
from bot.services.access import NotFound, require_role
from bot.services.alerting import open_alert
from bot.services.base import Service
from bot.services.outbox import enqueue
from bot.storage.alerts import Alerts
from bot.storage.assignments import Assignments
from bot.storage.audit import Audit
from bot.storage.help_threads import Message, Thread, Threads
from bot.storage.people import People

MAX_MESSAGE = 4096  # the longest message a messenger delivers (Telegram); longer parts are split when sent, never cut


@dataclass(frozen=True)
class ThreadView:
    thread: Thread
    person: Person
    messages: list[tuple[Message, Person | None]]


class Handoff(Service):
    async def ask_for_help(self, actor, text: str, topic: str = "") -> list[Person]:
        """Record the message in the person's open thread (or a new one); returns who was told."""
        person = require_role(actor, Role.RETURNEE)
        body = text.strip()[:MAX_MESSAGE]
        now = self.clock.now()
        async with self.db.transaction() as tx:
            thread = await Threads.open_for(tx, person.id)
            if thread is None:
                thread = await Threads.open(tx, person_id=person.id, commune_id=person.commune_id, topic=topic, now=now)
            await Threads.add_message(tx, thread_id=thread.id, author_id=person.id, body=body, now=now)
            # The alert is shown through the help-request message itself (it carries the words).
            alert, _new = await open_alert(tx, tz=self.tz, now=now, commune_id=person.commune_id,
                                           person_id=person.id, reason=AlertReason.HELP_REQUEST,
                                           source=f"thread:{thread.id}", notify=False)
            await Alerts.mark_notified(tx, alert.id, now)
            staff = await People.in_commune(tx, person.commune_id, Role.POLICE)
            supervisor_id = await Assignments.current(tx, person.id)
            if supervisor_id is not None:
                staff.insert(0, await People.get(tx, supervisor_id))
            params = {"name": person.full_name, "text": body, "topic": topic}
            for member in staff:
                police = member.role is Role.POLICE  # police get the alert's buttons with it
                await enqueue(tx, tz=self.tz, now=now, person_id=member.id, kind="help_request",
                              params={**params, "alert_id": alert.id} if police else params, urgent=True,
                              alert_id=alert.id if police else None)
            await Audit.record(tx, now=now, actor_id=person.id, action="help.ask", subject_id=person.id,
                               detail={"thread_id": thread.id})
        return staff

    async def _reachable(self, conn, actor, thread_id: int) -> Thread:
        staff = require_role(actor, Role.POLICE, Role.SUPERVISOR)
        thread = await Threads.get(conn, thread_id)
        if thread is None or thread.commune_id != staff.commune_id:
            raise NotFound
        if staff.role is Role.SUPERVISOR and await Assignments.current(conn, thread.person_id) != staff.id:
            raise NotFound
        return thread

    async def open_threads(self, actor) -> list[tuple[Thread, Person]]:
        staff = require_role(actor, Role.POLICE, Role.SUPERVISOR)
        async with self.db.reading() as conn:
            threads = await Threads.open_in_commune(conn, staff.commune_id)
            out = []
            for thread in threads:
                if staff.role is Role.SUPERVISOR and await Assignments.current(conn, thread.person_id) != staff.id:
                    continue
                out.append((thread, await People.get(conn, thread.person_id)))
            return out

    async def view(self, actor, thread_id: int) -> ThreadView:
        now = self.clock.now()
        async with self.db.transaction() as tx:
            thread = await self._reachable(tx, actor, thread_id)
            messages = [(m, await People.get(tx, m.author_id)) for m in await Threads.messages(tx, thread_id)]
            await Audit.record(tx, now=now, actor_id=actor.person.id, action="help.view", subject_id=thread.person_id,
                               detail={"thread_id": thread_id})
            return ThreadView(thread, await People.get(tx, thread.person_id), messages)

    async def answer(self, actor, thread_id: int, text: str) -> Person:
        """Send staff's answer to the person (in the person's language) and keep it in the thread."""
        now = self.clock.now()
        body = text.strip()[:MAX_MESSAGE]
        async with self.db.transaction() as tx:
            thread = await self._reachable(tx, actor, thread_id)
            await Threads.add_message(tx, thread_id=thread_id, author_id=actor.person.id, body=body, now=now)
            await enqueue(tx, tz=self.tz, now=now, person_id=thread.person_id, kind="help_answer",
                          params={"name": actor.person.full_name, "text": body})
            await Audit.record(tx, now=now, actor_id=actor.person.id, action="help.answer",
                               subject_id=thread.person_id, detail={"thread_id": thread_id})
            return await People.get(tx, thread.person_id)

    async def close(self, actor, thread_id: int) -> None:
        now = self.clock.now()
        async with self.db.transaction() as tx:
            thread = await self._reachable(tx, actor, thread_id)
            await Threads.close(tx, thread_id, actor.person.id, now)
            await Alerts.resolve_reason(tx, thread.person_id, AlertReason.HELP_REQUEST, now)
            await Audit.record(tx, now=now, actor_id=actor.person.id, action="help.close",
                               subject_id=thread.person_id, detail={"thread_id": thread_id})
