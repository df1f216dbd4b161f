// The chart page (views/chart.templ): draws one instrument with TradingView's lightweight-charts
// (v5, global LightweightCharts) from the candles API, scrolls back through history with its
// cursors, keeps the newest candle live from /ws/market, overlays indicators (indicators.js) and
// exports the candles in view as CSV. Its time-axis labels come from timeaxis.js.
//
// Settings come from data attributes on #chart and are kept in the URL (?tf=&type=&ind=) so a
// chart can be bookmarked. The CSP forbids inline script and style, so everything is wired here.
//
// For tests (and the curious) the chart publishes its state on #chart as data-candles-loaded,
// data-last-time, data-last-close, data-has-older, data-loading and data-ws, and exposes
// window.awChart.
(function () {
  'use strict';

  var root = document.getElementById('chart');
  var LWC = window.LightweightCharts;
  var IND = window.AWIndicators;
  var AX = window.AWTimeAxis;
  if (!root || !LWC || !IND || !AX) return;

  var PAGE_SIZE = 500; // candles per request: a screenful several times over
  var OLDER_MARGIN = 30; // load older history when fewer than this many candles are left of the view
  var INITIAL_VISIBLE = 150; // candles in view after a load
  var TF_SECONDS = { '1m': 60, '5m': 300, '15m': 900, '30m': 1800, '1h': 3600, '4h': 14400, '1D': 86400 };
  var UP = '#10b981';
  var DOWN = '#f43f5e';
  var COLORS = {
    sma: '#f59e0b',
    ema: '#8b5cf6',
    bb: '#0ea5e9',
    vwap: '#ec4899',
    rsi: '#8b5cf6',
    macd: '#2563eb',
    signal: '#f59e0b',
  };

  var canvas = document.getElementById('chart-canvas');
  var legendEl = document.getElementById('chart-legend');
  var olderEl = document.getElementById('chart-loading-older');
  var statusEl = document.getElementById('chart-status');
  var lastEl = document.getElementById('chart-last');
  var feedEl = document.getElementById('chart-feed');
  var exportBtn = document.querySelector('[data-chart-export]');

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
    ind: IND.parseIndicators(params.has('ind') ? params.get('ind') : root.dataset.ind),
    tz: root.dataset.tz || 'UTC',
    precision: precisionOf(root.dataset.precision),
  };

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
  var computed = {}; // indicator arrays from the last recompute, for the legend

  var chart = null;
  var priceSeries = null;
  var volumeSeries = null;
  var indSeries = []; // [{key, series, values: () => array}]

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
      grid: { vertLines: { color: grid }, horzLines: { color: grid } },
      rightPriceScale: { borderColor: border },
      timeScale: { borderColor: border },
    };
  }

  function paneCount() {
    return 1 + (has('rsi') ? 1 : 0) + (has('macd') ? 1 : 0);
  }

  function has(kind) {
    return state.ind.some(function (x) {
      return x.kind === kind;
    });
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

  // build (re)creates the chart for the current type and indicators: simpler and sturdier than
  // adding and removing series and panes one by one, and cheap (the data is already here).
  function build() {
    var keep = chart ? chart.timeScale().getVisibleLogicalRange() : null;
    if (chart) chart.remove();
    canvas.setAttribute('data-panes', String(paneCount()));
    var opts = themeOptions();
    opts.autoSize = true;
    opts.crosshair = { mode: LWC.CrosshairMode.Normal };
    opts.localization = { timeFormatter: chartTimeFormatter, priceFormatter: price };
    opts.timeScale.timeVisible = state.tf !== '1D';
    opts.timeScale.secondsVisible = false;
    opts.timeScale.tickMarkFormatter = tickMark;
    opts.timeScale.rightOffset = 4;
    chart = LWC.createChart(canvas, opts);

    var pf = { type: 'price', precision: state.precision, minMove: Math.pow(10, -state.precision) };
    switch (state.type) {
      case 'bars':
        priceSeries = chart.addSeries(LWC.BarSeries, { upColor: UP, downColor: DOWN, priceFormat: pf });
        break;
      case 'line':
        priceSeries = chart.addSeries(LWC.LineSeries, { color: '#6366f1', lineWidth: 2, priceFormat: pf });
        break;
      case 'area':
        priceSeries = chart.addSeries(LWC.AreaSeries, {
          lineColor: '#6366f1',
          topColor: 'rgba(99,102,241,0.35)',
          bottomColor: 'rgba(99,102,241,0.02)',
          lineWidth: 2,
          priceFormat: pf,
        });
        break;
      default:
        priceSeries = chart.addSeries(LWC.CandlestickSeries, {
          upColor: UP,
          downColor: DOWN,
          wickUpColor: UP,
          wickDownColor: DOWN,
          borderVisible: false,
          priceFormat: pf,
        });
    }
    priceSeries.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.22 } });
    volumeSeries = chart.addSeries(LWC.HistogramSeries, {
      priceScaleId: 'volume',
      priceFormat: { type: 'volume' },
      priceLineVisible: false,
      lastValueVisible: false,
    });
    volumeSeries.priceScale().applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });

    indSeries = [];
    var pane = 1;
    state.ind.forEach(function (x) {
      var key = x.id;
      switch (x.kind) {
        case 'sma':
        case 'ema':
          indSeries.push({ key: key, part: 'line', series: chart.addSeries(LWC.LineSeries, lineOpts(x.kind === 'sma' ? COLORS.sma : COLORS.ema)) });
          break;
        case 'vwap':
          indSeries.push({ key: key, part: 'line', series: chart.addSeries(LWC.LineSeries, lineOpts(COLORS.vwap, { lineWidth: 2 })) });
          break;
        case 'bb':
          ['upper', 'middle', 'lower'].forEach(function (part) {
            var o = lineOpts(COLORS.bb, part === 'middle' ? { lineStyle: LWC.LineStyle.Dashed } : {});
            indSeries.push({ key: key, part: part, series: chart.addSeries(LWC.LineSeries, o) });
          });
          break;
        case 'rsi':
          var r = chart.addSeries(LWC.LineSeries, lineOpts(COLORS.rsi, { lastValueVisible: true, priceFormat: { type: 'price', precision: 1, minMove: 0.1 } }), pane);
          r.createPriceLine({ price: 70, color: 'rgba(244,63,94,0.5)', lineWidth: 1, lineStyle: LWC.LineStyle.Dashed, axisLabelVisible: false });
          r.createPriceLine({ price: 30, color: 'rgba(16,185,129,0.5)', lineWidth: 1, lineStyle: LWC.LineStyle.Dashed, axisLabelVisible: false });
          indSeries.push({ key: key, part: 'line', pane: pane, series: r });
          pane++;
          break;
        case 'macd':
          var mp = { type: 'price', precision: Math.min(state.precision + 2, 8), minMove: Math.pow(10, -Math.min(state.precision + 2, 8)) };
          indSeries.push({ key: key, part: 'histogram', pane: pane, series: chart.addSeries(LWC.HistogramSeries, { priceFormat: mp, priceLineVisible: false, lastValueVisible: false }, pane) });
          indSeries.push({ key: key, part: 'macd', pane: pane, series: chart.addSeries(LWC.LineSeries, lineOpts(COLORS.macd, { priceFormat: mp, lastValueVisible: true }), pane) });
          indSeries.push({ key: key, part: 'signal', pane: pane, series: chart.addSeries(LWC.LineSeries, lineOpts(COLORS.signal, { priceFormat: mp }), pane) });
          pane++;
          break;
      }
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
  }

  function setAllData() {
    if (!chart) return;
    priceSeries.setData(candles.map(priceDatum));
    volumeSeries.setData(candles.map(volumeDatum));
    recompute();
    published();
  }

  // recompute derives every indicator from the loaded candles and redraws its series.
  function recompute() {
    var closes = candles.map(function (c) {
      return c.c;
    });
    computed = {};
    state.ind.forEach(function (x) {
      switch (x.kind) {
        case 'sma':
          computed[x.id] = { line: IND.sma(closes, x.period) };
          break;
        case 'ema':
          computed[x.id] = { line: IND.ema(closes, x.period) };
          break;
        case 'bb':
          computed[x.id] = IND.bollinger(closes, x.period, 2);
          break;
        case 'vwap':
          // Intraday: a session VWAP, starting again each trading day (UTC days for crypto);
          // daily candles each show their own day's VWAP, which is the same rule.
          computed[x.id] = {
            line: IND.vwap(
              candles.map(function (c) {
                return { high: c.h, low: c.l, close: c.c, volume: c.v, vwap: c.vw, t: c.t };
              }),
              function (c) {
                return state.tf === '1D' ? c.t : dayKeyOf(c.t);
              }
            ),
          };
          break;
        case 'rsi':
          computed[x.id] = { line: IND.rsi(closes, x.period) };
          break;
        case 'macd':
          computed[x.id] = IND.macd(closes, 12, 26, 9);
          break;
      }
    });
    indSeries.forEach(function (s) {
      var values = computed[s.key] && computed[s.key][s.part];
      if (!values) return;
      var data = [];
      for (var i = 0; i < candles.length; i++) {
        if (values[i] === null) continue;
        var d = { time: Z.toChart(candles[i].t), value: values[i] };
        if (s.part === 'histogram') d.color = values[i] >= 0 ? 'rgba(16,185,129,0.6)' : 'rgba(244,63,94,0.6)';
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
    volumeSeries.update(volumeDatum(c));
    recompute();
    published();
  }

  // published writes the state to the page: the header price, the legend, the test hooks.
  function published() {
    var c = lastCandle();
    root.dataset.candlesLoaded = String(candles.length);
    root.dataset.lastTime = c ? isoOf(c.t) : '';
    root.dataset.lastClose = c ? c.s.close : '';
    root.dataset.hasOlder = nextCursor ? 'true' : 'false';
    root.dataset.tf = state.tf;
    if (lastEl) lastEl.textContent = c ? price(c.c) : '—';
    if (exportBtn) exportBtn.disabled = candles.length === 0;
    if (!legendHeld) legend(candles.length - 1);
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
    line.appendChild(legendItem('Vol', compact(c.v)));
    legendEl.appendChild(line);
    var ind = document.createElement('div');
    state.ind.forEach(function (x) {
      var v = computed[x.id];
      if (!v) return;
      var pick = function (arr) {
        return arr && arr[i] !== null && arr[i] !== undefined ? arr[i] : null;
      };
      switch (x.kind) {
        case 'bb':
          ind.appendChild(legendItem('BB ' + x.period, price(pick(v.upper)) + ' / ' + price(pick(v.middle)) + ' / ' + price(pick(v.lower))));
          break;
        case 'rsi':
          ind.appendChild(legendItem('RSI ' + x.period, pick(v.line) === null ? '—' : pick(v.line).toFixed(1)));
          break;
        case 'macd':
          var m = pick(v.macd);
          var s = pick(v.signal);
          var h = pick(v.histogram);
          var f = function (n) {
            return n === null ? '—' : n.toFixed(Math.min(state.precision + 2, 8));
          };
          ind.appendChild(legendItem('MACD', f(m) + ' / ' + f(s) + ' / ' + f(h)));
          break;
        default:
          ind.appendChild(legendItem(x.kind.toUpperCase() + (x.period ? ' ' + x.period : ''), price(pick(v.line))));
      }
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
    if (feedEl) feedEl.textContent = text;
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
        if (m.symbol === state.symbol && (!m.timeframe || m.timeframe === state.tf)) mergeBar(m);
        break;
      case 'trade':
        if (m.symbol === state.symbol) mergeTrade(m);
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

  function syncControls() {
    document.querySelectorAll('[data-chart-tf]').forEach(function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-chart-tf') === state.tf ? 'true' : 'false');
    });
    document.querySelectorAll('[data-chart-type]').forEach(function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-chart-type') === state.type ? 'true' : 'false');
    });
    document.querySelectorAll('[data-chart-ind]').forEach(function (b) {
      var id = b.getAttribute('data-chart-ind');
      var kind = IND.parseIndicators(id)[0];
      var on = state.ind.some(function (x) {
        return x.id === id || (kind && x.kind === kind.kind && (x.kind === 'bb' || x.kind === 'rsi' || x.kind === 'macd' || x.kind === 'vwap'));
      });
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    });
  }

  function syncURL() {
    var q = new URLSearchParams(location.search);
    q.set('tf', state.tf);
    q.set('type', state.type);
    var ind = state.ind
      .map(function (x) {
        return x.id;
      })
      .join(',');
    if (ind) q.set('ind', ind);
    else q.delete('ind');
    history.replaceState(null, '', location.pathname + '?' + q.toString());
  }

  document.addEventListener('click', function (e) {
    var t = e.target instanceof Element ? e.target : null;
    if (!t) return;
    var b = t.closest('[data-chart-tf]');
    if (b) {
      var tf = b.getAttribute('data-chart-tf');
      if (tf === state.tf) return;
      state.tf = tf;
      syncControls();
      syncURL();
      build();
      load();
      subscribe();
      return;
    }
    b = t.closest('[data-chart-type]');
    if (b) {
      state.type = b.getAttribute('data-chart-type');
      syncControls();
      syncURL();
      build();
      return;
    }
    b = t.closest('[data-chart-ind]');
    if (b) {
      var id = b.getAttribute('data-chart-ind');
      var parsed = IND.parseIndicators(id)[0];
      if (!parsed) return;
      var before = state.ind.length;
      state.ind = state.ind.filter(function (x) {
        return !(x.id === id || (x.kind === parsed.kind && (x.kind === 'bb' || x.kind === 'rsi' || x.kind === 'macd' || x.kind === 'vwap')));
      });
      if (state.ind.length === before) state.ind.push(parsed);
      syncControls();
      syncURL();
      build();
      return;
    }
    if (t.closest('[data-chart-export]')) exportCSV();
  });

  // Keyboard: with the chart focused, the arrows scroll, + and - zoom, Home loads older history
  // and End returns to the newest candle.
  canvas.addEventListener('keydown', function (e) {
    if (!chart || e.altKey || e.ctrlKey || e.metaKey) return;
    var ts = chart.timeScale();
    var r = ts.getVisibleLogicalRange();
    if (!r) return;
    var width = r.to - r.from;
    var step = Math.max(1, Math.round(width / 10));
    switch (e.key) {
      case 'ArrowLeft':
        ts.setVisibleLogicalRange({ from: r.from - step, to: r.to - step });
        break;
      case 'ArrowRight':
        ts.setVisibleLogicalRange({ from: r.from + step, to: r.to + step });
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
    chart: function () {
      return chart;
    },
    lastCandle: function () {
      var c = lastCandle();
      return c ? { time: isoOf(c.t), open: c.s.open, high: c.s.high, low: c.s.low, close: c.s.close, volume: c.s.volume } : null;
    },
    loadOlder: loadOlder,
    exportCSV: exportCSV,
    toCSV: function () {
      return toCSV(visibleCandles());
    },
  };

  syncControls();
  syncURL();
  build();
  load().then(requestHistory);
  connect();
})();
