"""The trainer's loop in Slack, end to end: `/hotseat personas reload` and persona files
shared in a DM with the bot, through the real bolt app over signed HTTP against the
loopback Slack (tests/slack_fakes.py), with roles from HOTSEAT_TRAINERS / HOTSEAT_LEADS."""

from __future__ import annotations

import itertools
from pathlib import Path

import aiohttp
import pytest

from bot.core.service import HotseatService
from bot.frontends.slack.app import SlackFrontEnd
from bot.persona.library import Library
from bot.store.sqlite import Store
from slack_fakes import FakeSlack
from test_roles import HOSTILE_LEAVES, broken, folder_with, line_of, persona_text, renamed, with_tests
from test_slack import SECRET, Slack, serving, shown

TRAINER, GROUPIE, LEAD, TRAINEE = "U0TRAINER", "U0GROUPIE", "U0LEAD", "U1"
GROUP = "S0TRAINERS"
BILLION_LAUGHS = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
).encode()
_ts = itertools.count(1)


@pytest.fixture
async def fake():
    fake = await FakeSlack().start()
    fake.usergroups[GROUP] = [GROUPIE]
    yield fake
    await fake.stop()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return folder_with(tmp_path, "double-billing", "late-delivery")


@pytest.fixture
async def slack(db, folder, clock, fake, monkeypatch):
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SECRET,
                        "SLACK_API_URL": fake.api_url, "HOTSEAT_SLACK_HOST": "127.0.0.1",
                        "HOTSEAT_TRAINERS": f"{TRAINER}, {GROUP}", "HOTSEAT_LEADS": LEAD}.items():
        monkeypatch.setenv(name, value)
    store = await Store.open(db)
    service = HotseatService(store, Library.load(folder), clock=clock, idle_timeout=600, max_turns=30)
    try:
        async with serving(SlackFrontEnd.from_env(http=True, port=0), service) as front, \
                aiohttp.ClientSession() as http:
            yield Slack(front, fake, http)
    finally:
        await store.close()


async def share(slack: Slack, user: str, name: str, content: bytes, *, size: int | None = None) -> str:
    """`user` shares a file in their DM with Hotseat (a message.im file_share event); the DM's id."""
    stub = slack.fake.share(name, content, size=size)
    ts = f"1800000100.{next(_ts):06d}"
    channel = f"D{user}"
    await slack.event({"type": "message", "subtype": "file_share", "user": user, "text": "", "ts": ts,
                       "channel": channel, "channel_type": "im", "files": [stub], "event_ts": ts})
    return channel


async def dm_answer(slack: Slack, channel: str, count: int = 1) -> str:
    return (await slack.fake.wait_for("chat.postMessage", channel=channel, count=count)).args["text"]


async def private_answer(slack: Slack, text: str, user: str, count: int) -> str:
    await slack.command(text, user=user)
    return (await slack.fake.wait_for("response_url", count=count)).args["text"]


# -- who may ---------------------------------------------------------------------------------
async def test_a_trainee_is_refused_and_nothing_is_fetched(slack: Slack) -> None:
    refusal = await private_answer(slack, "personas reload", TRAINEE, 1)
    assert refusal.startswith("Only trainers can reload personas") and "HOTSEAT_TRAINERS" in refusal
    dm = await share(slack, TRAINEE, "mine.yaml", persona_text("faulty-product").encode())
    assert (await dm_answer(slack, dm)).startswith("Only trainers can upload personas")
    assert slack.fake.called("files.info") == [] and slack.fake.downloads == []


async def test_members_of_a_trainer_user_group_may_reload_and_slack_is_asked_once(slack: Slack) -> None:
    for n in (1, 2):
        assert ":white_check_mark: Reloaded 2 persona(s)." in await private_answer(slack, "personas reload", GROUPIE, n)
    assert len(slack.fake.called("usergroups.users.list", usergroup=GROUP)) == 1  # cached
    assert "Reloaded" in await private_answer(slack, "personas reload", LEAD, 3)


async def test_a_user_group_slack_will_not_list_is_named_in_the_refusal(slack: Slack) -> None:
    slack.fake.fail("usergroups.users.list", "missing_scope")
    refusal = await private_answer(slack, "personas reload", GROUPIE, 1)
    assert refusal.startswith("Only trainers") and f"user group {GROUP}" in refusal and "usergroups:read" in refusal


