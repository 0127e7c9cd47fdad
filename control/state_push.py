"""Push the state the server folds to the screens that draw it, after commits, coalesced.

The director's and the screen's pages fold nothing: they draw the state of their view as the
server keeps it (`Exercise.state_for`).  After a commit, each pushed view gets its state at most
once per `every` seconds, and always once after the last commit, so a screen is never left one
event behind.  A push is a patch of the one before it (`from` -> `version`); once a minute,
and whenever there is no earlier push to patch, it is the whole state: a screen that missed a
push asks for the last one (`latest`) or waits for the next whole state.
"""

import threading
import time

WHOLE_EVERY = 60.0  # seconds: at least this often a push carries the whole state (a screen that drifted heals)


def state_patch(before: dict, after: dict) -> dict:
    """Return what turns `before` into `after`: {"set": {key: value}, "merge": {key: {sub: value or None}}}.

    Dicts of dicts (teams, injects, objectives) are patched one entry at a time (None: the entry is
    gone); everything else is set whole.  Applied to any state it was not computed from, a patch can
    be wrong: the versions say which state it belongs to.
    """
    patch = {"set": {}, "merge": {}}
    for key, value in after.items():
        old = before.get(key)
        if old == value:
            continue
        if _entries(value) and _entries(old):
            changed = {k: v for k, v in value.items() if old.get(k) != v}
            changed.update({k: None for k in old if k not in value})
            patch["merge"][key] = changed
        else:
            patch["set"][key] = value
    return patch


def _entries(value) -> bool:
    return isinstance(value, dict) and all(isinstance(v, dict) for v in value.values())


class StatePushes:
    """Coalesce and send the state of each pushed view after commits.

    state_of(role): the state now, as `role` sees it; time_now(): its `at` and `clock` read now.
    views: {view key: [roles sharing it]}.  send(roles, message): emit one push to the rooms of
    these roles (encoded once).  call_later(delay, fn): run fn later (a green thread of the server).
    patches: False sends the whole state every time (when several server processes serve clients
    that cannot ask this one for the last push).
    """

    def __init__(self, state_of, views: dict, send, call_later, every=0.25, patches=True,
                 monotonic=time.monotonic, time_now=dict):
        self.state_of = state_of
        self.time_now = time_now  # {"at", "clock"} read now: a state's parts that change with time alone
        self.views = views
        self.send = send
        self.call_later = call_later
        self.every = every
        self.patches = patches
        self.monotonic = monotonic
        self.scheduled = False
        self.last_push = -every
        self.pushing = threading.Lock()  # one push at a time: pushes leave in version order
        self.pushed = {}  # view key -> (version, state, when it was last sent whole)
        self.key_of = {role: key for key, roles in views.items() for role in roles}

    def changed(self) -> None:
        """Note that events were committed: push soon, unless a push is already on its way."""
        if self.scheduled:
            return
        self.scheduled = True
        try:
            self.call_later(max(0.0, self.last_push + self.every - self.monotonic()), self.push)
        except BaseException:  # not scheduled after all: the next commit tries again
            self.scheduled = False
            raise

    def push(self) -> None:
        """Send every pushed view its state now (a commit after this point schedules the next push)."""
        self.scheduled = False
        self.last_push = self.monotonic()
        with self.pushing:
            for key, roles in self.views.items():
                self.send(roles, self._next(key, roles[0]))

    def pushes(self, role: str) -> bool:
        """Tell whether `role`'s room gets pushes."""
        return role in self.key_of

    def latest(self, role: str) -> dict:
        """Return the last push of `role`'s view as a whole state ({"version", "state"}), taking one now
        when none was sent yet; its `at` and `clock` are read now (a push may be minutes old when
        nothing happened since, and the clock ran on meanwhile)."""
        key = self.key_of[role]
        with self.pushing:
            if key not in self.pushed:
                self._next(key, role)
            version, state, _ = self.pushed[key]
            return {"version": version, "state": {**state, **self.time_now()}}

    def _next(self, key, role: str) -> dict:
        version, before, whole_at = self.pushed.get(key, (0, None, None))
        state = self.state_of(role)
        now = self.monotonic()
        whole = not self.patches or before is None or now - whole_at >= WHOLE_EVERY
        self.pushed[key] = (version + 1, state, now if whole else whole_at)
        if whole:
            return {"version": version + 1, "state": state}
        return {"version": version + 1, "from": version, "patch": state_patch(before, state)}
