"""``python -m dateline``."""

from .cli import run

run()
