"""Where Hotseat keeps its state, resolved the same way by every command."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = REPO_ROOT / "state" / "hotseat.sqlite3"


def db_path(arg: str | os.PathLike | None = None) -> Path:
    """--db beats HOTSEAT_DB beats state/hotseat.sqlite3 in the repository."""
    if arg:
        return Path(arg).expanduser()
    env = os.environ.get("HOTSEAT_DB")
    return Path(env).expanduser() if env else DEFAULT_DB