# -- reload ----------------------------------------------------------------------------------
async def test_reload_reports_problems_by_line_and_live_sessions_keep_their_version(slack: Slack, folder) -> None:
    thread = await slack.start("double-billing", user=TRAINEE)
    (folder / "double-billing.yaml").write_text(renamed(persona_text(), "Dana Reloaded"))
    bad = broken(persona_text("late-delivery"))
    (folder / "late-delivery.yaml").write_text(bad)

    report = await private_answer(slack, "personas reload", TRAINER, 1)
    assert report.startswith(":warning: Reloaded 2 persona(s).") and "Kept the previous version of late-delivery" in report
    assert f"• late-delivery.yaml line {line_of(bad, 'difficulty:')}: difficulty" in report

    answer = await slack.reply(TRAINEE, thread, "I'm so sorry about the double charge, that's stressful.")
    assert answer.args["text"].startswith("*Dana Whitfield:*")  # the running session plays on unchanged
    await slack.start("double-billing", user="U2", channel="C2")
    opening = slack.fake.called("chat.postMessage", channel="C2")[0]
    assert "Dana Reloaded" in shown(opening.args["blocks"])  # new sessions get the new version
    picker = await private_answer(slack, "personas", TRAINEE, 2)
    assert picker == "The customers you can practise with"
    listed = shown(slack.fake.called("response_url")[-1].args["blocks"])
    assert "Dana Reloaded" in listed and "Ruth Abernathy" in listed  # the broken file's old version stays


async def test_personas_takes_only_reload_or_upload(slack: Slack) -> None:
    assert "`personas` takes `reload` or `upload`" in await private_answer(slack, "personas frobnicate", TRAINER, 1)
    assert "share its .yaml file in a direct message" in await private_answer(slack, "personas upload", TRAINER, 2)


# -- upload ----------------------------------------------------------------------------------
async def test_a_good_file_is_downloaded_with_the_bot_token_tested_saved_and_live(slack: Slack, folder) -> None:
    text = with_tests(persona_text("faulty-product"), HOSTILE_LEAVES)
    dm = await share(slack, TRAINER, "tomasz.yaml", text.encode())
    answer = await dm_answer(slack, dm)
    assert answer.startswith(":white_check_mark: Tomasz Nowak (faulty-product) is live, added for new sessions, "
                             "saved as faulty-product.yaml. Its 1 test(s) passed."), answer
    ((file_id, auth),) = slack.fake.downloads
    assert auth == "Bearer xoxb-test-token" and slack.fake.called("files.info", file=file_id)
    assert (folder / "faulty-product.yaml").read_text() == text
    await slack.start("faulty-product", user=TRAINEE)  # playable at once


async def test_a_bad_file_is_refused_line_by_line_escaped_and_nothing_changes(slack: Slack, folder) -> None:
    before = sorted(p.name for p in folder.iterdir())
    bad = broken(persona_text("faulty-product")).replace("\nmood:", '\n"<!channel> hi": 1\nmood:', 1)
    dm = await share(slack, GROUPIE, "tomasz.yaml", bad.encode())
    answer = await dm_answer(slack, dm)
    assert answer.startswith(":warning: tomasz.yaml was not accepted; nothing changed.")
    key_line = line_of(bad, '"<!channel>')
    assert f"• line {key_line}: " in answer
    assert f"• line {line_of(bad, 'difficulty:')}: difficulty" in answer
    assert "&lt;!channel&gt;" in answer and "<!channel>" not in answer  # quoted, never a ping
    assert sorted(p.name for p in folder.iterdir()) == before
    assert "faulty-product" not in slack.front.handler.service.library.personas


async def test_hostile_yaml_and_huge_files_are_refused(slack: Slack, folder) -> None:
    dm = await share(slack, TRAINER, "laughs.yaml", BILLION_LAUGHS)
    assert "anchors and aliases (&amp; and *) are not allowed" in await dm_answer(slack, dm)
    await share(slack, TRAINER, "huge.yaml", b"x: 1\n", size=50 * 1024 * 1024)  # Slack says it is 50 MB
    answer = await dm_answer(slack, dm, 2)
    assert "is 51,200 KB; a persona file may be at most 256 KB, so it was not read" in answer
    assert len(slack.fake.downloads) == 1  # never downloaded
    await share(slack, TRAINER, "liar.yaml", b"#" * (1024 * 1024), size=10)  # claims 10 bytes, sends 1 MB
    assert "larger than 256 KB" in await dm_answer(slack, dm, 3)
    assert sorted(p.name for p in folder.iterdir()) == ["double-billing.yaml", "late-delivery.yaml"]


async def test_a_file_that_is_not_yaml_is_not_an_upload(slack: Slack) -> None:
    stub = slack.fake.share("photo.png", b"\x89PNG")
    await slack.event({"type": "message", "subtype": "file_share", "user": TRAINER, "text": "look", "ts": "1.5",
                       "channel": f"D{TRAINER}", "channel_type": "im", "files": [stub], "event_ts": "1.5"})
    answer = await dm_answer(slack, f"D{TRAINER}")
    assert "no practice conversation running" in answer and slack.fake.called("files.info") == []


def test_the_manifest_asks_for_what_uploads_and_user_groups_need() -> None:
    import yaml

    manifest = yaml.safe_load((Path(__file__).parent.parent / "slack" / "manifest.yaml").read_text())
    assert {"files:read", "usergroups:read", "im:history"} <= set(manifest["oauth_config"]["scopes"]["bot"])
    assert "message.im" in manifest["settings"]["event_subscriptions"]["bot_events"]
