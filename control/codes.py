"""Access codes: one per role, from EXCON_CODES or generated once and kept in the database."""

import hashlib
import hmac
import secrets

from .i18n import _
from .timefmt import escaped

# No 0/o, 1/l/i: codes are read aloud and typed on phones.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class CodesError(ValueError):
    """EXCON_CODES is malformed or names an unknown role; the one argument is a Message for the operator."""


def new_code() -> str:
    """Return a fresh code such as 'k7mq-x3vd-p9ta' (about 59 bits)."""
    return "-".join("".join(secrets.choice(ALPHABET) for _letter in range(4)) for _group in range(3))


def parse_codes_env(text: str, roles) -> dict:
    """Parse 'role=code,role=code'; refuse unknown roles, empty or shared codes."""
    codes = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        role, sep, code = item.partition("=")
        role, code = role.strip(), code.strip()
        if not sep or not role or not code:
            raise CodesError(_("EXCON_CODES entry '%(entry)s' is not role=code", entry=escaped(item)))
        if role not in roles:
            raise CodesError(_("EXCON_CODES names unknown role '%(role)s'; roles are %(roles)s", role=escaped(role),
                               roles=", ".join(roles)))
        if len(code) < 4:
            raise CodesError(_("EXCON_CODES: the code for %(role)s is shorter than 4 characters", role=role))
        codes[role] = code
    if len(set(codes.values())) != len(codes):
        raise CodesError(_("EXCON_CODES gives the same code to two roles"))
    return codes


def code_digest(code: str) -> str:
    """Return what is kept of a code rotated away: its SHA-256."""
    return hashlib.sha256(code.encode()).hexdigest()


def settle_codes(stored: dict, env_text: str | None, roles, retired=None) -> tuple[dict, bool, list]:
    """Return (codes for every role, whether any were generated now, warnings for the operator: Messages).

    Codes named in EXCON_CODES win, except one that was rotated away (`retired`: {digest: when}),
    which stays refused; stored codes are kept; missing roles get new codes.
    """
    retired = retired or {}
    codes = {r: c for r, c in stored.items() if r in roles}
    warnings = []
    if env_text:
        for role, code in parse_codes_env(env_text, roles).items():
            when = retired.get(code_digest(code))
            if when:
                warnings.append(_("EXCON_CODES gives %(role)s a code that was rotated away on %(when)s; it stays "
                                  "refused and %(role)s keeps its current code — take it out of EXCON_CODES",
                                  role=role, when=when[:16]))
                continue
            codes[role] = code
    generated = False
    for role in roles:
        if role not in codes:
            codes[role] = new_code()
            generated = True
    if len(set(codes.values())) != len(codes):
        raise CodesError(_("two roles share a code; set distinct codes in EXCON_CODES"))
    return codes, generated, warnings


def role_for_code(codes: dict, code) -> str | None:
    """Return the role whose code this is, comparing in constant time; None if none."""
    if not isinstance(code, str) or not code:
        return None
    try:
        tried = code.strip().encode()
    except UnicodeEncodeError:  # a lone surrogate: no code has one
        return None
    found = None
    for role, expected in codes.items():
        if hmac.compare_digest(expected.encode(), tried):
            found = role
    return found
