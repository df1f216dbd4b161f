// Unit tests of the chart indicators: node --test static/js/
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ind = require('./indicators.js');

const close = (a, b, eps = 1e-9) => a !== null && b !== null && Math.abs(a - b) < eps;
function assertSeries(got, want, eps) {
  assert.equal(got.length, want.length, 'length');
  want.forEach((w, i) => {
    if (w === null) assert.equal(got[i], null, `index ${i}: want null, got ${got[i]}`);
    else assert.ok(close(got[i], w, eps), `index ${i}: want ${w}, got ${got[i]}`);
  });
}

test('sma averages the last period values and leaves the warm-up empty', () => {
  assertSeries(ind.sma([1, 2, 3, 4, 5], 3), [null, null, 2, 3, 4]);
  assertSeries(ind.sma([1, 2], 3), [null, null]);
  assertSeries(ind.sma([5, 7], 1), [5, 7]);
  assertSeries(ind.sma([1, 2, 3], 0), [null, null, null]);
});

test('ema is seeded with the sma and then smooths with 2/(n+1)', () => {
  // k = 0.5 for period 3: seed (1+2+3)/3 = 2, then 4*.5+2*.5 = 3, 5*.5+3*.5 = 4, 10*.5+4*.5 = 7
  assertSeries(ind.ema([1, 2, 3, 4, 5, 10], 3), [null, null, 2, 3, 4, 7]);
  // leading nulls (another indicator's warm-up) are skipped
  assertSeries(ind.ema([null, null, 1, 2, 3, 4], 3), [null, null, null, null, 2, 3]);
  assertSeries(ind.ema([1, 2], 3), [null, null]);
});

test('bollinger bands sit mult population deviations around the sma', () => {
  const b = ind.bollinger([2, 4, 4, 4, 5, 5, 7, 9], 8, 2); // classic example: mean 5, sd 2
  assertSeries(b.middle, [null, null, null, null, null, null, null, 5]);
  assertSeries(b.upper, [null, null, null, null, null, null, null, 9]);
  assertSeries(b.lower, [null, null, null, null, null, null, null, 1]);
  const flat = ind.bollinger([3, 3, 3], 2, 2);
  assertSeries(flat.upper, [null, 3, 3]);
});

test('vwap weights by volume and starts again each day', () => {
  const c = (day, price, volume, vwap = 0) => ({ day, high: price, low: price, close: price, volume, vwap });
  const candles = [c('d1', 10, 1), c('d1', 20, 3), c('d2', 30, 2), c('d2', 40, 2), c('d2', 50, 0)];
  assertSeries(ind.vwap(candles, (x) => x.day), [10, 17.5, 30, 35, 35]);
  // a candle's own vwap is preferred over its typical price
  const own = [{ high: 12, low: 6, close: 9, volume: 2, vwap: 8 }, { high: 12, low: 6, close: 9, volume: 2, vwap: 0 }];
  assertSeries(ind.vwap(own, () => 'd'), [8, 8.5]);
  // typical price is (h+l+c)/3; with no volume at all the price itself shows
  assertSeries(ind.vwap([{ high: 12, low: 6, close: 9, volume: 0 }], null), [9]);
});

test('rsi follows Wilder and is bounded', () => {
  // 14 rises of 1 then one fall of 1: first RSI 100, then gain 13/14, loss 1/14 -> 92.857...
  const up = Array.from({ length: 15 }, (_, i) => i);
  const vals = [...up, 13];
  const r = ind.rsi(vals, 14);
  assert.equal(r[13], null);
  assert.ok(close(r[14], 100));
  assert.ok(close(r[15], 100 - 100 / (1 + 13)), `got ${r[15]}`);
  const flat = ind.rsi(new Array(20).fill(5), 14);
  assert.equal(flat[19], 50);
  const noisy = ind.rsi(Array.from({ length: 200 }, (_, i) => 100 + Math.sin(i) * 10), 14);
  noisy.forEach((v) => assert.ok(v === null || (v >= 0 && v <= 100)));
  assertSeries(ind.rsi([1, 2, 3], 14), [null, null, null]);
});

