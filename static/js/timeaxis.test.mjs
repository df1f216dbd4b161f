// Unit tests of the shared time-axis labels: node --test static/js/
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { tickMark, zone } = require('./timeaxis.js');

const ny = (opts) => new Intl.DateTimeFormat('en-US', Object.assign({ timeZone: 'America/New_York' }, opts));
const label = tickMark({
  year: ny({ year: 'numeric' }),
  month: ny({ month: 'short' }),
  day: ny({ month: 'short', day: 'numeric' }),
  time: ny({ hour: '2-digit', minute: '2-digit', hour12: false }),
});

// 2024-01-01T03:30:00Z is still New Year's Eve in New York: labels follow the formatters' zone,
// not UTC.
const t = Date.UTC(2024, 0, 1, 3, 30) / 1000;

test('tickMark labels each tick type with its formatter, in the formatters zone', () => {
  assert.equal(label(t, 0), '2023');
  assert.equal(label(t, 1), 'Dec');
  assert.equal(label(t, 2), 'Dec 31');
  assert.equal(label(t, 3), '22:30');
  assert.equal(label(t, 4), '22:30');
});

// Issue 14, figure 6: a 4h bar at 20:00 in New York on 30 November 2026 is 01:00 UTC on
// 1 December. Fed real times, lightweight-charts weighed it as a new month and the axis read
// "Nov" there. Zoned times keep it on 30 November, and the first December bar starts the month.
test('zone feeds the chart New York wall-clock times, so month ticks fall on New York dates', () => {
  const z = zone('America/New_York');
  const lateNov30 = Date.UTC(2026, 11, 1, 1, 0) / 1000; // 20:00 ET, 30 Nov
  const dec1Open = Date.UTC(2026, 11, 1, 14, 30) / 1000; // 09:30 ET, 1 Dec
  assert.equal(new Date(z.toChart(lateNov30) * 1000).toISOString(), '2026-11-30T20:00:00.000Z');
  assert.equal(new Date(z.toChart(dec1Open) * 1000).toISOString(), '2026-12-01T09:30:00.000Z');
  // The chart's UTC month of each bar is now New York's, and the labels (UTC formatters) say so.
  const utc = (opts) => new Intl.DateTimeFormat('en-US', Object.assign({ timeZone: 'UTC' }, opts));
  const axis = tickMark({ year: utc({ year: 'numeric' }), month: utc({ month: 'short' }), day: utc({ month: 'short', day: 'numeric' }), time: utc({ hour: '2-digit', minute: '2-digit', hour12: false }) });
  assert.equal(new Date(z.toChart(lateNov30) * 1000).getUTCMonth(), 10);
  assert.equal(axis(z.toChart(dec1Open), 1), 'Dec');
  assert.equal(axis(z.toChart(lateNov30), 3), '20:00');
  for (const t of [lateNov30, dec1Open]) assert.equal(z.fromChart(z.toChart(t)), t);
});

test('zone follows daylight saving and leaves UTC alone', () => {
  const z = zone('America/New_York');
  const summer = Date.UTC(2026, 6, 1, 13, 30) / 1000; // 09:30 EDT
  assert.equal(z.toChart(summer) - summer, -4 * 3600);
  const winter = Date.UTC(2026, 11, 1, 14, 30) / 1000; // 09:30 EST
  assert.equal(z.toChart(winter) - winter, -5 * 3600);
  // Around the clocks going back (1 Nov 2026, 06:00 UTC): 01:30 is shown twice and maps back to
  // the first; the hour after is exact.
  const first = Date.UTC(2026, 10, 1, 5, 30) / 1000; // 01:30 EDT
  const second = Date.UTC(2026, 10, 1, 6, 30) / 1000; // 01:30 EST
  assert.equal(z.toChart(first), z.toChart(second));
  assert.equal(z.fromChart(z.toChart(second)), first);
  const after = Date.UTC(2026, 10, 1, 7, 30) / 1000;
  assert.equal(z.fromChart(z.toChart(after)), after);
  const u = zone('UTC');
  assert.equal(u.toChart(summer), summer);
  assert.equal(u.fromChart(summer), summer);
});
