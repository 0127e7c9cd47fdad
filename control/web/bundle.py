"""One script for a phone page: its ES modules joined in import order, each in a scope of its own.

A phone on a slow network would otherwise fetch a dozen modules, one level of imports at a time and
six at once (HTTP/1.1): three round trips of half a second on "Fast 3G" before the form works.  The
modules stay as they are in static/js/ (the tests and the other pages import them one by one);
this joins what a page needs when it is asked for.  It knows the module forms ExCon writes — named
imports (`import { a, b } from "./x.js"`), side-effect imports (`import "./x.js"`) and `export` before
a function, class or const — and refuses anything else, so that a new form is noticed, not
bundled wrong.
"""

import hashlib
import posixpath
import re
from pathlib import Path

NAMED_IMPORT = re.compile(r"""^import\s*\{([^}]*)\}\s*from\s*["']([^"']+)["'];?[ \t]*\n""", re.M)
BARE_IMPORT = re.compile(r"""^import\s*["']([^"']+)["'];?[ \t]*\n""", re.M)
EXPORT = re.compile(r"^export\s+(?:async\s+)?(?:function\*?|class|const|let)\s+(\w+)", re.M)
OTHER_EXPORT = re.compile(r"^export\s+(?!(?:async\s+)?(?:function|class|const|let)\s)", re.M)
LEFT_OVER_IMPORT = re.compile(r"^import\b", re.M)


class BundleError(ValueError):
    """A module this bundler cannot join safely (a cycle, a default export, an import form it does not know)."""


def bundle(static: Path, entries: list[str], generated: dict[str, str]) -> str:
    """Return one script running `entries` (paths under `static`, in this order) with every module they import.

    generated: address -> source of the modules the server writes (/rules.js)."""
    order, done, visiting, sources = [], set(), set(), {}

    def source(module):
        if module not in sources:
            sources[module] = generated[module] if module in generated else (static / module).read_text(encoding="utf-8")
        return sources[module]

    def visit(module):
        if module in done:
            return
        if module in visiting:
            raise BundleError(f"{module} imports itself through other modules")
        visiting.add(module)
        for target in _imports(module, source(module)):
            visit(target)
        visiting.discard(module)
        done.add(module)
        order.append(module)

    for entry in entries:
        visit(entry)
    names = {module: f"__module{i}" for i, module in enumerate(order)}
    parts = ['"use strict";\n']
    for module in order:
        text = source(module)
        header = "".join(f"const {{{imported}}} = {names[_resolve(module, target)]};\n"
                         for imported, target in NAMED_IMPORT.findall(text))
        body = BARE_IMPORT.sub("", NAMED_IMPORT.sub("", text))
        if LEFT_OVER_IMPORT.search(body) or OTHER_EXPORT.search(body):
            raise BundleError(f"{module}: an import or export form the bundler does not know (control/web/bundle.py)")
        exported = EXPORT.findall(body)
        body = re.sub(r"^export\s+", "", body, flags=re.M)
        returned = ", ".join(exported)
        parts.append(f"// {module}\nconst {names[module]} = (() => {{\n{header}{body}\nreturn {{ {returned} }};\n}})();\n")
    return "".join(parts)


def bundle_version(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _imports(module: str, text: str) -> list[str]:
    """Return the modules `module` imports, in the order it names them."""
    found = [target for _names, target in NAMED_IMPORT.findall(text)] + BARE_IMPORT.findall(text)
    return [_resolve(module, target) for target in found]


def _resolve(module: str, target: str) -> str:
    """Return an import's module: an address of the server's ("/rules.js") as it is, else a path under static/."""
    if target.startswith("/"):
        return target
    return posixpath.normpath(posixpath.join(posixpath.dirname(module), target))
