// Applies the saved colour theme before first paint (loaded synchronously in
// <head>). Kept tiny on purpose; the toggle itself lives in app.js.
(function () {
  var dark = false;
  try {
    var saved = localStorage.getItem('theme');
    dark = saved ? saved === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
  } catch (e) {}
  document.documentElement.classList.toggle('dark', dark);
})();
