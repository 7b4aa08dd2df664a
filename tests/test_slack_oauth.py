"""Slack OAuth distribution (issue 13): many workspaces install Hotseat through /slack/install
and /slack/oauth_redirect, each gets its own bot token (kept in the database), plays with it,
and one uninstalling leaves the others alone. The real bolt app over signed HTTP on loopback,
the real service and SQLite, and the loopback fake playing Slack's install page,
oauth.v2.access and auth.test per token."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
import yaml

from bot.config import SettingError
from bot.frontends.slack.app import SlackFrontEnd
from bot.frontends.slack.settings import BOT_SCOPES, SlackSettings
import test_slack
from progress_seed import played
from slack_fakes import CLIENT_ID, CLIENT_SECRET, Call, FakeSlack
from test_slack import SECRET, Slack, _customer_line, _debrief, rows, serving, shown, sweep
from test_slack_inbox import front_end

fake = test_slack.fake  # the loopback Slack

STATE_COOKIE = "slack-app-oauth-state"
MANIFEST = Path(__file__).resolve().parent.parent / "slack" / "manifest.yaml"


@pytest.fixture
def oauth_env(monkeypatch, fake: FakeSlack):
    """OAuth mode: a client id and secret instead of a bot token, Slack's pages on the fake."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_REDIRECT_URI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET,
                        "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
                        "SLACK_AUTHORIZE_URL": fake.authorize_url, "HOTSEAT_SLACK_HOST": "127.0.0.1"}.items():
        monkeypatch.setenv(name, value)


class Workspace(Slack):
    """Slack as one workspace sends it: its team id on every payload, its bot in authorizations."""

    def __init__(self, front: SlackFrontEnd, fake: FakeSlack, http: aiohttp.ClientSession, team: str,
                 channel: str) -> None:
        super().__init__(front, fake, http)
        self.team, self.channel = team, channel

    async def command(self, text: str, *, user: str = "U1", name: str = "ana", channel: str | None = None,
                      team: str | None = None) -> tuple[int, str]:
        return await super().command(text, user=user, name=name, channel=channel or self.channel,
                                     team=team or self.team)

    async def event(self, event: dict, *, event_id: str | None = None, headers: dict | None = None) -> tuple[int, str]:
        body = {"token": "x", "team_id": self.team, "api_app_id": "A1", "type": "event_callback", "event": event,
                "event_id": event_id or f"Ev{self.team}{next(self._ids)}", "event_time": int(time.time()),
                "authorizations": [{"team_id": self.team, "user_id": f"UBOT{self.team}", "is_bot": True}]}
        return await self.post(json.dumps(body), "application/json", headers=headers)

    async def start(self, persona: str, *, user: str = "U1", name: str = "ana", channel: str | None = None) -> str:
        return await super().start(persona, user=user, name=name, channel=channel or self.channel)

    async def reply(self, user: str, thread_ts: str, text: str, *, channel: str | None = None, count: int = 1) -> Call:
        return await super().reply(user, thread_ts, text, channel=channel or self.channel, count=count)

    async def install(self) -> aiohttp.ClientResponse:
        """Add to Slack as a browser does it: /slack/install, Slack's page, back to the redirect URL."""
        return await install(self.front, self.fake, self.http, self.team)

    async def uninstalled(self) -> tuple[int, str]:
        """The workspace removes the app: Slack revokes the token, then sends app_uninstalled."""
        self.fake.uninstall(self.team)
        return await self.event({"type": "app_uninstalled", "event_ts": "1800000000.000001"})


async def install(front: SlackFrontEnd, fake: FakeSlack, http: aiohttp.ClientSession, team: str) -> aiohttp.ClientResponse:
    base = f"http://127.0.0.1:{front.port}"
    async with http.get(f"{base}/slack/install?team={team}", allow_redirects=False) as r:
        assert r.status == 302, await r.text()
        to_slack, state = r.headers["Location"], r.cookies[STATE_COOKIE].value
    asked = parse_qs(urlsplit(to_slack).query)
    assert to_slack.startswith(fake.authorize_url) and asked["state"] == [state] and asked["client_id"] == [CLIENT_ID]
    assert asked["scope"] == [",".join(BOT_SCOPES)]
    async with http.get(to_slack, allow_redirects=False) as r:  # the user presses Allow
        back = r.headers["Location"]
    async with http.get(back, headers={"Cookie": f"{STATE_COOKIE}={state}"}, allow_redirects=False) as r:
        await r.read()
        return r


