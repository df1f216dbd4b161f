// Unit tests of the shared time-axis labels: node --test static/js/
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { tickMark } = require('./timeaxis.js');

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
