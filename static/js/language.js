// The EN/RU switch (templates/language_switch.html): the browser remembers the choice in a cookie
// the server reads (control/web/language.py), set here on the device so that switching works
// offline too, where the service worker serves the page in the chosen language.  Switching only
// reloads the page: the outbox and everything else stored on the device stay as they are.

const YEAR = 365 * 24 * 3600;

document.addEventListener("click", (event) => {
  const link = event.target.closest(".language-switch a[data-lang]");
  if (!link) return;
  document.cookie = `excon_lang=${link.dataset.lang}; path=/; max-age=${YEAR}; samesite=lax`;
});
