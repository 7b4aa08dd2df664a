"""Where sessions, turns, hints and debriefs are kept: SQLite by default (sqlite)."""
