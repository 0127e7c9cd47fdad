"""Find events in the whole log: by team, site, objective, kind and words in any text they carry.

The director's feed and a coverage cell's notes ask this; what a role may see, and how an entry
reads after its corrections, is decided by the caller (Exercise.search_for) before matching.
"""

from dataclasses import dataclass

from .events import KINDS, STORED_ENVELOPE, InvalidEvent, unknown_id
from .i18n import _

MAX_WORDS = 200  # characters of a text search


@dataclass(frozen=True)
class EventFilter:
    """What a search asks for; None (or empty) matches anything."""

    team: str | None = None
    site: str | None = None
    objective: str | None = None
    kinds: tuple = ()
    words: str = ""

    def check(self, scenario) -> None:
        """Refuse ids the scenario does not have and kinds ExCon does not know, naming the field."""
        for field, value, table in (("team", self.team, scenario.teams), ("site", self.site, scenario.sites),
                                    ("objective", self.objective, scenario.objectives)):
            if value is not None and value not in table:
                raise InvalidEvent(unknown_id(field, value), field=field)
        for kind in self.kinds:
            if kind not in KINDS:
                raise InvalidEvent(_("unknown kind '%(kind)s'", kind=kind[:100]), field="kind")
        if len(self.words) > MAX_WORDS:
            raise InvalidEvent(_("a search is at most %(most)s characters", most=MAX_WORDS), field="q")

    def matches(self, event: dict) -> bool:
        """Tell whether an event (as the role reads it) is one the search asks for.  A team matches the
        team of an entry and the teams an inject went to; words match, ignoring case, any text or id the
        event carries (not the envelope: seq, times, who)."""
        if self.kinds and event["kind"] not in self.kinds:
            return False
        if self.team is not None and self.team != event.get("team") and self.team not in (event.get("teams") or ()):
            return False
        if self.site is not None and self.site != event.get("site"):
            return False
        if self.objective is not None and self.objective != event.get("objective"):
            return False
        if self.words:
            wanted = self.words.casefold()
            return any(wanted in value.casefold() for key, value in event.items()
                       if isinstance(value, str) and key not in STORED_ENVELOPE)
        return True
