"""The leak guard: secret-like values found in scenarios and rendered pages, reported without their value."""
