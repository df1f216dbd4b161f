// The chart page (views/chart.templ): draws one instrument with TradingView's lightweight-charts
// (v5, global LightweightCharts) from the candles API, scrolls back through history with its
// cursors, keeps the newest candle live from /ws/market, overlays any number of configurable
// indicators (indicators.js describes them in its catalogue; chart-indicators.js is their
// settings dialog) and exports the candles in view as CSV. Its time-axis labels come from
// timeaxis.js.
//
// Settings come from data attributes on #chart and are kept in the URL (?tf=&type=&ind=&vol=&grid=)
// so a chart can be bookmarked; a signed-in person's indicators are also remembered on the server
// (POST /settings/chart). The CSP forbids inline script and style, so everything is wired here.
//
// Conveniences the original system's users had: series types with presets (Classic, Clean,
// Baseline), a volume toggle, fullscreen (the Fullscreen API, or a full-window fallback),
// hidden controls, pausing live updates, the day's change in the header and the price in the
// tab's title, and the keys f, v, c, i, Space, Esc, ←/→ and ? (the help lists them).
//
// For tests (and the curious) the chart publishes its state on #chart as data-candles-loaded,
// data-last-time, data-last-close, data-has-older, data-loading, data-ws, data-volume,
// data-paused and data-fullscreen, and exposes window.awChart.
(function () {
  'use strict';

  var root = document.getElementById('chart');
  var LWC = window.LightweightCharts;
  var IND = window.AWIndicators;
  var AX = window.AWTimeAxis;
  if (!root || !LWC || !IND || !AX || !IND.catalog) return;

  var PAGE_SIZE = 500; // candles per request: a screenful several times over
  var OLDER_MARGIN = 30; // load older history when fewer than this many candles are left of the view
  var INITIAL_VISIBLE = 150; // candles in view after a load
  var TF_SECONDS = { '1m': 60, '5m': 300, '15m': 900, '30m': 1800, '1h': 3600, '4h': 14400, '1D': 86400 };
  var UP = '#10b981';
  var DOWN = '#f43f5e';
  var LINE = '#6366f1';
  // Colours for an indicator's second and later lines (MACD's signal, Stochastic's %D...), which
  // the settings do not colour; the first line takes the indicator's own colour.
  var SECONDARY = ['#f59e0b', '#0ea5e9', '#ec4899', '#14b8a6', '#a855f7'];
  // Band edges share the indicator's colour: they read as one envelope.
  var BAND_PARTS = { upper: true, lower: true, middle: true, basis: true };
  // PRESETS are the original system's: a series type with volume and grid on or off.
  var PRESETS = {
    classic: { type: 'candles', vol: true, grid: true },
    clean: { type: 'line', vol: false, grid: false },
    baseline: { type: 'baseline', vol: false, grid: true },
  };

  var shell = document.getElementById('chart-shell') || root;
  var controlsEl = document.getElementById('chart-controls');
  var canvas = document.getElementById('chart-canvas');
  var legendEl = document.getElementById('chart-legend');
  var olderEl = document.getElementById('chart-loading-older');
  var statusEl = document.getElementById('chart-status');
  var lastEl = document.getElementById('chart-last');
  var changeEl = document.getElementById('chart-change');
  var feedEl = document.getElementById('chart-feed');
  var exportBtn = document.querySelector('[data-chart-export]');
  var baseTitle = document.title;

  // precisionOf reads the price decimals (0 for a pair priced in whole dollars), 2 when unknown.
  function precisionOf(raw) {
    var n = parseInt(raw, 10);
    return isNaN(n) || n < 0 || n > 10 ? 2 : n;
  }

  var params = new URLSearchParams(location.search);
  var state = {
    symbol: root.dataset.symbol,
    url: root.dataset.candlesUrl,
    tf: root.dataset.tf || '1h',
    type: root.dataset.type || 'candles',
    ind: withDefaults(IND.parseIndicators(params.has('ind') ? params.get('ind') : root.dataset.ind)),
    vol: params.get('vol') !== '0',
    grid: params.get('grid') !== '0',
    paused: false,
    tz: root.dataset.tz || 'UTC',
    precision: precisionOf(root.dataset.precision),
  };

  // withDefaults gives every parsed indicator a colour and a width, so the chart and the
  // settings dialog need not ask each time.
  function withDefaults(list) {
    return list.filter(function (x) {
      return IND.catalog[x.kind];
    }).map(function (x, i) {
      if (!/^#[0-9a-f]{6}$/i.test(x.color || '')) x.color = SECONDARY[i % SECONDARY.length];
      if (!(x.width >= 1 && x.width <= 4)) x.width = 2;
      // A name that is only the default ("SMA 20") is no name: it follows the parameters.
      if (x.label && x.label === autoLabel(x)) x.label = '';
      return x;
    });
  }

  // labelOf names an indicator in the legend and the settings: the person's name for it, else
  // the catalogue's short name with its parameters ("SMA 20", "BB 20 2").
  function labelOf(x) {
    return x.label || autoLabel(x);
  }

  function autoLabel(x) {
    var def = IND.catalog[x.kind];
    if (IND.defaultLabel && IND.normalizeParams) return IND.defaultLabel(x.kind, IND.normalizeParams(x.kind, x.params));
    var nums = (def.params || [])
      .filter(function (p) {
        return p.type !== 'source';
      })
      .map(function (p) {
        return x.params && x.params[p.key] !== undefined ? x.params[p.key] : p.default;
      });
    return (def.short || def.name) + (nums.length ? ' ' + nums.join(' ') : '');
  }

  // candles: oldest first. Each keeps the exact decimal strings (s) for export and the legend,
  // and numbers for drawing.
  var candles = [];
  var indexByTime = {};
  var nextCursor = null;
  var generation = 0; // bumped on every reload, so answers to an older request are dropped
  var loadingInitial = false;
  var loadingOlder = null;
  var pending = []; // live messages received while the first page loads
  var minuteVolumes = {}; // minute start -> volume it added to the open candle (bars may repeat)
  var computed = {}; // indicator outputs from the last recompute, by indicator id, for the legend

  var chart = null;
  var priceSeries = null;
  var volumeSeries = null;
  var indSeries = []; // [{key, part, style, series}]

  // ---- Formatting ----------------------------------------------------------

  var dateFmt = new Intl.DateTimeFormat('en-CA', { timeZone: state.tz, year: 'numeric', month: '2-digit', day: '2-digit' });
  var timeFmt = new Intl.DateTimeFormat('en-GB', { timeZone: state.tz, hour: '2-digit', minute: '2-digit', hour12: false });
  // The chart is fed the zone's wall-clock times (timeaxis.js: zone), so its axis labels are
  // formatted as UTC.
  var axisTimeFmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hour12: false });
  var monthFmt = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short' });
  var dayFmt = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' });
  var yearFmt = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric' });
  var Z = AX.zone(state.tz);

  function dayKeyOf(sec) {
    return dateFmt.format(new Date(sec * 1000));
  }

  function fullTime(sec) {
    var d = new Date(sec * 1000);
    var s = dateFmt.format(d);
    if (state.tf !== '1D') s += ' ' + timeFmt.format(d);
    return s + (state.tz === 'UTC' ? ' UTC' : ' ET');
  }

  // tickMark labels the time axis in the chosen zone (lightweight-charts would use UTC).
  var tickMark = AX.tickMark({ year: yearFmt, month: monthFmt, day: dayFmt, time: axisTimeFmt });

  // chartTimeFormatter labels the crosshair: the chart's time is the zone's wall clock.
  function chartTimeFormatter(t) {
    return fullTime(Z.fromChart(t));
  }

  function price(n) {
    if (n === null || n === undefined || isNaN(n)) return '—';
    return Number(n).toFixed(state.precision);
  }

  function compact(n) {
    n = Number(n);
    if (!isFinite(n)) return '—';
    var a = Math.abs(n);
    if (a >= 1e9) return (n / 1e9).toFixed(2) + 'B';
    if (a >= 1e6) return (n / 1e6).toFixed(2) + 'M';
    if (a >= 1e3) return (n / 1e3).toFixed(2) + 'K';
    return a >= 1 || a === 0 ? n.toFixed(a >= 100 ? 0 : 2) : n.toPrecision(3);
  }

  function isoOf(sec) {
    return new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
  }

  // ---- Candles -------------------------------------------------------------

  function fromAPI(c) {
    var t = Math.floor(Date.parse(c.time) / 1000);
    return withNumbers({
      t: t,
      s: { open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume, vwap: c.vwap || '' },
      n: c.trade_count || 0,
    });
  }

  function withNumbers(c) {
    c.o = Number(c.s.open);
    c.h = Number(c.s.high);
    c.l = Number(c.s.low);
    c.c = Number(c.s.close);
    c.v = Number(c.s.volume);
    c.vw = c.s.vwap === '' ? 0 : Number(c.s.vwap);
    return c;
  }

  function reindex() {
    indexByTime = {};
    for (var i = 0; i < candles.length; i++) indexByTime[candles[i].t] = i;
  }

  function lastCandle() {
    return candles.length ? candles[candles.length - 1] : null;
  }

  function priceDatum(c) {
    if (state.type === 'line' || state.type === 'area') return { time: Z.toChart(c.t), value: c.c };
    return { time: Z.toChart(c.t), open: c.o, high: c.h, low: c.l, close: c.c };
  }

  function volumeDatum(c) {
    return { time: Z.toChart(c.t), value: c.v, color: c.c >= c.o ? 'rgba(16,185,129,0.35)' : 'rgba(244,63,94,0.35)' };
  }

  // ---- Chart ---------------------------------------------------------------

  function dark() {
    return document.documentElement.classList.contains('dark');
  }

  function themeOptions() {
    var d = dark();
    var grid = d ? 'rgba(148,163,184,0.08)' : 'rgba(100,116,139,0.12)';
    var border = d ? 'rgba(148,163,184,0.25)' : 'rgba(100,116,139,0.3)';
    return {
      layout: {
        attributionLogo: false, // its logo injects a <style> the CSP blocks; the page credits TradingView instead
        background: { type: 'solid', color: d ? '#0c1020' : '#ffffff' },
        textColor: d ? '#cbd5e1' : '#334155',
        panes: { separatorColor: border, separatorHoverColor: d ? 'rgba(129,140,248,0.3)' : 'rgba(79,70,229,0.2)' },
      },
      grid: { vertLines: { color: grid, visible: state.grid }, horzLines: { color: grid, visible: state.grid } },
      rightPriceScale: { borderColor: border },
      timeScale: { borderColor: border },
    };
  }

  function defOf(x) {
    return IND.catalog[x.kind] || null;
  }

  // shown are the indicators drawn: all but the hidden ones.
  function shown() {
    return state.ind.filter(function (x) {
      return !x.hidden && defOf(x);
    });
  }

  function paneCount() {
    return (
      1 +
      shown().filter(function (x) {
        return defOf(x).pane === 'own';
      }).length
    );
  }

  function lineOpts(color, extra) {
    var o = {
      color: color,
      lineWidth: 1,
      priceLineVisible: false,
      lastValueVisible: false,
      crosshairMarkerVisible: false,
    };
    for (var k in extra || {}) o[k] = extra[k];
    return o;
  }

  // colorOf picks an output's colour: the indicator's own for its first line and band edges, a
  // fixed secondary colour for other lines (a signal line must not look like its MACD).
  function colorOf(x, out, k) {
    if (k === 0 || BAND_PARTS[out.key]) return x.color;
    return SECONDARY[(k - 1) % SECONDARY.length];
  }


  // paneFormat is the price format of an indicator's own pane: two more decimals than the
  // instrument's prices, since oscillators such as MACD move in fractions of a price step.
  function paneFormat() {
    var p = Math.min(state.precision + 2, 8);
    return { type: 'price', precision: p, minMove: Math.pow(10, -p) };
  }

  // addPriceSeries adds the instrument's series of the chosen type. Baseline shades above and
  // below the previous session's close (the day's reference), or the first candle's close.
  function addPriceSeries() {
    var pf = { type: 'price', precision: state.precision, minMove: Math.pow(10, -state.precision) };
    switch (state.type) {
      case 'bars':
        return chart.addSeries(LWC.BarSeries, { upColor: UP, downColor: DOWN, priceFormat: pf });
      case 'line':
        return chart.addSeries(LWC.LineSeries, { color: LINE, lineWidth: 2, priceFormat: pf });
      case 'area':
        return chart.addSeries(LWC.AreaSeries, {
          lineColor: LINE,
          topColor: 'rgba(99,102,241,0.35)',
          bottomColor: 'rgba(99,102,241,0.02)',
          lineWidth: 2,
          priceFormat: pf,
        });
      case 'baseline':
        return chart.addSeries(LWC.BaselineSeries, {
          baseValue: { type: 'price', price: baselineValue() },
          topLineColor: UP,
          topFillColor1: 'rgba(16,185,129,0.28)',
          topFillColor2: 'rgba(16,185,129,0.04)',
          bottomLineColor: DOWN,
          bottomFillColor1: 'rgba(244,63,94,0.04)',
          bottomFillColor2: 'rgba(244,63,94,0.28)',
          lineWidth: 2,
          priceFormat: pf,
        });
      default:
        return chart.addSeries(LWC.CandlestickSeries, {
          upColor: UP,
          downColor: DOWN,
          wickUpColor: UP,
          wickDownColor: DOWN,
          borderVisible: false,
          priceFormat: pf,
        });
    }
  }

  function baselineValue() {
    if (day.ref !== null) return day.ref;
    return candles.length ? candles[0].c : 0;
  }

  // addIndicator adds one indicator's series, in the price pane or in a pane of its own, and
  // draws its levels (RSI's 30 and 70) as dashed lines there.
  function addIndicator(x, pane) {
    var def = defOf(x);
    var own = def.pane === 'own';
    var at = own ? pane : 0;
    var fmt = own ? paneFormat() : undefined;
    var first = null;
    (def.outputs || []).forEach(function (out, k) {
      var color = colorOf(x, out, k);
      var s;
      if (out.style === 'histogram') {
        s = chart.addSeries(LWC.HistogramSeries, { priceFormat: fmt, priceLineVisible: false, lastValueVisible: false, base: 0 }, at);
      } else if (out.style === 'area') {
        s = chart.addSeries(
          LWC.AreaSeries,
          { lineColor: color, topColor: hexAlpha(color, 0.25), bottomColor: hexAlpha(color, 0.02), lineWidth: x.width, priceFormat: fmt, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false },
          at
        );
      } else {
        var extra = { lineWidth: x.width, lastValueVisible: own && k === 0 };
        if (fmt) extra.priceFormat = fmt;
        if (own && k === 0) extra.autoscaleInfoProvider = withLevels(levelsOf(x));
        if (out.key === 'middle' || out.key === 'basis') extra.lineStyle = LWC.LineStyle.Dashed;
        s = chart.addSeries(LWC.LineSeries, lineOpts(color, extra), at);
      }
      if (!first) first = s;
      indSeries.push({ key: x.id, part: out.key, style: out.style, color: color, series: s });
    });
    if (first && own) {
      levelsOf(x).forEach(function (lv) {
        first.createPriceLine({ price: lv, color: hexAlpha(x.color, 0.55), lineWidth: 1, lineStyle: LWC.LineStyle.Dashed, axisLabelVisible: false });
      });
    }
  }

  function levelsOf(x) {
    var levels = Array.isArray(x.levels) ? x.levels : defOf(x).levels;
    return (levels || []).filter(function (lv) {
      return typeof lv === 'number' && isFinite(lv);
    });
  }

  // withLevels widens a pane's automatic scale to take in its levels, so RSI's 25 and 75 show
  // even while the line stays between 40 and 60.
  function withLevels(levels) {
    if (!levels.length) return undefined;
    var lo = Math.min.apply(null, levels);
    var hi = Math.max.apply(null, levels);
    return function (original) {
      var r = original();
      if (!r || !r.priceRange) return r;
      r.priceRange = { minValue: Math.min(r.priceRange.minValue, lo), maxValue: Math.max(r.priceRange.maxValue, hi) };
      return r;
    };
  }

  function hexAlpha(hex, a) {
    var m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || '');
    if (!m) return 'rgba(99,102,241,' + a + ')';
    return 'rgba(' + parseInt(m[1], 16) + ',' + parseInt(m[2], 16) + ',' + parseInt(m[3], 16) + ',' + a + ')';
  }

  // build (re)creates the chart for the current type, volume and indicators: simpler and sturdier
  // than adding and removing series and panes one by one, and cheap (the data is already here).
  function build() {
    var keep = chart ? chart.timeScale().getVisibleLogicalRange() : null;
    if (chart) chart.remove();
    canvas.setAttribute('data-panes', String(Math.min(paneCount(), 5)));
    var opts = themeOptions();
    opts.autoSize = true;
    opts.crosshair = { mode: LWC.CrosshairMode.Normal };
    opts.localization = { timeFormatter: chartTimeFormatter, priceFormatter: price };
    opts.timeScale.timeVisible = state.tf !== '1D';
    opts.timeScale.secondsVisible = false;
    opts.timeScale.tickMarkFormatter = tickMark;
    opts.timeScale.rightOffset = 4;
    chart = LWC.createChart(canvas, opts);

    priceSeries = addPriceSeries();
    priceSeries.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: state.vol ? 0.22 : 0.06 } });
    volumeSeries = null;
    if (state.vol) {
      volumeSeries = chart.addSeries(LWC.HistogramSeries, {
        priceScaleId: 'volume',
        priceFormat: { type: 'volume' },
        priceLineVisible: false,
        lastValueVisible: false,
      });
      volumeSeries.priceScale().applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
    }

    indSeries = [];
    var pane = 1;
    shown().forEach(function (x) {
      addIndicator(x, pane);
      if (defOf(x).pane === 'own') pane++;
    });
    // The price pane gets most of the height; indicator panes share the rest.
    var panes = chart.panes();
    if (panes.length > 1) {
      panes[0].setStretchFactor(3);
      for (var i = 1; i < panes.length; i++) panes[i].setStretchFactor(1);
    }

    chart.subscribeCrosshairMove(onCrosshair);
    chart.timeScale().subscribeVisibleLogicalRangeChange(onRangeChange);
    setAllData();
    if (keep) chart.timeScale().setVisibleLogicalRange(keep);
    root.dataset.volume = state.vol ? 'on' : 'off';
    root.dataset.type = state.type;
  }

  function setAllData() {
    if (!chart) return;
    priceSeries.setData(candles.map(priceDatum));
    if (volumeSeries) volumeSeries.setData(candles.map(volumeDatum));
    if (state.type === 'baseline') priceSeries.applyOptions({ baseValue: { type: 'price', price: baselineValue() } });
    recompute();
    published();
  }

  // bars are the candles as the indicators' compute functions take them: numbers, with the
  // trading day each belongs to (a session VWAP starts again each day; daily candles are each
  // their own day).
  function bars() {
    return candles.map(function (c) {
      if (c.d === undefined) c.d = state.tf === '1D' ? String(c.t) : dayKeyOf(c.t);
      return { time: c.t, open: c.o, high: c.h, low: c.l, close: c.c, volume: c.v, vwap: c.vw, day: c.d };
    });
  }

  // recompute derives every shown indicator from the loaded candles and redraws its series. One
  // indicator that fails (a bad parameter that slipped through) is left out; the chart goes on.
  function recompute() {
    var input = bars();
    var ctx = {
      dayKey: function (c) {
        return c.day;
      },
    };
    computed = {};
    shown().forEach(function (x) {
      try {
        computed[x.id] = defOf(x).compute(input, x.params || {}, ctx) || {};
      } catch (err) {
        computed[x.id] = {};
        if (window.console) console.warn('chart: ' + x.kind + ':', err);
      }
    });
    indSeries.forEach(function (s) {
      var values = computed[s.key] && computed[s.key][s.part];
      if (!values) {
        s.series.setData([]);
        return;
      }
      var data = [];
      for (var i = 0; i < candles.length; i++) {
        var v = values[i];
        if (v === null || v === undefined || !isFinite(v)) continue;
        var d = { time: Z.toChart(candles[i].t), value: v };
        if (s.style === 'histogram') d.color = v >= 0 ? 'rgba(16,185,129,0.6)' : 'rgba(244,63,94,0.6)';
        data.push(d);
      }
      s.series.setData(data);
    });
  }

  // updateLast redraws after the newest candle changed or one was added.
  function updateLast() {
    var c = lastCandle();
    if (!c || !chart) return;
    priceSeries.update(priceDatum(c));
    if (volumeSeries) volumeSeries.update(volumeDatum(c));
    recompute();
    published();
  }

  // published writes the state to the page: the header price and the day's change, the tab's
  // title, the legend, the test hooks.
  function published() {
    var c = lastCandle();
    root.dataset.candlesLoaded = String(candles.length);
    root.dataset.lastTime = c ? isoOf(c.t) : '';
    root.dataset.lastClose = c ? c.s.close : '';
    root.dataset.hasOlder = nextCursor ? 'true' : 'false';
    root.dataset.tf = state.tf;
    if (lastEl) lastEl.textContent = c ? price(c.c) : '—';
    dayChange(c);
    if (exportBtn) exportBtn.disabled = candles.length === 0;
    if (!legendHeld) legend(candles.length - 1);
  }

  // ---- The day's change ------------------------------------------------------
  // The header shows the last price against the previous session's close, whatever the
  // timeframe drawn, so it is read from the daily candles: the newest one of an earlier day
  // than the last price's. It is asked for again when the last price enters a new day.

  var day = { ref: null, asked: '' };

  function dayChange(c) {
    if (!c) return;
    var key = dayKeyOf(c.t);
    if (day.asked !== key) {
      day.asked = key;
      fetchDailyRef(key);
    }
    var text = '';
    var dir = '';
    if (day.ref !== null && day.ref > 0) {
      var diff = c.c - day.ref;
      var pct = (diff / day.ref) * 100;
      dir = diff >= 0 ? 'up' : 'down';
      text = (diff >= 0 ? '+' : '−') + price(Math.abs(diff)) + ' (' + (pct >= 0 ? '+' : '−') + Math.abs(pct).toFixed(2) + '%)';
    }
    if (changeEl) {
      changeEl.textContent = text;
      changeEl.setAttribute('data-dir', dir);
    }
    root.dataset.dayChange = text;
    document.title = state.symbol + ' ' + price(c.c) + (text ? ' ' + text.replace(/^.*\(|\)$/g, '') : '') + ' · ' + baseTitle;
  }

  function fetchDailyRef(key) {
    var q = new URLSearchParams({ timeframe: '1D', limit: '3' });
    fetch(state.url + '?' + q.toString(), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (page) {
        if (day.asked !== key) return;
        var list = (page.candles || []).map(fromAPI);
        var ref = null;
        for (var i = list.length - 1; i >= 0; i--) {
          if (dayKeyOf(list[i].t) < key) {
            ref = list[i].c;
            break;
          }
        }
        day.ref = ref;
        if (state.type === 'baseline' && priceSeries) priceSeries.applyOptions({ baseValue: { type: 'price', price: baselineValue() } });
        dayChange(lastCandle());
      })
      .catch(function () {
        // Without daily candles the header shows the price alone.
      });
  }

  // ---- Legend --------------------------------------------------------------

  var legendHeld = false;

  function onCrosshair(param) {
    var i = param && param.time !== undefined ? indexByTime[Z.fromChart(param.time)] : undefined;
    if (i === undefined) {
      legendHeld = false;
      legend(candles.length - 1);
      return;
    }
    legendHeld = true;
    legend(i);
  }

  function legendItem(label, value, cls) {
    var span = document.createElement('span');
    if (cls) span.className = cls;
    var b = document.createElement('b');
    b.textContent = label;
    span.appendChild(b);
    span.appendChild(document.createTextNode(' ' + value));
    return span;
  }

  // indValue formats an indicator's value: as a price in the price pane, else compactly.
  function indValue(def, v) {
    if (v === null || v === undefined || !isFinite(v)) return '—';
    if (def.pane !== 'own') return price(v);
    var a = Math.abs(v);
    if (a >= 1e4) return compact(v);
    return v.toFixed(a >= 100 ? 1 : a >= 1 ? 2 : Math.min(state.precision + 2, 8));
  }

  function legend(i) {
    if (!legendEl) return;
    legendEl.textContent = '';
    var c = candles[i];
    if (!c) return;
    var line = document.createElement('div');
    var dir = c.c >= c.o ? 'up' : 'down';
    var chg = c.o ? ((c.c - c.o) / c.o) * 100 : 0;
    line.appendChild(legendItem('', fullTime(c.t)));
    line.appendChild(legendItem('O', price(c.o)));
    line.appendChild(legendItem('H', price(c.h)));
    line.appendChild(legendItem('L', price(c.l)));
    line.appendChild(legendItem('C', price(c.c), 'legend-' + dir));
    line.appendChild(legendItem('', (chg >= 0 ? '+' : '') + chg.toFixed(2) + '%', 'legend-' + dir));
    if (state.vol) line.appendChild(legendItem('Vol', compact(c.v)));
    legendEl.appendChild(line);
    var ind = document.createElement('div');
    shown().forEach(function (x) {
      var v = computed[x.id];
      if (!v) return;
      var def = defOf(x);
      var values = (def.outputs || []).map(function (out) {
        var arr = v[out.key];
        return indValue(def, arr ? arr[i] : null);
      });
      var item = legendItem(labelOf(x), values.join(' / '));
      item.setAttribute('data-ind-id', x.id);
      // A property, not a style attribute: the CSP allows the one and forbids the other.
      item.firstChild.style.color = x.color;
      ind.appendChild(item);
    });
    if (ind.childNodes.length) legendEl.appendChild(ind);
  }

  // ---- Loading -------------------------------------------------------------

  function candlesURL(extra) {
    var q = new URLSearchParams({ timeframe: state.tf, limit: String(PAGE_SIZE) });
    for (var k in extra || {}) q.set(k, extra[k]);
    return state.url + '?' + q.toString();
  }

  function fetchPage(extra) {
    return fetch(candlesURL(extra), { headers: { Accept: 'application/json' }, credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    });
  }

  function status(text) {
    if (statusEl) statusEl.textContent = text || '';
  }

  var retryTimer = null;

  // load replaces everything with the newest page of the current timeframe.
  function load() {
    var g = ++generation;
    clearTimeout(retryTimer);
    loadingInitial = true;
    loadingOlder = null;
    root.dataset.loading = 'initial';
    candles = [];
    indexByTime = {};
    nextCursor = null;
    minuteVolumes = {};
    pending = [];
    if (olderEl) olderEl.hidden = true;
    setAllData();
    status('Loading ' + state.tf + ' candles…');
    return fetchPage().then(
      function (page) {
        if (g !== generation) return;
        loadingInitial = false;
        root.dataset.loading = '';
        candles = (page.candles || []).map(fromAPI);
        nextCursor = page.next_cursor || null;
        reindex();
        setAllData();
        var n = candles.length;
        if (n) chart.timeScale().setVisibleLogicalRange({ from: Math.max(0, n - INITIAL_VISIBLE), to: n - 1 + 4 });
        status(n ? '' : 'No ' + state.tf + ' candles yet for ' + state.symbol + '.');
        var queued = pending;
        pending = [];
        queued.forEach(handle);
      },
      function () {
        if (g !== generation) return;
        root.dataset.loading = 'error';
        status('Could not load the candles. Retrying shortly…');
        retryTimer = setTimeout(load, 5000);
      }
    );
  }

  // ---- History ---------------------------------------------------------------
  // Opening a chart asks the server to load the symbol's history (a no-op when it is complete or
  // loading already). While a backfill runs, its progress is shown under the chart and polled;
  // each time more has been stored, the newest page is fetched again and drawn, so candles appear
  // as they arrive, without a reload.

  var HISTORY_POLL_MS = 1500;
  var historyURL = state.url.replace(/\/candles$/, '/history');
  var historyTimer = null;
  var historySeen = '';
  var historyEl = null;

  function historyBar(h) {
    if (!historyEl) {
      historyEl = document.createElement('progress');
      historyEl.id = 'chart-history';
      historyEl.className = 'chart-history';
      historyEl.max = 100;
      historyEl.setAttribute('aria-label', 'History of ' + state.symbol + ' loaded');
      historyEl.setAttribute('data-testid', 'chart-history');
      if (statusEl) statusEl.insertAdjacentElement('afterend', historyEl);
    }
    historyEl.hidden = !h;
    if (h) historyEl.value = h.percent || 0;
  }

  function historyText(h) {
    var back = h.minutes_from ? ' (back to ' + new Date(h.minutes_from).toLocaleDateString() + ')' : '';
    return 'Loading the history of ' + state.symbol + '… ' + (h.percent || 0) + '%' + back;
  }

  // refreshNewest swaps in the newest page of the current timeframe, keeping the view's place
  // unless nothing was drawn before.
  function refreshNewest() {
    var g = generation;
    if (loadingInitial || loadingOlder) return Promise.resolve();
    return fetchPage().then(function (page) {
      if (g !== generation || loadingOlder) return;
      var had = candles.length;
      candles = (page.candles || []).map(fromAPI);
      nextCursor = page.next_cursor || null;
      reindex();
      setAllData();
      var n = candles.length;
      if (!had && n) chart.timeScale().setVisibleLogicalRange({ from: Math.max(0, n - INITIAL_VISIBLE), to: n - 1 + 4 });
    });
  }

  function historyStep(h) {
    root.dataset.historyPercent = String(h.percent || 0);
    var seen = [h.minutes_from, h.minutes_to, h.bars_loaded, h.daily_bars].join('|');
    var changed = seen !== historySeen;
    historySeen = seen;
    if (h.loading) {
      root.dataset.history = 'loading';
      root.dataset.historyShown = 'true'; // stays, so a test can tell the progress was shown
      historyBar(h);
      status(historyText(h));
      var redraw = changed ? refreshNewest() : Promise.resolve();
      redraw.catch(function () {}).then(function () {
        historyTimer = setTimeout(pollHistory, HISTORY_POLL_MS);
      });
      return;
    }
    var wasLoading = root.dataset.history === 'loading';
    historyBar(null);
    var done = function () {
      root.dataset.history = h.complete ? 'complete' : h.status;
      if (wasLoading) status(candles.length ? '' : 'No ' + state.tf + ' candles for ' + state.symbol + '.');
    };
    if (wasLoading) refreshNewest().then(done, done);
    else done();
  }

  function historyRequest(method) {
    return fetch(historyURL, { method: method, headers: { Accept: 'application/json' }, credentials: 'same-origin' }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw body;
        return body;
      });
    });
  }

  function pollHistory() {
    historyRequest('GET').then(historyStep, function () {
      historyTimer = setTimeout(pollHistory, HISTORY_POLL_MS * 4);
    });
  }

  function requestHistory() {
    clearTimeout(historyTimer);
    historyRequest('POST').then(historyStep, function (err) {
      // A refusal (too many histories loading) says why; the candles already stored still show.
      root.dataset.history = 'refused';
      historyBar(null);
      status((err && (err.detail || err.title)) || 'Could not load the history of ' + state.symbol + '.');
    });
  }

  // loadOlder prepends the page before the oldest loaded candle, keeping the view where it was.
  // It resolves to the number of candles added (0 at the beginning of history).
  function loadOlder() {
    if (loadingOlder) return loadingOlder;
    if (!nextCursor || loadingInitial) return Promise.resolve(0);
    var g = generation;
    root.dataset.loading = 'older';
    if (olderEl) olderEl.hidden = false;
    loadingOlder = fetchPage({ before: nextCursor })
      .then(function (page) {
        if (g !== generation) return 0;
        var first = candles.length ? candles[0].t : Infinity;
        var older = (page.candles || []).map(fromAPI).filter(function (c) {
          return c.t < first;
        });
        nextCursor = page.next_cursor || null;
        var range = chart.timeScale().getVisibleLogicalRange();
        candles = older.concat(candles);
        reindex();
        setAllData();
        if (range && older.length) {
          chart.timeScale().setVisibleLogicalRange({ from: range.from + older.length, to: range.to + older.length });
        }
        return older.length;
      })
      .catch(function () {
        status('Could not load older candles.');
        return 0;
      })
      .then(function (n) {
        if (g === generation) {
          loadingOlder = null;
          root.dataset.loading = '';
          if (olderEl) olderEl.hidden = true;
        }
        return n;
      });
    return loadingOlder;
  }

  function onRangeChange(range) {
    if (range && range.from < OLDER_MARGIN && nextCursor && !loadingOlder && !loadingInitial) loadOlder();
  }

  // ---- Live updates ----------------------------------------------------------

  var ws = null;
  var wsBackoff = 1000;
  var pingTimer = null;

  function feed(text, ws) {
    root.dataset.ws = ws;
    if (feedEl) feedEl.textContent = state.paused ? 'paused' : text;
  }

  function subscribe() {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify({ type: 'subscribe', symbols: [state.symbol], timeframe: state.tf }));
  }

  function connect() {
    if (!('WebSocket' in window)) return;
    feed('connecting…', 'connecting');
    var sock = new WebSocket((location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/ws/market');
    ws = sock;
    sock.onopen = function () {
      wsBackoff = 1000;
      feed('live', 'open');
      subscribe();
      clearInterval(pingTimer);
      pingTimer = setInterval(function () {
        if (sock.readyState === 1) sock.send('{"type":"ping"}');
      }, 25000);
    };
    sock.onmessage = function (e) {
      var data;
      try {
        data = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      (Array.isArray(data) ? data : [data]).forEach(function (m) {
        // Held until the first page is drawn (a few hundred at most: bars come once a minute
        // and trades are coalesced to a few a second).
        if (loadingInitial && (m.type === 'bar' || m.type === 'trade')) {
          if (pending.length < 2000) pending.push(m);
        }
        else handle(m);
      });
    };
    sock.onclose = function () {
      if (ws !== sock) return;
      clearInterval(pingTimer);
      feed('offline, reconnecting…', 'closed');
      setTimeout(connect, wsBackoff);
      wsBackoff = Math.min(wsBackoff * 2, 30000);
    };
  }

  function handle(m) {
    if (!m || typeof m !== 'object') return;
    switch (m.type) {
      case 'subscribed':
        feed('live', 'subscribed');
        break;
      case 'bar':
        if (state.paused) break; // refreshNewest catches up on resuming
        if (m.symbol === state.symbol && (!m.timeframe || m.timeframe === state.tf)) mergeBar(m);
        break;
      case 'trade':
        if (!state.paused && m.symbol === state.symbol) mergeTrade(m);
        break;
      case 'error':
        if (window.console) console.warn('chart: /ws/market:', m.message);
        break;
    }
  }

  // mergeBar folds a live minute bar into the candle its bucket names: the newest candle is
  // updated, a newer bucket starts a new candle. A minute bar may come again (corrected), so
  // the volume each minute added is remembered and replaced rather than added twice.
  function mergeBar(m) {
    var t = Math.floor(Date.parse(m.bucket || m.time) / 1000);
    if (!isFinite(t)) return;
    var last = lastCandle();
    var minute = m.time || m.bucket;
    var s;
    if (!last || t > last.t) {
      s = { open: m.open, high: m.high, low: m.low, close: m.close, volume: m.volume, vwap: m.vwap || '' };
      minuteVolumes = {};
      minuteVolumes[minute] = m.volume;
      candles.push(withNumbers({ t: t, s: s, n: m.trade_count || 0 }));
      indexByTime[t] = candles.length - 1;
      updateLast();
      return;
    }
    var i = indexByTime[t];
    if (i === undefined) return; // older than what is loaded, or a bucket we never had
    var c = candles[i];
    s = c.s;
    if (state.tf === '1m' || m.bucket === m.time) {
      // The minute bar is the whole candle.
      s.open = m.open;
      s.high = m.high;
      s.low = m.low;
      s.close = m.close;
      s.volume = m.volume;
      if (m.vwap) s.vwap = m.vwap;
    } else {
      if (Number(m.high) > c.h) s.high = m.high;
      if (Number(m.low) < c.l) s.low = m.low;
      if (i === candles.length - 1) s.close = m.close;
      var before = i === candles.length - 1 ? minuteVolumes[minute] : undefined;
      s.volume = IND.decimalAdd(s.volume, before === undefined ? m.volume : IND.decimalAdd(m.volume, '-' + before));
      if (i === candles.length - 1) minuteVolumes[minute] = m.volume;
    }
    withNumbers(c);
    if (i === candles.length - 1) updateLast();
    else setAllData();
  }

  // mergeTrade moves the newest candle's close (and high or low) between bars, when the print
  // falls inside it.
  function mergeTrade(m) {
    var c = lastCandle();
    var t = Date.parse(m.time) / 1000;
    if (!c || !isFinite(t) || t < c.t || t >= c.t + (TF_SECONDS[state.tf] || 60)) return;
    var p = Number(m.price);
    if (!(p > 0)) return;
    c.s.close = m.price;
    if (p > c.h) c.s.high = m.price;
    if (p < c.l) c.s.low = m.price;
    withNumbers(c);
    updateLast();
  }

  // ---- Export ----------------------------------------------------------------

  // visibleCandles are the loaded candles whose centre is inside the visible range.
  function visibleCandles() {
    var r = chart && chart.timeScale().getVisibleLogicalRange();
    if (!r || !candles.length) return candles.slice();
    var from = Math.max(0, Math.ceil(r.from));
    var to = Math.min(candles.length - 1, Math.floor(r.to));
    return from > to ? [] : candles.slice(from, to + 1);
  }

  function csvField(v) {
    v = String(v);
    return /[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }

  // toCSV writes candles in the API's CSV layout (candles.WriteCSV): exact decimals, UTC times.
  function toCSV(list) {
    var lines = ['time,open,high,low,close,volume,trade_count,vwap'];
    list.forEach(function (c) {
      lines.push([isoOf(c.t), c.s.open, c.s.high, c.s.low, c.s.close, c.s.volume, c.n, c.s.vwap].map(csvField).join(','));
    });
    return lines.join('\n') + '\n';
  }

  // exportCSV downloads what is on screen. It is built here from the loaded candles rather than
  // asked of the API: the view's edges are times the API's opaque cursors cannot name, and the
  // open candle's live values (not yet stored) are part of what is shown.
  function exportCSV() {
    var list = visibleCandles();
    if (!list.length) return;
    var blob = new Blob([toCSV(list)], { type: 'text/csv;charset=utf-8' });
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = state.symbol.replace(/\//g, '-') + '-' + state.tf + '-' + isoOf(list[0].t).replace(/:/g, '') + '.csv';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () {
      URL.revokeObjectURL(a.href);
    }, 10000);
    root.dataset.exportRows = String(list.length);
    status('Exported ' + list.length + ' candles.');
  }

  // ---- Controls --------------------------------------------------------------

  function presetOf() {
    for (var k in PRESETS) {
      var p = PRESETS[k];
      if (p.type === state.type && p.vol === state.vol && p.grid === state.grid) return k;
    }
    return '';
  }

  function pressedAll(sel, attr, value) {
    document.querySelectorAll(sel).forEach(function (b) {
      b.setAttribute('aria-pressed', b.getAttribute(attr) === value ? 'true' : 'false');
    });
  }

  function syncControls() {
    pressedAll('[data-chart-tf]', 'data-chart-tf', state.tf);
    pressedAll('[data-chart-type]', 'data-chart-type', state.type);
    pressedAll('[data-chart-preset]', 'data-chart-preset', presetOf());
    setPressed('[data-chart-volume]', state.vol);
    setPressed('[data-chart-pause]', state.paused);
    setPressed('[data-chart-fullscreen]', !!fullscreenMode());
    var n = document.querySelector('[data-chart-ind-count]');
    if (n) n.textContent = state.ind.length ? String(state.ind.length) : '';
  }

  function setPressed(sel, on) {
    document.querySelectorAll(sel).forEach(function (b) {
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    });
  }

  function syncURL() {
    var q = new URLSearchParams(location.search);
    q.set('tf', state.tf);
    q.set('type', state.type);
    var ind = IND.formatIndicators(state.ind);
    if (ind) q.set('ind', ind);
    else q.delete('ind');
    if (state.vol) q.delete('vol');
    else q.set('vol', '0');
    if (state.grid) q.delete('grid');
    else q.set('grid', '0');
    history.replaceState(null, '', location.pathname + '?' + q.toString());
  }

  function redraw() {
    syncControls();
    syncURL();
    build();
  }

  function setTimeframe(tf) {
    if (tf === state.tf || !TF_SECONDS[tf]) return;
    state.tf = tf;
    day.asked = '';
    redraw();
    load();
    subscribe();
  }

  function setType(type) {
    state.type = type;
    redraw();
  }

  function applyPreset(name) {
    var p = PRESETS[name];
    if (!p) return;
    state.type = p.type;
    state.vol = p.vol;
    state.grid = p.grid;
    redraw();
    status('Preset: ' + name.charAt(0).toUpperCase() + name.slice(1) + '.');
  }

  function toggleVolume() {
    state.vol = !state.vol;
    redraw();
    status(state.vol ? 'Volume shown.' : 'Volume hidden.');
  }

  // togglePause holds the chart still: live bars and trades are ignored while paused, and on
  // resuming the newest page is fetched again, so nothing missed in between is lost.
  function togglePause() {
    state.paused = !state.paused;
    root.dataset.paused = state.paused ? 'true' : 'false';
    syncControls();
    if (state.paused) {
      if (feedEl) feedEl.textContent = 'paused';
      status('Live updates paused. Press Space to resume.');
      return;
    }
    if (feedEl) feedEl.textContent = root.dataset.ws === 'closed' ? 'offline, reconnecting…' : 'live';
    status('Live updates resumed.');
    refreshNewest();
  }

  // ---- Fullscreen and hidden controls -----------------------------------------
  // The Fullscreen API where the browser has it (and allows it); otherwise the chart fills the
  // window (data-max), which Esc or f undoes.

  function fullscreenMode() {
    if (document.fullscreenElement === shell) return 'native';
    return shell.hasAttribute('data-max') ? 'window' : '';
  }

  function setWindowMax(on) {
    if (on) shell.setAttribute('data-max', '');
    else shell.removeAttribute('data-max');
    document.documentElement.classList.toggle('chart-maximised', on);
    fullscreenChanged();
  }

  function toggleFullscreen() {
    var mode = fullscreenMode();
    if (mode === 'native') return void document.exitFullscreen().catch(function () {});
    if (mode === 'window') return setWindowMax(false);
    if (shell.requestFullscreen && document.fullscreenEnabled !== false) {
      shell.requestFullscreen().catch(function () {
        setWindowMax(true);
      });
    } else {
      setWindowMax(true);
    }
  }

  function fullscreenChanged() {
    var mode = fullscreenMode();
    root.dataset.fullscreen = mode;
    document.querySelectorAll('[data-chart-fullscreen]').forEach(function (b) {
      b.setAttribute('aria-pressed', mode ? 'true' : 'false');
      b.setAttribute('title', mode ? 'Exit fullscreen (f or Esc)' : 'Fullscreen (f)');
    });
  }

  document.addEventListener('fullscreenchange', fullscreenChanged);

  function setControls(visible) {
    if (!controlsEl) return;
    controlsEl.hidden = !visible;
    shell.setAttribute('data-controls', visible ? 'shown' : 'hidden');
    var again = document.getElementById('chart-show-controls');
    if (again) again.hidden = visible;
    root.dataset.controls = visible ? 'shown' : 'hidden';
  }

  function toggleControls() {
    var visible = controlsEl && controlsEl.hidden;
    setControls(!!visible);
    var again = document.getElementById('chart-show-controls');
    if (!visible && again && document.activeElement && controlsEl.contains(document.activeElement)) again.focus();
  }

  // ---- Indicators --------------------------------------------------------------
  // The settings dialog (chart-indicators.js) edits a copy of the list and hands it back; the
  // chart redraws, the URL follows, and a signed-in person's choice is saved (debounced: a
  // colour picker sends many changes).

  var saveTimer = null;
  var saveURL = root.dataset.saveUrl || '';

  function setIndicators(list) {
    state.ind = withDefaults(list);
    redraw();
    if (saveURL) {
      clearTimeout(saveTimer);
      root.dataset.saved = 'pending';
      saveTimer = setTimeout(saveIndicators, 400);
    }
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : '';
  }

  function saveIndicators() {
    fetch(saveURL, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrfToken() },
      body: JSON.stringify({ indicators: IND.formatIndicators(state.ind) }),
    })
      .then(function (r) {
        root.dataset.saved = r.ok ? 'ok' : 'failed';
        if (!r.ok) status('Your indicators could not be remembered (HTTP ' + r.status + '); they stay in this page’s address.');
      })
      .catch(function () {
        root.dataset.saved = 'failed';
        status('Your indicators could not be remembered (offline?); they stay in this page’s address.');
      });
  }

  var settings = window.AWChartIndicators
    ? window.AWChartIndicators.mount({
        catalog: IND.catalog,
        list: function () {
          return state.ind;
        },
        label: labelOf,
        palette: SECONDARY,
        onChange: setIndicators,
      })
    : null;

  function openIndicators() {
    if (settings) settings.open();
  }

  function openShortcuts() {
    var d = document.getElementById('chart-keys');
    if (d && !d.open && d.showModal) d.showModal();
  }

  document.addEventListener('click', function (e) {
    var t = e.target instanceof Element ? e.target : null;
    if (!t) return;
    var b = t.closest('[data-chart-tf]');
    if (b) return setTimeframe(b.getAttribute('data-chart-tf'));
    b = t.closest('[data-chart-type]');
    if (b) return setType(b.getAttribute('data-chart-type'));
    b = t.closest('[data-chart-preset]');
    if (b) return applyPreset(b.getAttribute('data-chart-preset'));
    if (t.closest('[data-chart-volume]')) return toggleVolume();
    if (t.closest('[data-chart-pause]')) return togglePause();
    if (t.closest('[data-chart-fullscreen]')) return toggleFullscreen();
    if (t.closest('[data-chart-controls-toggle]')) return toggleControls();
    if (t.closest('[data-chart-ind-open]')) return openIndicators();
    if (t.closest('[data-chart-keys-open]')) return openShortcuts();
    if (t.closest('[data-chart-keys-close]')) return document.getElementById('chart-keys').close();
    if (t.closest('[data-chart-export]')) exportCSV();
  });

  // scrollBy moves the view by a tenth of its width; the arrows do it.
  function scrollBy(dir) {
    var ts = chart && chart.timeScale();
    var r = ts && ts.getVisibleLogicalRange();
    if (!r) return false;
    var step = Math.max(1, Math.round((r.to - r.from) / 10)) * dir;
    ts.setVisibleLogicalRange({ from: r.from + step, to: r.to + step });
    return true;
  }

  // Keyboard, with the chart focused: the arrows scroll, + and - zoom, Home loads older history
  // and End returns to the newest candle.
  canvas.addEventListener('keydown', function (e) {
    if (!chart || e.altKey || e.ctrlKey || e.metaKey) return;
    var ts = chart.timeScale();
    var r = ts.getVisibleLogicalRange();
    if (!r) return;
    var width = r.to - r.from;
    switch (e.key) {
      case 'ArrowLeft':
        scrollBy(-1);
        break;
      case 'ArrowRight':
        scrollBy(1);
        break;
      case '+':
      case '=':
        if (width > 10) ts.setVisibleLogicalRange({ from: r.from + width / 4, to: r.to });
        break;
      case '-':
      case '_':
        ts.setVisibleLogicalRange({ from: r.from - width / 2, to: r.to });
        break;
      case 'Home':
        loadOlder();
        ts.setVisibleLogicalRange({ from: 0, to: width });
        break;
      case 'End':
        ts.scrollToRealTime();
        break;
      default:
        return;
    }
    e.preventDefault();
  });

  // typingIn says whether a key belongs to the focused control rather than to the page: text
  // fields, lists, and (for Space and the arrows) buttons and links, which those keys operate.
  function typingIn(el, key) {
    if (!el || el === document.body) return false;
    if (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) return true;
    if ((key === ' ' || key.indexOf('Arrow') === 0) && /^(BUTTON|A|SUMMARY)$/.test(el.tagName)) return true;
    return false;
  }

  // The page's shortcuts (the original's, and i and ? besides), anywhere on the page but in a
  // field or an open dialog; the help dialog lists them.
  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (document.querySelector('dialog[open]')) return;
    var el = document.activeElement;
    if (typingIn(el, e.key)) return;
    switch (e.key) {
      case 'f':
      case 'F':
        toggleFullscreen();
        break;
      case 'v':
      case 'V':
        toggleVolume();
        break;
      case 'c':
      case 'C':
        toggleControls();
        break;
      case 'i':
      case 'I':
        openIndicators();
        break;
      case ' ':
        togglePause();
        break;
      case '?':
        openShortcuts();
        break;
      case 'Escape':
        if (fullscreenMode() === 'window') setWindowMax(false);
        else if (controlsEl && controlsEl.hidden) setControls(true);
        else return;
        break;
      case 'ArrowLeft':
        if (!scrollBy(-1)) return;
        break;
      case 'ArrowRight':
        if (!scrollBy(1)) return;
        break;
      default:
        return;
    }
    e.preventDefault();
  });

  document.addEventListener('app:themechange', function () {
    if (chart) chart.applyOptions(themeOptions());
  });

  window.awChart = {
    candles: function () {
      return candles.map(function (c) {
        return { time: isoOf(c.t), open: c.s.open, high: c.s.high, low: c.s.low, close: c.s.close, volume: c.s.volume, trade_count: c.n, vwap: c.s.vwap };
      });
    },
    visibleCandles: function () {
      return visibleCandles().map(function (c) {
        return isoOf(c.t);
      });
    },
    series: function () {
      return priceSeries;
    },
    volumeSeries: function () {
      return volumeSeries;
    },
    chart: function () {
      return chart;
    },
    lastCandle: function () {
      var c = lastCandle();
      return c ? { time: isoOf(c.t), open: c.s.open, high: c.s.high, low: c.s.low, close: c.s.close, volume: c.s.volume } : null;
    },
    // indicators lists what is set up, with each shown indicator's series and its last value.
    indicators: function () {
      return state.ind.map(function (x) {
        var mine = indSeries.filter(function (s) {
          return s.key === x.id;
        });
        var last = {};
        var v = computed[x.id] || {};
        for (var k in v) {
          for (var i = (v[k] || []).length - 1; i >= 0; i--) {
            if (v[k][i] !== null && v[k][i] !== undefined) {
              last[k] = v[k][i];
              break;
            }
          }
        }
        return { id: x.id, kind: x.kind, params: x.params, color: x.color, width: x.width, levels: x.levels, hidden: !!x.hidden, label: labelOf(x), series: mine.length, last: last };
      });
    },
    setIndicators: setIndicators,
    loadOlder: loadOlder,
    exportCSV: exportCSV,
    toCSV: function () {
      return toCSV(visibleCandles());
    },
  };

  syncControls();
  syncURL();
  build();
  fullscreenChanged();
  setControls(true);
  root.dataset.paused = 'false';
  load().then(requestHistory);
  connect();
})();
