"""Where Hotseat keeps its state and how it reads settings, the same way for every command."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = REPO_ROOT / "state" / "hotseat.sqlite3"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


DB_URL_SCHEMES = ("postgresql://", "postgres://")


def is_db_url(target: str | os.PathLike) -> bool:
    """A PostgreSQL URL rather than a SQLite file path."""
    return isinstance(target, str) and target.strip().lower().startswith(DB_URL_SCHEMES)


def db_target(arg: str | os.PathLike | None = None) -> str | Path:
    """--db beats HOTSEAT_DB beats state/hotseat.sqlite3 in the repository: a PostgreSQL URL
    as given, anything else a SQLite file path."""
    raw = arg or os.environ.get("HOTSEAT_DB", "").strip()
    if not raw:
        return DEFAULT_DB
    return raw.strip() if is_db_url(raw) else Path(raw).expanduser()


def db_path(arg: str | os.PathLike | None = None) -> Path:
    """The SQLite file --db / HOTSEAT_DB names; for a PostgreSQL URL, the default file's place
    (only ever used to put files such as charts beside the database)."""
    target = db_target(arg)
    return target if isinstance(target, Path) else DEFAULT_DB


def load_env_file(path: str | os.PathLike = ".env") -> bool:
    """Read KEY=value lines from a .env file into the environment; real variables win.

    python-dotenv does the parsing (quotes, `export`, comments) so a token pasted from
    Slack's or Discord's settings page works as pasted.
    """
    from dotenv import load_dotenv

    return load_dotenv(Path(path), override=False)


class SettingError(ValueError):
    """A setting is missing or unreadable; the message names the variable and the fix."""


def env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingError(f"{name} must be on or off (1/0, true/false, yes/no); got {raw[:20]!r}.")


def env_number(name: str, default: float, *, low: float = 0.0, high: float = 1e9) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingError(f"{name} must be a number; got {raw[:20]!r}.") from None
    if not low <= value <= high:
        raise SettingError(f"{name} must be between {low:g} and {high:g}; got {value:g}.")
    return value


def require(name: str, why: str) -> str:
    """A required secret or id; never echoed back, only named."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise SettingError(f"{name} is not set. {why}")
    return value
