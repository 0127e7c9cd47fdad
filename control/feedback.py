"""Participant feedback: the scenario's questionnaires, when each is open, who an answer names, and
what the answers add up to.

A questionnaire (`feedback` in the scenario) is answered `daily` (once per exercise day: `day` says
which) or at the `end` (from the last day on, or once the exercise has ended); from its `opens` time
of day if it has one.  Its questions are a `scale` (1 … N) or free text.  An `anonymous` one is stored
with no person, no team and no connection; a named one is answered with a personal code, and a
person's later answer to the same questionnaire and day replaces the earlier.  No Flask.
"""

from statistics import mean

from .i18n import _
from .timefmt import DAY, escaped, parse_clock_time, placed_time

WHEN = ("daily", "end")  # a questionnaire is answered every exercise day, or once at the end
SCALE_POINTS = (2, 10)  # a scale has 2 to 10 points
ANONYMOUS_ROLE = "participant"  # the role an anonymous answer is stored under: none of the team's


class FeedbackError(ValueError):
    """An answer that must not be stored: `message` (a Message) and the payload `field` it is about."""

    def __init__(self, message, field: str):
        super().__init__(message)
        self.message, self.field = message, field


def questionnaires(scenario) -> dict:
    """Return the scenario's questionnaires by id ({} when it has none)."""
    return {q["id"]: q for q in scenario.raw.get("feedback", [])}


def opens_at(questionnaire: dict, day: int) -> int:
    """Return the exercise time (seconds) from which `questionnaire` is open for `day`."""
    opens = questionnaire.get("opens")
    return (day - 1) * DAY + (parse_clock_time(opens) if opens else 0)