@contextlib.asynccontextmanager
async def oauth_serving(service, fake: FakeSlack):
    """Hotseat in OAuth mode on a free port, with the fake's install page sending browsers back to it."""
    async with serving(SlackFrontEnd.from_env(http=True, port=0), service) as front, \
            aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        fake.redirect_uri = f"http://127.0.0.1:{front.port}/slack/oauth_redirect"
        yield front, http


def posted_in(fake: FakeSlack, channel: str) -> list[Call]:
    return fake.called("chat.postMessage", channel=channel)


async def test_two_workspaces_install_play_at_once_and_one_uninstalls(service, fake, oauth_env, db) -> None:
    async with oauth_serving(service, fake) as (front, http):
        one, two = Workspace(front, fake, http, "T1", "C1"), Workspace(front, fake, http, "T2", "C2")
        for workspace in (one, two):
            page = await workspace.install()
            assert page.status == 200 and "Hotseat is now installed in <b>Team " + workspace.team in await page.text()
        token1, token2 = fake.token_of("T1"), fake.token_of("T2")
        assert token1 != token2
        stored = await service.store.installation_get("bot", "", "T2")
        assert stored["bot_token"] == token2 and stored["bot_user_id"] == "UBOTT2"

        # the same trainee id in both (an Enterprise Grid user), one conversation in each, at once
        thread1, thread2 = await asyncio.gather(one.start("double-billing"), two.start("late-delivery"))
        answers = await asyncio.gather(one.reply("U1", thread1, "I'm so sorry, let me look into it."),
                                       two.reply("U1", thread2, "Thanks for waiting, I can help with that."))
        assert answers[0].args["text"].startswith("*Dana Whitfield:*")
        assert {c.token for c in posted_in(fake, "C1")} == {token1}  # each workspace hears only its own bot
        assert {c.token for c in posted_in(fake, "C2")} == {token2}
        assert rows(db, "SELECT workspace, channel, user, platform, status FROM sessions ORDER BY workspace") == [
            ("T1", "C1", "U1", "slack:oauth", "active"), ("T2", "C2", "U1", "slack:oauth", "active")]

        # T2 removes the app: its tokens go, its running session stays in the database
        status, _ = await two.uninstalled()
        assert status == 200
        assert await service.store.installation_get("bot", "", "T2") is None
        assert await service.store.installation_get("installation", "", "T2") is None
        assert (await service.store.installation_get("bot", "", "T1"))["bot_token"] == token1
        calls_before = len(fake.calls)
        status, _ = await two.say("U1", thread2, "Are you still there?", channel="C2")
        assert status == 200  # acknowledged, never a crash or a retry storm
        await asyncio.sleep(0.2)
        assert posted_in(fake, "C2") == [c for c in posted_in(fake, "C2") if fake.calls.index(c) < calls_before]
        assert not [c for c in fake.calls[calls_before:] if c.token == token2]

        # T1 plays on, with its own token, and its debrief arrives in its thread
        await one.reply("U1", thread1, "That's our mistake and I'll take care of it myself.", count=2)
        status, _ = await one.say("U1", thread1, "end")
        debrief = await fake.wait_for("chat.postMessage", channel="C1", thread_ts=thread1, where=_debrief)
        assert debrief.token == token1
        assert rows(db, "SELECT workspace, status FROM sessions ORDER BY workspace") == [("T1", "ended"), ("T2", "active")]

        # the idle sweep ends T2's session but posts nothing to a workspace that left
        service.clock.advance(service.idle_timeout + 60)
        calls_before = len(fake.calls)
        await sweep(front)
        assert rows(db, "SELECT workspace, status, end_reason FROM sessions ORDER BY workspace") == [
            ("T1", "ended", "ended"), ("T2", "ended", "timed_out")]
        assert not [c for c in fake.calls[calls_before:] if c.method == "chat.postMessage"]


async def test_each_workspace_knows_its_own_bot_and_a_revoked_token_is_forgotten(service, fake, oauth_env, db) -> None:
    async with oauth_serving(service, fake) as (front, http):
        one, two = Workspace(front, fake, http, "T1", "C1"), Workspace(front, fake, http, "T2", "C2")
        await one.install()
        await two.install()
        thread = await two.start("double-billing")
        # a message of T2's own bot in the thread (no bot_id, as some message events come) is not a turn,
        # and nobody is told it is not their conversation
        await two.say(fake.bot_user_of("T2"), thread, "Sorry, I did not catch that.", channel="C2")
        await two.say("U1", thread, "I'm so sorry, let me look into it.", channel="C2")
        await fake.wait_for("chat.postMessage", channel="C2", thread_ts=thread, where=_customer_line)
        assert fake.called("chat.postEphemeral") == [] and fake.called("response_url") == []
        assert [t for (t,) in rows(db, "SELECT trainee FROM turns")] == ["I'm so sorry, let me look into it."]

        # Slack revokes T1's bot token: its tokens go, T2's stay
        token1 = fake.token_of("T1")
        fake.uninstall("T1")
        status, _ = await one.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOTT1"]}})
        assert status == 200
        assert await service.store.installation_get("bot", "", "T1") is None
        assert await service.store.installation_get("bot", "", "T2") is not None
        calls_before = len(fake.calls)
        assert (await one.command("start double-billing"))[0] == 200
        told = await fake.wait_for("response_url")  # only the person who typed it hears why
        assert "not installed in this workspace any more" in told.args["text"]
        await asyncio.sleep(0.2)
        assert not [c for c in fake.calls[calls_before:] if c.method == "chat.postMessage" or c.token == token1]


