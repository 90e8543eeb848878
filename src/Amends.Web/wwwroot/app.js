// Small helpers the Blazor pages call, and the keyboard shortcuts.
window.amends = {
  // Minutes to add to a local wall-clock time (yyyy-MM-ddTHH:mm) to get UTC, as Date.getTimezoneOffset gives them.
  timezoneOffsetMinutes: (local) => new Date(local).getTimezoneOffset(),
  // Unsent replies and notes, per case, in this browser only; an empty text removes the draft.
  draft: {
    get: (key) => localStorage.getItem('amends.draft.' + key),
    set: (key, text) => text ? localStorage.setItem('amends.draft.' + key, text) : localStorage.removeItem('amends.draft.' + key),
  },
};

// Every keystroke in a composer marked data-draft-key is its draft at once, in the browser, before anything else runs.
document.addEventListener('input', (e) => {
  const box = e.target.closest && e.target.closest('[data-draft-key]');
  if (box && (e.target.tagName === 'TEXTAREA' || e.target.tagName === 'INPUT')) {
    window.amends.draft.set(box.dataset.draftKey, e.target.value);
  }
}, true);

// Single-key shortcuts (WCAG 2.1.4: they can be switched off, and never fire while typing).
//   j / ArrowDown, k / ArrowUp   move between rows of a list     Enter   open the focused row
//   /                             search                          ?       show or hide this help
(() => {
  const enabled = () => localStorage.getItem('amends.shortcuts') !== 'off';
  const typing = (el) => el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
  const rows = () => Array.from(document.querySelectorAll('[data-testid=case-row], [data-testid=escalation-row]'));

  const help = () => {
    let box = document.getElementById('amends-shortcuts');
    if (box) { box.remove(); return; }
    box = document.createElement('div');
    box.id = 'amends-shortcuts';
    box.setAttribute('role', 'dialog');
    box.setAttribute('aria-label', 'Keyboard shortcuts');
    box.innerHTML = '<h2>Keyboard shortcuts</h2><dl>'
      + '<dt>j / ↓</dt><dd>Next case</dd><dt>k / ↑</dt><dd>Previous case</dd><dt>Enter</dt><dd>Open the case</dd>'
      + '<dt>/</dt><dd>Search</dd><dt>?</dt><dd>Show or hide this help</dd><dt>Esc</dt><dd>Close</dd></dl>'
      + '<label><input type="checkbox" id="amends-shortcuts-off"> Switch single-key shortcuts off</label>';
    document.body.appendChild(box);
    const off = box.querySelector('#amends-shortcuts-off');
    off.checked = !enabled();
    off.addEventListener('change', () => localStorage.setItem('amends.shortcuts', off.checked ? 'off' : 'on'));
    off.focus();
  };

  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { document.getElementById('amends-shortcuts')?.remove(); return; }
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (e.key === '?') { e.preventDefault(); help(); return; }
    if (!enabled()) return;
    const list = rows();
    const at = list.indexOf(document.activeElement);
    if (e.key === 'j' || (e.key === 'ArrowDown' && at >= 0)) {
      if (list.length) { e.preventDefault(); list[Math.min(at + 1, list.length - 1)].focus(); }
    } else if (e.key === 'k' || (e.key === 'ArrowUp' && at >= 0)) {
      if (list.length) { e.preventDefault(); list[Math.max(at - 1, 0)].focus(); }
    } else if (e.key === '/') {
      const search = document.querySelector('input[aria-label^="Search"]');
      if (search) { e.preventDefault(); search.focus(); }
    }
  });
})();
