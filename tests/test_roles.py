"""The platform-neutral half of the trainer's loop: roles from settings, the library's
reload, and the desk that checks an upload, saves it and swaps it in (tests/test_trainer_slack.py
and tests/test_trainer_discord.py drive the same through the chat fakes)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.config import SettingError
from bot.core.service import HotseatService
from bot.frontends import trainer
from bot.frontends.discord.settings import DiscordSettings
from bot.frontends.roles import Role, Roles, parse_ids
from bot.frontends.slack.settings import SlackSettings
from bot.frontends.trainer import NOT_TRAINER_RELOAD, NOT_TRAINER_UPLOAD, NotATrainer, PersonaDesk
from bot.persona.library import Library
from conftest import begin, opened, said

SHIPPED = Path(__file__).resolve().parent.parent / "personas"


def persona_text(persona_id: str = "double-billing") -> str:
    return (SHIPPED / f"{persona_id}.yaml").read_text(encoding="utf-8")


def renamed(text: str, name: str) -> str:
    """The same persona with another customer name: an edit a trainer might make."""
    return re.sub(r"(?m)^name: .*$", f"name: {name}", text, count=1)


def broken(text: str) -> str:
    """The same persona with a mistake on its difficulty line."""
    return re.sub(r"(?m)^difficulty: .*$", "difficulty: 9", text, count=1)


HOSTILE = ["Calm down, it's not my fault, you must have clicked it twice.", "That's just our policy, nothing I can do.",
           "Stop shouting at me.", "Whatever. Not my problem.", "I said no.", "Calm down!"]
HOSTILE_LEAVES = "tests:\n  - name: a hostile agent does not resolve it\n    lines:\n" + "".join(
    f"      - {line!r}\n" for line in HOSTILE) + "    outcome: [escalated, customer_left, unfinished]\n"
HOSTILE_RESOLVES = HOSTILE_LEAVES.replace("does not resolve", "resolves").replace(
    "[escalated, customer_left, unfinished]", "resolved")


def with_tests(text: str, tests: str) -> str:
    """The persona with `tests` as its only tests: section (a shipped one's own is dropped)."""
    text = re.sub(r"(?ms)^tests:.*?(?=^[A-Za-z_]+:|\Z)", "", text)
    return text.rstrip("\n") + "\n\n" + tests


def line_of(text: str, prefix: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(prefix))


def folder_with(tmp_path: Path, *ids: str) -> Path:
    folder = tmp_path / "personas"
    folder.mkdir()
    for pid in ids:
        shutil.copy(SHIPPED / f"{pid}.yaml", folder / f"{pid}.yaml")
    return folder


# -- roles ---------------------------------------------------------------------------------------
def test_ids_parse_from_commas_spaces_and_pasted_mentions() -> None:
    raw = " U0ANA, W0BO S0TRAINERS;<@U0CY> <!subteam^S0LEADS|@leads> 123456789012345678,<@&223456789012345678>"
    assert parse_ids(raw, "HOTSEAT_TRAINERS") == {
        "U0ANA", "W0BO", "S0TRAINERS", "U0CY", "S0LEADS", "123456789012345678", "223456789012345678"}
    assert parse_ids("", "X") == frozenset() and parse_ids(None, "X") == frozenset()


@pytest.mark.parametrize("raw", ["@ana", "ana", "U0ANA, bo", "<@ana>"])
def test_a_name_instead_of_an_id_stops_start_up_naming_the_variable(raw: str) -> None:
    with pytest.raises(SettingError, match="HOTSEAT_LEADS") as e:
        parse_ids(raw, "HOTSEAT_LEADS")
    assert "docs/trainers.md" in str(e.value)


def test_role_of_by_id_or_group_and_lead_wins() -> None:
    roles = Roles(trainers=frozenset({"U0ANA", "S0TRAINERS", "42424242424"}), leads=frozenset({"U0LEAD", "S0LEADS"}))
    assert roles.role_of("U0ANA") is Role.TRAINER
    assert roles.role_of("U0BO") is Role.TRAINEE
    assert roles.role_of("U0BO", ["S0TRAINERS"]) is Role.TRAINER
    assert roles.role_of("U0ANA", ["S0LEADS"]) is Role.LEAD and roles.role_of("U0LEAD") is Role.LEAD
    assert roles.role_of("777777777777", ["42424242424"]) is Role.TRAINER  # a Discord role
    assert roles.slack_groups == {"S0TRAINERS", "S0LEADS"}
    assert Role.LEAD.manages_personas and Role.TRAINER.manages_personas and not Role.TRAINEE.manages_personas
    assert not Roles() and Roles().role_of("U0ANA") is Role.TRAINEE  # nobody listed: everyone a trainee


def test_both_front_ends_read_the_roles_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("HOTSEAT_TRAINERS", "U0ANA,S0TRAINERS,123456789012345678")
    monkeypatch.setenv("HOTSEAT_LEADS", "U0LEAD")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    expected = Roles(frozenset({"U0ANA", "S0TRAINERS", "123456789012345678"}), frozenset({"U0LEAD"}))
    assert SlackSettings.from_env().roles == expected
    assert DiscordSettings.from_env().roles == expected
    monkeypatch.setenv("HOTSEAT_TRAINERS", "ana")
    with pytest.raises(SettingError, match="HOTSEAT_TRAINERS"):
        DiscordSettings.from_env()


# -- the library's reload ------------------------------------------------------------------------
def test_reload_reads_everything_then_keeps_the_old_version_of_a_broken_file(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "double-billing", "late-delivery", "faulty-product")
    old = Library.load(folder)
    (folder / "double-billing.yaml").write_text(renamed(persona_text(), "Dana Renamed"))
    bad = broken(persona_text("late-delivery"))
    (folder / "late-delivery.yaml").write_text(bad)
    (folder / "faulty-product.yaml").unlink()
    shutil.copy(SHIPPED / "manager-demand.yaml", folder / "manager-demand.yaml")

    new, problems = old.reloaded()
    assert new is not old and old.personas["double-billing"].name == "Dana Whitfield"  # the old one is untouched
    assert new.personas["double-billing"].name == "Dana Renamed"
    assert new.personas["late-delivery"] is old.personas["late-delivery"]  # broken now: the old version stays
    assert "faulty-product" not in new.personas and "manager-demand" in new.personas
    assert [(Path(p.file).name, p.line) for p in problems] == [("late-delivery.yaml", line_of(bad, "difficulty:"))]
    assert new.sources == old.sources == (folder,)


def test_reload_of_a_folder_that_is_gone_changes_nothing(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "double-billing")
    old = Library.load(folder)
    shutil.rmtree(folder)
    new, problems = old.reloaded()
    assert new is old and problems and "no such file or folder" in problems[0].message


# -- the desk ------------------------------------------------------------------------------------
@pytest.fixture
async def desk(tmp_path: Path, service: HotseatService):
    folder = folder_with(tmp_path, "double-billing", "late-delivery")
    service.swap_library(Library.load(folder))
    return PersonaDesk(service)


async def test_only_trainers_and_leads_may_reload_or_upload(desk: PersonaDesk) -> None:
    with pytest.raises(NotATrainer, match=re.escape(NOT_TRAINER_RELOAD)):
        await desk.reload(Role.TRAINEE)
    with pytest.raises(NotATrainer, match=re.escape(NOT_TRAINER_UPLOAD)):
        await desk.upload(Role.TRAINEE, "x.yaml", persona_text().encode())
    assert (await desk.reload(Role.LEAD)).ok


async def test_an_upload_is_saved_atomically_and_goes_live(desk: PersonaDesk) -> None:
    folder = desk.service.library.folder()
    text = persona_text("faulty-product")
    report = await desk.upload(Role.TRAINER, "../../etc/faulty.yaml", text.encode())
    assert report.ok and "saved as faulty-product.yaml" in report.headline, report
    assert (folder / "faulty-product.yaml").read_text() == text  # named by its id, in the folder, never by the path
    assert sorted(p.name for p in folder.iterdir()) == ["double-billing.yaml", "faulty-product.yaml", "late-delivery.yaml"]
    assert desk.service.library.get("faulty-product").source == folder / "faulty-product.yaml"
    # an update goes over the file it came from, whatever the upload is called
    report = await desk.upload(Role.TRAINER, "dana-v2.yml", renamed(persona_text(), "Dana Two").encode())
    assert report.ok and "updated" in report.headline and not (folder / "dana-v2.yml").exists()
    assert "Dana Two" in (folder / "double-billing.yaml").read_text()
    assert Library.load(folder).personas["double-billing"].name == "Dana Two"  # survives a restart


async def test_a_bad_upload_lists_every_problem_by_line_and_changes_nothing(desk: PersonaDesk) -> None:
    folder = desk.service.library.folder()
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    library = desk.service.library
    bad = broken(persona_text("faulty-product"))
    report = await desk.upload(Role.TRAINER, "faulty.yaml", bad.encode())
    assert not report.ok and "faulty.yaml was not accepted" in report.headline
    assert report.lines[0].startswith(f"line {line_of(bad, 'difficulty:')}: difficulty")
    assert desk.service.library is library and {p.name: p.read_bytes() for p in folder.iterdir()} == before
    for data, why in ((b"\xff\xfe" + "id: x".encode("utf-16-le"), "not utf-8"),
                      (b"a: &a [x]\nb: *a\n", "anchor")):
        report = await desk.upload(Role.TRAINER, "x.yaml", data)
        assert not report.ok and why in " ".join(report.lines).lower(), report


async def test_names_and_sizes_are_refused_before_reading(desk: PersonaDesk) -> None:
    from bot.core.errors import HotseatError

    with pytest.raises(HotseatError, match="not a persona file"):
        desk.check_upload(Role.TRAINER, "persona.txt", 10)
    with pytest.raises(HotseatError, match="at most 256 KB"):
        desk.check_upload(Role.TRAINER, "persona.yaml", 10 * 1024 * 1024)
    with pytest.raises(HotseatError, match="at most 256 KB"):
        await desk.upload(Role.TRAINER, "persona.yaml", b"#" * (trainer.MAX_UPLOAD + 1))


async def test_a_folder_that_cannot_be_written_is_said_plainly(desk: PersonaDesk, monkeypatch) -> None:
    def refuse(target: Path, text: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(trainer, "_write_atomically", refuse)
    report = await desk.upload(Role.TRAINER, "faulty.yaml", persona_text("faulty-product").encode())
    assert report.ok and "NOT saved" in report.headline and "Permission denied" in report.headline
    assert "gone after a restart" in report.headline
    assert "faulty-product" in desk.service.library.personas


async def test_a_files_own_tests_must_pass_before_it_goes_live(desk: PersonaDesk) -> None:
    folder = desk.service.library.folder()
    good = with_tests(persona_text("faulty-product"), HOSTILE_LEAVES)
    report = await desk.upload(Role.TRAINER, "faulty.yaml", good.encode())
    assert report.ok and "Its 1 test(s) passed" in report.headline, report
    assert (folder / "faulty-product.yaml").exists()

    failing = with_tests(persona_text("manager-demand"), HOSTILE_RESOLVES)
    report = await desk.upload(Role.TRAINER, "manager.yaml", failing.encode())
    assert not report.ok and "1 of its 1 tests failed" in report.headline, report
    (line,) = report.lines
    assert line.startswith(f"'a hostile agent resolves it' (line {line_of(failing, '  - name: a hostile')}): outcome")
    assert "manager-demand" not in desk.service.library.personas and not (folder / "manager-demand.yaml").exists()

    malformed = with_tests(persona_text("manager-demand"), "tests:\n  - name: no lines\n    outcome: resolved\n")
    report = await desk.upload(Role.TRAINER, "manager.yaml", malformed.encode())
    assert not report.ok and "tests: section has problems" in report.headline and "lines" in report.lines[0]


# -- the service ---------------------------------------------------------------------------------
async def test_a_live_session_keeps_the_persona_it_started_with(tmp_path: Path, service: HotseatService, who) -> None:
    folder = folder_with(tmp_path, "double-billing")
    service.swap_library(Library.load(folder))
    events = await begin(service, who, "double-billing", thread="C1/1.0")
    assert opened(events).persona.name == "Dana Whitfield"
    (folder / "double-billing.yaml").write_text(renamed(persona_text(), "Dana Reloaded"))
    new, _ = service.library.reloaded()
    service.swap_library(new)
    reply = said(await service.reply(who, "I'm so sorry about the double charge.", thread="C1/1.0"))
    assert reply.persona.name == "Dana Whitfield"  # the running conversation is unchanged
    other = who.__class__("T1", "C2", "U2", "Bo")
    assert opened(await begin(service, other, "double-billing")).persona.name == "Dana Reloaded"
