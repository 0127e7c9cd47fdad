"""Gzip answers a browser can take compressed: JSON, pages, scripts and styles.

A phone on the venue's Wi-Fi opens /observe in about a third of the bytes.  Static files are
compressed once per version (their ETag) and kept in memory; a streamed export goes as it is."""

import gzip
import threading

from flask import request

COMPRESSIBLE = {"application/json", "text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml"}
SMALLEST = 1024  # bytes: below this, gzip's own header costs more than it saves
_static = {}  # (path, etag) -> gzipped bytes of a static file
_static_lock = threading.Lock()


def compress(response):
    """Gzip `response` when the browser accepts it and it is worth it (an after_request hook)."""
    if (response.status_code != 200 or response.mimetype not in COMPRESSIBLE or "Content-Encoding" in response.headers
            or request.accept_encodings.quality("gzip") <= 0):
        return response
    if response.direct_passthrough:  # a file sent as it is: a static file, compressed once per version
        etag = response.headers.get("ETag")
        if etag is None or not request.path.startswith("/static/"):
            return response
        key = (request.path, etag)
        with _static_lock:
            data = _static.get(key)
        if data is None:
            response.direct_passthrough = False
            data = gzip.compress(response.get_data(), compresslevel=9, mtime=0)
            with _static_lock:
                _static[key] = data
        response.direct_passthrough = False
        response.set_data(data)
    elif response.is_streamed:
        return response
    else:
        data = response.get_data()
        if len(data) < SMALLEST:
            return response
        response.set_data(gzip.compress(data, compresslevel=5))
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    etag, weak = response.get_etag()
    if etag and not weak:  # other bytes than the plain file's: never a strong match for a range of those
        response.set_etag(etag, weak=True)
    return response
