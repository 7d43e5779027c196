// simklink: on signed-in pages, show a show's weekly air time in the
// browser's own time zone. Signed-out pages run no script and keep the
// show's zone, named.
(() => {
  for (const t of document.querySelectorAll('time[data-local]')) {
    const d = new Date(t.dateTime);
    if (isNaN(d)) continue;
    t.textContent = d.toLocaleString(t.lang || navigator.language, {weekday: 'long', hour: 'numeric', minute: '2-digit'});
    const zone = t.parentElement.querySelector('.details__zone');
    if (zone) zone.textContent = '(your time)';
  }
})();
