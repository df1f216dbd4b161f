// Draws the API reference page (/api/docs) with the vendored Swagger UI, from the document the
// server publishes at the URL in data-spec. A file of its own rather than an inline script, so
// the page keeps the strict Content-Security-Policy. validatorUrl is switched off: Swagger UI
// would otherwise send the document to a third-party validator and load its badge from there.
(function () {
  'use strict';
  var el = document.getElementById('api-reference');
  if (!el || typeof window.SwaggerUIBundle !== 'function') {
    return;
  }
  window.SwaggerUIBundle({
    url: el.getAttribute('data-spec'),
    domNode: el,
    deepLinking: true,
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
    docExpansion: 'list',
  });
})();
