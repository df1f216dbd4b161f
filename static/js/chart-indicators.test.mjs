// Unit tests of the indicator settings' input checks: node --test static/js/
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { numberError, parseLevels } = require('./chart-indicators.js');

const period = { key: 'period', label: 'Period', type: 'int', default: 20, min: 2, max: 1000, step: 1 };
const sigma = { key: 'mult', label: 'Deviations (σ)', type: 'number', default: 2, min: 0.1, max: 10, step: 0.1 };

test('a period in range is accepted, at both ends', () => {
  for (const v of ['2', '20', '1000']) assert.equal(numberError(period, v), '', v);
});

test('a period out of range, fractional or not a number is refused in words', () => {
  assert.equal(numberError(period, '1'), 'Period must be from 2 to 1000.');
  assert.equal(numberError(period, '1001'), 'Period must be from 2 to 1000.');
  assert.equal(numberError(period, '20.5'), 'Period must be a whole number from 2 to 1000.');
  assert.equal(numberError(period, ''), 'Period must be a number from 2 to 1000.');
  assert.equal(numberError(period, 'abc'), 'Period must be a number from 2 to 1000.');
});

test('a decimal parameter takes fractions within its bounds', () => {
  assert.equal(numberError(sigma, '2.5'), '');
  assert.equal(numberError(sigma, '0.05'), 'Deviations (σ) must be from 0.1 to 10.');
});

test('levels are numbers separated by commas or spaces, at most six', () => {
  assert.deepEqual(parseLevels('30, 70'), [30, 70]);
  assert.deepEqual(parseLevels('-100 0;100'), [-100, 0, 100]);
  assert.deepEqual(parseLevels(''), []);
  assert.equal(parseLevels('30, seventy'), null);
  assert.equal(parseLevels('1,2,3,4,5,6,7'), null);
});