async def test_the_idle_sweep_posts_each_debrief_with_its_workspace_token(service, fake, oauth_env) -> None:
    async with oauth_serving(service, fake) as (front, http):
        one, two = Workspace(front, fake, http, "T1", "C1"), Workspace(front, fake, http, "T2", "C2")
        await one.install()
        await two.install()
        thread1 = await one.start("double-billing")
        thread2 = await two.start("double-billing", user="U2", name="bo")
        service.clock.advance(service.idle_timeout + 60)
        assert await sweep(front) == 2
        for channel, thread, team in (("C1", thread1, "T1"), ("C2", thread2, "T2")):
            debrief = await fake.wait_for("chat.postMessage", channel=channel, thread_ts=thread, where=_debrief)
            assert debrief.token == fake.token_of(team)


async def test_leaderboards_and_history_stay_in_their_workspace(service, fake, oauth_env) -> None:
    now = service.clock()
    for team, user, name in (("T1", "U1", "ana"), ("T2", "U9", "zed")):
        for i in range(3):
            await played(service.store, workspace=team, user=user, name=name, persona_id="double-billing",
                         score=70 + i, ended_at=now - 3600 * (i + 1), platform="slack:oauth")
    async with oauth_serving(service, fake) as (front, http):
        for team, channel, own, other in (("T1", "C1", "ana", "zed"), ("T2", "C2", "zed", "ana")):
            workspace = Workspace(front, fake, http, team, channel)
            await workspace.install()
            await workspace.command("leaderboard all", user="U1" if team == "T1" else "U9", name=own)
            board = await fake.wait_for("response_url", where=lambda c, own=own: own in shown(c.args))
            assert other not in shown(board.args)


async def test_a_bad_used_or_expired_state_is_refused_with_a_page_that_says_why(service, fake, oauth_env) -> None:
    async with oauth_serving(service, fake) as (front, http):
        base = f"http://127.0.0.1:{front.port}/slack/oauth_redirect"

        async def back(state: str, cookie: str | None = None) -> tuple[int, str]:
            headers = {"Cookie": f"{STATE_COOKIE}={cookie or state}"}
            async with http.get(f"{base}?code=code-1&state={state}", headers=headers, allow_redirects=False) as r:
                return r.status, await r.text()

        status, page = await back("made-up")
        assert status == 401 and "expired or was already used" in page and 'href="/slack/install"' in page
        await service.store.oauth_state_put("old", time.time() - 1)  # issued more than ten minutes ago
        status, page = await back("old")
        assert status == 401 and "expired or was already used" in page
        status, page = await back("made-up", cookie="another")  # another browser's link
        assert status == 400 and "different browser" in page
        assert fake.called("oauth.v2.access", code="code-1") == []  # no code was traded for a token

        # a real install works once; the same link again is refused
        page = await install(front, fake, http, "T1")
        assert page.status == 200
        used = parse_qs(urlsplit(str(page.url)).query)["state"][0]
        status, page = await back(used)
        assert status == 401 and "expired or was already used" in page
        assert await service.store.installation_get("bot", "", "T1") is not None


async def test_a_restart_catches_up_each_workspace_with_its_own_token(service, fake, oauth_env, db) -> None:
    async with front_end(db, service, fake) as slack:  # OAuth mode, from the environment
        fake.redirect_uri = f"http://127.0.0.1:{slack.front.port}/slack/oauth_redirect"
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            one, two = Workspace(slack.front, fake, http, "T1", "C1"), Workspace(slack.front, fake, http, "T2", "C2")
            await one.install()
            await two.install()
            thread1, thread2 = await one.start("double-billing"), await two.start("double-billing")
    fake.hold("C1", thread1, "U1", "I'm so sorry about the double charge.", "1800000030.000100")
    fake.hold("C2", thread2, "U1", "I'm so sorry about the double charge.", "1800000030.000200")
    async with front_end(db, service, fake):  # the restart: caught up before serving
        for channel, thread, team in (("C1", thread1, "T1"), ("C2", thread2, "T2")):
            [read] = fake.called("conversations.replies", channel=channel)
            assert read.token == fake.token_of(team)
            [answer] = [c for c in fake.called("chat.postMessage", channel=channel, thread_ts=thread)
                        if _customer_line(c)]
            assert answer.token == fake.token_of(team)


