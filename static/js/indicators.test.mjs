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
