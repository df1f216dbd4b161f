// Unit tests of the portfolio chart's pure helpers: node --test static/js/
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pf = require('./portfolio.js');

test('seriesData turns decimal strings into numbers in time order', () => {
  assert.deepEqual(
    pf.seriesData([
      { t: 100, equity: '100000.00' },
      { t: 160, equity: '100012.34' },
    ]),
    [
      { time: 100, value: 100000 },
      { time: 160, value: 100012.34 },
    ]
  );
});

test('seriesData keeps times strictly increasing: a repeated second keeps the later value', () => {
  assert.deepEqual(
    pf.seriesData([
      { t: 100, equity: '1' },
      { t: 100, equity: '2' },
      { t: 99, equity: '3' },
      { t: 101, equity: '4' },
    ]),
    [
      { time: 100, value: 3 },
      { time: 101, value: 4 },
    ]
  );
});

test('seriesData skips malformed points and survives nothing', () => {
  assert.deepEqual(pf.seriesData([{ t: 'x', equity: '1' }, { t: 5, equity: '' }, null, { t: 6, equity: 'abc' }, { t: 7.9, equity: '2' }]), [
    { time: 7, value: 2 },
  ]);
  assert.deepEqual(pf.seriesData(undefined), []);
});

test('baseOf is the base, else the first point, else zero', () => {
  assert.equal(pf.baseOf({ base: '100000.00', points: [{ t: 1, equity: '5' }] }), 100000);
  assert.equal(pf.baseOf({ base: '', points: [{ t: 1, equity: '5' }] }), 5);
  assert.equal(pf.baseOf({ points: [] }), 0);
  assert.equal(pf.baseOf(null), 0);
});

test('rangeFromHref reads ?range= from a link', () => {
  assert.equal(pf.rangeFromHref('/portfolio?range=1W'), '1W');
  assert.equal(pf.rangeFromHref('/portfolio?x=1&range=all#top'), 'all');
  assert.equal(pf.rangeFromHref('/portfolio'), '');
  assert.equal(pf.rangeFromHref(null), '');
});

test('sign reads a decimal string, treating less than half a cent as zero', () => {
  assert.equal(pf.sign('12.30'), 1);
  assert.equal(pf.sign('-0.01'), -1);
  assert.equal(pf.sign('0.004'), 0);
  assert.equal(pf.sign('nonsense'), 0);
});

test('money formats dollars with separators and cents', () => {
  assert.equal(pf.money(1234567.891), '$1,234,567.89');
  assert.equal(pf.money(-12), '-$12.00');
  assert.equal(pf.money(0), '$0.00');
});

test('intraday ranges show times, longer ones dates', () => {
  assert.equal(pf.intraday('1D'), true);
  assert.equal(pf.intraday('1W'), true);
  assert.equal(pf.intraday('1M'), false);
  assert.equal(pf.intraday('all'), false);
  assert.equal(pf.phrase('3M'), 'past 3 months');
  assert.equal(pf.phrase('all'), 'since the period began');
});

test('start does nothing without a document or the chart library', () => {
  assert.doesNotThrow(() => pf.start({}));
  assert.doesNotThrow(() => pf.start({ document: { getElementById: () => null } }));
});
