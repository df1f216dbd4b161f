// Time-axis labels shared by the pages drawn with lightweight-charts (chart.js, portfolio.js).
// lightweight-charts labels its time axis in UTC; these pages label it in the zone they show
// (the market's, or the one the user chose), so each builds its formatters for that zone and
// hands them to tickMark.
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

  return { tickMark: tickMark };
});
