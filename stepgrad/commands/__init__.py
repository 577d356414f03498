"""Subcommands of ``stepgrad``: each module defines ``add_parsers(subparsers)``."""
