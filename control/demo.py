"""Play a compressed exercise day through the real Socket.IO path, for a newcomer to watch.

    python -m control.demo --url http://127.0.0.1:5000   (started for you by `python run.py demo`)

Codes come from EXCON_DEMO_CODES (JSON role -> code).  The day is day 2 of the scenario at 60×
speed: one real second is one exercise minute; the notes people write are in the scenario's
language (English or Russian).  Controllers release the
MSEL as the clock reaches it (one inject skipped, one deferred, one left overdue on purpose),
teams move to the inject's site and answer it, observers rate them, and one real-world safety
alert interrupts play until the director acknowledges it.
"""

import argparse
import heapq
import json
import os
import random
import sys
import time
import uuid

import socketio

from .scenario import load_scenario

RATE = 60
DAY = 2
# What the demo's people write, in the scenario's language: notes are people's text, not ExCon's, so
# they are not in the catalogs.
WRITTEN = {
    "en": {
        "notes": {
            "P": ["Clear roles, calm approach; the presumed victim was kept informed throughout.",
                  "Prosecutor briefed in writing before the search — well done."],
            "S": ["Indicators recorded, but the interpreter was called late.",
                  "Good plan; the financial investigator joined only after the search."],
            "M": ["The manager stayed in the room during the first conversation with the women.",
                  "Passports seized without a receipt: chain of custody at risk."],
            "U": ["No referral to the shelter was made before the team left the site."],
        },
        "skip": "Actors for this scene are needed at the shelter.",
        "earlier_day": "The demo plays one day only: this one belongs to an earlier day.",
        "defer": "The team is still at the previous site.",
        "answer": "Response to {inject}: {expected}.",
        "safety": "REAL WORLD: an actor feels unwell — first aid needed at {site}.",
        "safety_ack": "First aid given; play resumes.",
        "bookmark": "Debrief: how the teams handled the age question at {site}.",
    },
    "ru": {
        "notes": {
            "P": ["Роли распределены чётко, спокойный подход; предполагаемую жертву всё время держали в курсе.",
                  "Прокурора письменно проинформировали до обыска — хорошо."],
            "S": ["Признаки зафиксированы, но переводчика вызвали поздно.",
                  "Хороший план; финансовый следователь подключился только после обыска."],
            "M": ["Администратор оставался в комнате во время первой беседы с женщинами.",
                  "Паспорта изъяты без описи: под угрозой цепочка хранения доказательств."],
            "U": ["Команда ушла с площадки, не направив пострадавших в приют."],
        },
        "skip": "Актёры этой сцены нужны в приюте.",
        "earlier_day": "Демонстрация проигрывает только один день: эта вводная — из предыдущего дня.",
        "defer": "Команда ещё на предыдущей площадке.",
        "answer": "Ответ на {inject}: {expected}.",
        "safety": "НЕ ИГРА: актрисе плохо — нужна первая помощь, {site}.",
        "safety_ack": "Первая помощь оказана; игра продолжается.",
        "bookmark": "На разбор: как команды выясняли возраст девушек, {site}.",
    },
}


