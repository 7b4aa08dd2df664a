"""Who may change what trainees practise with: trainers and leads, named by id in settings.

Kept platform-neutral so Slack and Discord agree on what a role allows. Ids are whatever
the platform uses: Slack user ids (`U…`, `W…`) and user groups (`S…`), Discord user and role
ids (numbers). Discord user and role ids never collide (snowflakes are unique across
kinds), so one list holds both; one `.env` may even list Slack and Discord ids together,
each platform matching only its own. Everyone not listed is a trainee.
"""

from __future__ import annotations

import enum
import os
import re
from dataclasses import dataclass
from typing import Iterable

from bot.config import SettingError

TRAINERS_VAR = "HOTSEAT_TRAINERS"
LEADS_VAR = "HOTSEAT_LEADS"

# A Slack id (user U/W, user group S), a Discord snowflake, or either pasted as a mention:
# `<@U123>`, `<!subteam^S123>`, `<@123>`, `<@&123>`.
_SLACK_ID = re.compile(r"^[UWS][A-Z0-9]{2,}$")
_SNOWFLAKE = re.compile(r"^\d{5,20}$")
_MENTION = re.compile(r"^<(?:@&?|@!|!subteam\^)([A-Za-z0-9]+)(?:\|[^>]*)?>$")


class Role(str, enum.Enum):
    TRAINEE = "trainee"
    TRAINER = "trainer"
    LEAD = "lead"  # a trainer who leads the team: everything a trainer may do

    @property
    def manages_personas(self) -> bool:
        return self in (Role.TRAINER, Role.LEAD)


def parse_ids(raw: str | None, name: str) -> frozenset[str]:
    """`U0ABC, S0TEAM <@&123456789012>` -> {'U0ABC', 'S0TEAM', '123456789012'}.

    A name or a typo (`@ana`, `ana`) would silently grant nobody, so it stops start-up
    with the variable and the token named instead.
    """
    ids: set[str] = set()
    for token in re.split(r"[\s,;]+", raw or ""):
        if not token:
            continue
        mention = _MENTION.match(token)
        value = mention.group(1) if mention else token
        if not (_SLACK_ID.match(value) or _SNOWFLAKE.match(value)):
            raise SettingError(
                f"{name} lists ids separated by commas: Slack user ids (U…) or user group ids (S…), "
                f"Discord user or role ids (numbers). {token[:40]!r} is neither. "
                "See docs/trainers.md for where to find them."
            )
        ids.add(value)
    return frozenset(ids)


@dataclass(frozen=True, slots=True)
class Roles:
    trainers: frozenset[str] = frozenset()
    leads: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls) -> "Roles":
        return cls(parse_ids(os.environ.get(TRAINERS_VAR), TRAINERS_VAR), parse_ids(os.environ.get(LEADS_VAR), LEADS_VAR))

    @property
    def slack_groups(self) -> frozenset[str]:
        """The Slack user groups named, whose members Slack must be asked for."""
        return frozenset(i for i in self.trainers | self.leads if i.startswith("S") and _SLACK_ID.match(i))

    def role_of(self, user: str, groups: Iterable[str] = ()) -> Role:
        """The highest role `user` has, directly or through one of `groups` (Slack user
        groups they belong to, Discord roles they hold)."""
        mine = {str(user), *map(str, groups)}
        if mine & self.leads:
            return Role.LEAD
        if mine & self.trainers:
            return Role.TRAINER
        return Role.TRAINEE

    def __bool__(self) -> bool:
        return bool(self.trainers or self.leads)
