import pytest

from bot.frontends import chat_commands as commands
from bot.core.errors import HotseatError


def test_typed_commands_parse_with_their_arguments() -> None:
    assert commands.parse("") == commands.Invocation("help", ())
    assert commands.parse("  START  double-billing ") == commands.Invocation("start", ("double-billing",))


def test_an_unknown_command_suggests_the_near_one() -> None:
    with pytest.raises(HotseatError, match="Did you mean `leaderboard`"):
        commands.parse("leaderbord")
    with pytest.raises(HotseatError) as e:
        commands.parse("x" * 500)
    assert len(str(e.value)) < 200  # the junk is not echoed back whole


@pytest.mark.parametrize(
    "args, expected",
    [((), ("week", None)), (("month",), ("month", None)), (("double-billing", "ALL"), ("all", "double-billing"))],
)
def test_leaderboard_takes_period_and_persona_in_any_order(args, expected) -> None:
    assert commands.leaderboard_args(args) == expected


def test_leaderboard_refuses_two_personas() -> None:
    with pytest.raises(HotseatError):
        commands.leaderboard_args(("a", "b"))


def test_only_a_bare_word_in_a_thread_is_a_command() -> None:
    assert commands.in_thread_word(" Hint ") == "hint"
    assert commands.in_thread_word("end.") == "end"
    assert commands.in_thread_word("I will end this today") is None


def test_help_lists_every_command_once() -> None:
    """Every command a trainee or a lead may type is known to the parser once; a lead
    command may share a trainee command's name (`stats @trainee`) but not its usage."""
    everyone = [c.name for c in commands.COMMANDS]
    assert len(set(everyone)) == len(everyone) >= 7
    assert len(set(commands.NAMES)) == len(commands.NAMES) == len(set(everyone) | {c.name for c in commands.LEAD_COMMANDS})
    assert {"team", "export", "drill"} <= set(commands.NAMES) - set(everyone)  # for leads only
    assert all(c.summary.endswith(".") for c in (*commands.COMMANDS, *commands.LEAD_COMMANDS))
    for name in ("team", "export", "drill", "stats", "debrief"):
        assert commands.parse(name).name == name
