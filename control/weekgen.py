"""Write a deterministic, realistic week of play into a log, through the one write path.

    python run.py demo-data --db week.db --events 100000

Every event goes through `Exercise.submit`, so it is checked like a real one; only the wall clock
is simulated.  The week follows the scenario's schedule: the clock starts on day 1, pauses for
lunch and the night, injects are released at their MSEL time (a few skipped or deferred), teams
move to the inject's site and answer it, observers rate them with notes, and the rest of the
events are the teams' ordinary actions and moves, their requests to control (answered within the
hour), observers' ratings, notes and bookmarks, with a few corrections and one safety alert a day.
"""

import random
import uuid
from datetime import UTC, datetime, timedelta

from .events import RATINGS
from .exercise import Exercise
from .timefmt import iso, parse_clock_time

# An observer's note reads as its rating does: praise for P (tagged a strength), problems for M and U
# (an area for improvement), both for S — so that a demonstration of the report reads true.
STRENGTH_NOTES = [
    "Team separated the presumed victim from the manager before talking to her.",
    "Good written briefing to the prosecutor, with sources and indicators.",
    "Financial investigator involved from the start: bank records requested at once.",
    "Labour inspector and police agreed roles before entering; workers were calm.",
    "Shelter called before the interview ended; the referral was ready when the victim left.",
]
MIXED_NOTES = [
    "Victims identified by indicators, but the rights leaflet was handed out in English only.",
    "Ledger seized and listed; the phones were left on the desk for an hour before anyone bagged them.",
    "Good questions to the workers; the team forgot to ask who holds their passports.",
    "Prosecutor briefed by phone, but nothing in writing until the evening.",
]
PROBLEM_NOTES = [
    "Interpreter arrived late; the interview started in broken English.",
    "Passports seized without a receipt; chain of custody at risk.",
    "No referral to the shelter before the team left the site.",
    "Child treated as an adult for twenty minutes before the age question was raised.",
    "The manager stayed in the room while the workers were questioned.",
]
NOTES = STRENGTH_NOTES + MIXED_NOTES + PROBLEM_NOTES  # staff notes and bookmarks: any of them
NOTE_FOR_RATING = {"P": STRENGTH_NOTES, "S": MIXED_NOTES, "M": PROBLEM_NOTES, "U": PROBLEM_NOTES}
TAG_FOR_RATING = {"P": "strength", "M": "improvement", "U": "improvement"}
# What each note is about: the theme an evaluator gives it when it is marked for the report.
NOTE_THEMES = dict(zip(STRENGTH_NOTES + MIXED_NOTES + PROBLEM_NOTES, (
    "Separating victims from controllers", "Briefing the prosecutor", "Financial investigation", "Joint entry",
    "Referral to support", "Victims' rights", "Seizure and chain of custody", "Interviewing", "Briefing the prosecutor",
    "Interpretation", "Seizure and chain of custody", "Referral to support", "Identifying children",
    "Separating victims from controllers"), strict=True))
REQUESTS = {"bank_records": "Transfers of the suspect's company, the last six months",
            "interpreter": "An interpreter for the workers, at the site",
            "warrant": "Authorisation to search the site office",
            "lab_result": "Are the seized passports genuine?",
            "embassy": "Identity check with the embassy for two workers"}
# The participants' comments in their evening questionnaires (feedback.py), by question id.
COMMENTS = {
    "best": ["The actors were convincing: the victim's fear felt real.", "Working with the labour inspector on site.",
             "The financial lead from the bank records.", "Interpreters were there when we needed them."],
    "change": ["Less waiting for the control cell's answers.", "More time for the interview, less for paperwork.",
               "Clearer radio procedure between the teams.", "Start the case earlier: we ran out of time."],
    "strengths": ["Police and NGOs trusted each other by day three.", "Victims were referred to support every time."],
    "improve": ["Agree who leads the interview before entering.", "A shared checklist for seizing documents."],
    "apply": ["Call the labour inspectorate in from the start.", "Brief the prosecutor in writing, the same day."],
}
ACTIONS = ["Talked to the site manager", "Recorded indicators in the case file", "Called the shelter",
           "Requested bank records through the prosecutor", "Seized phones and ledgers", "Briefed the prosecutor",
           "Asked the liaison officer for identity checks", "Checked wage slips against transfers"]