test('macd is the ema difference, with its signal and histogram', () => {
  const vals = Array.from({ length: 60 }, (_, i) => 100 + i * 0.5 + Math.cos(i / 3) * 4);
  const m = ind.macd(vals, 12, 26, 9);
  const f = ind.ema(vals, 12);
  const s = ind.ema(vals, 26);
  assert.equal(m.macd[24], null);
  assert.ok(close(m.macd[25], f[25] - s[25]));
  assert.ok(close(m.macd[59], f[59] - s[59]));
  // the signal needs 9 macd values: first at 25 + 8
  assert.equal(m.signal[32], null);
  assert.ok(close(m.signal[33], m.macd.slice(25, 34).reduce((a, b) => a + b, 0) / 9));
  assert.ok(close(m.histogram[40], m.macd[40] - m.signal[40]));
  assert.equal(m.histogram[30], null);
});

test('parseIndicators still reads the old ind tokens, with their old ids', () => {
  // Repeats are dropped; out-of-range periods are clamped to the catalogue's bounds (2..1000).
  const got = ind.parseIndicators('sma20,EMA50,bb,vwap,rsi,macd,sma20,foo,sma1,sma9999, sma5');
  assert.deepEqual(got.map((x) => x.id), ['sma20', 'ema50', 'bb', 'vwap', 'rsi', 'macd', 'sma2', 'sma1000', 'sma5']);
  assert.deepEqual(got.find((x) => x.kind === 'bb').period, 20);
  assert.deepEqual(ind.parseIndicators('rsi7').map((x) => [x.id, x.period]), [['rsi7', 7]]);
  assert.deepEqual(ind.parseIndicators(''), []);
  assert.deepEqual(ind.parseIndicators(null), []);
});

test('decimalAdd adds decimal strings exactly', () => {
  const cases = [
    ['0.1', '0.2', '0.3'],
    ['1', '2', '3'],
    ['1.25', '0.75', '2'],
    ['0.000000001', '5', '5.000000001'],
    ['10', '-2.5', '7.5'],
    ['2.5', '-2.5', '0'],
    ['-1', '0.25', '-0.75'],
    ['', '3.10', '3.1'],
    ['123456789012345678.9', '0.1', '123456789012345679'],
  ];
  for (const [a, b, want] of cases) assert.equal(ind.decimalAdd(a, b), want, `${a} + ${b}`);
});

// ---- Every indicator against independently computed values ---------------------------------------
// Each expectation below is either a published table typed in (StockCharts' RSI worksheet) or worked
// by hand with the arithmetic in the comment; the brute-force checks further down recompute the
// rolling ones from their definitions in the slowest obvious way.

const k = (high, low, close, volume = 0, open = close) => ({ open, high, low, close, volume });

test('rsi matches the StockCharts ChartSchool worksheet (Wilder, 14 periods)', () => {
  // Closes and RSI values from StockCharts' "Relative Strength Index" worked example (cs-rsi.xls).
  const closes = [
    44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955, 45.4245, 45.8433, 46.0826, 45.8931, 46.0328, 45.614, 46.282, 46.282, 46.0028,
    46.0328, 46.4116, 46.2222, 45.6439, 46.2122, 46.2521, 45.7137, 46.4515, 45.7835, 45.3548, 44.0288, 44.1783, 44.2181, 44.5672, 43.4205,
    42.6628, 43.1314,
  ];
  const published = [
    70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99, 41.46, 41.87, 45.46, 37.3, 33.08, 37.77,
  ];
  const r = ind.rsi(closes, 14);
  for (let i = 0; i < 14; i++) assert.equal(r[i], null, `warm-up ${i}`);
  published.forEach((want, j) => assert.ok(Math.abs(r[14 + j] - want) < 0.005, `rsi[${14 + j}] = ${r[14 + j]}, published ${want}`));
});

test('rsi skips a gap: the null gets null and the rest is as if it were absent', () => {
  const vals = [1, 2, 1, 3, 2, 4];
  const withGap = [1, 2, null, 1, 3, NaN, 2, 4];
  const plain = ind.rsi(vals, 2);
  assertSeries(ind.rsi(withGap, 2), [plain[0], plain[1], null, plain[2], plain[3], null, plain[4], plain[5]]);
  // period 2 by hand: changes +1 −1 +2 −1 +2. First: gain (1+0)/2 = .5, loss (0+1)/2 = .5 -> 50.
  // Then gain (.5+2)/2 = 1.25, loss .25/1 ... (.5·1+0)/2 = .25 -> RS 5 -> 100 − 100/6.
  assertSeries(plain, [null, null, 50, 100 - 100 / 6, 50, 100 - 100 / 5.2]);
});

