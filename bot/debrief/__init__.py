"""What a trainee reads when a conversation ends: the score, its dimensions, quoted lines and tips (scoring), and the hints and notes behind them (coaching)."""
