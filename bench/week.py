"""A generated week for the benchmarks: `run.py demo-data` into a database file, as an operator would."""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_week(directory, events: int) -> tuple[str, float]:
    """Write a generated week of about `events` events into `directory`/week.db; return its path and the seconds it took."""
    db = os.path.join(directory, "week.db")
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "run.py"), "demo-data", "--db", db, "--events", str(events)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return db, time.perf_counter() - started