test('sma and ema skip gaps instead of restarting', () => {
  // dense [1, 2, 3, 4] -> sma2 [_, 1.5, 2.5, 3.5], put back around the nulls
  assertSeries(ind.sma([1, null, 2, 3, undefined, 4], 2), [null, null, 1.5, 2.5, null, 3.5]);
  // dense [1, 2, 3, 4, 10], k = .5: seed (1+2+3)/3 = 2, 4·.5+2·.5 = 3, 10·.5+3·.5 = 6.5
  assertSeries(ind.ema([1, 2, null, 3, 4, 10], 3), [null, null, null, 2, 3, 6.5]);
});

test('wma weights the newest value most', () => {
  // weights 1, 2, 3 over 6: (1+4+9)/6, (2+6+12)/6, (3+8+15)/6
  assertSeries(ind.wma([1, 2, 3, 4, 5], 3), [null, null, 14 / 6, 20 / 6, 26 / 6]);
  assertSeries(ind.wma([4, null, 8], 2), [null, null, (4 + 16) / 3]);
});

test('vwma weights prices by volume, and falls back to the plain average without volume', () => {
  // (10·1 + 20·3) / 4 = 17.5; (20·3 + 30·0) / 3 = 20
  assertSeries(ind.vwma([10, 20, 30], [1, 3, 0], 2), [null, 17.5, 20]);
  assertSeries(ind.vwma([5, 7], [0, 0], 2), [null, 6]);
  // volume leaves the window: (10·5 + 20·5)/10 = 15, (20·5)/5 = 20, then none: (30 + 40)/2 = 35
  assertSeries(ind.vwma([10, 20, 30, 40], [5, 5, 0, 0], 2), [null, 15, 20, 35]);
  assertSeries(ind.vwma([10, null, 20], [1, 1, 1], 2), [null, null, 15]);
});

test('source reads each price, null for a gap candle', () => {
  const c = [{ open: 2, high: 5, low: 1, close: 3 }, null, { high: 5, low: 1, close: 3 }, { open: 2, high: NaN, low: 1, close: 3 }];
  const at = (key) => ind.source(c, key);
  assert.deepEqual(at('close'), [3, null, 3, null]);
  assert.deepEqual(at('open'), [2, null, 3, null]); // without an open, the close stands in
  assert.deepEqual(at('high'), [5, null, 5, null]);
  assert.deepEqual(at('low'), [1, null, 1, null]);
  assert.deepEqual(at('hl2'), [3, null, 3, null]); // (5+1)/2
  assert.deepEqual(at('hlc3'), [3, null, 3, null]); // (5+1+3)/3
  assert.deepEqual(at('ohlc4'), [2.75, null, 3, null]); // (2+5+1+3)/4, then (3+5+1+3)/4
});

test('stddev is the population deviation of the window', () => {
  // [1,2,3]: mean 2, variance (1+0+1)/3 = 2/3; [2,3,4] the same
  assertSeries(ind.stddev([1, 2, 3, 4], 3), [null, null, Math.sqrt(2 / 3), Math.sqrt(2 / 3)]);
  assertSeries(ind.stddev([2, 4, 4, 4, 5, 5, 7, 9], 8), [null, null, null, null, null, null, null, 2]);
  // a flat window is exactly 0 (never NaN from a negative rounding residue)
  assertSeries(ind.stddev([50000.1, 50000.1, 50000.1, 50000.1], 2), [null, 0, 0, 0], 1e-6);
});

test('atr is Wilder-smoothed true range, with gaps up and down', () => {
  const c = [k(10, 8, 9), k(11, 9, 10.5), k(12, 10.5, 11), k(11.5, 10, 10), k(14, 12, 13), k(12, 11, 11.5)];
  // TR: 2 (h−l, no previous close); max(2, |11−9|, |9−9|) = 2; max(1.5, 1.5, 0) = 1.5;
  // max(1.5, |11.5−11|, |10−11|) = 1.5; gap up max(2, |14−10|, |12−10|) = 4; gap down max(1, 1, |11−13|) = 2.
  // ATR3: (2+2+1.5)/3 = 11/6; (11/6·2 + 1.5)/3 = 31/18; (31/18·2 + 4)/3 = 67/27; (67/27·2 + 2)/3 = 188/81
  const want = [null, null, 11 / 6, 31 / 18, 67 / 27, 188 / 81];
  assertSeries(ind.atr(c, 3), want);
  // a gap candle is null and skipped
  assertSeries(ind.atr([c[0], c[1], null, c[2], k(NaN, 1, 1), c[3], c[4], c[5]], 3), [null, null, null, 11 / 6, null, 31 / 18, 67 / 27, 188 / 81]);
});

