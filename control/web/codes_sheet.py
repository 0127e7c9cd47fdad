"""The printable sheet of access codes, each with a QR code that logs a device straight in.

The sheet is one self-contained HTML file (its style inline, no script), so that it prints the same
from the server and from a file; its QR codes carry an address the phones can reach.
"""

import ipaddress
import socket
from urllib.parse import quote, urlsplit, urlunsplit

import segno

from ..i18n import Message, _
from ..permissions import PERSON


def login_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/login?code={quote(code)}"


def sheet_entries(codes: dict, base_url: str) -> list[dict]:
    """Return, per holder (a role, or a person of the roster: `person`), its code, its login URL and that URL
    as an inline SVG QR code."""
    entries = []
    for role, code in codes.items():
        url = login_url(base_url, code)
        svg = segno.make(url, error="m").svg_inline(scale=4, border=2)
        entries.append({"role": role, "code": code, "url": url, "svg": svg, "person": role.startswith(PERSON)})
    return entries


def lan_address() -> str | None:
    """Return this machine's LAN address, if it has one (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def is_loopback(host: str) -> bool:
    """Tell whether `host` is this machine only (127.x, ::1, localhost): no phone can reach it."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def reachable_base(url: str, lan: str | None) -> tuple[str, Message | None]:
    """Return the address the sheet's QR codes carry, and a warning when phones could not reach it.

    url: the address the sheet was asked at (the control laptop opens it at 127.0.0.1); a loopback
    host is replaced by the machine's LAN address, keeping the port."""
    parts = urlsplit(url)
    if not is_loopback(parts.hostname or ""):
        return url, None
    if lan is None:
        return url, _("This machine has no LAN address: the QR codes carry %(url)s, which no phone can reach. "
                      "Connect it to the venue network and open this sheet again.", url=url.rstrip("/"))
    netloc = lan if parts.port is None else f"{lan}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")), None
