"""The debrief's buttons: "Try again" (same customer) and "Another persona" (a random other).

They are dynamic items: everything a click needs is in the custom_id
(`hotseat:again:<persona_id>`), so buttons on debriefs posted before a restart still work.
A custom_id holds 100 characters, so a persona whose id is longer gets no buttons.
"""

from __future__ import annotations

from typing import Any

import discord

LABELS = {"again": "Try again", "other": "Another persona"}
ID_MAX = 86  # 100 for a custom_id, less "hotseat:again:"


class PracticeAgain(
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"hotseat:(?P<action>again|other):(?P<persona>[\w-]{{1,{ID_MAX}}})",
):
    def __init__(self, action: str, persona_id: str) -> None:
        style = discord.ButtonStyle.primary if action == "again" else discord.ButtonStyle.secondary
        button = discord.ui.Button(label=LABELS[action], style=style, custom_id=f"hotseat:{action}:{persona_id}")
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


def debrief_view(persona_id: str) -> discord.ui.View | None:
    if len(persona_id) > ID_MAX:
        return None
    view = discord.ui.View(timeout=None)
    for action in LABELS:
        view.add_item(PracticeAgain(action, persona_id))
    return view
