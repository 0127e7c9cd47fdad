"""HTTP views for photos: a phone sends a photo before the entry that shows it; pages fetch it to show.

The event log names photos only (photos.py keeps the files); who may see one is decided by the
entries that show it, through the same permission table as their text."""

from flask import Blueprint, jsonify, request, send_file

from ..i18n import _
from ..photos import MAX_BYTES, MEDIA_TYPES, PhotoError
from .access import json_error, require, room
from .throttle import PHOTO_BURST, PHOTO_RATE, Bucket

bp = Blueprint("photos", __name__)
_buckets = {}  # role -> its uploads' token bucket: a phone sends an entry's few photos, not a disk's worth


def uploads(role) -> Bucket:
    return _buckets.setdefault(role, Bucket(rate=PHOTO_RATE, burst=PHOTO_BURST))


@bp.post("/api/photos")
@require("photo_upload")
def upload(role):
    """Store the request's body as a photo (JPEG, PNG or WebP, at most 8 MB); answer {"ok", "name", "bytes", "type"}.

    The same bytes sent again answer the same name and store nothing new.  A role sends at most a photo a
    second (12 at once): more is answered 429, and the phone sends it again later."""
    if not uploads(role).take():
        return json_error(429, _("too many photos at once from this device: the phone sends them again in a moment"), "photo")
    if request.content_length is None:  # a body sent in chunks: read as empty by the server's WSGI layer
        return json_error(411, _("send the photo with its length (Content-Length)"), "photo")
    if request.content_length > MAX_BYTES:
        return json_error(413, _("the photo is too large (%(size)s MB; at most %(most)s MB)",
                                 size=round(request.content_length / 2**20, 1), most=MAX_BYTES // 2**20), "photo")
    data = request.stream.read(MAX_BYTES + 1)
    try:
        stored = room().exercise.photos.put(data)
    except PhotoError as e:
        return json_error(e.status, e.message, "photo")
    return jsonify({"ok": True, **stored})


@bp.get("/photos/<name>")
@require("photo")
def photo(role, name):
    """A photo, to whoever may read an entry that shows it; 404 to anyone else (as if there were none)."""
    exercise = room().exercise
    path = exercise.photos.path(name)
    if path is None or not exercise.may_see_photo(role, name):
        return json_error(404, _("no photo %(name)s that you may see", name=name[:12]))
    response = send_file(path, mimetype=MEDIA_TYPES[name.rsplit(".", 1)[1]], max_age=7 * 86400, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=604800, immutable"  # named by its content: never changes
    return response