async def test_single_token_mode_is_unchanged_by_oauth_support(service, fake, oauth_env, monkeypatch) -> None:
    """Without a client id and secret the bot token serves one workspace, as before."""
    monkeypatch.delenv("SLACK_CLIENT_ID")
    monkeypatch.delenv("SLACK_CLIENT_SECRET")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    async with serving(SlackFrontEnd.from_env(http=True, port=0), service) as front, aiohttp.ClientSession() as http:
        assert front.workspace == "T1"
        async with http.get(f"http://127.0.0.1:{front.port}/slack/install") as r:
            assert r.status in (404, 405)  # nothing to install: one workspace, one token
        slack = Slack(front, fake, http)
        thread = await slack.start("double-billing")
        await slack.reply("U1", thread, "I'm sorry, let me look into it.")
        assert {c.token for c in fake.called("chat.postMessage")} == {"xoxb-test-token"}


# -- settings --------------------------------------------------------------------------------
@pytest.mark.parametrize("missing", ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"])
def test_half_set_oauth_settings_name_the_missing_one(oauth_env, monkeypatch, missing) -> None:
    monkeypatch.delenv(missing)
    with pytest.raises(SettingError, match=f"{missing} is not set") as e:
        SlackSettings.from_env(http=True)
    assert "SLACK_BOT_TOKEN" in str(e.value)  # the other way to run it


def test_oauth_needs_http_and_no_bot_token(oauth_env, monkeypatch) -> None:
    with pytest.raises(SettingError, match="--http"):
        SlackSettings.from_env(http=False)
    settings = SlackSettings.from_env(http=True)
    assert settings.oauth and settings.bot_token == ""
    assert CLIENT_SECRET in settings.secrets and CLIENT_SECRET not in repr(settings)
    monkeypatch.setenv("SLACK_AUTHORIZE_URL", "slack.com/oauth")
    with pytest.raises(SettingError, match="SLACK_AUTHORIZE_URL must be an http"):
        SlackSettings.from_env(http=True)


async def test_a_wrong_client_secret_stops_start_up_with_a_fix(service, fake, oauth_env, monkeypatch) -> None:
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "not-the-secret")
    front = SlackFrontEnd.from_env(http=True, port=0)
    with pytest.raises(SettingError, match="Slack refused SLACK_CLIENT_ID or SLACK_CLIENT_SECRET"):
        await front.connect()


def test_an_install_asks_for_the_scopes_the_manifest_declares() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])


async def test_tokens_and_the_client_secret_never_reach_the_log(service, fake, oauth_env, caplog) -> None:
    caplog.set_level(logging.INFO)
    async with oauth_serving(service, fake) as (front, http):
        one = Workspace(front, fake, http, "T1", "C1")
        await one.install()
        await one.uninstalled()
        # bolt runs the listener after the ack: give it time to log before the server stops
        for _ in range(500):
            if "uninstalled from Slack workspace T1" in caplog.text:
                break
            await asyncio.sleep(0.01)
    assert "Hotseat was installed in Slack workspace Team T1" in caplog.text
    assert "uninstalled from Slack workspace T1" in caplog.text
    for secret in (CLIENT_SECRET, *fake.installed):
        assert secret not in caplog.text


async def test_drills_post_with_their_workspace_token_and_not_where_uninstalled(service, fake, oauth_env) -> None:
    import datetime as dt

    now = service.clock()
    hhmm = dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%H:%M")
    async with oauth_serving(service, fake) as (front, http):
        one, two = Workspace(front, fake, http, "T1", "C1"), Workspace(front, fake, http, "T2", "C2")
        await one.install()
        await two.install()
        await two.uninstalled()
        for team, channel in (("T1", "C1"), ("T2", "C2")):
            await played(service.store, workspace=team, user="U1", name="ana", persona_id="double-billing", score=55,
                         ended_at=now - 3600, channel=channel, platform="slack:oauth")
            await service.store.set_drill(team, channel, enabled=True, time=hhmm, set_by="ULEAD", now=now)
        await front.drills.tick()
        drill = await fake.wait_for("chat.postMessage", channel="C1", where=lambda c: "Drill of the day" in c.args["text"])
        assert drill.token == fake.token_of("T1")
        await asyncio.sleep(0.1)
        assert posted_in(fake, "C2") == []
