// The portfolio page's equity chart (views/portfolio.templ): a baseline area of equity over the
// chosen range, drawn with TradingView's lightweight-charts (v5, global LightweightCharts) in
// green above the equity the range started from and red below it.
//
// The server computes everything (money is decimal there) and embeds the first range's history
// in #portfolio-chart's data-history; the range buttons are links that work without JavaScript,
// and here they fetch GET /portfolio/history?range= instead and redraw without a reload, keeping
// the range in the URL. The CSP forbids inline script and style, so everything is wired here.
//
// The pure helpers are exported for node's test runner (static/js/portfolio.test.mjs); in the
// browser the page is wired up at once. For tests the chart publishes data-points, data-range and
// data-loading on #portfolio-chart, and window.awPortfolio.
(function (root, factory) {
  'use strict';
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else api.start(root);
})(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  'use strict';

  var UP = '#10b981';
  var DOWN = '#f43f5e';

  // seriesData turns the history's points ({t: unix seconds, equity: "decimal"}) into the
  // chart's data, skipping malformed points and keeping times strictly increasing (a repeated
  // second keeps the later value), which lightweight-charts requires.
  function seriesData(points) {
    var out = [];
    (points || []).forEach(function (p) {
      if (!p || p.equity === '' || p.equity === null || p.equity === undefined) return;
      var t = Number(p.t);
      var v = Number(p.equity);
      if (!isFinite(t) || !isFinite(v)) return;
      t = Math.floor(t);
      var last = out[out.length - 1];
      if (last && t <= last.time) {
        last.value = v;
        return;
      }
      out.push({ time: t, value: v });
    });
    return out;
  }

  // baseOf is the baseline of a history: its base, else its first point's equity, else 0.
  function baseOf(h) {
    var b = Number(h && h.base);
    if (h && h.base !== '' && h.base !== undefined && isFinite(b)) return b;
    var data = seriesData(h && h.points);
    return data.length ? data[0].value : 0;
  }

  // rangeFromHref reads the range a button's link points at ("" when it has none).
  function rangeFromHref(href) {
    var q = String(href || '').split('#')[0].split('?')[1] || '';
    var parts = q.split('&');
    for (var i = 0; i < parts.length; i++) {
      var kv = parts[i].split('=');
      if (decodeURIComponent(kv[0]) === 'range') return decodeURIComponent(kv[1] || '');
    }
    return '';
  }

  // intraday reports whether a range's points are minutes apart, so the axis shows times.
  function intraday(range) {
    return range === '1D' || range === '1W';
  }

  // phrase says what a range covers, as the page does.
  function phrase(range) {
    return (
      { '1D': 'past day', '1W': 'past week', '1M': 'past month', '3M': 'past 3 months', '1Y': 'past year' }[range] ||
      'since the period began'
    );
  }

  // sign is +1, -1 or 0 for a decimal string.
  function sign(s) {
    var n = Number(s);
    if (!isFinite(n) || Math.abs(n) < 0.005) return 0;
    return n > 0 ? 1 : -1;
  }

  function money(n) {
    var a = Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return (n < 0 ? '-$' : '$') + a;
  }

  function start(win) {
    var doc = win.document;
    var el = doc && doc.getElementById('portfolio-chart');
    var LWC = win.LightweightCharts;
    var AX = win.AWTimeAxis;
    if (!el || !LWC || !AX) return;

    var tz = el.dataset.tz || 'UTC';
    function fmt(opts) {
      try {
        return new Intl.DateTimeFormat('en-US', Object.assign({ timeZone: tz }, opts));
      } catch (e) {
        return new Intl.DateTimeFormat('en-US', Object.assign({ timeZone: 'UTC' }, opts));
      }
    }
    // The chart is fed the zone's wall-clock times (timeaxis.js: zone), so its axis labels
    // are formatted as UTC.
    function utc(opts) {
      return new Intl.DateTimeFormat('en-US', Object.assign({ timeZone: 'UTC' }, opts));
    }
    var Z = AX.zone(tz);
    var yearFmt = utc({ year: 'numeric' });
    var monthFmt = utc({ month: 'short' });
    var dayFmt = utc({ month: 'short', day: 'numeric' });
    var timeFmt = utc({ hour: '2-digit', minute: '2-digit', hour12: false });
    var fullFmt = fmt({ year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });

    var tickMark = AX.tickMark({ year: yearFmt, month: monthFmt, day: dayFmt, time: timeFmt });

    function dark() {
      return doc.documentElement.classList.contains('dark');
    }

    function themeOptions() {
      var d = dark();
      var grid = d ? 'rgba(148,163,184,0.08)' : 'rgba(100,116,139,0.12)';
      var border = d ? 'rgba(148,163,184,0.25)' : 'rgba(100,116,139,0.3)';
      return {
        layout: {
          attributionLogo: false, // its logo injects a <style> the CSP blocks; the page credits TradingView
          background: { type: 'solid', color: d ? '#111527' : '#ffffff' },
          textColor: d ? '#cbd5e1' : '#334155',
        },
        grid: { vertLines: { color: grid }, horzLines: { color: grid } },
        rightPriceScale: { borderColor: border },
        timeScale: { borderColor: border },
      };
    }

    var opts = themeOptions();
    opts.autoSize = true;
    opts.localization = {
      priceFormatter: money,
      timeFormatter: function (t) {
        return fullFmt.format(new Date(Z.fromChart(t) * 1000));
      },
    };
    opts.timeScale.tickMarkFormatter = tickMark;
    opts.timeScale.secondsVisible = false;
    opts.handleScale = { mouseWheel: false, pinch: true, axisPressedMouseMove: true };
    opts.handleScroll = { mouseWheel: false, pressedMouseMove: true, horzTouchDrag: true, vertTouchDrag: false };
    // zoned is data on the chart's wall-clock times. The hour repeated when clocks go back
    // repeats wall-clock times, and the chart needs them strictly increasing: a repeated time
    // keeps the later value.
    function zoned(points) {
      var out = [];
      points.forEach(function (p) {
        var t = Z.toChart(p.time);
        var last = out[out.length - 1];
        if (last && t <= last.time) {
          last.value = p.value;
          return;
        }
        out.push({ time: t, value: p.value });
      });
      return out;
    }

    var chart = LWC.createChart(el, opts);
    var series = chart.addSeries(LWC.BaselineSeries, {
      lineWidth: 2,
      topLineColor: UP,
      topFillColor1: 'rgba(16,185,129,0.28)',
      topFillColor2: 'rgba(16,185,129,0.04)',
      bottomLineColor: DOWN,
      bottomFillColor1: 'rgba(244,63,94,0.04)',
      bottomFillColor2: 'rgba(244,63,94,0.28)',
      priceFormat: { type: 'custom', formatter: money, minMove: 0.01 },
    });
    var baseLine = null;
    var data = [];
    var generation = 0;

    var changeEl = doc.getElementById('portfolio-range-change');
    var returnEl = doc.getElementById('portfolio-range-return');
    var labelEl = doc.getElementById('portfolio-range-label');
    var statusEl = doc.getElementById('portfolio-chart-status');
    var statusText = statusEl ? statusEl.textContent : '';
    var links = Array.prototype.slice.call(doc.querySelectorAll('a[data-range]'));

    function tone(node, s) {
      if (!node) return;
      node.classList.toggle('text-up', s > 0);
      node.classList.toggle('text-down', s < 0);
    }

    function draw(h) {
      var range = h.range || el.dataset.range;
      var base = baseOf(h);
      data = seriesData(h.points);
      series.applyOptions({ baseValue: { type: 'price', price: base } });
      if (baseLine) series.removePriceLine(baseLine);
      baseLine = series.createPriceLine({
        price: base,
        color: 'rgba(100,116,139,0.6)',
        lineWidth: 1,
        lineStyle: LWC.LineStyle.Dashed,
        axisLabelVisible: false,
      });
      chart.applyOptions({ timeScale: { timeVisible: intraday(range) } });
      series.setData(zoned(data));
      chart.timeScale().fitContent();

      var s = sign(h.change);
      if (changeEl && h.change_text !== undefined) changeEl.textContent = h.change_text;
      if (returnEl && h.return_text !== undefined) returnEl.textContent = h.return_text;
      tone(changeEl, s);
      tone(returnEl, s);
      if (labelEl) labelEl.textContent = phrase(range);
      el.setAttribute('aria-label', 'Equity over ' + phrase(range) + ': ' + (h.change_text || '') + ' (' + (h.return_text || '') + ')');
      el.dataset.range = range;
      el.dataset.points = String(data.length);
      links.forEach(function (a) {
        if (a.dataset.range === range) a.setAttribute('aria-current', 'true');
        else a.removeAttribute('aria-current');
      });
    }

    function load(range) {
      var mine = ++generation;
      el.dataset.loading = 'true';
      var url = (el.dataset.historyUrl || '/portfolio/history') + '?range=' + encodeURIComponent(range);
      return win
        .fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) {
          if (!r.ok) throw new Error('HTTP ' + r.status);
          return r.json();
        })
        .then(function (h) {
          if (mine !== generation) return;
          draw(h);
          if (statusEl) statusEl.textContent = statusText;
          win.history.replaceState(null, '', win.location.pathname + '?range=' + encodeURIComponent(h.range || range));
        })
        .catch(function () {
          if (mine === generation && statusEl) statusEl.textContent = 'The chart could not be loaded. Try again, or reload the page.';
        })
        .then(function () {
          if (mine === generation) delete el.dataset.loading;
        });
    }

    links.forEach(function (a) {
      a.addEventListener('click', function (e) {
        // A modified click opens the link as a link (a new tab, say).
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        var range = a.dataset.range || rangeFromHref(a.getAttribute('href'));
        if (!range) return;
        e.preventDefault();
        load(range);
      });
    });

    // The whole range stays in view when the chart changes width (a phone turned sideways).
    if (win.ResizeObserver) {
      var width = el.clientWidth;
      new win.ResizeObserver(function () {
        if (el.clientWidth === width) return;
        width = el.clientWidth;
        win.requestAnimationFrame(function () {
          chart.timeScale().fitContent();
        });
      }).observe(el);
    }

    doc.addEventListener('app:themechange', function () {
      chart.applyOptions(themeOptions());
    });

    var first = {};
    try {
      first = JSON.parse(el.dataset.history || '{}');
    } catch (e) {
      first = {};
    }
    draw(first);

    win.awPortfolio = {
      chart: function () {
        return chart;
      },
      series: function () {
        return series;
      },
      points: function () {
        return data.slice();
      },
      load: load,
    };
  }

  return { seriesData: seriesData, baseOf: baseOf, rangeFromHref: rangeFromHref, intraday: intraday, phrase: phrase, sign: sign, money: money, start: start };
});
