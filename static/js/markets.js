// Market pages behaviour: the "/" shortcut to the header's symbol search, and
// Enter in that box going to /instruments?q=…. Loaded with the header
// (views.HeaderSearch) on every page.
(function () {
  'use strict';

  if (window.__marketsJS) return; // the header may be rendered more than once
  window.__marketsJS = true;

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
  }

  // The visible search box: the header's on wide screens, else the page's own
  // (the instruments page), else go to the search page.
  function searchBox() {
    var boxes = document.querySelectorAll('[data-symbol-search], #q');
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].offsetParent !== null) return boxes[i];
    }
    return null;
  }

  document.addEventListener('keydown', function (e) {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || typing(document.activeElement)) return;
    var box = searchBox();
    e.preventDefault();
    if (box) {
      box.focus();
      box.select();
    } else {
      window.location.href = '/instruments';
    }
  });

  // In the header search: Enter searches, Escape leaves the box.
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (!(t instanceof HTMLInputElement) || !t.hasAttribute('data-symbol-search')) return;
    if (e.key === 'Escape') {
      t.blur();
    } else if (e.key === 'Enter' && !e.isComposing) {
      e.preventDefault();
      var q = t.value.trim();
      window.location.href = '/instruments' + (q ? '?q=' + encodeURIComponent(q) : '');
    }
  });
})();
