// assess workspace: keyboard shortcuts and live updates. Pages work without this script; it never
// builds markup from data (textContent only), and the CSP allows no other script.
(() => {
  'use strict';
  const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  const items = () => Array.from(document.querySelectorAll('[data-nav-item]'));
  let current = -1;

  function select(index) {
    const list = items();
    if (list.length === 0) return;
    current = Math.max(0, Math.min(list.length - 1, index));
    list.forEach((el, i) => el.classList.toggle('selected', i === current));
    const el = list[current];
    el.scrollIntoView({ block: 'nearest' });
    const link = el.querySelector('a[href]');
    (link || el).focus({ preventScroll: true });
  }

  function rate(score) {
    // The rating form of the desk in view (selected, else the first on the page).
    const list = items();
    const scope = list[current] || document;
    const form = scope.querySelector('form[data-rate]') || document.querySelector('form[data-rate]');
    if (!form) return;
    const input = form.querySelector('input[name="rating"][value="' + score + '"]');
    if (!input) return;
    input.checked = true;
    form.requestSubmit();
  }

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(document.activeElement)) {
      if (event.key === 'Escape') document.activeElement.blur();
      return;
    }
    const key = event.key;
    if (key === 'j') { select(current + 1); event.preventDefault(); }
    else if (key === 'k') { select(current < 0 ? 0 : current - 1); event.preventDefault(); }
    else if (key === 'Enter' && current >= 0) {
      const link = items()[current]?.querySelector('a[href]');
      if (link) { link.click(); event.preventDefault(); }
    } else if (key === '/') { const q = document.getElementById('q'); if (q) { q.focus(); q.select(); event.preventDefault(); } }
    else if (key === '?') { const d = document.getElementById('shortcuts'); if (d && !d.open) d.showModal(); event.preventDefault(); }
    else if (/^[1-5]$/.test(key)) { rate(key); }
    else if (key === 'n' || key === 'p') {
      // Previous / next desk on a desk page.
      const link = document.querySelector(key === 'n' ? 'a[rel="next"]' : 'a[rel="prev"]');
      if (link) link.click();
    }
  });

  // Live regions: an element with data-live-src="/path" (an SSE stream) gets each message's
  // fields written as text into its [data-field="name"] children.
  for (const el of document.querySelectorAll('[data-live-src]')) {
    const source = new EventSource(el.getAttribute('data-live-src'));
    source.addEventListener('message', (message) => {
      let data;
      try { data = JSON.parse(message.data); } catch { return; }
      for (const [name, value] of Object.entries(data)) {
        const target = el.querySelector('[data-field="' + CSS.escape(name) + '"]');
        if (target) target.textContent = String(value);
      }
      if (data.done && el.hasAttribute('data-live-done')) window.location.assign(el.getAttribute('data-live-done'));
    });
    source.addEventListener('error', () => { el.setAttribute('data-live-state', 'reconnecting'); });
  }
})();
