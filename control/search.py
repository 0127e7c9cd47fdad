"""Find events in the whole log: by team, site, objective, kind and words in any text they carry or
in the names of what they are about.

The director's feed and a coverage cell's notes ask this; what a role may see, and how an entry
reads after its corrections, is decided by the caller (Exercise.search_for) before matching.
"""

import dataclasses
from dataclasses import dataclass

from .events import KINDS, STORED_ENVELOPE, InvalidEvent, unknown_id
from .i18n import _
from .timefmt import escaped

MAX_WORDS = 200  # characters of a text search


@dataclass(frozen=True)
class EventFilter:
    """What a search asks for; None (or empty) matches anything."""

    team: str | None = None
    site: str | None = None
    objective: str | None = None
    kinds: tuple = ()
    words: str = ""
    named: tuple = ()  # (field, id) pairs whose scenario name holds the words: "Team Alpha" finds alpha's entries

    def check(self, scenario) -> None:
        """Refuse ids the scenario does not have and kinds ExCon does not know, naming the field."""
        for field, value, table in (("team", self.team, scenario.teams), ("site", self.site, scenario.sites),
                                    ("objective", self.objective, scenario.objectives)):
            if value is not None and value not in table:
                raise InvalidEvent(unknown_id(field, value), field=field)
        for kind in self.kinds:
            if kind not in KINDS:
                raise InvalidEvent(_("unknown kind '%(kind)s'", kind=escaped(kind[:100])), field="kind")
        if len(self.words) > MAX_WORDS:
            raise InvalidEvent(_("a search is at most %(most)s characters", most=MAX_WORDS), field="q")

    def with_names(self, scenario) -> "EventFilter":
        """Return this search, also matching the entries about a team, site, objective, action type or
        inject whose name (in any language the scenario gives it) holds the words: people search by the
        names they read in the feed, not by ids."""
        if not self.words:
            return self
        wanted, named = self.words.casefold(), []
        for lang in (scenario.language, *scenario.languages):
            shown = scenario.in_language(lang)
            for field, table, keys in (("team", shown.teams, ("name", "short")), ("site", shown.sites, ("name", "label")),
                                       ("objective", shown.objectives, ("title",)),
                                       ("action_type", shown.action_types, ("label",)),
                                       ("inject", shown.injects, ("title",))):
                named += [(field, key) for key, entry in table.items()
                          if any(wanted in str(entry.get(name, "")).casefold() for name in keys)]
        return dataclasses.replace(self, named=tuple(sorted(set(named))))

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
                       if isinstance(value, str) and key not in STORED_ENVELOPE) or any(
                event.get(field) == key or (field == "team" and key in (event.get("teams") or ()))
                for field, key in self.named)
        return True
