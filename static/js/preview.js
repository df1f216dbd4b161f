// Row preview on the markets and watchlist pages: selecting a row of a quote table shows that
// symbol's small daily chart (an area of daily closes, as the original system's watchlist did)
// in #row-preview (views/markets_preview.templ). A row is selected by a click, or from the
// keyboard: rows are focusable, Tab reaches them, ArrowUp/ArrowDown move between them, and a
// focused row is the selected one. Tables swapped by htmx are picked up again.
(function () {
  'use strict';

  var LWC = window.LightweightCharts;
  if (!LWC || window.__previewJS) return;
  window.__previewJS = true;

  var ROWS = 'tr.quote-row[data-symbol]';
  var DAYS = 260; // about a year of trading days
  var chart = null;
  var series = null;
  var host = null;
  var shown = '';
  var generation = 0;

  function panel() {
    return document.getElementById('row-preview');
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(ROWS));
  }

  // enhance makes the rows focusable and names what they control.
  function enhance() {
    if (!panel()) return;
    rows().forEach(function (tr) {
      if (!tr.hasAttribute('tabindex')) tr.tabIndex = 0;
      tr.setAttribute('aria-controls', 'row-preview');
    });
  }

  function dark() {
    return document.documentElement.classList.contains('dark');
  }

  function theme() {
    var d = dark();
    var grid = d ? 'rgba(148,163,184,0.08)' : 'rgba(100,116,139,0.12)';
    return {
      layout: {
        attributionLogo: false, // its logo injects a <style> the CSP blocks; the page credits TradingView
        background: { type: 'solid', color: 'transparent' },
        textColor: d ? '#cbd5e1' : '#334155',
      },
      grid: { vertLines: { visible: false }, horzLines: { color: grid } },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false },
    };
  }

  // ensureChart builds the chart in the panel's host, again when htmx has replaced the host.
  function ensureChart(p) {
    var el = p.querySelector('[data-preview-chart]');
    if (chart && host === el) return;
    if (chart) chart.remove();
    host = el;
    var opts = theme();
    opts.autoSize = true;
    opts.handleScroll = false;
    opts.handleScale = false;
    chart = LWC.createChart(host, opts);
    series = chart.addSeries(LWC.AreaSeries, {
      lineColor: '#6366f1',
      topColor: 'rgba(99,102,241,0.35)',
      bottomColor: 'rgba(99,102,241,0.02)',
      lineWidth: 2,
      priceLineVisible: false,
    });
    shown = '';
  }

  function note(p, text) {
    var el = p.querySelector('[data-preview-note]');
    if (el) el.textContent = text;
  }

  function select(tr) {
    var p = panel();
    if (!p || !tr) return;
    rows().forEach(function (r) {
      if (r !== tr) r.removeAttribute('aria-current');
    });
    tr.setAttribute('aria-current', 'true');
    var symbol = tr.getAttribute('data-symbol');
    p.querySelectorAll('[data-preview-body]').forEach(function (el) {
      el.hidden = false;
    });
    var title = p.querySelector('[data-preview-title]');
    if (title) title.textContent = symbol + ' · daily';
    var link = p.querySelector('[data-preview-link]');
    if (link) link.href = '/chart/' + symbol + '?tf=1D';
    ensureChart(p);
    if (symbol === shown) return;
    shown = symbol;
    var g = ++generation;
    p.dataset.state = 'loading';
    p.dataset.symbol = symbol;
    note(p, 'Loading ' + symbol + '…');
    var url = p.getAttribute('data-candles-base') + encodeURIComponent(symbol) + '/candles?timeframe=1D&limit=' + DAYS;
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(
        function (page) {
          if (g !== generation) return;
          var data = (page.candles || []).map(function (c) {
            return { time: Math.floor(Date.parse(c.time) / 1000), value: parseFloat(c.close) };
          });
          series.setData(data);
          chart.timeScale().fitContent();
          p.dataset.points = String(data.length);
          p.dataset.state = 'ready';
          note(p, data.length ? '' : 'No daily candles for ' + symbol + ' yet.');
        },
        function () {
          if (g !== generation) return;
          p.dataset.state = 'error';
          shown = '';
          note(p, 'Could not load the daily chart of ' + symbol + '.');
        }
      );
  }

  document.addEventListener('click', function (e) {
    var tr = e.target.closest && e.target.closest(ROWS);
    if (!tr || !panel() || e.target.closest('a, button, input, select, form')) return;
    select(tr);
  });

  document.addEventListener('focusin', function (e) {
    if (e.target.matches && e.target.matches(ROWS) && panel()) select(e.target);
  });

  document.addEventListener('keydown', function (e) {
    if (!e.target.matches || !e.target.matches(ROWS) || !panel()) return;
    var list = rows();
    var i = list.indexOf(e.target);
    var next = null;
    if (e.key === 'ArrowDown') next = list[i + 1];
    else if (e.key === 'ArrowUp') next = list[i - 1];
    else if (e.key === 'Home') next = list[0];
    else if (e.key === 'End') next = list[list.length - 1];
    else if (e.key === 'Enter' || e.key === ' ') next = e.target;
    if (!next) return;
    e.preventDefault();
    if (next === e.target) select(next);
    else next.focus();
  });

  document.addEventListener('htmx:afterSwap', enhance);
  document.addEventListener('app:themechange', function () {
    if (chart) chart.applyOptions(theme());
  });

  enhance();
})();
