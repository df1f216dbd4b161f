// Technical indicators for the chart page, as pure functions of plain arrays so that they can be
// unit-tested with node (static/js/indicators.test.mjs) and recomputed whenever candles load or a
// live update arrives.
//
// Every series function returns an array as long as its input, holding null where the indicator
// is not yet defined (the first period-1 values of a moving average, say), so result[i] always
// belongs to input[i] and the chart can pair them by index.
//
// Prices here are JavaScript numbers: indicators are drawn, never used as money, so the floating
// point error (far below a pixel) does not matter. The exact decimal strings stay on the candles.
(function (root, factory) {
  'use strict';
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.AWIndicators = api;
})(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  'use strict';

  function filled(n) {
    var out = new Array(n);
    for (var i = 0; i < n; i++) out[i] = null;
    return out;
  }

  function validPeriod(period) {
    return typeof period === 'number' && period >= 1 && Math.floor(period) === period;
  }

  // sma is the simple moving average of the last `period` values.
  function sma(values, period) {
    var out = filled(values.length);
    if (!validPeriod(period)) return out;
    var sum = 0;
    for (var i = 0; i < values.length; i++) {
      sum += values[i];
      if (i >= period) sum -= values[i - period];
      if (i >= period - 1) out[i] = sum / period;
    }
    return out;
  }

  // ema is the exponential moving average (alpha = 2 / (period + 1)), seeded with the simple
  // average of the first `period` values, as most charting packages do. Leading nulls in values
  // (another indicator's warm-up) are skipped: the average starts at the first number.
  function ema(values, period) {
    var out = filled(values.length);
    if (!validPeriod(period)) return out;
    var k = 2 / (period + 1);
    var start = 0;
    while (start < values.length && (values[start] === null || values[start] === undefined)) start++;
    if (values.length - start < period) return out;
    var sum = 0;
    for (var i = start; i < start + period; i++) sum += values[i];
    var prev = sum / period;
    out[start + period - 1] = prev;
    for (var j = start + period; j < values.length; j++) {
      prev = values[j] * k + prev * (1 - k);
      out[j] = prev;
    }
    return out;
  }

  // bollinger gives the bands `mult` population standard deviations around the `period` SMA.
  function bollinger(values, period, mult) {
    period = period || 20;
    mult = mult === undefined ? 2 : mult;
    var middle = sma(values, period);
    var upper = filled(values.length);
    var lower = filled(values.length);
    for (var i = period - 1; i < values.length; i++) {
      var m = middle[i];
      if (m === null) continue;
      var sq = 0;
      for (var j = i - period + 1; j <= i; j++) sq += (values[j] - m) * (values[j] - m);
      var sd = Math.sqrt(sq / period);
      upper[i] = m + mult * sd;
      lower[i] = m - mult * sd;
    }
    return { middle: middle, upper: upper, lower: lower };
  }

  // vwap is the session volume-weighted average price: the running sum of price × volume over
  // the running volume, starting again whenever dayKey(candle) changes (a new trading day).
  // Each candle's price is its own vwap when it has one (exact for the minutes it holds), else
  // its typical price (high + low + close) / 3. Before any volume the value is the price itself.
  function vwap(candles, dayKey) {
    var out = filled(candles.length);
    var day = null;
    var pv = 0;
    var vol = 0;
    for (var i = 0; i < candles.length; i++) {
      var c = candles[i];
      var key = dayKey ? dayKey(c) : null;
      if (i === 0 || key !== day) {
        day = key;
        pv = 0;
        vol = 0;
      }
      var price = c.vwap > 0 ? c.vwap : (c.high + c.low + c.close) / 3;
      var v = c.volume > 0 ? c.volume : 0;
      pv += price * v;
      vol += v;
      out[i] = vol > 0 ? pv / vol : price;
    }
    return out;
  }

  // rsi is Wilder's relative strength index: the first value averages the first `period`
  // changes, later ones smooth them with weight 1/period. It is 100 when nothing fell.
  function rsi(values, period) {
    period = period || 14;
    var out = filled(values.length);
    if (!validPeriod(period) || values.length <= period) return out;
    var gain = 0;
    var loss = 0;
    for (var i = 1; i <= period; i++) {
      var d = values[i] - values[i - 1];
      if (d > 0) gain += d;
      else loss -= d;
    }
    gain /= period;
    loss /= period;
    out[period] = rsiOf(gain, loss);
    for (var j = period + 1; j < values.length; j++) {
      var ch = values[j] - values[j - 1];
      gain = (gain * (period - 1) + (ch > 0 ? ch : 0)) / period;
      loss = (loss * (period - 1) + (ch < 0 ? -ch : 0)) / period;
      out[j] = rsiOf(gain, loss);
    }
    return out;
  }

  function rsiOf(gain, loss) {
    if (loss === 0) return gain === 0 ? 50 : 100;
    return 100 - 100 / (1 + gain / loss);
  }

  // macd is the difference of the fast and slow EMAs, its signal line (an EMA of it) and the
  // histogram (macd - signal).
  function macd(values, fast, slow, signal) {
    fast = fast || 12;
    slow = slow || 26;
    signal = signal || 9;
    var f = ema(values, fast);
    var s = ema(values, slow);
    var line = filled(values.length);
    for (var i = 0; i < values.length; i++) {
      if (f[i] !== null && s[i] !== null) line[i] = f[i] - s[i];
    }
    var sig = ema(line, signal);
    var hist = filled(values.length);
    for (var j = 0; j < values.length; j++) {
      if (line[j] !== null && sig[j] !== null) hist[j] = line[j] - sig[j];
    }
    return { macd: line, signal: sig, histogram: hist };
  }

  // parseIndicators reads the ind= URL parameter ("sma20,ema50,bb,vwap,rsi,macd") into a list of
  // {kind, period}, dropping anything unknown and repeats; periods are bounded to 2..500.
  function parseIndicators(raw) {
    var out = [];
    var seen = {};
    String(raw || '')
      .toLowerCase()
      .split(',')
      .forEach(function (part) {
        var m = /^(sma|ema|bb|vwap|rsi|macd)(\d*)$/.exec(part.trim());
        if (!m) return;
        var defaults = { sma: 20, ema: 50, bb: 20, vwap: 0, rsi: 14, macd: 0 };
        var period = m[2] ? parseInt(m[2], 10) : defaults[m[1]];
        if (m[1] === 'vwap' || m[1] === 'macd') period = 0;
        else if (period < 2 || period > 500) return;
        // sma and ema always name their period; the others only when it is not the default.
        var named = m[1] === 'sma' || m[1] === 'ema' || (period && period !== defaults[m[1]]);
        var id = named ? m[1] + period : m[1];
        if (seen[id]) return;
        seen[id] = true;
        out.push({ kind: m[1], period: period, id: id });
      });
    return out;
  }

  // decimalAdd adds two decimal strings exactly ("0.5" + "1.25" = "1.75"), for the volumes that
  // live bars add to a candle: the exported CSV must hold the exact decimals, not float sums.
  function decimalAdd(a, b) {
    var scale = Math.max(fractionDigits(a), fractionDigits(b));
    return fromScaled(toScaled(a, scale) + toScaled(b, scale), scale);
  }

  function fractionDigits(str) {
    var dot = String(str).indexOf('.');
    return dot < 0 ? 0 : String(str).length - dot - 1;
  }

  function toScaled(str, scale) {
    str = String(str === undefined || str === null || str === '' ? '0' : str).trim();
    var neg = str.charAt(0) === '-';
    if (neg || str.charAt(0) === '+') str = str.slice(1);
    var parts = str.split('.');
    var frac = parts[1] || '';
    while (frac.length < scale) frac += '0';
    var v = BigInt((parts[0] || '0') + frac);
    return neg ? -v : v;
  }

  function fromScaled(v, scale) {
    var neg = v < BigInt(0);
    if (neg) v = -v;
    var digits = v.toString();
    while (digits.length < scale + 1) digits = '0' + digits;
    var out = scale ? digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale) : digits;
    if (scale) out = out.replace(/0+$/, '').replace(/\.$/, '');
    return neg && out !== '0' ? '-' + out : out;
  }

  return { decimalAdd: decimalAdd, sma: sma, ema: ema, bollinger: bollinger, vwap: vwap, rsi: rsi, macd: macd, parseIndicators: parseIndicators };
});
