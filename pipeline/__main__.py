"""Allow `python -m pipeline`, the same as the `dvk` command."""

from pipeline.cli import run

run()
