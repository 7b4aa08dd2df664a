"""Discord front end: discord.py app commands and thread messages turned into service calls and embeds."""
