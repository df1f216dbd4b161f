// Time-axis labels shared by the pages drawn with lightweight-charts (chart.js, portfolio.js).
// lightweight-charts dates and labels its time axis in UTC; these pages show the zone they are
// about (the market's, or the one the user chose), so each feeds the chart that zone's
// wall-clock times (zone) and labels them with UTC formatters (tickMark).
//
// Exported for node's test runner (static/js/timeaxis.test.mjs); in the browser it is
// window.AWTimeAxis, loaded before the page's own script.
(function (root, factory) {
  'use strict';
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.AWTimeAxis = api;
})(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  'use strict';

  // tickMark returns a tickMarkFormatter for lightweight-charts' timeScale options. fmts holds
  // Intl.DateTimeFormat-like formatters: year, month, day (month and day) and time. type is
  // lightweight-charts' TickMarkType: 0 year, 1 month, 2 day of month, 3 time, 4 time with
  // seconds (labelled as time: no chart here has bars shorter than a minute).
  function tickMark(fmts) {
    return function (time, type) {
      var d = new Date(time * 1000);
      switch (type) {
        case 0:
          return fmts.year.format(d);
        case 1:
          return fmts.month.format(d);
        case 2:
          return fmts.day.format(d);
        default:
          return fmts.time.format(d);
      }
    };
  }

  // zone returns the conversion between real times (Unix seconds) and the times handed to
  // lightweight-charts for a zone. The chart places its ticks, and weighs them (a new year, month
  // or day makes a stronger tick), by UTC calendar dates: fed real times, a 4h bar at 20:00 in
  // New York on 30 November is already 1 December in UTC, so the axis marked a new month there
  // and the month label read "Nov" (issue 14, figure 6). Fed the zone's wall-clock time as if it
  // were UTC, the chart's dates are the zone's, and its labels are formatted in UTC.
  // toChart(real) is that wall-clock time; fromChart(chartTime) undoes it (times repeated by a
  // clock turned back map to the earlier of the two).
  function zone(tz) {
    var parts;
    try {
      parts = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (e) {
      parts = null; // an unknown zone: show UTC
    }
    var cache = {};
    // offset is the zone's offset from UTC, in seconds, at real time sec. Offsets change on a
    // quarter hour at most, so they are kept per quarter hour.
    function offset(sec) {
      if (!parts || tz === 'UTC') return 0;
      var key = Math.floor(sec / 900);
      if (cache[key] !== undefined) return cache[key];
      var f = {};
      parts.formatToParts(new Date(key * 900 * 1000)).forEach(function (p) {
        f[p.type] = p.value;
      });
      var wall = Date.UTC(+f.year, +f.month - 1, +f.day, +f.hour, +f.minute, +f.second) / 1000;
      cache[key] = wall - key * 900;
      return cache[key];
    }
    return {
      toChart: function (sec) {
        return sec + offset(sec);
      },
      fromChart: function (t) {
        var guess = t - offset(t);
        return t - offset(guess);
      },
    };
  }

  return { tickMark: tickMark, zone: zone };
});
