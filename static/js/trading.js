// Trading pages behaviour (the order ticket and the live connection of /ws/trading). The ticket
// works without this file: every field is shown with a note saying which orders use it. Here the
// ticket shows only the fields the chosen order type and size need, and the submit button says
// what it will do ("Buy AAPL"). Loaded by the trade, orders, instrument and chart pages; wired by
// data attributes with event delegation, so tickets swapped in by htmx work too.
(function () {
  'use strict';

  if (window.__tradingJS) return; // a page may include the ticket's script more than once
  window.__tradingJS = true;

  function checked(form, name) {
    var el = form.querySelector('input[name="' + name + '"]:checked');
    return el ? el.value : '';
  }

  function selected(form, name) {
    var el = form.querySelector('select[name="' + name + '"]');
    return el ? el.value : '';
  }

  // apply shows the ticket's fields for its type and size, and labels the submit button.
  function apply(form) {
    var type = selected(form, 'type') || 'market';
    var size = checked(form, 'size_by') || 'qty';
    var side = checked(form, 'side') || 'buy';
    form.querySelectorAll('[data-tk-types]').forEach(function (el) {
      el.hidden = el.getAttribute('data-tk-types').split(' ').indexOf(type) < 0;
    });
    form.querySelectorAll('[data-tk-size]').forEach(function (el) {
      el.hidden = el.getAttribute('data-tk-size') !== size;
    });
    // The notes that explain which orders use a field are for pages without this script.
    form.querySelectorAll('[data-tk-nojs]').forEach(function (el) {
      el.hidden = true;
    });
    var btn = form.querySelector('[data-tk-submit]');
    if (btn) {
      var sell = side === 'sell';
      btn.classList.toggle('btn-sell', sell);
      btn.classList.toggle('btn-buy', !sell);
      var label = btn.querySelector('[data-tk-submit-label]');
      var symbol = btn.getAttribute('data-symbol');
      if (label) label.textContent = (sell ? 'Sell' : 'Buy') + (symbol ? ' ' + symbol : '');
    }
  }

  function applyAll(scope) {
    if (!scope || !scope.querySelectorAll) return;
    if (scope.matches && scope.matches('form[data-ticket]')) apply(scope);
    scope.querySelectorAll('form[data-ticket]').forEach(apply);
  }

  document.addEventListener('change', function (e) {
    var t = e.target;
    if (!(t instanceof Element)) return;
    var form = t.closest('form[data-ticket]');
    if (form && /^(type|size_by|side)$/.test(t.name)) apply(form);
  });

  // New content from htmx (a ticket loaded or re-rendered).
  document.addEventListener('htmx:load', function (e) {
    applyAll(e.target);
  });

  // ---- The live connection ----------------------------------------------
  // The "Live" pills show while /ws/trading is connected; body[data-trading-live] says the same
  // to tests.
  function setLive(on) {
    if (on) document.body.setAttribute('data-trading-live', '1');
    else document.body.removeAttribute('data-trading-live');
    document.querySelectorAll('[data-trading-live]').forEach(function (el) {
      if (el !== document.body) el.hidden = !on;
    });
  }

  function fromTrading(e) {
    var el = e.target;
    return el instanceof Element && (el.getAttribute('ws-connect') || '').indexOf('/ws/trading') === 0;
  }

  document.addEventListener('htmx:wsOpen', function (e) {
    if (fromTrading(e)) setLive(true);
  });
  document.addEventListener('htmx:wsClose', function (e) {
    if (fromTrading(e)) setLive(false);
  });

  // A live update re-renders the open-orders table; while someone has a replace form open in it,
  // that update is skipped (the next one, or the form's own answer, brings the table up to date)
  // so what they are typing is not wiped. Only swaps from the socket are held back.
  var fromSocket = false;
  document.addEventListener('htmx:wsBeforeMessage', function (e) {
    if (fromTrading(e)) fromSocket = true;
  });
  document.addEventListener('htmx:oobBeforeSwap', function (e) {
    var target = e.detail && e.detail.target;
    if (!fromSocket || !(target instanceof Element)) return;
    if (target.querySelector('details[data-testid="replace"][open]')) e.detail.shouldSwap = false;
  });

  // Fill notices arrive over the WebSocket, where htmx does not settle: dismiss the successful
  // ones after a few seconds here, as app.js does for flashes swapped in by requests.
  document.addEventListener('htmx:wsAfterMessage', function () {
    fromSocket = false;
    document.querySelectorAll('[data-flash][data-autodismiss]').forEach(function (el) {
      if (el.dataset.autodismissArmed) return;
      el.dataset.autodismissArmed = '1';
      setTimeout(function () {
        el.remove();
      }, 6000);
    });
    if (document.body.getAttribute('data-trading-live') === '1') setLive(true); // re-show swapped-in pills
  });

  // ---- Field messages after interaction --------------------------------------------------
  // #tk-touched lists the fields the person has changed; the preview shows messages for those
  // only (app/ticket_touched.go), so choosing "Bracket" does not mark the prices not typed yet.
  function touch(form, name) {
    var box = form.querySelector('#tk-touched');
    if (!box || !name || name === 'touched') return;
    var names = box.value ? box.value.split(',') : [];
    if (names.indexOf(name) < 0) {
      names.push(name);
      box.value = names.join(',');
    }
  }

  function onEdit(e) {
    var t = e.target;
    if (!(t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement)) return;
    var form = t.closest('form[data-ticket]');
    if (form && t.type !== 'hidden') touch(form, t.name);
  }
  document.addEventListener('input', onEdit);
  document.addEventListener('change', onEdit);

  // ---- The submit button follows the preview ----------------------------------------------
  // While the preview says the order would be refused, the button is disabled and the reason is
  // written under it (the button is described by it).
  function followPreview(preview) {
    var form = preview.closest('form[data-ticket]');
    var btn = form && form.querySelector('[data-tk-submit]');
    var reason = form && form.querySelector('#tk-submit-reason');
    if (!btn || !reason) return;
    var refusal = preview.querySelector('[data-testid="preview-refusal"]');
    btn.disabled = !!refusal;
    reason.textContent = refusal ? refusal.textContent.replace(/\s+/g, ' ').trim() : '';
    reason.hidden = !refusal;
  }

  document.addEventListener('htmx:afterSwap', function (e) {
    var t = e.detail && e.detail.target;
    if (t instanceof Element && t.id === 'tk-preview') followPreview(t);
  });

  // An estimate that arrives after its ticket was replaced (the order was sent for review while
  // the estimate was on its way) is dropped: its field messages have no slots left to go to.
  document.addEventListener('htmx:beforeSwap', function (e) {
    var t = e.detail && e.detail.target;
    if (t instanceof Element && t.id === 'tk-preview' && !t.isConnected) e.detail.shouldSwap = false;
  });

  // ---- Focus --------------------------------------------------------------------------------
  // A refused order comes back with its message marked data-focus-on-load: scroll to it and
  // focus it, so it is seen and read out.
  document.addEventListener('htmx:afterSettle', function () {
    var el = document.querySelector('[data-focus-on-load]');
    if (!el) return;
    el.removeAttribute('data-focus-on-load');
    el.scrollIntoView({ block: 'center' });
    el.focus({ preventScroll: true });
  });

  // Live updates replace rows and panels by id (out-of-band swaps, which do not keep the focus):
  // the element that had the focus is found again in the new content (by id, else by its row
  // and its data-testid) and focused, so a keyboard user is not thrown back to the page's top.
  var focusKey = null;

  function keyOf(el) {
    if (el.id) return { id: el.id };
    var testid = el.closest('[data-testid]');
    var row = el.closest('[data-order-id], [data-symbol]');
    if (!testid) return null;
    var key = { testid: testid.getAttribute('data-testid') };
    if (row) {
      key.attr = row.hasAttribute('data-order-id') ? 'data-order-id' : 'data-symbol';
      key.value = row.getAttribute(key.attr);
    }
    return key;
  }

  function find(key) {
    if (key.id) return document.getElementById(key.id);
    var sel = '[data-testid="' + CSS.escape(key.testid) + '"]';
    if (key.attr) sel = '[' + key.attr + '="' + CSS.escape(key.value) + '"] ' + sel;
    return document.querySelector(sel);
  }

  document.addEventListener('htmx:oobBeforeSwap', function (e) {
    var target = e.detail && e.detail.target;
    var a = document.activeElement;
    if (e.detail.shouldSwap === false || !(target instanceof Element) || !a || a === document.body || !target.contains(a)) return;
    focusKey = keyOf(a);
  });
  document.addEventListener('htmx:oobAfterSwap', function () {
    if (!focusKey) return;
    var a = document.activeElement;
    if (a && a !== document.body) {
      focusKey = null;
      return;
    }
    var el = find(focusKey);
    focusKey = null;
    if (el) el.focus({ preventScroll: true });
  });

  function init() {
    applyAll(document);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
