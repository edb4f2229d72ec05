"""CLI sub-commands, one module per capability (see artcore.cli.COMMANDS)."""
