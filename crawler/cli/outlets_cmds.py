"""Commands of this group are registered in COMMANDS."""

COMMANDS: list = []
