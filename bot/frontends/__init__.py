"""Front ends: the console, Slack and Discord adapters, and what they share (the contract in
adapter, the chat command table, dedupe)."""
