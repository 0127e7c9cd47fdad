"""Limits against guessing and flooding: wrong codes per address, submissions per connection, photos per role."""

import time
from collections import deque

MAX_WRONG_CODES = 10  # per address ...
WRONG_CODE_WINDOW = 300  # ... in this many seconds; then the address waits out the window
SUBMIT_RATE = 30  # submissions a second per connection, sustained
SUBMIT_BURST = 60  # and in one burst
RESUME_RATE = 10  # resume requests a second per connection (a client catching up asks page after page)
RESUME_BURST = 40
PHOTO_RATE = 1  # photos a second per role (every tablet of a team, every shared-code observer together) ...
PHOTO_BURST = 12  # ... and at once: two entries' worth


class WrongCodes:
    """Count wrong codes per address; block an address that tries too many."""

    def __init__(self, limit=MAX_WRONG_CODES, window=WRONG_CODE_WINDOW, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self.failures = {}

    def _recent(self, address):
        now = self.clock()
        failures = self.failures.setdefault(address, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures, now

    def wait(self, address) -> int:
        """Return the seconds this address must wait before it may try a code again (0: it may)."""
        failures, now = self._recent(address)
        if len(failures) < self.limit:
            return 0
        return max(1, int(failures[0] + self.window - now + 0.999))

    def failed(self, address) -> None:
        failures, now = self._recent(address)
        failures.append(now)


class Bucket:
    """A token bucket: take() is True while the rate holds."""

    def __init__(self, rate=SUBMIT_RATE, burst=SUBMIT_BURST, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.at = float(burst), clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
