"""The trainer's loop in Discord, end to end: `/hotseat personas reload` and
`/hotseat personas upload file:<attachment>`, through the real discord.py client against
the loopback Discord (tests/discord_fakes.py), with roles from HOTSEAT_TRAINERS /
HOTSEAT_LEADS matched against user ids and the member's server roles."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest

from bot.core.service import HotseatService
from bot.frontends.roles import Roles
from bot.persona.library import Library
from bot.store.sqlite import Store
from discord_fakes import LEAD_ROLE, TRAINER_ROLE, user
from test_discord import ANA, BO, Bot, running
from test_roles import HOSTILE_LEAVES, broken, folder_with, line_of, persona_text, renamed, with_tests
from test_trainer_slack import BILLION_LAUGHS

TRAINER = user(700000000000000010, "Tess")  # a trainer by user id
ROLES = Roles(trainers=frozenset({TRAINER["id"], str(TRAINER_ROLE)}), leads=frozenset({str(LEAD_ROLE)}))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return folder_with(tmp_path, "double-billing", "late-delivery")


@pytest.fixture
async def bot(db, folder, clock, monkeypatch) -> AsyncIterator[Bot]:
    """The front end as `hotseat run discord` runs it, with trainers configured."""
    store = await Store.open(db)
    service = HotseatService(store, Library.load(folder), clock=clock, idle_timeout=600, max_turns=30)
    try:
        async with running(service, db, monkeypatch, roles=ROLES) as b:
            yield b
    finally:
        await store.close()


async def reload(bot: Bot, who: dict, roles: tuple[int, ...] = ()) -> dict:
    return await bot.answer(await bot.fake.slash(who, "personas reload", roles=roles), "the reload's answer")


async def upload(bot: Bot, who: dict, name: str, content: bytes, *, roles: tuple[int, ...] = (),
                 size: int | None = None) -> dict:
    token = await bot.fake.slash(who, "personas upload", roles=roles, files={"file": (name, content)},
                                 sizes={"file": size} if size is not None else None)
    return await bot.answer(token, "the upload's answer")


def report(answer: dict) -> str:
    assert answer["flags"] == 64, answer  # only the trainer sees it
    (embed,) = answer["embeds"]
    return f"{embed['title']}\n{embed['description']}"


# -- who may ---------------------------------------------------------------------------------
async def test_the_commands_sync_as_a_personas_subgroup(bot: Bot) -> None:
    sync = next(r for r in bot.fake.requests if r.method == "PUT")
    (group,) = sync.body
    personas = next(o for o in group["options"] if o["name"] == "personas")
    assert personas["type"] == 2 and [o["name"] for o in personas["options"]] == ["list", "reload", "upload"]
    (file,) = personas["options"][2]["options"]
    assert (file["name"], file["type"], file["required"]) == ("file", 11, True)


async def test_a_trainee_is_refused_privately_and_nothing_is_downloaded(bot: Bot) -> None:
    refusal = await reload(bot, ANA)
    assert refusal["flags"] == 64 and refusal["content"].startswith("Only trainers can reload personas")
    refusal = await upload(bot, ANA, "mine.yaml", persona_text("faulty-product").encode())
    assert refusal["flags"] == 64 and refusal["content"].startswith("Only trainers can upload personas")
    assert bot.fake.downloads == []


async def test_trainers_by_id_or_role_and_leads_by_role_may_reload(bot: Bot) -> None:
    assert report(await reload(bot, TRAINER)).startswith("Personas: done\nReloaded 2 persona(s).")
    assert "Reloaded 2" in report(await reload(bot, BO, roles=(TRAINER_ROLE,)))
    assert "Reloaded 2" in report(await reload(bot, ANA, roles=(LEAD_ROLE,)))


# -- reload ----------------------------------------------------------------------------------
async def test_reload_reports_problems_by_line_and_live_sessions_keep_their_version(bot: Bot, folder) -> None:
    thread_id = await bot.start(ANA)
    (folder / "double-billing.yaml").write_text(renamed(persona_text(), "Dana Reloaded"))
    bad = broken(persona_text("late-delivery"))
    (folder / "late-delivery.yaml").write_text(bad)
    text = report(await reload(bot, TRAINER))
    assert text.startswith("Personas: problems\nReloaded 2 persona(s).") and "Kept the previous version of late-delivery" in text
    assert f"• late-delivery.yaml line {line_of(bad, 'difficulty:')}: difficulty" in text

    (answer,) = await bot.say(ANA, thread_id, "I'm so sorry about the double charge, that's stressful.")
    assert answer["content"].startswith("**Dana Whitfield:**")  # the running session plays on unchanged
    new_thread = await bot.start(BO)
    assert bot.fake.posted(new_thread)[0]["embeds"][0]["title"] == "Practice: Dana Reloaded"
    listed = (await bot.answer(await bot.fake.slash(ANA, "personas list")))["embeds"][0]["description"]
    assert "Dana Reloaded" in listed and "Ruth Abernathy" in listed


# -- upload ----------------------------------------------------------------------------------
async def test_a_good_attachment_is_tested_saved_and_live(bot: Bot, folder) -> None:
    text = with_tests(persona_text("faulty-product"), HOSTILE_LEAVES)
    answer = report(await upload(bot, TRAINER, "tomasz.yaml", text.encode()))
    assert answer.startswith("Personas: done\nTomasz Nowak (faulty-product) is live, added for new sessions, "
                             "saved as faulty-product.yaml. Its 1 test(s) passed."), answer
    assert len(bot.fake.downloads) == 1 and (folder / "faulty-product.yaml").read_text() == text
    await bot.start(ANA, "faulty-product")  # playable at once


async def test_a_bad_attachment_is_refused_line_by_line_escaped_and_nothing_changes(bot: Bot, folder) -> None:
    bad = broken(persona_text("faulty-product")).replace("\nmood:", '\n"@everyone <@&1> **hi**": 1\nmood:', 1)
    answer = report(await upload(bot, BO, "tomasz.yaml", bad.encode(), roles=(TRAINER_ROLE,)))
    assert answer.startswith("Personas: problems\ntomasz.yaml was not accepted; nothing changed.")
    assert f"• line {line_of(bad, 'difficulty:')}: difficulty" in answer
    key_line = line_of(bad, '"@everyone')
    assert f"• line {key_line}: " in answer
    assert "@everyone" not in answer.replace("@\u200beveryone", "") and "\\*\\*hi\\*\\*" in answer  # inert
    assert sorted(p.name for p in folder.iterdir()) == ["double-billing.yaml", "late-delivery.yaml"]


async def test_hostile_yaml_and_huge_attachments_are_refused(bot: Bot, folder) -> None:
    answer = report(await upload(bot, TRAINER, "laughs.yaml", BILLION_LAUGHS))
    assert "anchors and aliases (& and \\*) are not allowed" in answer
    huge = await upload(bot, TRAINER, "huge.yml", b"x: 1\n", size=50 * 1024 * 1024)  # Discord says 50 MB
    assert huge["flags"] == 64 and "a persona file may be at most 256 KB, so it was not read" in huge["content"]
    assert len(bot.fake.downloads) == 1  # only the first was downloaded
    wrong = await upload(bot, TRAINER, "persona.json", b"{}")
    assert "is not a persona file: upload one .yaml file" in wrong["content"]
    assert sorted(p.name for p in folder.iterdir()) == ["double-billing.yaml", "late-delivery.yaml"]


async def test_help_names_the_trainer_commands(bot: Bot) -> None:
    fields = {f["name"]: f["value"] for f in (await bot.answer(await bot.fake.slash(ANA, "help")))["embeds"][0]["fields"]}
    assert "`/hotseat personas list`" in fields["Commands"]
    assert "`/hotseat personas reload`" in fields["For trainers"] and "`/hotseat personas upload file`" in fields["For trainers"]