test('keltner puts mult ATRs around the EMA', () => {
  const c = [k(11, 9, 10), k(12, 10, 11), k(16, 14, 15)];
  // EMA2 (k = 2/3): seed (10+11)/2 = 10.5, then 15·2/3 + 10.5/3 = 13.5
  // TR 2, 2, max(2, |16−11|, |14−11|) = 5; ATR2: (2+2)/2 = 2, (2·1 + 5)/2 = 3.5
  const kc = ind.keltner(c, 2, 2, 2);
  assertSeries(kc.middle, [null, 10.5, 13.5]);
  assertSeries(kc.upper, [null, 14.5, 20.5]);
  assertSeries(kc.lower, [null, 6.5, 6.5]);
});

test('vwap skips gap candles, and the catalogue starts sessions at New York midnight', () => {
  const c = (price, volume, time) => ({ time, open: price, high: price, low: price, close: price, volume });
  assertSeries(ind.vwap([c(10, 1), null, c(20, 3)], () => 'd'), [10, null, 17.5]);
  // 2024-01-02T04:59:59Z is 23:59:59 on 1 January in New York; 05:00:00Z is midnight on the 2nd.
  assert.equal(ind.newYorkDay({ time: 1704171599 }), '2024-01-01');
  assert.equal(ind.newYorkDay({ time: 1704171600 }), '2024-01-02');
  const out = ind.catalog.vwap.compute([c(10, 1, 1704171000), c(20, 1, 1704171599), c(30, 1, 1704171600), c(40, 3, 1704171660)], {});
  // day 1: 10, (10+20)/2 = 15; day 2 starts again: 30, (30 + 40·3)/4 = 37.5
  assertSeries(out.value, [10, 15, 30, 37.5]);
});

// Five candles used by the stochastic, Williams %R and (with different closes) Ichimoku tests.
const five = [k(10, 8, 9), k(11, 9, 10), k(12, 9, 11), k(12, 10, 10), k(13, 11, 13)];

test('stochastic: raw %K over the high-low range, smoothed %K and %D', () => {
  // period 3: i2 HH 12 LL 8 -> (11−8)/4 = 75; i3 HH 12 LL 9 -> (10−9)/3 = 33.33; i4 HH 13 LL 9 -> (13−9)/4 = 100
  const fast = ind.stochastic(five, 3, 1, 2);
  assertSeries(fast.k, [null, null, 75, 100 / 3, 100]);
  // %D over 2: (75 + 33.33)/2 = 54.17, (33.33 + 100)/2 = 66.67
  assertSeries(fast.d, [null, null, null, (75 + 100 / 3) / 2, (100 / 3 + 100) / 2]);
  const slow = ind.stochastic(five, 3, 2, 2);
  assertSeries(slow.k, [null, null, null, (75 + 100 / 3) / 2, (100 / 3 + 100) / 2]);
  assertSeries(slow.d, [null, null, null, null, ((75 + 100 / 3) / 2 + (100 / 3 + 100) / 2) / 2]);
  // a flat range is the midpoint, not NaN
  assertSeries(ind.stochastic([k(5, 5, 5), k(5, 5, 5)], 2, 1, 1).k, [null, 50]);
});

test('stochRsi is the stochastic of RSI', () => {
  // RSI(2) of [1, 2, 1, 3, 2, 4] by hand (see the rsi gap test): _, _, 50, 250/3, 50, 1050/13.
  // Stochastic over 3 RSI values: i4 [50, 83.3, 50] -> (50−50)/33.3 = 0;
  // i5 [83.3, 50, 80.77] -> (1050/13 − 50)/(250/3 − 50) = (400/13)/(100/3) = 12/13
  const s = ind.stochRsi([1, 2, 1, 3, 2, 4], 2, 3, 1, 2);
  assertSeries(s.k, [null, null, null, null, 0, 1200 / 13]);
  assertSeries(s.d, [null, null, null, null, null, 600 / 13]);
});

test('macd with small periods, worked by hand', () => {
  // EMA2 (k = 2/3) of [1,2,3,4,5,10]: 1.5, 2.5, 3.5, 4.5, 10·2/3 + 4.5/3 = 49/6
  // EMA3 (k = 1/2): 2, 3, 4, 7.  MACD: .5, .5, .5, 49/6 − 7 = 7/6
  // signal EMA2 of MACD: seed (.5+.5)/2 = .5, .5, 7/6·2/3 + .5/3 = 17/18;  histogram 7/6 − 17/18 = 2/9
  const m = ind.macd([1, 2, 3, 4, 5, 10], 2, 3, 2);
  assertSeries(m.macd, [null, null, 0.5, 0.5, 0.5, 7 / 6]);
  assertSeries(m.signal, [null, null, null, 0.5, 0.5, 17 / 18]);
  assertSeries(m.histogram, [null, null, null, 0, 0, 2 / 9]);
});

