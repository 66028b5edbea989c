"""Allow `python -m pipeline`, the same as the `dvk` command."""

from pipeline.cli import run

# Guarded: on Windows each reader process starts by importing this module again (spawn).
if __name__ == "__main__":
    run()