def open_now(scenario, clock: dict) -> list[dict]:
    """Return the questionnaires open now, each {questionnaire, day} (day None for one at the end).

    clock: the exercise clock as served (state, exercise_time).  A daily questionnaire is open for
    today from its time; the one at the end from its time on the last day, or once the exercise has ended."""
    now = clock.get("exercise_time")
    if now is None or clock.get("state") == "not_started":
        return []
    today = int(now // DAY) + 1
    last = max(scenario.days)
    found = []
    for q in questionnaires(scenario).values():
        if q["when"] == "daily" and today in scenario.days and now >= opens_at(q, today):
            found.append({"questionnaire": q["id"], "day": today})
        elif q["when"] == "end" and (clock.get("state") == "ended" or (today >= last and now >= opens_at(q, last))):
            found.append({"questionnaire": q["id"], "day": None})
    return found


def check_answers(scenario, questionnaire_id: str, day, answers: dict, text_limit: int) -> dict:
    """Refuse an answer to an unknown questionnaire or question, a scale value off its scale, a text longer
    than `text_limit`, a day the questionnaire is not answered for, or an answer with nothing in it; return
    the answers to store (blank texts left out)."""
    q = questionnaires(scenario).get(questionnaire_id)
    if q is None:
        raise FeedbackError(_("unknown questionnaire '%(id)s'", id=escaped(questionnaire_id)), "questionnaire")
    if q["when"] == "daily" and day is None:
        raise FeedbackError(_("questionnaire '%(id)s' is answered for a day: say which", id=escaped(q["id"])), "day")
    if q["when"] == "end" and day is not None:
        raise FeedbackError(_("questionnaire '%(id)s' is answered once, at the end: it has no day", id=escaped(q["id"])), "day")
    if day is not None and day not in scenario.days:
        raise FeedbackError(_("day %(day)s out of range (1–%(last)s)", day=day, last=len(scenario.days)), "day")
    questions = {question["id"]: question for question in q["questions"]}
    kept = {}
    for key, value in answers.items():
        question = questions.get(key)
        if question is None:
            raise FeedbackError(_("questionnaire '%(questionnaire)s' has no question '%(question)s'",
                                questionnaire=escaped(q["id"]), question=escaped(str(key)[:50])), "answers")
        if "scale" in question:
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= question["scale"]:
                raise FeedbackError(_("the answer to '%(question)s' must be a whole number from 1 to %(points)s",
                                    question=escaped(key), points=question["scale"]), "answers")
            kept[key] = value
        elif not isinstance(value, str):
            raise FeedbackError(_("the answer to '%(question)s' must be text", question=escaped(key)), "answers")
        elif len(value) > text_limit:
            raise FeedbackError(_("the answer to '%(question)s' is longer than %(limit)s characters", question=escaped(key),
                                limit=text_limit), "answers")
        elif value.strip():
            kept[key] = value
    if not kept:
        raise FeedbackError(_("answer at least one question"), "answers")
    return kept


def check_open(scenario, questionnaire_id: str, day, written: float | None, ended: bool) -> None:
    """Refuse an answer written before its questionnaire opened: for a day still to come, before the
    day's `opens` time, or to the end questionnaire before the last day's (unless the exercise has ended).

    written: the exercise time the answer was written at (when a phone kept it offline, then: an answer
    written while it was open and sent later is taken); ended: whether the exercise has ended."""
    if written is None:
        raise FeedbackError(_("the exercise has not started: there is no feedback to give yet"), "questionnaire")
    q = questionnaires(scenario)[questionnaire_id]
    today = int(written // DAY) + 1
    if day is not None and day > today:
        raise FeedbackError(_("day %(day)s has not come yet: it is day %(today)s", day=day, today=today), "day")
    last = max(scenario.days)
    opens = opens_at(q, day if day is not None else last)
    if q["when"] == "end" and not ended and written < opens:
        raise FeedbackError(_("questionnaire '%(id)s' opens on the last day (day %(day)s) at %(time)s", id=escaped(q["id"]),
                            day=last, time=q.get("opens", "00:00")), "questionnaire")
    if q["when"] == "daily" and written < opens:
        raise FeedbackError(_("questionnaire '%(id)s' opens at %(time)s on day %(day)s", id=escaped(q["id"]),
                            time=q.get("opens", "00:00"), day=day), "questionnaire")


def stored_identity(scenario, fields: dict, role: str, by: str | None, conn: str | None) -> tuple:
    """Return (role, by, conn) to store with an answer: nothing of who sent an anonymous one (its role
    the participants' in general, not the team's; no connection, which other entries would name; the
    caller stores no moment of writing either, which would match its sender's other entries)."""
    q = questionnaires(scenario).get(fields.get("questionnaire"))
    if q is not None and q.get("anonymous", True):
        return ANONYMOUS_ROLE, None, None
    return role, by, conn


def is_anonymous(answer: dict) -> bool:
    """Tell an anonymous answer (stored under no one's role) from a named one."""
    return answer.get("role") == ANONYMOUS_ROLE


def counting(answers: list[dict]) -> list[dict]:
    """Return the answers that count: a named person's latest written per questionnaire and day (a phone
    that was offline may send an older draft after a newer answer); every anonymous one.

    Named first, in the order they were written; the anonymous ones after, in the order of their random
    ids: never in the order they came in, which would line them up with their senders' other entries."""
    latest = {}
    for a in sorted(answers, key=lambda a: (placed_time(a) or 0, a["seq"])):
        key = a["id"] if is_anonymous(a) else (a["questionnaire"], a.get("day"), a.get("by"))
        latest[key] = a
    named = [a for a in latest.values() if not is_anonymous(a)]
    return sorted(named, key=lambda a: (placed_time(a) or 0, a["seq"])) + sorted(
        (a for a in latest.values() if is_anonymous(a)), key=lambda a: a["id"])


def unstamped(answer: dict) -> dict:
    """Return an anonymous answer without its place in the log (seq, the time it was stored): what the
    staff read of it.  A named answer as it is."""
    if not is_anonymous(answer):
        return answer
    return {k: v for k, v in answer.items() if k not in ("seq", "ts", "exercise_time", "observed_at", "observed_time")}


def summarise(scenario, answers: list[dict], day: int | None = None, names: dict | None = None) -> list[dict]:
    """Return per questionnaire its respondents and per question the summary: for a scale the count of
    each point, how many answered and the mean (per day, too, for a daily one); for free text the texts.

    answers: feedback events that count (see `counting`), oldest first; day: only that day's (a daily
    questionnaire's answers for it; the end one's on the last day only); names: person id -> name, to put beside a
    named answer's text (None: no names)."""
    result, participants = [], sum(1 for p in scenario.people.values() if p["role"] == "participant")
    for q in questionnaires(scenario).values():
        if day is not None and q["when"] == "end" and day != max(scenario.days):
            continue
        mine = [a for a in answers if a["questionnaire"] == q["id"] and (day is None or a.get("day") in (day, None))]
        days = sorted({a["day"] for a in mine if a.get("day") is not None})
        questions = []
        for question in q["questions"]:
            given = [a for a in mine if question["id"] in a["answers"]]
            entry = {"id": question["id"], "text": question["text"], "answered": len(given)}
            if "scale" in question:
                values = [a["answers"][question["id"]] for a in given]
                entry.update(scale=question["scale"], low=question.get("low", ""), high=question.get("high", ""),
                             counts=[values.count(point) for point in range(1, question["scale"] + 1)],
                             mean=round(mean(values), 1) if values else None,
                             by_day=[{"day": d, "answered": len(v), "mean": round(mean(v), 1)} for d in days
                                     if (v := [a["answers"][question["id"]] for a in given if a.get("day") == d])])
            else:
                entry["texts"] = [{"text": a["answers"][question["id"]], "day": a.get("day"),
                                   "who": None if names is None or is_anonymous(a) else names.get(a.get("by"), a.get("by"))}
                                  for a in given]
            questions.append(entry)
        result.append({"id": q["id"], "title": q["title"], "when": q["when"], "anonymous": q.get("anonymous", True),
                       "respondents": len(mine), "days": days, "questions": questions,
                       "participants": participants})
    return result