test('cci divides the distance from the average by 0.015 mean deviations', () => {
  // [10,12,14]: SMA 12, mean deviation (2+0+2)/3 = 4/3 -> (14−12)/(0.015·4/3) = 100
  // [12,14,15]: SMA 41/3, deviations 5/3, 1/3, 4/3 -> 10/9 -> (15 − 41/3)/(0.015·10/9) = (4/3)/(1/60) = 80
  assertSeries(ind.cci([10, 12, 14, 15], 3), [null, null, 100, 80]);
  assertSeries(ind.cci([7, 7, 7], 2), [null, 0, 0]);
  // the catalogue's default source is the typical price (h+l+c)/3: these candles' are 10, 12, 14, 15
  const tp = [10, 12, 14, 15].map((v) => k(v + 1, v - 1, v));
  assertSeries(ind.catalog.cci.compute(tp, { period: 3 }).value, [null, null, 100, 80]);
});

test('williamsR is where the close sits below the highest high, 0 to −100', () => {
  // i2: −100·(12−11)/(12−8) = −25; i3: −100·(12−10)/(12−9) = −66.67; i4: −100·(13−13)/(13−9) = 0
  assertSeries(ind.williamsR(five, 3), [null, null, -25, -200 / 3, 0]);
  assertSeries(ind.williamsR([k(5, 5, 5)], 1), [-50]);
});

test('roc and momentum compare with the value period bars back', () => {
  // (12−10)/10 = 20 %, (9.9−11)/11 = −10 %
  assertSeries(ind.roc([10, 11, 12, 9.9], 2), [null, null, 20, -10]);
  assertSeries(ind.roc([0, 1, 2], 2), [null, null, null]);
  assertSeries(ind.momentum([10, 11, 12, 9.9], 2), [null, null, 2, -1.1]);
  assertSeries(ind.momentum([10, null, 11, 12], 1), [null, null, 1, 1]);
});

test('mfi splits money flow by the direction of the typical price', () => {
  const c = [k(10, 8, 9, 100), k(11, 9, 10, 200), k(10, 8, 9, 100), k(12, 10, 11, 300), k(12, 10, 11, 50), k(11, 9, 10, 100)];
  // TP 9, 10, 9, 11, 11, 10. Flows: +10·200 = 2000, −9·100 = 900, +11·300 = 3300, none (TP unchanged:
  // neither positive nor negative), −10·100 = 1000.
  // MFI2 = 100·pos/(pos+neg): 2000/2900, 3300/4200, 3300/3300 = 100, 0/1000 = 0
  assertSeries(ind.mfi(c, 2), [null, null, 200000 / 2900, 330000 / 4200, 100, 0]);
});

test('historical volatility annualises the deviation of log returns', () => {
  // returns ln 1.1, ln 0.9, ln 1.1; two of them differ by ln 1.1 − ln 0.9, population sd = half that
  const sd = (Math.log(1.1) - Math.log(0.9)) / 2;
  assertSeries(ind.historicalVolatility([100, 110, 99, 108.9], 2, 252), [null, null, sd * Math.sqrt(252) * 100, sd * Math.sqrt(252) * 100]);
});

test('obv and accumulation/distribution are running volume sums', () => {
  const closes = [10, 11, 11, 10.5, 12];
  const vols = [100, 200, 300, 400, 500];
  // 0, +200, unchanged, −400, +500
  assertSeries(ind.obv(closes.map((c, i) => k(c, c, c, vols[i]))), [0, 200, 200, -200, 300]);
  // multipliers ((c−l)−(h−c))/(h−l): (3−1)/4 = .5 -> +50; flat candle 0; (1−3)/4 = −.5 -> −100
  assertSeries(ind.accDist([k(12, 8, 11, 100), k(10, 10, 10, 50), k(10, 6, 7, 200)]), [50, 50, -50]);
});

