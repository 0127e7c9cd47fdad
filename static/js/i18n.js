// The page's language and the translations its scripts need, from the gettext catalogs: the server
// writes them into every page (templates/base.html, #page-messages; control/i18n.py page_catalog).
// Every text a script shows goes through t("English text", {name: value}), which pybabel extracts
// into the catalogs; placeholders are written %(name)s, as in the server's messages.

const data = JSON.parse(document.getElementById("page-messages")?.textContent || '{"lang": "en", "messages": {}}');

export const LANG = data.lang;

/** Return `msgid` in the page's language, with %(name)s placeholders filled from `params`. */
export function t(msgid, params) {
  const text = data.messages[msgid] || msgid;
  return params ? text.replace(/%\((\w+)\)s/g, (whole, name) => (name in params ? String(params[name]) : whole)) : text;
}

/** Format a number the way the page's language writes it (1 234,5 in Russian, 1,234.5 in English). */
export function formatNumber(value, options) {
  return new Intl.NumberFormat(LANG, options).format(value);
}
