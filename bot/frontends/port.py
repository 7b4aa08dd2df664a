"""What a front end must do with the service's events: show them.

A port is made per incoming payload (a Slack event, a Discord interaction, a console
line), so it knows where "privately" is for the person who acted; events that belong to
a conversation (`CustomerSaid`, `Ended`) carry enough to be shown where it lives.
"""

from __future__ import annotations

from typing import Awaitable, Callable, Protocol

from bot.core.events import Event, Opened

Place = Callable[[str], Awaitable[None]]


class Port(Protocol):
    async def open(self, event: Opened, at: Place) -> None:
        """Give a new conversation its place and show its opening, or raise to undo the start.

        Call `at(place)` (a thread id) as soon as the place exists and before the trainee
        can write there, so their first line is a turn; platforms without places skip it.
        """
        ...

    async def send(self, event: Event) -> None:
        """Show `event`, or raise if the platform refused it."""
        ...