test('ichimoku lines, shifted forward and back as TradingView draws them', () => {
  const c = [k(10, 8, 9), k(12, 9, 11), k(11, 7, 8), k(13, 10, 12), k(14, 12, 13)];
  // tenkan(2): (12+8)/2 = 10, (12+7)/2 = 9.5, (13+7)/2 = 10, (14+10)/2 = 12
  // kijun(3): (12+7)/2 = 9.5, (13+7)/2 = 10, (14+7)/2 = 10.5
  // span B(4): (13+7)/2 = 10, (14+7)/2 = 10.5
  // span A: (9.5+9.5)/2 = 9.5 at i2, 10 at i3, (12+10.5)/2 = 11.25 at i4
  // displacement 3 shifts by 2: span A from i2 lands on i4, i3 and i4 fall beyond the last candle.
  const r = ind.ichimoku(c, 2, 3, 4, 3);
  assertSeries(r.tenkan, [null, 10, 9.5, 10, 12]);
  assertSeries(r.kijun, [null, null, 9.5, 10, 10.5]);
  assertSeries(r.spanA, [null, null, null, null, 9.5]);
  assertSeries(r.spanB, [null, null, null, null, null]);
  assert.deepEqual(r.ahead, { spanA: [10, 11.25], spanB: [10, 10.5] });
  // chikou: the close two candles later
  assertSeries(r.chikou, [8, 12, 13, null, null]);
});

// ---- Brute force: the O(n) rolling forms against their definitions, with gaps --------------------

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function randomSeries(n, seed, gapEvery) {
  const r = rng(seed);
  let p = 50000;
  return Array.from({ length: n }, (_, i) => {
    p += (r() - 0.5) * 40;
    return gapEvery && i % gapEvery === 5 ? null : p;
  });
}

// naive(values, period, f) applies f to each full window of present values, nulls elsewhere.
function naive(values, period, f) {
  const dense = [];
  return values.map((v) => {
    if (v === null) return null;
    dense.push(v);
    return dense.length >= period ? f(dense.slice(-period)) : null;
  });
}

const mean = (w) => w.reduce((a, b) => a + b, 0) / w.length;

test('rolling forms equal their definitions on 2,000 values with gaps', () => {
  const v = randomSeries(2000, 7, 37);
  for (const p of [1, 2, 14, 200]) {
    assertSeries(ind.sma(v, p), naive(v, p, mean), 1e-6);
    assertSeries(ind.highest(v, p), naive(v, p, (w) => Math.max(...w)));
    assertSeries(ind.lowest(v, p), naive(v, p, (w) => Math.min(...w)));
    const wsum = (p * (p + 1)) / 2;
    assertSeries(ind.wma(v, p), naive(v, p, (w) => w.reduce((a, x, i) => a + x * (i + 1), 0) / wsum), 1e-6);
    const sd = (w) => {
      const m = mean(w);
      return Math.sqrt(w.reduce((a, x) => a + (x - m) ** 2, 0) / w.length);
    };
    assertSeries(ind.stddev(v, p), naive(v, p, sd), 1e-6);
  }
});

// ---- Catalogue ---------------------------------------------------------------------------------

function candlesWithGaps(n) {
  const r = rng(11);
  let p = 100;
  return Array.from({ length: n }, (_, i) => {
    if (i === 120 || i === 121 || i === 250) return null;
    const open = p;
    p *= 1 + (r() - 0.5) * 0.02;
    const close = p;
    return { time: 1704207600 + i * 60, open, high: Math.max(open, close) * (1 + r() * 0.005), low: Math.min(open, close) * (1 - r() * 0.005), close, volume: Math.round(r() * 1000) };
  });
}

test('the catalogue describes 22 indicators in the agreed shape', () => {
  const wanted = ['sma', 'ema', 'wma', 'vwma', 'bb', 'kc', 'vwap', 'rsi', 'stoch', 'stochrsi', 'macd', 'cci', 'willr', 'roc', 'mom', 'mfi', 'atr', 'stddev', 'hv', 'obv', 'ad', 'ichimoku'];
  assert.deepEqual([...ind.kinds].sort(), [...wanted].sort());
  for (const kind of ind.kinds) {
    const d = ind.catalog[kind];
    assert.equal(d.kind, kind);
    assert.ok(typeof d.name === 'string' && d.name, kind);
    assert.ok(d.pane === 'price' || d.pane === 'own', kind);
    assert.ok(d.levels === null || (Array.isArray(d.levels) && d.levels.every(Number.isFinite)), kind);
    assert.equal(typeof d.compute, 'function');
    for (const p of d.params) {
      assert.ok(['int', 'number', 'source'].includes(p.type), `${kind}.${p.key}`);
      assert.ok(p.label, `${kind}.${p.key} label`);
      if (p.type === 'source') assert.ok(ind.sources.includes(p.default));
      else assert.ok(p.min <= p.default && p.default <= p.max && p.step > 0, `${kind}.${p.key} bounds`);
    }
    assert.ok(d.outputs.length > 0);
    for (const o of d.outputs) assert.ok(['line', 'histogram', 'area'].includes(o.style) && o.key && o.label, `${kind}.${o.key}`);
  }
});

