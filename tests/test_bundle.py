"""The phone pages' scripts joined into one file: every module once, after what it imports, each in its own
scope; a module form the joiner does not know is refused, not joined wrong."""

import pytest

from control.web.bundle import BundleError, bundle


def write(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")


def test_modules_come_once_after_what_they_import(tmp_path):
    write(tmp_path, {
        "js/i18n.js": 'export const LANG = "en";\nexport function t(x) { return x; }\n',
        "js/views.js": ('import { t } from "./i18n.js";\nimport { RULES } from "/rules.js";\n'
                        'const $ = 1;\nexport const el = () => t($);\n'),
        "js/phone/page.js": ('import { el } from "../views.js";\nimport { LANG, t } from "../i18n.js";\n'
                             'const $ = 2;\nel(LANG, t, $);\n'),
        "js/side.js": "document.title = 'x';\n",
    })
    text = bundle(tmp_path, ["js/side.js", "js/phone/page.js"], {"/rules.js": "export const RULES = {};\n"})
    order = [line[3:] for line in text.splitlines() if line.startswith("// ")]
    assert order == ["js/side.js", "js/i18n.js", "/rules.js", "js/views.js", "js/phone/page.js"]
    assert "import " not in text and "export " not in text
    assert "return { LANG, t };" in text and "const { el } = __module3;" in text
    assert text.count("const $ =") == 2  # each module keeps its own names, in a scope of its own


@pytest.mark.parametrize("files, words", [
    ({"js/a.js": 'import { b } from "./b.js";\nexport const a = 1;\n',
      "js/b.js": 'import { a } from "./a.js";\nexport const b = 2;\n'}, "imports itself"),
    ({"js/a.js": "export default function () {}\n"}, "does not know"),
    ({"js/a.js": 'import * as all from "./b.js";\n', "js/b.js": "export const b = 1;\n"}, "does not know"),
])
def test_what_cannot_be_joined_safely_is_refused(tmp_path, files, words):
    write(tmp_path, files)
    with pytest.raises(BundleError, match=words):
        bundle(tmp_path, ["js/a.js"], {})


def test_the_phone_bundle_is_served_once_per_version_and_compressed(client):
    first = client.get("/bundle/phone.js", headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "gzip"
    assert client.get("/bundle/phone.js", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_a_module_that_cannot_be_joined_leaves_the_page_loading_them_one_by_one(client, monkeypatch):
    from control.web import pages

    def refuse(*args):
        raise BundleError("js/phone.js: an import or export form the bundler does not know")
    monkeypatch.setattr(pages, "bundle", refuse)
    pages._phone_bundle.cache_clear()
    try:
        text = client.get("/bundle/phone.js").get_data(as_text=True)
        assert text == 'import "/static/js/language.js";\nimport "/static/js/forget.js";\nimport "/static/js/phone.js";\n'
    finally:
        pages._phone_bundle.cache_clear()
