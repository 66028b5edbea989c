"""One measured `dvk consolidate`, in a process that imports only what the command imports.

bench.run starts it as `python -m bench.child <workspace>` and reads its stage timings from
stdout. It is apart from bench.run so that the generator's and the peers' imports (openpyxl's
writer, the e-mail builder, calamine) are not counted in the user's wall time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline import Office
from pipeline.cli import leave


def main(workspace: Path) -> None:
    run = Office.open(workspace).consolidate()
    run.publish()
    print(json.dumps({"timings": run.result.timings, "models": len(run.result.registrations)}))
    leave(0)  # as `dvk` ends (cli.run): the user's wall time does not include freeing the heap


if __name__ == "__main__":
    main(Path(sys.argv[1]))
