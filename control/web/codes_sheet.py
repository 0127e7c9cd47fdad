"""The printable sheet of access codes, each with a QR code that logs a device straight in."""

from urllib.parse import quote

import segno


def login_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/login?code={quote(code)}"


def sheet_entries(codes: dict, base_url: str) -> list[dict]:
    """Return, per role, its code, its login URL and that URL as an inline SVG QR code."""
    entries = []
    for role, code in codes.items():
        url = login_url(base_url, code)
        svg = segno.make(url, error="m").svg_inline(scale=4, border=2)
        entries.append({"role": role, "code": code, "url": url, "svg": svg})
    return entries
