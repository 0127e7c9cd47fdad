"""Who is asking: the role of an HTTP request, and the check of it against the permission table."""

import hashlib
import hmac
import secrets
from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from ..codes import role_for_code
from ..i18n import SOURCE_LANGUAGE, _, in_language
from ..permissions import holder_identity, may_call
from ..timefmt import iso


def room():
    """Return the app's Room: the running exercise and its codes."""
    return current_app.extensions["excon"]


def asker_language() -> str:
    """Return the language this request is answered in; English when even that cannot be told (an
    answer to a fault must still go out).  language.py reads the room through this module: imported
    here, not above."""
    from .language import request_language

    try:
        return request_language()
    except Exception:
        current_app.logger.exception("the language of a request could not be told")
        return SOURCE_LANGUAGE


def holder_from_code(code, address):
    """Return who holds a code tried from `address` (a role, or "person:<id>"), counting a wrong one
    against the address."""
    holder = role_for_code(room().codes, code)
    if holder is None:
        room().wrong_codes.failed(address)
    return holder


def identity(holder) -> tuple[str | None, str | None]:
    """Return (role, person id) of a code's holder: the role decides what they may do."""
    return holder_identity(holder, room().exercise.scenario.people)


class TooManyWrongCodes(Exception):
    """This address tried too many wrong codes; answered 429 wherever a code is tried."""

    def __init__(self, wait: int):
        message = _("Too many wrong codes from this address: try again in %(seconds)s seconds.", seconds=wait)
        super().__init__(message)
        self.message = message
        self.wait = wait


def request_holder():
    """Return who holds this request's code, from `Authorization: Bearer <code>` or the login session.

    A code is tried only while this address is not blocked for wrong codes (TooManyWrongCodes)."""
    header = request.headers.get("Authorization", "")
    if header:
        wait = room().wrong_codes.wait(request.remote_addr)
        if wait:
            raise TooManyWrongCodes(wait)
        scheme, _space, code = header.partition(" ")
        return holder_from_code(code, request.remote_addr) if scheme.lower() == "bearer" else None
    return session_holder()


def request_role():
    """Return the role of this request (a person's: their role's); None without a valid code."""
    return identity(request_holder())[0]


def code_key(code: str) -> str:
    """A digest of a code, kept in the session: rotating the code ends the sessions opened with it."""
    return hashlib.sha256(code.encode()).hexdigest()[:24]


def session_holder():
    """Return who holds the login session's code (a role, or "person:<id>"): the session open on the
    server (not logged out) and opened with the holder's current code (not rotated since)."""
    holder = session.get("role")
    if holder not in room().codes or not hmac.compare_digest(session.get("key", ""), code_key(room().codes[holder])):
        return None
    if not room().exercise.log.session_is_open(session.get("sid")):
        return None
    return holder


def start_session(holder: str) -> None:
    """Log this browser in as `holder` (a role, or "person:<id>"): a new session, open on the server until logout."""
    session_id = secrets.token_urlsafe(24)
    log = room().exercise.log
    log.open_session(session_id, holder, iso(room().exercise.now()), replaces=session.get("sid"))  # may raise StorageFault
    session.clear()
    session.update(role=holder, key=code_key(room().codes[holder]), sid=session_id)
    session.permanent = True  # a week-long exercise: stay logged in across browser restarts


def end_session() -> None:
    """Log this browser out, on the server too: a copy of the cookie no longer opens anything."""
    if session.get("sid"):
        room().exercise.log.close_session(session["sid"])
    session.clear()


def too_many_wrong_codes(page=False):
    """Answer 429 when this address tried too many wrong codes; None when it may go on."""
    wait = room().wrong_codes.wait(request.remote_addr)
    return refuse_for_wrong_codes(TooManyWrongCodes(wait), page) if wait else None


def refuse_for_wrong_codes(error: TooManyWrongCodes, page: bool):
    """The 429 answer: the login page for a browser, JSON for the API."""
    response = (render_template("login.html", error=error.message, next="", csrf=csrf_token()) if page
                else jsonify({"ok": False, "error": in_language(error.message, asker_language())}))
    response = current_app.make_response((response, 429))
    response.headers["Retry-After"] = str(error.wait)
    return response


def local_path(target) -> str | None:
    """Return `target` if it is a path on this site (where a login may send the browser next), else None.

    Parsed, not prefix-checked: '/\t/evil.example' is '//evil.example' to a browser, which drops tabs."""
    if not isinstance(target, str) or not target or len(target) > 200:
        return None
    if any(ord(c) < 0x21 or c in "\\\x7f" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return target


def json_error(status, message, field=None):
    """Answer JSON {"ok": false, "error", "field"?}: `message` (a Message) in the asker's language, and the
    request's parameter it is about when there is one."""
    answer = {"ok": False, "error": in_language(message, asker_language())}
    if field:
        answer["field"] = field
    response = jsonify(answer)
    response.status_code = status
    return response


def require(name, page=False):
    """Let through a role allowed to call `name` (passed to the view); others get 401/403.

    page=True answers a browser: no role → the login page; wrong role → a 403 page.
    """
    def wrap(view):
        @wraps(view)
        def checked(*args, **kwargs):
            try:
                role = request_role()
            except TooManyWrongCodes as e:
                return refuse_for_wrong_codes(e, page)
            if role is None:
                if page:
                    return redirect(url_for("pages.login", next=request.path))
                return json_error(401, _("an access code is needed: send 'Authorization: Bearer <code>'"))
            if not may_call(role, name):
                if page:
                    return render_template("forbidden.html", role=role), 403
                return json_error(403, _("the %(role)s role may not use %(path)s", role=role, path=request.path))
            return view(role, *args, **kwargs)
        return checked
    return wrap


CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; object-src 'none'; "
                           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),  # login URLs carry codes
    ("X-Frame-Options", "DENY"),
)


class SecurityHeaders:
    """WSGI middleware, outermost: every answer carries the security headers, Socket.IO's own
    answers too (a view may have set its own policy first: that one stays); an address that is not
    UTF-8 is answered 400 here, before anything tries to read it."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            headers = list(headers) + [(n, v) for n, v in SECURITY_HEADERS if n.lower() not in present]
            return start_response(status, headers, exc_info)

        try:  # WSGI hands the address over as Latin-1 text of its bytes
            for key in ("PATH_INFO", "QUERY_STRING"):
                environ.get(key, "").encode("latin-1").decode("utf-8")
        except UnicodeError:  # said in English: this is before Flask, which would read the address
            body = b'{"ok": false, "error": "the address is not valid UTF-8"}'
            start("400 Bad Request", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return self.app(environ, start)


class TrustedProxy:
    """WSGI middleware: believe X-Forwarded-* only from the proxy's own address (--proxy-address);
    anyone who reaches the port directly is taken for who they are."""

    def __init__(self, app, proxy_addresses):
        self.trusted = set(proxy_addresses)
        self.direct = app
        self.proxied = ProxyFix(app, x_for=1, x_proto=1, x_host=1)

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") in self.trusted:
            return self.proxied(environ, start_response)
        for key in [k for k in environ if k.startswith("HTTP_X_FORWARDED_")]:
            del environ[key]
        return self.direct(environ, start_response)


def csrf_token() -> str:
    """Return this session's token for form posts, making one if needed."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def csrf_ok() -> bool:
    sent = request.form.get("csrf_token", "")
    return bool(session.get("csrf")) and hmac.compare_digest(sent.encode(), session["csrf"].encode())
