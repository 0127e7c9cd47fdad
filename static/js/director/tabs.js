// The feed panel's tabs (latest events, the teams' requests, the evaluators): one place on the screen,
// one of them shown at a time.

/** Wire every tab of the panel head `head` to the part it controls (aria-controls). */
export function panelTabs(head) {
  if (!head) return;
  const tabs = [...head.querySelectorAll("[role=tab]")];
  const show = (which) => tabs.forEach((tab) => {
    tab.setAttribute("aria-selected", String(tab === which));
    document.getElementById(tab.getAttribute("aria-controls")).hidden = tab !== which;
  });
  tabs.forEach((tab) => tab.addEventListener("click", () => show(tab)));
}
