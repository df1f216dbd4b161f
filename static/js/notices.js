// Trade notices on every page of a signed-in person (views/notices.templ, loaded by the layout).
//
// - A page with no /ws/trading connection of its own (the markets, the settings…) gets one that
//   only brings notices, so a stop that fills while the person reads /markets says so at once.
//   Pages with their own connection (the trading pages, the ticket on an instrument) already
//   get the notices from it: exactly one connection per page, so one notice per event.
// - One notice per event: a notice names its event (data-toast-key="order:<id>"); a second
//   notice of the same event (the answer to "Close" and the fill it caused) is dropped, and a
//   notice of an order the ticket already reports ("Bought 3 AAPL at…") is too.
// - While the tab is in the background the title counts the notices not yet seen, and, when the
//   person turned them on (the user menu's "Desktop notifications"), the browser shows them.
(function () {
  'use strict';

  if (window.__noticesJS) return;
  window.__noticesJS = true;

  var NOTIFY_KEY = 'notify';
  var baseTitle = document.title;
  var unseen = 0;

  function tradingConnection() {
    return document.querySelector('[ws-connect^="/ws/trading"]');
  }

  function connect() {
    var slot = document.querySelector('[data-trade-notices]');
    if (!slot || tradingConnection() || !window.htmx) return;
    var el = document.createElement('div');
    el.setAttribute('hx-ext', 'ws');
    el.setAttribute('ws-connect', slot.getAttribute('data-trade-notices'));
    el.setAttribute('aria-hidden', 'true');
    el.hidden = true;
    el.setAttribute('data-testid', 'trade-notices-live');
    slot.appendChild(el);
    window.htmx.process(el);
  }

  function fromTrading(e) {
    var el = e.target;
    return el instanceof Element && (el.getAttribute('ws-connect') || '').indexOf('/ws/trading') === 0;
  }

  // body[data-notices-live] says the connection is up (for tests, and for nothing else).
  document.addEventListener('htmx:wsOpen', function (e) {
    if (fromTrading(e)) document.body.setAttribute('data-notices-live', '1');
  });
  document.addEventListener('htmx:wsClose', function (e) {
    if (fromTrading(e)) document.body.removeAttribute('data-notices-live');
  });

  // ---- One notice per event ------------------------------------------------------------------
  function wantsDesktop() {
    try {
      return localStorage.getItem(NOTIFY_KEY) === '1' && 'Notification' in window && Notification.permission === 'granted';
    } catch (e) {
      return false;
    }
  }

  function announce(toast) {
    if (document.visibilityState !== 'hidden') return;
    unseen++;
    document.title = '(' + unseen + ') ' + baseTitle;
    if (wantsDesktop()) {
      try {
        new Notification('Alpaca Wrapper', { body: toast.textContent.replace(/\s+/g, ' ').trim(), tag: toast.getAttribute('data-toast-key') });
      } catch (e) {}
    }
  }

  function dedupe() {
    var shown = {};
    var reported = {};
    document.querySelectorAll('[data-testid="ticket-placed"][data-order-id]').forEach(function (el) {
      reported['order:' + el.getAttribute('data-order-id')] = true;
    });
    var toasts = Array.prototype.slice.call(document.querySelectorAll('#flashes [data-toast-key]'));
    // Notices already shown keep their place; new ones (prepended, so newest first) are taken
    // oldest first.
    var fresh = [];
    toasts.forEach(function (t) {
      var key = t.getAttribute('data-toast-key');
      if (reported[key]) {
        t.remove();
      } else if (t.hasAttribute('data-toast-shown')) {
        shown[key] = true;
      } else {
        fresh.unshift(t);
      }
    });
    fresh.forEach(function (t) {
      var key = t.getAttribute('data-toast-key');
      if (shown[key]) {
        t.remove();
        return;
      }
      shown[key] = true;
      t.setAttribute('data-toast-shown', '');
      announce(t);
    });
  }

  document.addEventListener('htmx:wsAfterMessage', dedupe);
  document.addEventListener('htmx:afterSettle', dedupe);

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && unseen > 0) {
      unseen = 0;
      document.title = baseTitle;
    }
  });

  // ---- Desktop notifications: the person's choice, kept in this browser ----------------------
  function syncToggle() {
    var on = wantsDesktop();
    document.querySelectorAll('[data-notify-toggle]').forEach(function (btn) {
      btn.hidden = !('Notification' in window);
      btn.setAttribute('aria-pressed', on ? 'true' : 'false');
      var label = btn.querySelector('[data-notify-label]');
      if (label) label.textContent = on ? 'Desktop notifications: on' : 'Desktop notifications: off';
    });
  }

  document.addEventListener('click', function (e) {
    var btn = e.target instanceof Element ? e.target.closest('[data-notify-toggle]') : null;
    if (!btn || !('Notification' in window)) return;
    var set = function (on) {
      try {
        localStorage.setItem(NOTIFY_KEY, on ? '1' : '0');
      } catch (err) {}
      syncToggle();
    };
    if (wantsDesktop()) {
      set(false);
    } else if (Notification.permission === 'granted') {
      set(true);
    } else if (Notification.permission !== 'denied') {
      Notification.requestPermission().then(function (p) {
        set(p === 'granted');
      });
    }
  });

  // After htmx has processed the page (its DOMContentLoaded listener was added first), so the
  // page's own connection, if any, is seen and the new one is processed once.
  function init() {
    baseTitle = document.title;
    syncToggle();
    connect();
  }

  if (document.readyState === 'complete') init();
  else document.addEventListener('DOMContentLoaded', init);
})();