class WeekWriter:
    """Drive an Exercise over a simulated week; `now` is the simulated wall clock."""

    def __init__(self, scenario, log, events=100_000, seed=2026):
        self.scenario = scenario
        self.target = events
        self.random = random.Random(seed)
        self.moment = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
        self.exercise = Exercise(scenario, log, now=lambda: self.moment)
        self.ids = random.Random(seed + 1)
        self.late = random.Random(seed + 2)  # its own draws: the rest of the week stays as it was
        self.picks = random.Random(seed + 3)  # the evaluators' picks for the report, likewise
        self.answers = random.Random(seed + 4)  # the participants' questionnaire answers, likewise
        self.count = 0
        self.sites = {t: team["home_site"] for t, team in scenario.teams.items()}
        self.asked = []  # (wall time to answer at, request id): the control cell answers in 5–40 minutes of play

    def submit(self, role, by=None, **fields):
        fields["id"] = str(uuid.UUID(int=self.ids.getrandbits(128), version=4))
        self.moment += timedelta(milliseconds=1)  # ts strictly follows seq
        self.count += 1
        event = self.exercise.submit(fields, role, conn="generated", by=by).event
        if event["kind"] == "move":
            self.sites[event["team"]] = event["site"]
        return event

    def kept_offline(self) -> dict:
        """Now and then (1 in 20) a rating made on a phone out of Wi-Fi: observed 3–40 minutes before it arrives."""
        if self.late.random() >= 0.05:
            return {}
        observed = max(self.moment - timedelta(minutes=self.late.uniform(3, 40)), self.exercise.clock.history[-1][0])
        return {"observed_at": iso(observed)}  # not before the block began: the phone was in play

    def picked(self, rating, note) -> dict:
        """Now and then (1 in 25 of the tagged ratings) key evidence, marked for the report with its theme."""
        if rating not in TAG_FOR_RATING or self.picks.random() >= 0.04:
            return {}
        return {"for_report": True, "theme": NOTE_THEMES[note]}

    def wait(self, seconds):
        self.moment += timedelta(seconds=seconds)

    def run(self):
        play_seconds = sum(self._blocks_seconds(day) for day in self.scenario.days)
        scripted = len(self.scenario.injects) * 8 + len(self.scenario.days) * 8
        self.step = max(1.0, play_seconds / max(1, self.target - scripted))
        for number in sorted(self.scenario.days):
            self.play_day(number)
        return self.count

    def _blocks_seconds(self, day):
        blocks = self.scenario.days[day]["schedule"]
        return sum(parse_clock_time(b["end"]) - parse_clock_time(b["start"]) for b in blocks if b["kind"] == "play")

    def play_day(self, day):
        blocks = [b for b in self.scenario.days[day]["schedule"] if b["kind"] == "play"]
        injects = sorted((i for i in self.scenario.injects.values() if i["day"] == day),
                         key=lambda i: parse_clock_time(i["time"]))
        for n, block in enumerate(blocks):
            start, end = parse_clock_time(block["start"]), parse_clock_time(block["end"])
            clock = self.exercise.clock
            if clock.state == "not_started":
                self.submit("director", kind="clock", op="start", day=day, time=block["start"])
            else:
                self.submit("director", kind="clock", op="resume", day=day, time=block["start"])
            if n == 0 and day == 1:
                for team in self.scenario.teams.values():
                    self.submit(f"team:{team['id']}", kind="move", team=team["id"], site=team["home_site"])
            self.play_block(day, start, end, [i for i in injects if start <= parse_clock_time(i["time"]) < end])
            self.submit("director", kind="clock", op="pause")
            if n == len(blocks) - 1:
                self.give_feedback(day)
            self.wait(3600 if n < len(blocks) - 1 else 14 * 3600)  # lunch, or the evening and night

    def give_feedback(self, day):
        """After the day's play, most participants answer the daily questionnaire; on the last day the final one too."""
        r = self.answers
        last = day == max(self.scenario.days)
        for person in (p for p in self.scenario.people.values() if p["role"] == "participant"):
            for q in self.scenario.raw.get("feedback", []):
                if (q["when"] == "end" and not last) or r.random() >= 0.8:
                    continue
                answers = {}
                for question in q["questions"]:
                    if "scale" in question:
                        answers[question["id"]] = min(question["scale"], max(1, round(r.gauss(question["scale"] * 0.75, 0.9))))
                    elif r.random() < 0.4:
                        answers[question["id"]] = r.choice(COMMENTS.get(question["id"], ["Thank you."]))
                fields = {"day": day} if q["when"] == "daily" else {}
                self.submit(f"team:{person['team']}", by=person["id"], kind="feedback", questionnaire=q["id"],
                            answers=answers, **fields)

    def play_block(self, day, start, end, injects):
        r = self.random
        now = start
        released = [i for i, s in self.exercise.inject_status.items() if s == "released"]
        pending = list(injects)
        safety_at = r.uniform(start, end) if r.random() < 0.6 else None
        while now < end:
            self.wait(self.step)
            now += self.step
            while pending and parse_clock_time(pending[0]["time"]) <= now:
                inject = pending.pop(0)
                if r.random() < 0.07:
                    self.submit("controller", kind="inject_skip", inject=inject["id"], reason="Play drifted; not needed.")
                    continue
                if r.random() < 0.08:
                    self.submit("controller", kind="inject_defer", inject=inject["id"], reason="Actors not ready yet.")
                self.submit("controller", kind="inject", inject=inject["id"])
                released.append(inject["id"])
                for team in inject["teams"]:
                    self.submit(f"team:{team}", kind="move", team=team, site=inject["site"])
            if safety_at is not None and now >= safety_at:
                alert = self.submit("observer", kind="safety", site=r.choice(list(self.scenario.sites)),
                                    text="REAL WORLD: an actor needs a break; play stopped at this site.")
                self.wait(120)
                self.submit("director", kind="safety_ack", target=alert["id"], text="Safety officer on site.")
                safety_at = None
            self.answer_requests()
            self.ordinary_event(released)

    def answer_requests(self):
        """Answer the teams' requests whose time has come; ask a new one now and then."""
        while self.asked and self.asked[0][0] <= self.moment:
            _due, request = self.asked.pop(0)
            self.submit("controller", kind="request_answer", request=request, text="Arranged: expect it within the hour.")
        kinds = [k for k in REQUESTS if k in self.scenario.request_kinds]
        if kinds and self.random.random() < 0.01:
            team, kind = self.random.choice(list(self.scenario.teams)), self.random.choice(kinds)
            asked = self.submit(f"team:{team}", kind="request", team=team, request_kind=kind, text=REQUESTS[kind])
            self.asked.append((self.moment + timedelta(seconds=self.random.uniform(300, 2400)), asked["id"]))
            self.asked.sort()

    def ordinary_event(self, released):
        r = self.random
        team = r.choice(list(self.scenario.teams))
        site = self.sites[team]
        roll = r.random()
        answerable = [i for i in released[-6:] if team in self.exercise.released_to.get(i, ())]
        if roll < 0.55:
            self.submit(r.choice([f"team:{team}", "controller"]), kind="action", team=team,
                        action_type=r.choice(list(self.scenario.action_types)),
                        site=site, text=r.choice(ACTIONS),
                        inject=r.choice(answerable) if answerable and r.random() < 0.5 else None)
        elif roll < 0.68:
            self.submit(f"team:{team}", kind="move", team=team, site=r.choice(list(self.scenario.sites)))
        elif roll < 0.90:
            objective = r.choice(list(self.scenario.objectives))
            tasks = [t for t, o in self.scenario.tasks.items() if o == objective]
            rating = r.choices(list(RATINGS), weights=[4, 4, 2, 1])[0]
            note = r.choice(NOTE_FOR_RATING[rating])
            event = self.submit(r.choice(["observer", "observer", "controller"]), kind="evaluation", team=team,
                                objective=objective, task=r.choice(tasks), rating=rating, note=note,
                                tag=TAG_FOR_RATING.get(rating),
                                **self.kept_offline(), **self.picked(rating, note))
            if r.random() < 0.02:
                self.submit(event["role"], kind="retract", target=event["id"], reason="Logged against the wrong team.")
            elif r.random() < 0.02:
                corrected = r.choice(list(RATINGS))  # with its note and tag, so that the entry still reads true
                self.submit(event["role"], kind="amend", target=event["id"], rating=corrected,
                            note=r.choice(NOTE_FOR_RATING[corrected]), tag=TAG_FOR_RATING.get(corrected),
                            reason="Rating corrected after the hot wash.")
        else:
            self.submit("observer", kind="note", team=team, text=r.choice(NOTES), bookmark=r.random() < 0.3)


def write_week(scenario, log, events=100_000, seed=2026) -> int:
    """Write about `events` events of a generated week into `log`; return how many were written."""
    with log.bulk():
        return WeekWriter(scenario, log, events, seed).run()
