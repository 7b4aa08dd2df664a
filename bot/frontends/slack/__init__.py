"""Slack front end: slack-bolt listeners that turn Slack events into service calls and Block Kit."""