test('every catalogue indicator returns full-length outputs, null on gaps, with its warm-up', () => {
  const candles = candlesWithGaps(400);
  // first non-null index of the first output with default parameters, on gap-free candles
  // (period − 1 for windows; RSI, ROC, momentum, MFI and HV need one more for the first change;
  // stoch %K 14 then 3 smoothing = 15; StochRSI 14 + 13 + 2 = 29; MACD histogram 25 + 8 = 33;
  // Keltner the later of EMA 20 and ATR 10 = 19; Ichimoku's conversion line 9 − 1 = 8).
  const firstValue = { sma: 19, ema: 49, wma: 19, vwma: 19, bb: 19, kc: 19, vwap: 0, rsi: 14, stoch: 15, stochrsi: 29, macd: 33, cci: 19, willr: 13, roc: 12, mom: 10, mfi: 14, atr: 13, stddev: 19, hv: 20, obv: 0, ad: 0, ichimoku: 8 };
  const clean = candlesWithGaps(400).map((c, i) => c || { ...candles[i - 1], time: 1704207600 + i * 60 });
  for (const kind of ind.kinds) {
    const d = ind.catalog[kind];
    const out = d.compute(candles, {});
    for (const o of d.outputs) {
      assert.equal(out[o.key].length, candles.length, `${kind}.${o.key} length`);
      for (const gap of [120, 121, 250]) assert.equal(out[o.key][gap], null, `${kind}.${o.key} at gap ${gap}`);
      assert.ok(out[o.key].every((x) => x === null || Number.isFinite(x)), `${kind}.${o.key} finite`);
    }
    const first = d.compute(clean, {})[d.outputs[0].key].findIndex((x) => x !== null);
    assert.equal(first, firstValue[kind], `${kind} warm-up`);
  }
});

test('catalogue compute bounds its parameters', () => {
  const candles = candlesWithGaps(50);
  const a = ind.catalog.sma.compute(candles, { period: 1e9, source: 'nonsense' }).value;
  assert.ok(a.every((x) => x === null), 'period clamped to 1000 > 50 candles');
  assert.deepEqual(ind.normalizeParams('bb', { period: '7.6', mult: -3, source: 'hl2', extra: 1 }), { period: 8, mult: 0.1, source: 'hl2' });
  assert.deepEqual(ind.normalizeParams('nope', { period: 3 }), {});
});

// ---- URL form ----------------------------------------------------------------------------------

test('parseIndicators reads the compact form with settings', () => {
  const got = ind.parseIndicators('sma:20,sma:200;c=#F59E0B;w=1,rsi:14;lv=30-70,cci;lv=-100-100,willr;lv=-80--20,bb:20:2.5:hl2;h;n=My%20bands,stoch;lv=');
  assert.deepEqual(
    got.map((x) => [x.id, x.kind, x.params, x.color, x.width, x.levels, x.hidden, x.label]),
    [
      ['sma20', 'sma', { period: 20, source: 'close' }, null, 2, [], false, 'SMA 20'],
      ['sma200', 'sma', { period: 200, source: 'close' }, '#f59e0b', 1, [], false, 'SMA 200'],
      ['rsi', 'rsi', { period: 14, source: 'close' }, null, 2, [30, 70], false, 'RSI 14'],
      ['cci:20', 'cci', { period: 20, source: 'hlc3' }, null, 2, [-100, 100], false, 'CCI 20'],
      ['willr:14', 'willr', { period: 14 }, null, 2, [-80, -20], false, '%R 14'],
      ['bb:20:2.5:hl2', 'bb', { period: 20, mult: 2.5, source: 'hl2' }, null, 2, [], true, 'My bands'],
      ['stoch:14', 'stoch', { period: 14, smoothK: 3, smoothD: 3 }, null, 2, [], false, 'Stoch 14 3 3'],
    ]
  );
});

