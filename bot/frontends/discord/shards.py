"""Which Discord guilds this process serves when a large bot's shards are split across
processes (`hotseat run discord --shards 0-3 --shard-count 8`).

Discord routes each guild's gateway events to shard ``(guild_id >> 22) % shard_count``;
work that is not an answer to an event (reading a thread's history after downtime, posting
a drill) follows the same rule, so every guild is served by exactly one process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.config import SettingError

_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")
HELP = "Write shards as ids and ranges, like 0-3 or 0,2,4-5, and give --shard-count (the total across all processes)."


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends a guild's events to."""
    return (guild_id >> 22) % shard_count


def parse_shards(text: str) -> tuple[int, ...]:
    """`0-3,6` -> (0, 1, 2, 3, 6); SettingError, in words, for anything else."""
    ids: set[int] = set()
    for part in text.replace(" ", "").split(","):
        m = _RANGE.match(part)
        if not m:
            raise SettingError(f"Cannot read the shards {text!r}. {HELP}")
        low, high = int(m[1]), int(m[2] if m[2] is not None else m[1])
        if high < low:
            raise SettingError(f"The shard range {part!r} runs backwards. {HELP}")
        ids.update(range(low, high + 1))
    return tuple(sorted(ids))


@dataclass(frozen=True, slots=True)
class Sharding:
    """This process's shards; `ids` None: all of them (discord.py picks the count)."""

    ids: tuple[int, ...] | None = None
    count: int | None = None

    @classmethod
    def of(cls, shards: str | None, count: int | None) -> "Sharding":
        if shards is None and count is None:
            return cls()
        if shards is None or count is None:
            raise SettingError("Give --shards and --shard-count together (or neither). " + HELP)
        if count < 1:
            raise SettingError(f"--shard-count must be at least 1; got {count}.")
        ids = parse_shards(shards)
        outside = [i for i in ids if i >= count]
        if outside:
            raise SettingError(
                f"Shard {outside[0]} does not exist with --shard-count {count}: shards are numbered 0 to {count - 1}."
            )
        return cls(ids, count)

    def owns(self, workspace: str) -> bool:
        """Is the guild `workspace` (its id as text) served by this process?"""
        if self.ids is None:
            return True
        return workspace.isdigit() and shard_of(int(workspace), self.count or 1) in self.ids

    def describe(self) -> str:
        return "all shards" if self.ids is None else f"shards {','.join(map(str, self.ids))} of {self.count}"
