// Alpaca Wrapper page behaviour. The Content-Security-Policy forbids inline
// scripts and inline event handlers, so everything interactive that is not
// htmx is wired up here, by data attributes and ids, with event delegation
// (so it also works for content that htmx swaps in later).
(function () {
  'use strict';

  var root = document.documentElement;
  var THEME_KEY = 'theme';

  // ---- Colour theme ---------------------------------------------------
  function storedTheme() {
    try {
      return localStorage.getItem(THEME_KEY);
    } catch (e) {
      return null;
    }
  }

  function syncThemeButtons() {
    var dark = root.classList.contains('dark');
    document.querySelectorAll('[data-theme-toggle]').forEach(function (btn) {
      btn.setAttribute('aria-pressed', dark ? 'true' : 'false');
      btn.setAttribute('title', dark ? 'Switch to light mode' : 'Switch to dark mode');
    });
  }

  function setTheme(dark, persist) {
    root.classList.toggle('dark', dark);
    if (persist) {
      try {
        localStorage.setItem(THEME_KEY, dark ? 'dark' : 'light');
      } catch (e) {}
    }
    syncThemeButtons();
    document.dispatchEvent(new CustomEvent('app:themechange', { detail: { dark: dark } }));
  }

  // Follow the operating system while the visitor has not chosen a theme.
  if (window.matchMedia) {
    var mq = window.matchMedia('(prefers-color-scheme: dark)');
    var onSystemChange = function (e) {
      if (!storedTheme()) setTheme(e.matches, false);
    };
    if (mq.addEventListener) mq.addEventListener('change', onSystemChange);
    else if (mq.addListener) mq.addListener(onSystemChange);
  }

  // ---- Mobile navigation ---------------------------------------------
  function setMenu(btn, open) {
    var menu = document.getElementById(btn.getAttribute('aria-controls'));
    if (!menu) return;
    btn.setAttribute('aria-expanded', open ? 'true' : 'false');
    menu.hidden = !open;
  }

  function closeMenus() {
    document.querySelectorAll('[data-nav-toggle][aria-expanded="true"]').forEach(function (btn) {
      setMenu(btn, false);
    });
    closeDropdowns(null);
  }

  // Drop-down menus are <details data-menu>: they open and close without
  // JavaScript; here they also close on a click elsewhere and on Escape.
  function closeDropdowns(except) {
    document.querySelectorAll('details[data-menu][open]').forEach(function (d) {
      if (d !== except) d.removeAttribute('open');
    });
  }

  // ---- Copy buttons -----------------------------------------------------
  // <button data-copy="#some-id" hidden> copies the text of #some-id. The
  // buttons are rendered hidden (they cannot work without JavaScript) and
  // shown here. navigator.clipboard needs a secure context (HTTPS or
  // localhost); elsewhere the text is selected and execCommand('copy') tried.
  function showCopyButtons(scope) {
    scope.querySelectorAll('[data-copy][hidden]').forEach(function (btn) {
      btn.hidden = false;
    });
  }

  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function copyFeedback(btn, text) {
    var label = btn.querySelector('[data-copy-label]') || btn;
    if (!btn.dataset.copyText) btn.dataset.copyText = label.textContent;
    label.textContent = text;
    clearTimeout(btn._copyTimer);
    btn._copyTimer = setTimeout(function () {
      label.textContent = btn.dataset.copyText;
    }, 2000);
  }

  function copyFrom(btn) {
    var el = document.querySelector(btn.getAttribute('data-copy'));
    if (!el) return;
    var text = el.textContent.trim();
    var fallback = function () {
      selectText(el);
      var ok = false;
      try {
        ok = document.execCommand('copy');
      } catch (e) {}
      copyFeedback(btn, ok ? 'Copied' : /Mac|iP(hone|ad)/.test(navigator.platform) ? 'Press \u2318C' : 'Press Ctrl+C');
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        copyFeedback(btn, 'Copied');
      }, fallback);
    } else {
      fallback();
    }
  }

  // ---- Delegated clicks ------------------------------------------------
  document.addEventListener('click', function (e) {
    var t = e.target instanceof Element ? e.target : null;
    if (!t) return;

    closeDropdowns(t.closest('details[data-menu]'));

    var copyBtn = t.closest('[data-copy]');
    if (copyBtn) {
      copyFrom(copyBtn);
      return;
    }

    if (t.closest('[data-theme-toggle]')) {
      setTheme(!root.classList.contains('dark'), true);
      return;
    }

    var navBtn = t.closest('[data-nav-toggle]');
    if (navBtn) {
      setMenu(navBtn, navBtn.getAttribute('aria-expanded') !== 'true');
      return;
    }

    var dismiss = t.closest('[data-dismiss]');
    if (dismiss) {
      var flash = dismiss.closest('[data-flash]');
      if (flash) flash.remove();
    }
  });

  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    var open = document.querySelector('details[data-menu][open]');
    closeMenus();
    if (open && open.contains(document.activeElement)) {
      var summary = open.querySelector('summary');
      if (summary) summary.focus();
    }
  });

  // Close the phone menu when the viewport grows past the breakpoint.
  if (window.matchMedia) {
    var wide = window.matchMedia('(min-width: 768px)');
    var onWide = function (e) {
      if (e.matches) closeMenus();
    };
    if (wide.addEventListener) wide.addEventListener('change', onWide);
    else if (wide.addListener) wide.addListener(onWide);
  }

  // ---- Flash messages ---------------------------------------------------
  // Messages marked data-autodismiss (success) go away on their own after a
  // few seconds; everything else stays until dismissed.
  function autoDismiss(scope) {
    scope.querySelectorAll('[data-flash][data-autodismiss]').forEach(function (el) {
      if (el.dataset.autodismissArmed) return;
      el.dataset.autodismissArmed = '1';
      setTimeout(function () {
        el.remove();
      }, 6000);
    });
  }

  // ---- Account settings: short selling needs margin ------------------------
  // Unticking Margin unticks Short selling, and ticking Short selling ticks Margin, so the form
  // never holds a pair the server would not keep (app/pages_accounts.go applies the same rule).
  document.addEventListener('change', function (e) {
    var t = e.target;
    if (!(t instanceof HTMLInputElement) || t.type !== 'checkbox' || !t.form) return;
    var other;
    if (t.name === 'margin' && !t.checked) other = t.form.querySelector('input[type="checkbox"][name="shorting_enabled"]');
    if (t.name === 'shorting_enabled' && t.checked) other = t.form.querySelector('input[type="checkbox"][name="margin"]');
    if (other && other.checked !== t.checked) {
      other.checked = t.checked;
      other.dispatchEvent(new Event('change', { bubbles: true }));
    }
  });

  // ---- htmx -------------------------------------------------------------
  // Send the CSRF token from <meta name="csrf-token"> with every htmx
  // request, so templates never need inline hx-headers JSON.
  document.addEventListener('htmx:configRequest', function (e) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) e.detail.headers['X-CSRF-Token'] = meta.content;
  });

  document.addEventListener('htmx:afterSettle', function () {
    autoDismiss(document);
    showCopyButtons(document);
  });

  // A request that never reached the server (network down, server restarting).
  document.addEventListener('htmx:sendError', function () {
    var region = document.getElementById('flashes');
    if (!region || region.querySelector('[data-flash="network"]')) return;
    var div = document.createElement('div');
    div.className = 'alert alert-warning';
    div.setAttribute('data-flash', 'network');
    div.setAttribute('role', 'alert');
    var p = document.createElement('p');
    p.className = 'flex-1';
    p.textContent = 'Could not reach the server. Check your connection and try again.';
    var btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'btn-icon -my-1 -mr-2 h-7 w-7';
    btn.setAttribute('data-dismiss', '');
    btn.setAttribute('aria-label', 'Dismiss');
    btn.textContent = '\u00d7';
    div.appendChild(p);
    div.appendChild(btn);
    region.prepend(div);
  });

  function init() {
    syncThemeButtons();
    autoDismiss(document);
    showCopyButtons(document);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
