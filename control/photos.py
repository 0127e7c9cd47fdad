"""Photos attached to entries: files next to the database, named by the SHA-256 of their bytes.

A photo is stored before the entry that shows it; the entry names it (`photos: ["<sha256>.jpg", …]`)
and the event log keeps only the names.  The same bytes are one file however often a phone sends
them (a resend after a lost answer stores nothing twice).  Who may look at a photo is decided by
the entries that name it: whoever may read such an entry's text (permissions.py) may see it.
"""

import hashlib
import os
import re
import shutil
from pathlib import Path

from .i18n import _

MAX_BYTES = 8 * 1024 * 1024  # a phone sends photos resized to about 300 kB; this is a whole camera photo
# Free space kept on the disk for the event log: photos never fill it (a full disk stops every entry).
RESERVE = 1024 * 1024 * 1024
PER_ENTRY = 6
NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp)$")
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


class PhotoError(ValueError):
    """A photo that is not stored: `message` is one plain sentence for the sender; `status` the HTTP answer's
    (400: not a photo; 413: too large; 507: the server's disk, not the photo — send it again later)."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def photo_type(data: bytes) -> str | None:
    """Return the file type of a photo by its first bytes ("jpg", "png", "webp"), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_names(names) -> None:
    """Refuse a `photos` field that is not a short list of distinct photo names (raise PhotoError)."""
    if len(names) > PER_ENTRY:
        raise PhotoError(_("an entry carries at most %(most)s photos", most=PER_ENTRY))
    if len(set(names)) != len(names):
        raise PhotoError(_("field 'photos' names a photo twice"))
    for name in names:
        if not NAME.match(name):
            raise PhotoError(_("field 'photos' must name photos as the server named them (<sha256>.jpg)"))


class PhotoStore:
    """The photos of one exercise, in `directory` (made when the first photo comes)."""

    def __init__(self, directory, reserve=RESERVE):
        self.directory = Path(directory)
        self.reserve = reserve

    def put(self, data: bytes) -> dict:
        """Store a photo's bytes once; return {"name", "bytes", "type"}.  Raise PhotoError for what is not a photo."""
        if not data:
            raise PhotoError(_("the photo is empty"))
        if len(data) > MAX_BYTES:
            raise PhotoError(_("the photo is too large (%(size)s MB; at most %(most)s MB)",
                               size=round(len(data) / 2**20, 1), most=MAX_BYTES // 2**20), 413)
        kind = photo_type(data)
        if kind is None:
            raise PhotoError(_("that is not a photo ExCon keeps: send a JPEG, PNG or WebP image"))
        name = f"{hashlib.sha256(data).hexdigest()}.{kind}"
        path = self.directory / name
        if not path.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            if shutil.disk_usage(self.directory).free - len(data) < self.reserve:
                raise PhotoError(_("the server's disk is nearly full: it keeps the room for the exercise's log, not for "
                                   "photos — tell exercise control"), 507)
            partial = path.with_suffix(f".{os.getpid()}.part")
            with open(partial, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())  # on the disk before the phone is told, like an event
            os.replace(partial, path)
        return {"name": name, "bytes": len(data), "type": MEDIA_TYPES[kind]}

    def has(self, name: str) -> bool:
        return bool(NAME.match(name)) and (self.directory / name).is_file()

    def path(self, name: str) -> Path | None:
        """Return the file of a stored photo, or None."""
        return self.directory / name if self.has(name) else None
