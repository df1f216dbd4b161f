// Symbol search and autocomplete, on every page (loaded by the layout; views/symbol_search.templ).
// Every input with data-suggest is an ARIA combobox (the list-autocomplete pattern of the ARIA
// Authoring Practices): typing asks GET /search/suggest?q= for options, ArrowDown/ArrowUp move
// through them (Home/End too), Enter takes the active one, Escape closes the list (and, with it
// closed, leaves the header's box), Tab closes it. What taking one does is the input's
// data-suggest:
//   go   open the symbol's instrument (the header's search; Enter on typed text goes to
//        /search?q=, which opens an exact symbol's instrument, else the search results);
//   fill put the symbol in the box, replacing what was there, and send "change" (the order
//        ticket reloads for it; a watchlist's form is then submitted with Enter as usual).
// The "/" key focuses the header's search from anywhere, opening its panel below the xl width.
// Options are rendered by the server; this file only moves attributes and focus.
(function () {
  'use strict';

  if (window.__marketsJS) return; // the header may be rendered more than once
  window.__marketsJS = true;

  var DELAY = 120; // ms after the last keystroke before asking for suggestions

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
  }

  function isCombo(el) {
    return el instanceof HTMLInputElement && el.hasAttribute('data-suggest');
  }

  function listOf(input) {
    return document.getElementById(input.getAttribute('aria-controls') || '');
  }

  function statusOf(input) {
    var list = listOf(input);
    var next = list && list.nextElementSibling;
    return next && next.hasAttribute('data-combo-status') ? next : null;
  }

  function options(list) {
    return list ? Array.prototype.slice.call(list.querySelectorAll('[role="option"]')) : [];
  }

  function activeOption(input) {
    var id = input.getAttribute('aria-activedescendant');
    return id ? document.getElementById(id) : null;
  }

  function setActive(input, opt) {
    var list = listOf(input);
    options(list).forEach(function (o) {
      o.setAttribute('aria-selected', o === opt ? 'true' : 'false');
    });
    if (opt) {
      input.setAttribute('aria-activedescendant', opt.id);
      opt.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function close(input) {
    var list = listOf(input);
    if (list) list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    setActive(input, null);
  }

  function open(input) {
    var list = listOf(input);
    if (!list || options(list).length === 0) return false;
    list.hidden = false;
    // Right under the box, whatever sits between them in the box's wrapper (a note, a message).
    if (list.offsetParent && list.offsetParent === input.offsetParent) {
      list.style.top = input.offsetTop + input.offsetHeight + 'px';
    }
    input.setAttribute('aria-expanded', 'true');
    return true;
  }

  function isOpen(input) {
    return input.getAttribute('aria-expanded') === 'true';
  }

  // fetchSuggestions asks for the options of the text now in the box; an answer for text that is
  // no longer there is dropped.
  function fetchSuggestions(input) {
    var q = input.value.trim();
    var list = listOf(input);
    if (!list) return;
    if (!q) {
      list.innerHTML = '';
      close(input);
      return;
    }
    var seq = (input._suggestSeq || 0) + 1;
    input._suggestSeq = seq;
    fetch('/search/suggest?q=' + encodeURIComponent(q), { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error('suggest ' + r.status);
        return r.text();
      })
      .then(function (html) {
        if (seq !== input._suggestSeq) return;
        list.innerHTML = html;
        var opts = options(list);
        opts.forEach(function (o, i) {
          o.id = list.id + '-' + i;
        });
        var status = statusOf(input);
        if (status) {
          status.textContent =
            opts.length === 0 ? 'No matching symbols' : opts.length + (opts.length === 1 ? ' suggestion' : ' suggestions');
        }
        if (document.activeElement === input && open(input)) {
          setActive(input, null);
        } else {
          close(input);
        }
      })
      .catch(function () {
        if (seq === input._suggestSeq) close(input);
      });
  }

  function choose(input, opt) {
    var symbol = opt.getAttribute('data-symbol');
    close(input);
    if (input.getAttribute('data-suggest') === 'go') {
      window.location.href = opt.getAttribute('data-href');
      return;
    }
    // Replace, never append: the box holds exactly the chosen symbol.
    input.value = symbol;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
    input.select();
  }

  function move(input, delta) {
    var opts = options(listOf(input));
    if (opts.length === 0) return;
    if (!isOpen(input)) open(input);
    var i = opts.indexOf(activeOption(input));
    if (delta === Infinity) i = opts.length - 1;
    else if (delta === -Infinity) i = 0;
    else if (i < 0) i = delta > 0 ? 0 : opts.length - 1;
    else i = (i + delta + opts.length) % opts.length;
    setActive(input, opts[i]);
  }

  document.addEventListener('input', function (e) {
    var t = e.target;
    if (!isCombo(t) || !e.isTrusted) return;
    clearTimeout(t._suggestTimer);
    t._suggestTimer = setTimeout(function () {
      fetchSuggestions(t);
    }, DELAY);
  });

  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (!isCombo(t) || e.isComposing) return;
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        if (e.altKey) open(t);
        else move(t, 1);
        break;
      case 'ArrowUp':
        e.preventDefault();
        move(t, -1);
        break;
      case 'Home':
      case 'End':
        if (isOpen(t) && activeOption(t)) {
          e.preventDefault();
          move(t, e.key === 'Home' ? -Infinity : Infinity);
        }
        break;
      case 'Enter':
        var opt = isOpen(t) ? activeOption(t) : null;
        if (opt) {
          e.preventDefault();
          choose(t, opt);
        } else if (t.getAttribute('data-suggest') === 'go') {
          e.preventDefault();
          var q = t.value.trim();
          window.location.href = q ? '/search?q=' + encodeURIComponent(q) : '/instruments';
        } else {
          close(t);
        }
        break;
      case 'Escape':
        if (isOpen(t)) {
          e.preventDefault();
          e.stopPropagation();
          close(t);
        } else if (t.hasAttribute('data-symbol-search')) {
          closePanel(true);
          t.blur();
        }
        break;
      case 'Tab':
        close(t);
        break;
    }
  });

  // A click (or tap) on an option takes it; mousedown is held back so the box keeps focus.
  document.addEventListener('mousedown', function (e) {
    if (e.target instanceof Element && e.target.closest('[role="listbox"] [role="option"]')) e.preventDefault();
  });
  document.addEventListener('click', function (e) {
    var t = e.target instanceof Element ? e.target : null;
    if (!t) return;
    var opt = t.closest('[role="option"]');
    var list = opt && opt.closest('[role="listbox"]');
    var input = list && document.querySelector('[aria-controls="' + list.id + '"][data-suggest]');
    if (input) {
      choose(input, opt);
      return;
    }
    if (t.closest('[data-search-toggle]')) {
      togglePanel();
      return;
    }
    // A click elsewhere closes every open list.
    document.querySelectorAll('[data-suggest][aria-expanded="true"]').forEach(function (el) {
      if (el !== t) close(el);
    });
  });

  // Leaving a box closes its list (after a click on an option has been taken).
  document.addEventListener('focusout', function (e) {
    var t = e.target;
    if (!isCombo(t)) return;
    setTimeout(function () {
      if (document.activeElement !== t) close(t);
    }, 0);
  });

  // A fill box selects its text when focused, so typing a new symbol replaces the old one; the
  // order ticket is re-rendered around its box (htmx keeps the focus), so select again then.
  document.addEventListener('focusin', function (e) {
    var t = e.target;
    if (isCombo(t) && t.getAttribute('data-suggest') === 'fill') t.select();
  });
  document.addEventListener('htmx:afterSettle', function () {
    var a = document.activeElement;
    if (isCombo(a) && a.getAttribute('data-suggest') === 'fill') a.select();
  });

  // ---- The header's search panel (below xl) and the "/" key ------------------------------------
  function panelToggle() {
    return document.querySelector('[data-search-toggle]');
  }

  function setPanel(openIt) {
    var btn = panelToggle();
    var panel = btn && document.getElementById(btn.getAttribute('aria-controls'));
    if (!panel) return null;
    panel.hidden = !openIt;
    btn.setAttribute('aria-expanded', openIt ? 'true' : 'false');
    return panel;
  }

  function togglePanel() {
    var btn = panelToggle();
    var opening = btn && btn.getAttribute('aria-expanded') !== 'true';
    var panel = setPanel(opening);
    if (opening && panel) {
      var box = panel.querySelector('input');
      if (box) box.focus();
    }
  }

  function closePanel(refocus) {
    var btn = panelToggle();
    if (!btn || btn.getAttribute('aria-expanded') !== 'true') return;
    setPanel(false);
    if (refocus && btn.offsetParent !== null) btn.focus();
  }

  // The visible search box: the header's on wide screens, else the panel's (opened for it).
  function searchBox() {
    var boxes = document.querySelectorAll('[data-symbol-search]');
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].offsetParent !== null) return boxes[i];
    }
    var btn = panelToggle();
    if (btn && btn.offsetParent !== null) {
      var panel = setPanel(true);
      return panel && panel.querySelector('[data-symbol-search]');
    }
    return null;
  }

  // "/" focuses the search from anywhere but a field; Ctrl+K (⌘K on a Mac) from anywhere at all,
  // as the original system's command palette did.
  document.addEventListener('keydown', function (e) {
    var palette = (e.key === 'k' || e.key === 'K') && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey;
    var slash = e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(document.activeElement);
    if (!palette && !slash) return;
    if (palette && document.querySelector('dialog[open]')) return;
    var box = searchBox();
    e.preventDefault();
    if (box) {
      box.focus();
      box.select();
    } else {
      window.location.href = '/instruments';
    }
  });
})();
