"""Terminal practice, the front end that runs with no tokens (terminal), and plain-text rendering (render)."""
