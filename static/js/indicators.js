// Technical indicators for the chart page, as pure functions of plain arrays so that they can be
// unit-tested with node (static/js/indicators.test.mjs) and recomputed whenever candles load or a
// live update arrives. The catalogue at the end (catalog, parseIndicators, formatIndicators) lets
// the chart offer every indicator, with its settings, without knowing any of them by name.
//
// Conventions, the same for every function:
//   - Every series function returns an array as long as its input, holding null where the
//     indicator is not yet defined (the warm-up: the first period-1 values of a moving average,
//     say), so result[i] always belongs to input[i] and the chart can pair them by index.
//   - Gaps: a null (or undefined, NaN, ±Infinity) value, or a candle that is null or lacks a
//     finite open/high/low/close, is a gap. A gap gives null at its own index and is otherwise
//     skipped: windows hold the last `period` values that are present, recursive averages carry on
//     from the value before the gap, and the warm-up counts present values only. So a missing
//     candle does not restart a 200-period average, and another indicator's warm-up (leading
//     nulls) can be fed straight in. A candle's missing volume counts as 0.
//   - Rolling windows are O(n): running sums, a sliding Welford update for the standard
//     deviation, monotonic deques for highest high and lowest low. CCI's mean deviation has no
//     running form and is O(n × period).
//   - Where a ratio has a zero denominator (a flat range, no volume) the function returns the
//     neutral value named in its comment rather than NaN, so lines do not break.
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

  // ---- Helpers ---------------------------------------------------------------------------------

  function isNum(x) {
    return typeof x === 'number' && isFinite(x);
  }

  function filled(n) {
    var out = new Array(n);
    for (var i = 0; i < n; i++) out[i] = null;
    return out;
  }

  function validPeriod(period) {
    return typeof period === 'number' && period >= 1 && Math.floor(period) === period;
  }

  // present returns the indexes of the values that are numbers, or null when all are (the
  // common case, which then costs no copy).
  function present(values) {
    var idx = null;
    for (var i = 0; i < values.length; i++) {
      if (!isNum(values[i])) {
        idx = [];
        for (var j = 0; j < values.length; j++) if (isNum(values[j])) idx.push(j);
        return idx;
      }
    }
    return idx;
  }

  function pick(values, idx) {
    var out = new Array(idx.length);
    for (var i = 0; i < idx.length; i++) out[i] = values[idx[i]];
    return out;
  }

  // spread puts a dense result (an array, or an object of arrays) back at the given indexes of an
  // array of length n, nulls elsewhere. Ichimoku's `ahead` holds values beyond the last candle,
  // not one per candle, so it passes through unchanged.
  function spread(n, idx, dense) {
    if (Array.isArray(dense)) {
      var out = filled(n);
      for (var i = 0; i < idx.length; i++) out[idx[i]] = dense[i];
      return out;
    }
    var obj = {};
    Object.keys(dense).forEach(function (k) {
      obj[k] = k === 'ahead' ? dense[k] : spread(n, idx, dense[k]);
    });
    return obj;
  }

  // gapped wraps fn(values, ...rest), written for dense arrays of numbers, to skip gaps.
  function gapped(fn) {
    return function (values) {
      values = values || [];
      var idx = present(values);
      var args = Array.prototype.slice.call(arguments);
      if (idx === null) return fn.apply(null, args);
      args[0] = pick(values, idx);
      return spread(values.length, idx, fn.apply(null, args));
    };
  }

  // okCandle tells whether a candle is present (see Gaps above). Candles written as {high, low,
  // close} only are accepted too: their open counts as the close, which only the open and ohlc4
  // sources read.
  function okCandle(c) {
    return !!c && (isNum(c.open) || c.open === undefined) && isNum(c.high) && isNum(c.low) && isNum(c.close);
  }

  // columns turns present candles into dense arrays; volume defaults to 0.
  function columns(candles) {
    var n = candles.length;
    var col = { open: new Array(n), high: new Array(n), low: new Array(n), close: new Array(n), volume: new Array(n) };
    for (var i = 0; i < n; i++) {
      var c = candles[i];
      col.open[i] = isNum(c.open) ? c.open : c.close;
      col.high[i] = c.high;
      col.low[i] = c.low;
      col.close[i] = c.close;
      col.volume[i] = isNum(c.volume) && c.volume > 0 ? c.volume : 0;
    }
    return col;
  }

  // candled wraps fn(col, ...rest), written for the dense columns of present candles, to take a
  // candle array and skip gaps.
  function candled(fn) {
    return function (candles) {
      candles = candles || [];
      var idx = [];
      for (var i = 0; i < candles.length; i++) if (okCandle(candles[i])) idx.push(i);
      var whole = idx.length === candles.length;
      var args = Array.prototype.slice.call(arguments);
      args[0] = columns(whole ? candles : pick(candles, idx));
      var dense = fn.apply(null, args);
      return whole ? dense : spread(candles.length, idx, dense);
    };
  }

  // SOURCES are the prices an indicator can be computed from.
  var SOURCES = ['close', 'open', 'high', 'low', 'hl2', 'hlc3', 'ohlc4'];

  // sourceOf reads one source from dense columns.
  function sourceOf(col, key) {
    var n = col.close.length;
    if (key === 'open' || key === 'high' || key === 'low') return col[key].slice();
    if (key !== 'hl2' && key !== 'hlc3' && key !== 'ohlc4') return col.close.slice();
    var out = new Array(n);
    for (var i = 0; i < n; i++) {
      if (key === 'hl2') out[i] = (col.high[i] + col.low[i]) / 2;
      else if (key === 'hlc3') out[i] = (col.high[i] + col.low[i] + col.close[i]) / 3;
      else out[i] = (col.open[i] + col.high[i] + col.low[i] + col.close[i]) / 4;
    }
    return out;
  }

  // source reads one source ('close', 'hl2'…) from candles, null for a gap candle. One pass, no
  // columns: every source-based indicator starts here, so it is the hot path.
  function source(candles, key) {
    candles = candles || [];
    var n = candles.length;
    var out = new Array(n);
    var k = SOURCES.indexOf(key);
    if (k < 0) k = 0;
    for (var i = 0; i < n; i++) {
      var c = candles[i];
      if (!okCandle(c)) {
        out[i] = null;
        continue;
      }
      var o = isNum(c.open) ? c.open : c.close;
      if (k === 0) out[i] = c.close;
      else if (k === 1) out[i] = o;
      else if (k === 2) out[i] = c.high;
      else if (k === 3) out[i] = c.low;
      else if (k === 4) out[i] = (c.high + c.low) / 2;
      else if (k === 5) out[i] = (c.high + c.low + c.close) / 3;
      else out[i] = (o + c.high + c.low + c.close) / 4;
    }
    return out;
  }

  // rollingExtreme is the highest (sign 1) or lowest (sign -1) of the last `period` values, with a
  // monotonic deque of indexes: each index enters and leaves once, so O(n) in all.
  function rollingExtreme(values, period, sign) {
    var n = values.length;
    var out = filled(n);
    if (!validPeriod(period)) return out;
    var dq = new Int32Array(n);
    var head = 0;
    var tail = 0;
    for (var i = 0; i < n; i++) {
      var x = values[i] * sign;
      while (tail > head && values[dq[tail - 1]] * sign <= x) tail--;
      dq[tail++] = i;
      if (dq[head] <= i - period) head++;
      if (i >= period - 1) out[i] = values[dq[head]];
    }
    return out;
  }

  var highest = gapped(function (values, period) {
    return rollingExtreme(values, period, 1);
  });
  var lowest = gapped(function (values, period) {
    return rollingExtreme(values, period, -1);
  });

  // ---- Moving averages -------------------------------------------------------------------------

  // sma is the simple moving average of the last `period` values (a running sum).
  var sma = gapped(function (values, period) {
    var out = filled(values.length);
    if (!validPeriod(period)) return out;
    var sum = 0;
    for (var i = 0; i < values.length; i++) {
      sum += values[i];
      if (i >= period) sum -= values[i - period];
      if (i >= period - 1) out[i] = sum / period;
    }
    return out;
  });

  // ema is the exponential moving average (alpha = 2 / (period + 1)), seeded with the simple
  // average of the first `period` values, as most charting packages do.
  var ema = gapped(function (values, period) {
    return smoothed(values, period, 2 / (period + 1));
  });

  // rma is Wilder's smoothing (alpha = 1 / period), seeded the same way; RSI and ATR use it.
  var rma = gapped(function (values, period) {
    return smoothed(values, period, 1 / period);
  });

  function smoothed(values, period, k) {
    var out = filled(values.length);
    if (!validPeriod(period) || values.length < period) return out;
    var sum = 0;
    for (var i = 0; i < period; i++) sum += values[i];
    var prev = sum / period;
    out[period - 1] = prev;
    for (var j = period; j < values.length; j++) {
      prev = values[j] * k + prev * (1 - k);
      out[j] = prev;
    }
    return out;
  }

  // wma is the linearly weighted moving average: weights 1..period, the newest heaviest. Moving
  // the window on lowers every old weight by one, which is subtracting the old window's plain sum.
  var wma = gapped(function (values, period) {
    var out = filled(values.length);
    if (!validPeriod(period)) return out;
    var denom = (period * (period + 1)) / 2;
    var sum = 0;
    var wsum = 0;
    for (var i = 0; i < values.length; i++) {
      var x = values[i];
      if (i < period) {
        wsum += (i + 1) * x;
        sum += x;
      } else {
        wsum += period * x - sum;
        sum += x - values[i - period];
      }
      if (i >= period - 1) out[i] = wsum / denom;
    }
    return out;
  });

  // vwma is the volume-weighted moving average of prices over `period` candles: Σ(price×volume) /
  // Σvolume. A window without volume gives its plain average. `volumes` pairs with `values`; a gap
  // in either is a gap.
  function vwma(values, volumes, period) {
    values = values || [];
    volumes = volumes || [];
    var n = values.length;
    var idx = [];
    for (var i = 0; i < n; i++) if (isNum(values[i]) && isNum(volumes[i])) idx.push(i);
    if (idx.length === n) return vwmaDense(values, volumes, period);
    return spread(n, idx, vwmaDense(pick(values, idx), pick(volumes, idx), period));
  }

  function vwmaDense(p, v, period) {
    var out = filled(p.length);
    if (!validPeriod(period)) return out;
    var pv = 0;
    var vol = 0;
    var plain = 0;
    var traded = 0; // candles with volume in the window: a zero count means no volume, whatever rounding left in vol
    for (var i = 0; i < p.length; i++) {
      var w = v[i] > 0 ? v[i] : 0;
      pv += p[i] * w;
      vol += w;
      plain += p[i];
      if (w > 0) traded++;
      if (i >= period) {
        var old = v[i - period] > 0 ? v[i - period] : 0;
        pv -= p[i - period] * old;
        vol -= old;
        plain -= p[i - period];
        if (old > 0) traded--;
      }
      if (i >= period - 1) out[i] = traded > 0 ? pv / vol : plain / period;
    }
    return out;
  }

  // ---- Volatility ------------------------------------------------------------------------------

  // rollingStd is the standard deviation of the last `period` values: population (divide by n)
  // when ddof is 0, sample (n-1) when 1. A sliding Welford update keeps it accurate for prices far
  // from zero, where Σx² − (Σx)²/n would cancel.
  function rollingStd(values, period, ddof) {
    var n = values.length;
    var out = filled(n);
    if (!validPeriod(period) || period - ddof < 1) return out;
    var mean = 0;
    var m2 = 0;
    for (var i = 0; i < n; i++) {
      var x = values[i];
      if (i < period) {
        var d = x - mean;
        mean += d / (i + 1);
        m2 += d * (x - mean);
      } else {
        var old = values[i - period];
        var next = mean + (x - old) / period;
        m2 += (x - old) * (x - next + old - mean);
        mean = next;
      }
      if (i >= period - 1) out[i] = Math.sqrt(Math.max(0, m2) / (period - ddof));
    }
    return out;
  }

  // stddev is the population standard deviation of the last `period` values (as Bollinger uses).
  var stddev = gapped(function (values, period) {
    return rollingStd(values, period, 0);
  });

  // bollinger gives the bands `mult` population standard deviations around the `period` SMA.
  var bollinger = gapped(function (values, period, mult) {
    period = period || 20;
    mult = mult === undefined ? 2 : mult;
    var middle = sma(values, period);
    var sd = rollingStd(values, period, 0);
    var upper = filled(values.length);
    var lower = filled(values.length);
    for (var i = 0; i < values.length; i++) {
      if (middle[i] === null || sd[i] === null) continue;
      upper[i] = middle[i] + mult * sd[i];
      lower[i] = middle[i] - mult * sd[i];
    }
    return { middle: middle, upper: upper, lower: lower };
  });

  function trueRanges(col) {
    var n = col.close.length;
    var tr = new Array(n);
    for (var i = 0; i < n; i++) {
      var hl = col.high[i] - col.low[i];
      if (i === 0) tr[i] = hl;
      else tr[i] = Math.max(hl, Math.abs(col.high[i] - col.close[i - 1]), Math.abs(col.low[i] - col.close[i - 1]));
    }
    return tr;
  }

  // atr is Wilder's average true range. The true range is the largest of high−low, |high −
  // previous close| and |low − previous close|; the first candle, with no previous close, uses
  // high−low. The first ATR averages the first `period` true ranges, later ones smooth with
  // 1/period (StockCharts' ChartSchool method).
  var atr = candled(function (col, period) {
    return rma(trueRanges(col), period || 14);
  });

  // keltner gives the channel `mult` ATRs (over atrPeriod) around the `period` EMA of a source.
  var keltner = candled(function (col, period, mult, atrPeriod, src) {
    period = period || 20;
    mult = mult === undefined ? 2 : mult;
    var middle = ema(sourceOf(col, src || 'close'), period);
    var range = rma(trueRanges(col), atrPeriod || 10);
    var upper = filled(middle.length);
    var lower = filled(middle.length);
    for (var i = 0; i < middle.length; i++) {
      if (middle[i] === null || range[i] === null) continue;
      upper[i] = middle[i] + mult * range[i];
      lower[i] = middle[i] - mult * range[i];
    }
    return { middle: middle, upper: upper, lower: lower };
  });

  // historicalVolatility is the annualised volatility of log returns, in percent: the population
  // standard deviation of ln(close/previous close) over `period` returns × √annual × 100 (as
  // TradingView's HV). `annual` is the number of bars in a year: 252 for daily stock bars. The
  // first value needs period+1 prices; a non-positive price is a gap.
  function historicalVolatility(values, period, annual) {
    values = values || [];
    period = period || 20;
    annual = annual || 252;
    var clean = values.map(function (v) {
      return isNum(v) && v > 0 ? v : null;
    });
    return gapped(function (dense) {
      var rets = filled(dense.length);
      for (var i = 1; i < dense.length; i++) rets[i] = Math.log(dense[i] / dense[i - 1]);
      var sd = stddev(rets, period);
      return sd.map(function (s) {
        return s === null ? null : s * Math.sqrt(annual) * 100;
      });
    })(clean);
  }

  // ---- Oscillators -----------------------------------------------------------------------------

  // rsi is Wilder's relative strength index: the first value averages the first `period`
  // changes, later ones smooth them with weight 1/period. It is 100 when nothing fell and 50 when
  // nothing moved.
  var rsi = gapped(function (values, period) {
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
  });

  function rsiOf(gain, loss) {
    if (loss === 0) return gain === 0 ? 50 : 100;
    return 100 - 100 / (1 + gain / loss);
  }

  // rawStochastic is 100 × (close − lowest low) / (highest high − lowest low) over `period`;
  // 50 when the range is flat.
  function rawStochastic(high, low, close, period) {
    var hh = rollingExtreme(high, period, 1);
    var ll = rollingExtreme(low, period, -1);
    var out = filled(close.length);
    for (var i = 0; i < close.length; i++) {
      if (hh[i] === null) continue;
      var range = hh[i] - ll[i];
      out[i] = range > 0 ? (100 * (close[i] - ll[i])) / range : 50;
    }
    return out;
  }

  // stochastic is the slow stochastic oscillator: %K is the raw stochastic over `period` averaged
  // over smoothK candles (1 gives the fast %K), %D its smoothD average.
  var stochastic = candled(function (col, period, smoothK, smoothD) {
    var raw = rawStochastic(col.high, col.low, col.close, period || 14);
    var k = smoothK > 1 ? sma(raw, smoothK) : raw;
    return { k: k, d: sma(k, smoothD || 3) };
  });

  // stochRsi is the stochastic of RSI: where RSI(rsiPeriod) sits in its own range over
  // stochPeriod, 0–100, %K smoothed over smoothK and %D over smoothD (TradingView's form; with
  // smoothK 1 it is StockCharts' StochRSI × 100).
  var stochRsi = gapped(function (values, rsiPeriod, stochPeriod, smoothK, smoothD) {
    var r = rsi(values, rsiPeriod || 14);
    var raw = gapped(function (dense) {
      return rawStochastic(dense, dense, dense, stochPeriod || 14);
    })(r);
    var k = smoothK > 1 ? sma(raw, smoothK) : raw;
    return { k: k, d: sma(k, smoothD || 3) };
  });

  // macd is the difference of the fast and slow EMAs, its signal line (an EMA of it) and the
  // histogram (macd − signal).
  var macd = gapped(function (values, fast, slow, signal) {
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
  });

  // cci is the commodity channel index: (price − SMA) / (0.015 × mean absolute deviation from
  // that SMA), over `period` values of a source (typical price hlc3 by default in the catalogue).
  // 0 when every value in the window is the same.
  var cci = gapped(function (values, period) {
    period = period || 20;
    var avg = sma(values, period);
    var out = filled(values.length);
    for (var i = period - 1; i < values.length; i++) {
      if (avg[i] === null) continue;
      var dev = 0;
      for (var j = i - period + 1; j <= i; j++) dev += Math.abs(values[j] - avg[i]);
      dev /= period;
      out[i] = dev > 0 ? (values[i] - avg[i]) / (0.015 * dev) : 0;
    }
    return out;
  });

  // williamsR is Williams %R: −100 × (highest high − close) / (highest high − lowest low) over
  // `period`, from 0 (close at the high) to −100; −50 when the range is flat.
  var williamsR = candled(function (col, period) {
    period = period || 14;
    var hh = rollingExtreme(col.high, period, 1);
    var ll = rollingExtreme(col.low, period, -1);
    var out = filled(col.close.length);
    for (var i = 0; i < out.length; i++) {
      if (hh[i] === null) continue;
      var range = hh[i] - ll[i];
      out[i] = range > 0 ? (-100 * (hh[i] - col.close[i])) / range : -50;
    }
    return out;
  });

  // roc is the rate of change in percent against the value `period` bars back (null where that
  // value is 0).
  var roc = gapped(function (values, period) {
    period = period || 12;
    var out = filled(values.length);
    if (!validPeriod(period)) return out;
    for (var i = period; i < values.length; i++) {
      var base = values[i - period];
      out[i] = base !== 0 ? (100 * (values[i] - base)) / base : null;
    }
    return out;
  });

  // momentum is the difference from the value `period` bars back.
  var momentum = gapped(function (values, period) {
    period = period || 10;
    var out = filled(values.length);
    if (!validPeriod(period)) return out;
    for (var i = period; i < values.length; i++) out[i] = values[i] - values[i - period];
    return out;
  });

  // mfi is the money flow index: typical price × volume counts as positive flow when the typical
  // price rose from the previous candle and negative when it fell; over the last `period` flows
  // MFI = 100 − 100 / (1 + positive / negative). The first value needs period+1 candles; 100 when
  // nothing fell, 50 when nothing moved. Counting the flows of each sign in the window (not just
  // summing) keeps a window with no negative flow at exactly 100 despite rounding.
  var mfi = candled(function (col, period) {
    period = period || 14;
    var n = col.close.length;
    var out = filled(n);
    if (!validPeriod(period)) return out;
    var pos = new Array(n);
    var neg = new Array(n);
    var prev = 0;
    for (var i = 0; i < n; i++) {
      var tp = (col.high[i] + col.low[i] + col.close[i]) / 3;
      var flow = tp * col.volume[i];
      pos[i] = i > 0 && tp > prev ? flow : 0;
      neg[i] = i > 0 && tp < prev ? flow : 0;
      prev = tp;
    }
    var ps = 0;
    var ns = 0;
    var pc = 0;
    var nc = 0;
    for (var j = 1; j < n; j++) {
      ps += pos[j];
      ns += neg[j];
      if (pos[j] > 0) pc++;
      if (neg[j] > 0) nc++;
      if (j > period) {
        ps -= pos[j - period];
        ns -= neg[j - period];
        if (pos[j - period] > 0) pc--;
        if (neg[j - period] > 0) nc--;
      }
      if (j >= period) {
        if (nc === 0) out[j] = pc === 0 ? 50 : 100;
        else out[j] = 100 - 100 / (1 + (pc === 0 ? 0 : ps) / ns);
      }
    }
    return out;
  });

  // ---- Volume ----------------------------------------------------------------------------------

  // obv is on-balance volume: starting at 0, add the volume when the close rose, subtract it when
  // it fell.
  var obv = candled(function (col) {
    var out = new Array(col.close.length);
    var total = 0;
    for (var i = 0; i < out.length; i++) {
      if (i > 0 && col.close[i] > col.close[i - 1]) total += col.volume[i];
      else if (i > 0 && col.close[i] < col.close[i - 1]) total -= col.volume[i];
      out[i] = total;
    }
    return out;
  });

  // accDist is the accumulation/distribution line: the running sum of the money flow multiplier
  // ((close − low) − (high − close)) / (high − low) × volume; a flat candle adds 0.
  var accDist = candled(function (col) {
    var out = new Array(col.close.length);
    var total = 0;
    for (var i = 0; i < out.length; i++) {
      var range = col.high[i] - col.low[i];
      if (range > 0) total += ((col.close[i] - col.low[i] - (col.high[i] - col.close[i])) / range) * col.volume[i];
      out[i] = total;
    }
    return out;
  });

  // vwap is the session volume-weighted average price: the running sum of price × volume over
  // the running volume, starting again whenever dayKey(candle) changes (a new trading day).
  // Each candle's price is its own vwap when it has one (exact for the minutes it holds), else
  // its typical price (high + low + close) / 3. Before any volume the value is the price itself.
  // Gap candles are skipped (null) and do not start a session.
  function vwap(candles, dayKey) {
    candles = candles || [];
    var out = filled(candles.length);
    var day = null;
    var started = false;
    var pv = 0;
    var vol = 0;
    for (var i = 0; i < candles.length; i++) {
      var c = candles[i];
      if (!c || !isNum(c.high) || !isNum(c.low) || !isNum(c.close)) continue;
      var key = dayKey ? dayKey(c) : null;
      if (!started || key !== day) {
        started = true;
        day = key;
        pv = 0;
        vol = 0;
      }
      var price = isNum(c.vwap) && c.vwap > 0 ? c.vwap : (c.high + c.low + c.close) / 3;
      var v = isNum(c.volume) && c.volume > 0 ? c.volume : 0;
      pv += price * v;
      vol += v;
      out[i] = vol > 0 ? pv / vol : price;
    }
    return out;
  }

  // newYorkDay is the default VWAP session key: the calendar day in New York of candle.time (Unix
  // seconds). New York's offset from UTC is whole hours, so one lookup per UTC hour is enough.
  var nyFormat = null;
  var nyCache = {};
  var nyCacheSize = 0;
  function newYorkDay(c) {
    if (!c || !isNum(c.time)) return null;
    var hour = Math.floor(c.time / 3600);
    var key = nyCache[hour];
    if (key !== undefined) return key;
    if (!nyFormat) {
      nyFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });
    }
    if (nyCacheSize > 50000) {
      nyCache = {};
      nyCacheSize = 0;
    }
    key = nyFormat.format(new Date(hour * 3600 * 1000));
    nyCache[hour] = key;
    nyCacheSize++;
    return key;
  }

  // ---- Ichimoku --------------------------------------------------------------------------------

  // ichimoku gives the five lines of Ichimoku Kinko Hyo: tenkan (conversion) and kijun (base) are
  // the midpoints of the highest high and lowest low over their periods; span A, the midpoint of
  // those two, and span B, the midpoint over spanBPeriod, are drawn `displacement` candles ahead;
  // chikou (lagging) is the close drawn `displacement` candles back. As TradingView draws it, the
  // current candle counts as the first of the displacement, so the shift is displacement − 1.
  // Arrays stay as long as the input: span values that fall beyond the last candle are returned
  // separately in `ahead` (ahead.spanA[j] belongs j+1 candles after the last), and chikou is null
  // over the last shift candles.
  var ichimoku = candled(function (col, tenkanPeriod, kijunPeriod, spanBPeriod, displacement) {
    tenkanPeriod = tenkanPeriod || 9;
    kijunPeriod = kijunPeriod || 26;
    spanBPeriod = spanBPeriod || 52;
    displacement = displacement || 26;
    var shift = Math.max(0, displacement - 1);
    var n = col.close.length;
    function mid(period) {
      var hh = rollingExtreme(col.high, period, 1);
      var ll = rollingExtreme(col.low, period, -1);
      return hh.map(function (h, i) {
        return h === null ? null : (h + ll[i]) / 2;
      });
    }
    var tenkan = mid(tenkanPeriod);
    var kijun = mid(kijunPeriod);
    var farB = mid(spanBPeriod);
    var spanA = filled(n);
    var spanB = filled(n);
    var chikou = filled(n);
    var ahead = { spanA: [], spanB: [] };
    for (var i = 0; i < n; i++) {
      var a = tenkan[i] !== null && kijun[i] !== null ? (tenkan[i] + kijun[i]) / 2 : null;
      var at = i + shift;
      if (at < n) {
        spanA[at] = a;
        spanB[at] = farB[i];
      } else {
        ahead.spanA.push(a);
        ahead.spanB.push(farB[i]);
      }
      if (i - shift >= 0) chikou[i - shift] = col.close[i];
    }
    return { tenkan: tenkan, kijun: kijun, spanA: spanA, spanB: spanB, chikou: chikou, ahead: ahead };
  });

  // ---- Catalogue -------------------------------------------------------------------------------

  function period(def, label, min) {
    return { key: 'period', label: label || 'Period', type: 'int', default: def, min: min || 1, max: 1000, step: 1 };
  }
  function intParam(key, label, def, min, max) {
    return { key: key, label: label, type: 'int', default: def, min: min, max: max, step: 1 };
  }
  function numParam(key, label, def, min, max, step) {
    return { key: key, label: label, type: 'number', default: def, min: min, max: max, step: step };
  }
  function srcParam(def) {
    return { key: 'source', label: 'Source', type: 'source', default: def || 'close', options: SOURCES.slice() };
  }
  function line(key, label) {
    return { key: key, label: label, style: 'line' };
  }

  // src reads the source the params name.
  function src(candles, params) {
    return source(candles, params.source);
  }

  function bands(r) {
    return { middle: r.middle, upper: r.upper, lower: r.lower };
  }

  // catalog describes every indicator so the chart can offer, configure and draw them
  // generically: pane 'price' overlays the candles, 'own' gets a pane of its own; levels are the
  // default horizontal guide lines; compute(candles, params, ctx) returns one array per output,
  // as long as candles (see Conventions). ctx is optional: ctx.dayKey(candle) sets VWAP's
  // sessions (default: the New York calendar day of candle.time).
  var catalog = {
    sma: {
      name: 'Simple moving average',
      short: 'SMA',
      pane: 'price',
      params: [period(20, 'Period', 2), srcParam()],
      outputs: [line('value', 'SMA')],
      levels: null,
      compute: function (c, p) {
        return { value: sma(src(c, p), p.period) };
      },
    },
    ema: {
      name: 'Exponential moving average',
      short: 'EMA',
      pane: 'price',
      params: [period(50, 'Period', 2), srcParam()],
      outputs: [line('value', 'EMA')],
      levels: null,
      compute: function (c, p) {
        return { value: ema(src(c, p), p.period) };
      },
    },
    wma: {
      name: 'Weighted moving average',
      short: 'WMA',
      pane: 'price',
      params: [period(20, 'Period', 2), srcParam()],
      outputs: [line('value', 'WMA')],
      levels: null,
      compute: function (c, p) {
        return { value: wma(src(c, p), p.period) };
      },
    },
    vwma: {
      name: 'Volume-weighted moving average',
      short: 'VWMA',
      pane: 'price',
      params: [period(20, 'Period', 2), srcParam()],
      outputs: [line('value', 'VWMA')],
      levels: null,
      compute: function (c, p) {
        return {
          value: vwma(
            src(c, p),
            (c || []).map(function (x) {
              return x && isNum(x.volume) ? x.volume : 0;
            }),
            p.period
          ),
        };
      },
    },
    bb: {
      name: 'Bollinger Bands',
      short: 'BB',
      pane: 'price',
      params: [period(20, 'Period', 2), numParam('mult', 'Deviations (σ)', 2, 0.1, 10, 0.1), srcParam()],
      outputs: [line('middle', 'Basis'), line('upper', 'Upper'), line('lower', 'Lower')],
      levels: null,
      compute: function (c, p) {
        return bands(bollinger(src(c, p), p.period, p.mult));
      },
    },
    kc: {
      name: 'Keltner Channels',
      short: 'KC',
      pane: 'price',
      params: [period(20, 'EMA period', 2), numParam('mult', 'ATR multiplier', 2, 0.1, 10, 0.1), intParam('atrPeriod', 'ATR period', 10, 1, 1000), srcParam()],
      outputs: [line('middle', 'Basis'), line('upper', 'Upper'), line('lower', 'Lower')],
      levels: null,
      compute: function (c, p) {
        return bands(keltner(c, p.period, p.mult, p.atrPeriod, p.source));
      },
    },
    vwap: {
      name: 'VWAP (session)',
      short: 'VWAP',
      pane: 'price',
      params: [],
      outputs: [line('value', 'VWAP')],
      levels: null,
      compute: function (c, p, ctx) {
        return { value: vwap(c || [], (ctx && ctx.dayKey) || newYorkDay) };
      },
    },
    ichimoku: {
      name: 'Ichimoku Cloud',
      short: 'Ichimoku',
      pane: 'price',
      params: [
        intParam('tenkan', 'Conversion period', 9, 1, 1000),
        intParam('kijun', 'Base period', 26, 1, 1000),
        intParam('spanB', 'Span B period', 52, 1, 1000),
        intParam('displacement', 'Displacement', 26, 1, 1000),
      ],
      outputs: [line('tenkan', 'Conversion'), line('kijun', 'Base'), line('spanA', 'Span A'), line('spanB', 'Span B'), line('chikou', 'Lagging')],
      levels: null,
      compute: function (c, p) {
        var r = ichimoku(c, p.tenkan, p.kijun, p.spanB, p.displacement);
        return { tenkan: r.tenkan, kijun: r.kijun, spanA: r.spanA, spanB: r.spanB, chikou: r.chikou };
      },
    },
    rsi: {
      name: 'Relative strength index',
      short: 'RSI',
      pane: 'own',
      params: [period(14, 'Period', 2), srcParam()],
      outputs: [line('value', 'RSI')],
      levels: [30, 70],
      compute: function (c, p) {
        return { value: rsi(src(c, p), p.period) };
      },
    },
    stoch: {
      name: 'Stochastic',
      short: 'Stoch',
      pane: 'own',
      params: [period(14, '%K period'), intParam('smoothK', '%K smoothing', 3, 1, 100), intParam('smoothD', '%D period', 3, 1, 100)],
      outputs: [line('k', '%K'), line('d', '%D')],
      levels: [20, 80],
      compute: function (c, p) {
        var r = stochastic(c, p.period, p.smoothK, p.smoothD);
        return { k: r.k, d: r.d };
      },
    },
    stochrsi: {
      name: 'Stochastic RSI',
      short: 'StochRSI',
      pane: 'own',
      params: [
        intParam('rsiPeriod', 'RSI period', 14, 2, 1000),
        intParam('stochPeriod', 'Stochastic period', 14, 1, 1000),
        intParam('smoothK', '%K smoothing', 3, 1, 100),
        intParam('smoothD', '%D period', 3, 1, 100),
        srcParam(),
      ],
      outputs: [line('k', '%K'), line('d', '%D')],
      levels: [20, 80],
      compute: function (c, p) {
        var r = stochRsi(src(c, p), p.rsiPeriod, p.stochPeriod, p.smoothK, p.smoothD);
        return { k: r.k, d: r.d };
      },
    },
    macd: {
      name: 'MACD',
      short: 'MACD',
      pane: 'own',
      params: [intParam('fast', 'Fast EMA', 12, 1, 1000), intParam('slow', 'Slow EMA', 26, 1, 1000), intParam('signal', 'Signal EMA', 9, 1, 1000), srcParam()],
      outputs: [{ key: 'histogram', label: 'Histogram', style: 'histogram' }, line('macd', 'MACD'), line('signal', 'Signal')],
      levels: [0],
      compute: function (c, p) {
        return macd(src(c, p), p.fast, p.slow, p.signal);
      },
    },
    cci: {
      name: 'Commodity channel index',
      short: 'CCI',
      pane: 'own',
      params: [period(20, 'Period', 2), srcParam('hlc3')],
      outputs: [line('value', 'CCI')],
      levels: [-100, 100],
      compute: function (c, p) {
        return { value: cci(src(c, p), p.period) };
      },
    },
    willr: {
      name: 'Williams %R',
      short: '%R',
      pane: 'own',
      params: [period(14)],
      outputs: [line('value', '%R')],
      levels: [-80, -20],
      compute: function (c, p) {
        return { value: williamsR(c, p.period) };
      },
    },
    roc: {
      name: 'Rate of change',
      short: 'ROC',
      pane: 'own',
      params: [period(12), srcParam()],
      outputs: [line('value', 'ROC %')],
      levels: [0],
      compute: function (c, p) {
        return { value: roc(src(c, p), p.period) };
      },
    },
    mom: {
      name: 'Momentum',
      short: 'Mom',
      pane: 'own',
      params: [period(10), srcParam()],
      outputs: [line('value', 'Momentum')],
      levels: [0],
      compute: function (c, p) {
        return { value: momentum(src(c, p), p.period) };
      },
    },
    mfi: {
      name: 'Money flow index',
      short: 'MFI',
      pane: 'own',
      params: [period(14)],
      outputs: [line('value', 'MFI')],
      levels: [20, 80],
      compute: function (c, p) {
        return { value: mfi(c, p.period) };
      },
    },
    atr: {
      name: 'Average true range',
      short: 'ATR',
      pane: 'own',
      params: [period(14)],
      outputs: [line('value', 'ATR')],
      levels: null,
      compute: function (c, p) {
        return { value: atr(c, p.period) };
      },
    },
    stddev: {
      name: 'Standard deviation',
      short: 'StdDev',
      pane: 'own',
      params: [period(20, 'Period', 2), srcParam()],
      outputs: [line('value', 'σ')],
      levels: null,
      compute: function (c, p) {
        return { value: stddev(src(c, p), p.period) };
      },
    },
    hv: {
      name: 'Historical volatility',
      short: 'HV',
      pane: 'own',
      params: [period(20, 'Period', 2), intParam('annual', 'Bars per year', 252, 1, 525600)],
      outputs: [line('value', 'HV %')],
      levels: null,
      compute: function (c, p) {
        return { value: historicalVolatility(source(c, 'close'), p.period, p.annual) };
      },
    },
    obv: {
      name: 'On-balance volume',
      short: 'OBV',
      pane: 'own',
      params: [],
      outputs: [line('value', 'OBV')],
      levels: null,
      compute: function (c) {
        return { value: obv(c) };
      },
    },
    ad: {
      name: 'Accumulation/Distribution',
      short: 'A/D',
      pane: 'own',
      params: [],
      outputs: [line('value', 'A/D')],
      levels: null,
      compute: function (c) {
        return { value: accDist(c) };
      },
    },
  };

  // kinds is the catalogue's order: price overlays, then the oscillators and volume panes.
  var kinds = Object.keys(catalog);
  kinds.forEach(function (k) {
    catalog[k].kind = k;
    var compute = catalog[k].compute;
    // compute always sees bounded parameters, whatever the caller passes.
    catalog[k].compute = function (candles, params, ctx) {
      return compute(candles || [], normalizeParams(k, params), ctx);
    };
  });

  // MAX_INSTANCES bounds how many indicators one chart (and one URL) carries.
  var MAX_INSTANCES = 20;

  // normalizeParams returns kind's full parameter set: numbers rounded (ints) and clamped to
  // [min, max], unknown sources and missing values replaced by the defaults, unknown keys dropped.
  function normalizeParams(kind, params) {
    var def = catalog[kind];
    var out = {};
    if (!def) return out;
    params = params || {};
    def.params.forEach(function (p) {
      out[p.key] = boundParam(p, params[p.key]);
    });
    return out;
  }

  function boundParam(p, v) {
    if (p.type === 'source') return SOURCES.indexOf(v) >= 0 ? v : p.default;
    if (typeof v === 'string' && v.trim() !== '') v = Number(v);
    if (!isNum(v)) return p.default;
    if (p.type === 'int') v = Math.round(v);
    else v = Math.round(v * 1e6) / 1e6;
    return Math.min(p.max, Math.max(p.min, v));
  }

  // ---- URL form --------------------------------------------------------------------------------
  //
  // The ind= parameter holds the instances separated by ',': each is the kind, then its
  // parameters in catalogue order after ':' (trailing defaults left out), then options after ';':
  //   sma:20,sma:200;c=f59e0b;w=1,rsi:14;lv=30-70,bb:20:2.5;h,macd;n=Trend%20MACD
  //   c  colour, 3 or 6 hex digits ('#' optional)      w  line width 1–4
  //   lv levels, numbers joined by '-' or '_' ('lv=-100-100' is −100 and 100; 'lv=' none)
  //   h  hidden                                        n  label, URI-encoded, ≤ 40 characters
  // Today's tokens (sma20, ema50, bb, vwap, rsi, macd) are the same kind with the period written
  // straight after it, so old links keep working. Numbers are bounded by the catalogue, anything
  // unknown is dropped, and at most MAX_INSTANCES are kept.

  var MAX_RAW = 4000;
  var MAX_LABEL = 40;

  // defaultLabel names an instance by its short name and non-default-looking parameters: "SMA
  // 20", "BB 20 2", "MACD 12 26 9".
  function defaultLabel(kind, params) {
    var def = catalog[kind];
    var parts = [def.short];
    def.params.forEach(function (p) {
      if (p.type === 'source') {
        if (params[p.key] !== p.default) parts.push(params[p.key]);
      } else parts.push(String(params[p.key]));
    });
    return parts.join(' ');
  }

  // paramSpec is "20" / "20:2.5" / "" for kind's params, trailing defaults left out.
  function paramSpec(kind, params) {
    var def = catalog[kind];
    var vals = def.params.map(function (p) {
      return params[p.key];
    });
    var last = -1;
    def.params.forEach(function (p, i) {
      if (vals[i] !== p.default) last = i;
    });
    // Averages and oscillators keep their first parameter ("sma:20") for readable URLs.
    if (last < 0 && def.params.length && def.params[0].type !== 'source') last = 0;
    return vals.slice(0, last + 1).join(':');
  }

  // legacyId is the id today's chart.js expects for the six original toggles ("sma20", "ema50",
  // "bb", "vwap", "rsi", "macd") when an instance is one of them, so its buttons keep matching.
  function legacyId(inst) {
    var p = inst.params;
    var plainSource = !p.source || p.source === 'close';
    var def = catalog[inst.kind];
    var rest = def.params.every(function (x) {
      return x.key === 'period' || p[x.key] === x.default;
    });
    if (!rest || !plainSource) return null;
    if (inst.kind === 'sma' || inst.kind === 'ema') return inst.kind + p.period;
    if (inst.kind === 'bb' || inst.kind === 'rsi') return p.period === def.params[0].default ? inst.kind : inst.kind + p.period;
    if (inst.kind === 'vwap' || inst.kind === 'macd') return inst.kind;
    return null;
  }

  function parseLevels(s) {
    var out = [];
    if (s === '') return out;
    var re = /(-?\d+(?:\.\d+)?)(?:[-_]|$)/y;
    var pos = 0;
    while (pos < s.length && out.length < 8) {
      re.lastIndex = pos;
      var m = re.exec(s);
      if (!m) return null;
      var v = Number(m[1]);
      if (isNum(v) && Math.abs(v) <= 1e9) out.push(v);
      pos = re.lastIndex;
    }
    return out;
  }

  function parseColor(s) {
    var m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(s);
    if (!m) return null;
    var h = m[1].toLowerCase();
    if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
    return '#' + h;
  }

  function cleanLabel(s) {
    // eslint-disable-next-line no-control-regex
    return String(s).replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_LABEL);
  }

  // instance builds a full, bounded instance of kind (null for an unknown kind). opts may hold
  // params, color, width, levels, hidden and label; the id is made unique against `others` (the
  // instances already on the chart, or a map of ids taken).
  function instance(kind, opts, others) {
    if (!catalog[kind]) return null;
    var taken = others || {};
    if (Array.isArray(others)) {
      taken = {};
      others.forEach(function (x) {
        if (x && x.id) taken[x.id] = true;
      });
    }
    opts = opts || {};
    var params = normalizeParams(kind, opts.params);
    var inst = {
      id: '',
      kind: kind,
      params: params,
      color: opts.color ? parseColor(opts.color) : null,
      width: isNum(opts.width) ? Math.min(4, Math.max(1, Math.round(opts.width))) : 2,
      levels: Array.isArray(opts.levels) ? boundLevels(opts.levels) : catalog[kind].levels ? catalog[kind].levels.slice() : [],
      hidden: !!opts.hidden,
      label: opts.label ? cleanLabel(opts.label) : '',
      // period is the first parameter, for today's chart.js (which reads x.period).
      period: isNum(params.period) ? params.period : 0,
    };
    if (!inst.label) inst.label = defaultLabel(kind, params);
    var base = legacyId(inst) || kind + (paramSpec(kind, params) ? ':' + paramSpec(kind, params) : '');
    var id = base;
    for (var n = 2; taken[id]; n++) id = base + '~' + n;
    taken[id] = true;
    inst.id = id;
    return inst;
  }

  function boundLevels(list) {
    return list
      .filter(isNum)
      .filter(function (v) {
        return Math.abs(v) <= 1e9;
      })
      .slice(0, 8);
  }

  // parseIndicators reads the ind= parameter into instances {id, kind, params, color, width,
  // levels, hidden, label} (plus period, the first parameter). Defaults are filled in: levels from
  // the catalogue, width 2, label like "SMA 20"; color is null when not chosen (the chart picks).
  function parseIndicators(raw) {
    var out = [];
    var taken = {};
    var seen = {};
    String(raw || '')
      .slice(0, MAX_RAW)
      .split(',')
      .forEach(function (part) {
        if (out.length >= MAX_INSTANCES) return;
        var bits = part.trim().split(';');
        var head = bits[0].trim().toLowerCase().split(':');
        var kind = head[0];
        var values = head.slice(1);
        var legacy = /^([a-z]+?)(\d+)$/.exec(kind);
        if (!catalog[kind] && legacy && catalog[legacy[1]] && values.length === 0) {
          kind = legacy[1];
          values = [legacy[2]];
        }
        var def = catalog[kind];
        if (!def) return;
        var params = {};
        def.params.forEach(function (p, i) {
          if (values[i] !== undefined && values[i] !== '') params[p.key] = values[i];
        });
        var opts = { params: params };
        bits.slice(1).forEach(function (opt) {
          var eq = opt.indexOf('=');
          var key = (eq < 0 ? opt : opt.slice(0, eq)).trim().toLowerCase();
          var val = eq < 0 ? null : opt.slice(eq + 1).trim();
          if (key === 'c' && val) opts.color = val;
          else if (key === 'w' && val) opts.width = Number(val);
          else if (key === 'h') opts.hidden = val === null || val === '1' || val === 'true';
          else if (key === 'lv' && val !== null) {
            var lv = parseLevels(val);
            if (lv) opts.levels = lv;
          } else if (key === 'n' && val) {
            try {
              opts.label = decodeURIComponent(val);
            } catch (e) {
              // a malformed escape: the label is dropped, the instance kept
            }
          }
        });
        // An exact repeat (same settings and options) is dropped: it would draw over itself.
        var probe = instance(kind, opts, {});
        var spec = formatIndicators([probe]);
        if (seen[spec]) return;
        seen[spec] = true;
        out.push(instance(kind, opts, taken));
      });
    return out;
  }

  function sameLevels(a, b) {
    a = a || [];
    b = b || [];
    return (
      a.length === b.length &&
      a.every(function (v, i) {
        return v === b[i];
      })
    );
  }

  // formatIndicators writes instances back into the ind= form, leaving out whatever equals the
  // default, so parseIndicators(formatIndicators(list)) gives the same instances.
  function formatIndicators(list) {
    return (list || [])
      .filter(function (x) {
        return x && catalog[x.kind];
      })
      .slice(0, MAX_INSTANCES)
      .map(function (x) {
        var params = normalizeParams(x.kind, x.params);
        var spec = paramSpec(x.kind, params);
        var s = x.kind + (spec ? ':' + spec : '');
        var color = x.color ? parseColor(x.color) : null;
        if (color) s += ';c=' + color.slice(1);
        if (isNum(x.width) && Math.round(x.width) !== 2) s += ';w=' + Math.min(4, Math.max(1, Math.round(x.width)));
        var levels = Array.isArray(x.levels) ? boundLevels(x.levels) : null;
        if (levels && !sameLevels(levels, catalog[x.kind].levels)) s += ';lv=' + levels.join('-');
        if (x.hidden) s += ';h';
        var label = x.label ? cleanLabel(x.label) : '';
        if (label && label !== defaultLabel(x.kind, params)) s += ';n=' + encodeURIComponent(label);
        return s;
      })
      .join(',');
  }

  // ---- Exact decimals --------------------------------------------------------------------------

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

  return {
    // series functions
    sma: sma,
    ema: ema,
    rma: rma,
    wma: wma,
    vwma: vwma,
    bollinger: bollinger,
    keltner: keltner,
    vwap: vwap,
    rsi: rsi,
    stochastic: stochastic,
    stochRsi: stochRsi,
    macd: macd,
    cci: cci,
    williamsR: williamsR,
    roc: roc,
    momentum: momentum,
    mfi: mfi,
    atr: atr,
    stddev: stddev,
    historicalVolatility: historicalVolatility,
    obv: obv,
    accDist: accDist,
    ichimoku: ichimoku,
    highest: highest,
    lowest: lowest,
    source: source,
    newYorkDay: newYorkDay,
    // catalogue and URL form
    catalog: catalog,
    kinds: kinds,
    sources: SOURCES,
    MAX_INSTANCES: MAX_INSTANCES,
    normalizeParams: normalizeParams,
    instance: instance,
    defaultLabel: defaultLabel,
    parseIndicators: parseIndicators,
    formatIndicators: formatIndicators,
    decimalAdd: decimalAdd,
  };
});
