"""Hotseat's buttons: "Try again" (same customer) and "Another persona" (a random other) on
a debrief, "Start …" on stats and the drill (a `again` button with its own label), "Turn by
turn" (the debrief's full list, privately), "Debrief #N" (a debrief read again, privately)
and the team's "Previous"/"Next" pages.

They are dynamic items: everything a click needs is in the custom_id
(`hotseat:again:<persona_id>`, `hotseat:turns:<session>`, `hotseat:debrief:<session>`,
`hotseat:team:<column>:<asc|desc>:<page>:<asker>`), so buttons posted before a restart
still work. A custom_id holds 100 characters, so a persona whose id is longer gets no
buttons. Who may press what is checked again on each click, by the cog.
"""

from __future__ import annotations

from typing import Any

import discord

LABELS = {"again": "Try again", "other": "Another persona"}
ID_MAX = 86  # 100 for a custom_id, less "hotseat:again:"
LABEL_MAX = 80


class PracticeAgain(
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"hotseat:(?P<action>again|other):(?P<persona>[\w-]{{1,{ID_MAX}}})",
):
    def __init__(self, action: str, persona_id: str, *, label: str | None = None) -> None:
        style = discord.ButtonStyle.primary if action == "again" else discord.ButtonStyle.secondary
        button = discord.ui.Button(
            label=label or LABELS[action], style=style, custom_id=f"hotseat:{action}:{persona_id}"
        )
        super().__init__(button)
        self.action = action
        self.persona_id = persona_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
    ) -> PracticeAgain:
        return cls(match["action"], match["persona"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog = interaction.client.get_cog("hotseat")  # the practice cog (bot.frontends.discord.cog)
        await cog.again(interaction, self.persona_id, other=self.action == "other")


class TurnByTurn(discord.ui.DynamicItem[discord.ui.Button], template=r"hotseat:turns:(?P<session>\d{1,20})"):
    """The debrief's full turn-by-turn list, as a private reply to whoever may read it."""

    def __init__(self, session_id: int | str) -> None:
        super().__init__(discord.ui.Button(
            label="Turn by turn", style=discord.ButtonStyle.secondary, custom_id=f"hotseat:turns:{session_id}"
        ))
        self.session_id = str(session_id)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
    ) -> TurnByTurn:
        return cls(match["session"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog = interaction.client.get_cog("hotseat")
        await cog.clicked(interaction, cog.turns(interaction, self.session_id))


class ViewDebrief(discord.ui.DynamicItem[discord.ui.Button], template=r"hotseat:debrief:(?P<session>\d{1,20})"):
    """A debrief from history (or stats' best session) read again, privately."""

    def __init__(self, session_id: int | str, *, label: str | None = None) -> None:
        super().__init__(discord.ui.Button(
            label=label or f"Debrief #{session_id}", style=discord.ButtonStyle.secondary,
            custom_id=f"hotseat:debrief:{session_id}",
        ))
        self.session_id = str(session_id)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
    ) -> ViewDebrief:
        return cls(match["session"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog = interaction.client.get_cog("hotseat")
        await cog.clicked(interaction, cog.reread(interaction, self.session_id))


class TeamPage(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"hotseat:team:(?P<value>[a-z_]{1,20}:(?:asc|desc):\d{1,6}):(?P<asker>\d{1,20})",
):
    """Previous/Next on the team overview: the same message redrawn at another page, for the
    lead who asked (anyone else's click is refused privately)."""

    def __init__(self, value: str, asker: str, *, label: str | None = None) -> None:
        super().__init__(discord.ui.Button(
            label=label or "Page", style=discord.ButtonStyle.secondary, custom_id=f"hotseat:team:{value}:{asker}"
        ))
        self.value = value
        self.asker = asker

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any) -> TeamPage:
        return cls(match["value"], match["asker"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog = interaction.client.get_cog("hotseat")
        await cog.clicked(interaction, cog.team_page(interaction, self.value, self.asker))


DYNAMIC = (PracticeAgain, TurnByTurn, ViewDebrief, TeamPage)


def debrief_view(persona_id: str, session_id: int | None = None, *, turns: bool = False) -> discord.ui.View | None:
    """Try again / Another persona, and "Turn by turn" when the debrief has a timeline."""
    view = discord.ui.View(timeout=None)
    if len(persona_id) <= ID_MAX:
        for action in LABELS:
            view.add_item(PracticeAgain(action, persona_id))
    if turns and session_id is not None:
        view.add_item(TurnByTurn(session_id))
    return view if view.children else None