test('formatIndicators round-trips and leaves defaults out', () => {
  const raw = 'sma:20,sma:200;c=f59e0b;w=1,rsi:7;lv=25-75,cci:20;lv=-150-150,bb:20:2.5:hl2;h;n=My%20bands,macd:5:35:5,ichimoku:10:30:60:30,vwap,obv';
  const list = ind.parseIndicators(raw);
  assert.equal(ind.formatIndicators(list), raw);
  assert.deepEqual(ind.parseIndicators(ind.formatIndicators(list)), list);
  // labels with separators survive
  const named = ind.parseIndicators(ind.formatIndicators([{ ...ind.instance('ema', { params: { period: 9 } }), label: 'Fast, short; a=b' }]));
  assert.equal(named[0].label, 'Fast, short; a=b');
  // today's tokens come back in the new form
  assert.equal(ind.formatIndicators(ind.parseIndicators('sma20,ema50,bb,vwap,rsi,macd')), 'sma:20,ema:50,bb:20,vwap,rsi:14,macd:12');
});

test('parseIndicators bounds every number and drops what it does not know', () => {
  const got = ind.parseIndicators('sma:99999,bb:0:99,rsi:abc;w=9;c=red;lv=1-x,zzz:3,macd:1:2:3:4:5;q=1,ema:;h=0');
  assert.deepEqual(
    got.map((x) => [x.kind, x.params, x.width, x.color, x.levels, x.hidden]),
    [
      ['sma', { period: 1000, source: 'close' }, 2, null, [], false],
      ['bb', { period: 2, mult: 10, source: 'close' }, 2, null, [], false],
      ['rsi', { period: 14, source: 'close' }, 4, null, [30, 70], false],
      ['macd', { fast: 1, slow: 2, signal: 3, source: 'close' }, 2, null, [0], false],
      ['ema', { period: 50, source: 'close' }, 2, null, [], false],
    ]
  );
  // at most 20 instances, distinct ones kept with unique ids
  const many = ind.parseIndicators(Array.from({ length: 30 }, (_, i) => `sma:${i + 2}`).join(','));
  assert.equal(many.length, ind.MAX_INSTANCES);
  const twins = ind.parseIndicators('sma:20;c=f00,sma:20;c=00f,sma:20;c=f00');
  assert.deepEqual(twins.map((x) => x.id), ['sma20', 'sma20~2']);
  // labels are cut to 40 characters, control characters removed; a bad escape drops the label
  assert.equal(ind.parseIndicators('sma;n=' + 'x'.repeat(100))[0].label.length, 40);
  assert.equal(ind.parseIndicators('sma;n=a%0Ab')[0].label, 'ab');
  assert.equal(ind.parseIndicators('sma;n=%E0%A4%A')[0].label, 'SMA 20');
  // a huge value is read only up to its first 4,000 characters
  assert.ok(ind.parseIndicators('sma:5,' + 'x'.repeat(1e6)).length === 1);
});

test('instance makes a new indicator with defaults and an id unique on the chart', () => {
  const existing = ind.parseIndicators('sma:20');
  const next = ind.instance('sma', { params: { period: 20 } }, existing);
  assert.equal(next.id, 'sma20~2');
  assert.equal(ind.instance('nope', {}, existing), null);
  const r = ind.instance('rsi', {}, []);
  assert.deepEqual([r.params, r.levels, r.width, r.label], [{ period: 14, source: 'close' }, [30, 70], 2, 'RSI 14']);
});

test('a gap candle changes nothing but its own index, for every catalogue indicator', () => {
  // The documented rule: gaps are skipped, so the output around them equals the output of the
  // same candles with the gaps taken out.
  const withGaps = candlesWithGaps(400);
  const idx = withGaps.map((c, i) => (c ? i : -1)).filter((i) => i >= 0);
  const without = idx.map((i) => withGaps[i]);
  for (const kind of ind.kinds) {
    const d = ind.catalog[kind];
    const a = d.compute(withGaps, {});
    const b = d.compute(without, {});
    for (const o of d.outputs) {
      idx.forEach((i, j) => {
        const x = a[o.key][i];
        const y = b[o.key][j];
        assert.ok(x === y || Math.abs(x - y) < 1e-9, `${kind}.${o.key} at ${i}: ${x} with gaps, ${y} without`);
      });
    }
  }
});

test('catalogue vwap takes its sessions from ctx.dayKey when given', () => {
  const c = (price, day) => ({ open: price, high: price, low: price, close: price, volume: 1, day });
  const out = ind.catalog.vwap.compute([c(10, 'a'), c(20, 'a'), c(30, 'b')], {}, { dayKey: (x) => x.day });
  assertSeries(out.value, [10, 15, 30]);
});
