"""The JSON module Socket.IO reads and writes messages with.

Python's json refuses some input that is still a message to answer: nesting deeper than its
recursion limit, numbers longer than 4 300 digits.  Left to the library, such a message is dropped
with a log line and its sender waits for an ack that never comes.  Here the event keeps its name
and gets an `Undecodable` payload instead, which the handler answers like any other bad input.
"""

import json
import re

from ..events import Undecodable
from ..i18n import _

_EVENT_NAME = re.compile(r'\s*\[\s*"([A-Za-z_]{1,40})"')

dumps = json.dumps


def loads(text, **kwargs):
    """Decode a message; a `["name", …]` message that cannot be decoded becomes `["name", Undecodable]`."""
    try:
        return json.loads(text, **kwargs)
    except (RecursionError, ValueError) as e:
        named = _EVENT_NAME.match(text) if isinstance(text, str) else None
        if named is None:
            raise
        if isinstance(e, RecursionError):
            reason = _("the payload is nested too deeply to read")
        elif "digits" in str(e):
            reason = _("the payload holds a number too long to read")
        else:
            reason = _("the payload is not valid JSON")
        return [named[1], Undecodable(reason)]