class Player:
    """One Socket.IO client per role, and a queue of timed submissions."""

    def __init__(self, url, codes, scenario, seed=7):
        self.url = url
        self.codes = codes
        self.scenario = scenario  # the checked scenario's JSON, its texts in its own language
        self.written = WRITTEN.get(scenario["exercise"].get("language"), WRITTEN["en"])
        self.random = random.Random(seed)
        self.queue = []  # (wall time, n, role, payload)
        self.n = 0
        self.clients = {}
        self.t0 = None  # wall time of exercise day 2 09:00 at RATE
        # who rates a team: the evaluator the plan assigns to it that day, logged in with their own code
        self.watchers = {team: f"person:{a['person']}" for a in scenario.get("assignments", [])
                         if a.get("day") in (None, DAY) for team in a.get("teams", [])}

    def client(self, role):
        if role not in self.clients:
            c = socketio.Client(reconnection=True)
            for attempt in range(60):  # the server may still be starting
                try:
                    c.connect(self.url, auth={"code": self.codes[role]}, transports=["websocket"], wait_timeout=10)
                    break
                except socketio.exceptions.ConnectionError:
                    if attempt == 59:
                        raise
                    time.sleep(0.5)
            self.clients[role] = c
        return self.clients[role]

    def submit(self, role, **fields):
        fields.setdefault("id", str(uuid.uuid4()))
        payload = {k: v for k, v in fields.items() if v is not None}
        ack = self.client(role).call("submit", payload, timeout=15)
        if not ack.get("ok"):
            print(f"demo: {role} {fields.get('kind')} refused: {ack.get('error')}", file=sys.stderr)
        return ack

    def at_minute(self, minutes, role, **fields):
        """Queue a submission at `minutes` exercise minutes after 09:00 of the demo day."""
        self.n += 1
        heapq.heappush(self.queue, (self.t0 + minutes * 60 / RATE, self.n, role, fields))

    def plan(self):
        injects = [i for i in self.scenario["injects"] if i["day"] == DAY]
        deferred, forgotten, skipped = injects[2]["id"], injects[4]["id"], injects[6]["id"]
        for inject in injects:
            hh, mm = map(int, inject["time"].split(":"))
            minute = (hh - 9) * 60 + mm
            if inject["id"] == forgotten:
                continue  # left for the board to show as overdue
            if inject["id"] == skipped:
                self.at_minute(minute + 2, "controller", kind="inject_skip", inject=inject["id"],
                               reason=self.written["skip"])
                continue
            if inject["id"] == deferred:
                self.at_minute(minute + 1, "controller", kind="inject_defer", inject=inject["id"],
                               reason=self.written["defer"])
                minute += 25
            self.at_minute(minute, "controller", kind="inject", inject=inject["id"])
            for team in inject["teams"]:
                self.plan_answer(team, inject, minute)
        alert = str(uuid.uuid4())
        site = next(s for s in self.scenario["sites"] if s["id"] == injects[0]["site"])
        self.at_minute(75, "observer", id=alert, kind="safety", site=site["id"],
                       text=self.written["safety"].format(site=site["name"]))
        self.at_minute(87, "director", kind="safety_ack", target=alert, text=self.written["safety_ack"])
        self.at_minute(90, "observer", kind="note", bookmark=True, text=self.written["bookmark"].format(site=site["name"]))

    def plan_answer(self, team, inject, minute):
        r = self.random
        move_at = minute + r.randint(2, 8)
        act_at = move_at + r.randint(2, 12)
        self.at_minute(move_at, f"team:{team}", kind="move", team=team, site=inject["site"])
        action_type = r.choice([a["id"] for a in self.scenario["action_types"]])
        expected = inject["expected_actions"][0] if inject["expected_actions"] else inject["title"]
        self.at_minute(act_at, f"team:{team}", kind="action", team=team, action_type=action_type,
                       site=inject["site"], inject=inject["id"],
                       text=self.written["answer"].format(inject=inject["id"], expected=expected[:1].lower() + expected[1:]))
        if r.random() < 0.8:
            rating = r.choices("PSMU", weights=[3, 4, 2, 1])[0]
            who = self.watchers.get(team, "observer") if r.random() < 0.8 else "controller"
            if who not in self.codes:  # codes set by hand for roles only
                who = "observer"
            self.at_minute(act_at + r.randint(3, 15), who, kind="evaluation",
                           team=team, objective=r.choice(inject["objectives"]), site=inject["site"],
                           inject=inject["id"], rating=rating, note=r.choice(self.written["notes"][rating]),
                           tag="strength" if rating == "P" else "improvement" if rating in "MU" else None)

    def run(self, until_minute=450):
        self.client("director")
        self.t0 = time.time() + 3  # 3 s of warm-up so the screen shows the start
        self.submit("director", kind="clock", op="start", day=DAY, time="08:57", rate=RATE)
        for inject in self.scenario["injects"]:  # the days before are not played: off the board, not overdue
            if inject["day"] < DAY:
                self.submit("controller", kind="inject_skip", inject=inject["id"], reason=self.written["earlier_day"])
        for team in self.scenario["teams"]:
            self.submit(f"team:{team['id']}", kind="move", team=team["id"],
                        site=team.get("home_site", self.scenario["sites"][0]["id"]))
        self.plan()
        while self.queue and self.queue[0][0] <= self.t0 + until_minute * 60 / RATE:
            when, _, role, fields = heapq.heappop(self.queue)
            time.sleep(max(0.0, when - time.time()))
            self.submit(role, **fields)
        self.submit("director", kind="clock", op="pause")
        print("demo: the day is played; the clock is paused. The server keeps running.", flush=True)
        for c in self.clients.values():
            c.disconnect()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--scenario", required=True)
    args = parser.parse_args(argv)
    codes = json.loads(os.environ["EXCON_DEMO_CODES"])
    Player(args.url, codes, load_scenario(args.scenario).raw).run()


if __name__ == "__main__":
    main()
