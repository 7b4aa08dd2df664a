"""Settings read from the environment or a .env file, with errors that name the fix."""

import logging

import pytest

from bot import logs
from bot.config import SettingError, env_flag, env_number, load_env_file, require


def test_a_dotenv_file_fills_gaps_but_real_variables_win(tmp_path, monkeypatch) -> None:
    env = tmp_path / ".env"
    env.write_text('# tokens\nexport HS_TEST_A="xoxb-1 2"\nHS_TEST_B=from-file\n', encoding="utf-8")
    monkeypatch.delenv("HS_TEST_A", raising=False)
    monkeypatch.setenv("HS_TEST_B", "from-shell")
    assert load_env_file(env)
    import os

    assert os.environ["HS_TEST_A"] == "xoxb-1 2" and os.environ["HS_TEST_B"] == "from-shell"
    monkeypatch.delenv("HS_TEST_A")
    assert not load_env_file(tmp_path / "missing.env")


def test_flags_numbers_and_required_values(monkeypatch) -> None:
    monkeypatch.setenv("HS_FLAG", "Off")
    assert env_flag("HS_FLAG", True) is False
    monkeypatch.setenv("HS_FLAG", "maybe")
    with pytest.raises(SettingError, match="HS_FLAG must be on or off"):
        env_flag("HS_FLAG", True)
    monkeypatch.setenv("HS_NUM", "9")
    with pytest.raises(SettingError, match="between 0 and 5"):
        env_number("HS_NUM", 1, high=5)
    monkeypatch.delenv("HS_TOKEN", raising=False)
    with pytest.raises(SettingError, match="HS_TOKEN is not set. Paste it"):
        require("HS_TOKEN", "Paste it from the app page.")


@pytest.fixture
def root_logging():
    saved = logging.getLogger().handlers[:]
    yield
    logging.getLogger().handlers[:] = saved


def test_logs_never_carry_a_token(capsys, root_logging) -> None:
    redact = logs.setup(secrets=["my-signing-secret-123"])
    log = logging.getLogger("hotseat.test")
    log.warning("posting with xoxb-1234567890-abcdefghij and my-signing-secret-123")
    try:
        raise RuntimeError("bad auth for xapp-1-A0123456789-secret")
    except RuntimeError:
        log.exception("failed")
    err = capsys.readouterr().err
    assert "xoxb-1234567890" not in err and "my-signing-secret" not in err and "xapp-1-A012" not in err
    assert "posting with [redacted] and [redacted]" in err and "bad auth for [redacted]" in err
    assert redact.scrub("MTA0NTY3ODkwMTIzNDU2Nzg5.GhIjKl.abcdefghijklmnopqrstuvwxyz0123") == logs.REDACTED
