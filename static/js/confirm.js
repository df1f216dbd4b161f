// The app's own confirmation dialog for hx-confirm (views/confirm_dialog.templ), in place of the
// browser's confirm(): it matches the page in both themes, names its action on the button, and
// is a real modal <dialog> (focus moves into it, Escape cancels, focus returns to the button that
// asked). htmx asks through the htmx:confirm event; the request is sent with issueRequest(true)
// only when "OK" is chosen.
(function () {
  'use strict';

  if (window.__confirmJS) return;
  window.__confirmJS = true;

  // The dialog's buttons close it with their value ("ok" or "cancel"); Escape closes it with none.
  document.addEventListener('click', function (e) {
    var btn = e.target instanceof Element ? e.target.closest('#confirm-dialog [data-confirm-choice]') : null;
    if (btn) btn.closest('dialog').close(btn.value);
  });

  // A live update may re-render the row while the dialog is open (positions follow the quotes), so
  // the button that asked is remembered by what names it, and found again if it was replaced.
  function keyOf(el) {
    var row = el && el.closest ? el.closest('[data-symbol]') : null;
    return el ? { id: el.id, testid: el.getAttribute('data-testid'), symbol: row && row.getAttribute('data-symbol') } : null;
  }

  function findAgain(k) {
    if (!k) return null;
    if (k.id) return document.getElementById(k.id);
    if (!k.testid) return null;
    var sel = '[data-testid="' + CSS.escape(k.testid) + '"]';
    if (k.symbol) sel = '[data-symbol="' + CSS.escape(k.symbol) + '"] ' + sel;
    return document.querySelector(sel);
  }

  document.addEventListener('htmx:confirm', function (e) {
    var question = e.detail && e.detail.question;
    var dialog = document.getElementById('confirm-dialog');
    if (!question || !dialog || typeof dialog.showModal !== 'function') return; // htmx's confirm() then
    e.preventDefault();
    var asker = e.detail.elt;
    if (asker.__confirmed) {
      // The person already said OK, to the element this one replaced (see below).
      delete asker.__confirmed;
      e.detail.issueRequest(true);
      return;
    }
    var askerKey = keyOf(asker.querySelector('[data-testid]') || asker);
    var opener = document.activeElement;
    var openerKey = keyOf(opener);
    var title = asker.closest('[data-confirm-title]');
    var ok = asker.closest('[data-confirm-ok]');
    dialog.querySelector('[data-confirm-title]').textContent = title ? title.getAttribute('data-confirm-title') : 'Are you sure?';
    dialog.querySelector('[data-confirm-message]').textContent = question;
    var okBtn = dialog.querySelector('button[value="ok"]');
    okBtn.textContent = ok ? ok.getAttribute('data-confirm-ok') : 'OK';
    dialog.returnValue = '';
    dialog.addEventListener(
      'close',
      function () {
        var back = opener && opener.isConnected ? opener : findAgain(openerKey);
        if (back && typeof back.focus === 'function') back.focus();
        if (dialog.returnValue !== 'ok') return;
        if (asker.isConnected) return e.detail.issueRequest(true);
        // A live update replaced the form while the dialog was open: send its replacement instead,
        // without asking twice.
        var again = findAgain(askerKey);
        var form = again && again.closest('[hx-post],[hx-delete],[hx-put],[hx-patch]');
        if (form && window.htmx) {
          form.__confirmed = true;
          window.htmx.trigger(form, form.tagName === 'FORM' ? 'submit' : 'click');
        }
      },
      { once: true }
    );
    dialog.showModal();
  });
})();
