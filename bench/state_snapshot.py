"""Measure what the server's state costs on a generated week: the first fold of a view, each later
state (what every push and every /api/state makes), and its size.

    python3 bench/state_snapshot.py [--events 100000] [--calls 200] [--root PATH]

A week of --events is written by the generator (control/weekgen.py) into a temporary database, then,
in this process, for the director's, a controller's, the screen's and a team's view: the first
`Exercise.state_for` (the fold of the whole log), the median of --calls more, and the JSON size of
the state.  --root PATH measures another checkout (e.g. the version before a change) on the same
terms.  Prints one small table; asserts nothing.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    sys.path.insert(0, args.root)
    from control.eventlog import EventLog
    from control.exercise import Exercise
    from control.scenario import load_scenario
    from control.weekgen import write_week

    scenario = load_scenario(Path(args.root) / "scenarios.json")
    with tempfile.TemporaryDirectory() as folder:
        log = EventLog(Path(folder) / "week.db")
        started = time.perf_counter()
        written = write_week(scenario, log, args.events)
        print(f"{args.root}: a week of {written} events written in {time.perf_counter() - started:.1f} s")
        exercise = Exercise(scenario, log)
        print("| view | first fold | state, median | state, JSON |")
        print("|---|---|---|---|")
        for role in ("director", "controller", "screen", f"team:{next(iter(scenario.teams))}"):
            started = time.perf_counter()
            state = exercise.state_for(role)
            first = time.perf_counter() - started
            times = []
            for _ in range(args.calls):
                started = time.perf_counter()
                exercise.state_for(role)
                times.append(time.perf_counter() - started)
            size = len(json.dumps(state, ensure_ascii=False).encode())
            print(f"| {role} | {first:.2f} s | {statistics.median(times) * 1000:.2f} ms | {size / 1000:.1f} kB |")
        log.close()


if __name__ == "__main__":
    main()
