// The chart's indicator settings (the dialog #chart-ind-dialog in views/chart.templ): add an
// indicator of any kind in the catalogue (several of one kind, SMA 20 beside SMA 200), and per
// indicator its parameters (period, source, σ...), colour, line width, levels (RSI's 30/70) and
// name; hide, remove, or remove all. Everything the dialog shows is built from the catalogue
// (indicators.js), so a new indicator there needs nothing here.
//
// chart.js mounts it with the current list and a callback: each valid change hands back a new
// list, which the chart draws, puts in the URL and (signed in) remembers. A value out of range
// is refused beside its field and changes nothing.
//
// It is a native modal <dialog>: focus stays inside, Esc closes it, and it fits a phone. Its
// checks of what is typed are pure and unit-tested with node (chart-indicators.test.mjs).
(function (root, factory) {
  'use strict';
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.AWChartIndicators = api;
})(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  'use strict';

  var SOURCES = [
    ['close', 'Close'],
    ['open', 'Open'],
    ['high', 'High'],
    ['low', 'Low'],
    ['hl2', 'Median (H+L)/2'],
    ['hlc3', 'Typical (H+L+C)/3'],
    ['ohlc4', 'Average (O+H+L+C)/4'],
  ];
  var MAX_INDICATORS = 20; // a chart with more is unreadable, and the URL stays short

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (attrs[k] === true) e.setAttribute(k, '');
      else if (attrs[k] !== false && attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, String(attrs[k]));
    }
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function copy(x) {
    var params = {};
    for (var k in x.params || {}) params[k] = x.params[k];
    return { id: x.id, kind: x.kind, params: params, color: x.color, width: x.width, levels: Array.isArray(x.levels) ? x.levels.slice() : x.levels, hidden: !!x.hidden, label: x.label || '' };
  }

  // numberError says what is wrong with a parameter's value, or '' when it is valid.
  function numberError(p, raw) {
    var v = Number(raw);
    var range = p.min !== undefined && p.max !== undefined ? ' from ' + p.min + ' to ' + p.max : '';
    if (String(raw).trim() === '' || !isFinite(v)) return p.label + ' must be a number' + range + '.';
    if (p.type === 'int' && Math.floor(v) !== v) return p.label + ' must be a whole number' + range + '.';
    if ((p.min !== undefined && v < p.min) || (p.max !== undefined && v > p.max)) return p.label + ' must be' + range + '.';
    return '';
  }

  // parseLevels reads "30, 70" (commas or spaces) into numbers; null when something is not one.
  function parseLevels(raw) {
    var parts = String(raw).split(/[\s,;]+/).filter(Boolean);
    if (parts.length > 6) return null;
    var out = [];
    for (var i = 0; i < parts.length; i++) {
      var v = Number(parts[i]);
      if (!isFinite(v)) return null;
      out.push(v);
    }
    return out;
  }

  function mount(opts) {
    var dialog = document.getElementById('chart-ind-dialog');
    if (!dialog) return null;
    var listEl = dialog.querySelector('[data-ind-list]');
    var kindEl = dialog.querySelector('[data-ind-kind]');
    var emptyEl = dialog.querySelector('[data-ind-empty]');
    var noteEl = dialog.querySelector('[data-ind-note]');
    var cat = opts.catalog;
    var seq = 0;

    // The kinds to add, by name, grouped where they are drawn.
    var kinds = Object.keys(cat).sort(function (a, b) {
      return cat[a].name.localeCompare(cat[b].name);
    });
    [
      ['price', 'On the price'],
      ['own', 'In a pane of their own'],
    ].forEach(function (g) {
      var group = el('optgroup', { label: g[1] });
      kinds.forEach(function (k) {
        if ((cat[k].pane === 'own' ? 'own' : 'price') === g[0]) group.appendChild(el('option', { value: k }, cat[k].name));
      });
      if (group.childNodes.length) kindEl.appendChild(group);
    });

    function current() {
      return opts.list().map(copy);
    }

    function note(text) {
      if (noteEl) noteEl.textContent = text || '';
    }

    function commit(list) {
      opts.onChange(list);
    }

    // field builds one labelled control with the place for its message.
    function field(id, label, control, wide) {
      var wrap = el('div', { class: wide ? 'chart-ind-field chart-ind-wide' : 'chart-ind-field' });
      wrap.appendChild(el('label', { for: id, class: 'label' }, label));
      control.id = id;
      control.setAttribute('aria-describedby', id + '-error');
      wrap.appendChild(control);
      wrap.appendChild(el('p', { id: id + '-error', class: 'field-error', 'data-error-for': id, hidden: true }));
      return wrap;
    }

    function item(x, n) {
      var def = cat[x.kind];
      var base = 'ci-' + n;
      var li = el('li', { class: 'chart-ind-item', 'data-ind-id': x.id, 'data-testid': 'chart-ind-item' });
      var fs = el('fieldset', { class: 'chart-ind-fieldset' });
      var legend = el('legend', { class: 'chart-ind-legend', 'data-ind-legend': true }, opts.label(x));
      fs.appendChild(legend);
      var grid = el('div', { class: 'chart-ind-grid' });
      (def.params || []).forEach(function (p) {
        var value = x.params && x.params[p.key] !== undefined ? x.params[p.key] : p.default;
        var c;
        if (p.type === 'source') {
          c = el('select', { class: 'input', 'data-field': 'param', 'data-key': p.key });
          (p.options || SOURCES).forEach(function (o) {
            var v = Array.isArray(o) ? o[0] : o;
            var opt = el('option', { value: v }, Array.isArray(o) ? o[1] : o);
            if (v === value) opt.selected = true;
            c.appendChild(opt);
          });
        } else {
          c = el('input', {
            type: 'number',
            class: 'input',
            inputmode: p.type === 'int' ? 'numeric' : 'decimal',
            min: p.min,
            max: p.max,
            step: p.step !== undefined ? p.step : p.type === 'int' ? 1 : 'any',
            value: value,
            'data-field': 'param',
            'data-key': p.key,
          });
        }
        grid.appendChild(field(base + '-' + p.key, p.label, c));
      });
      grid.appendChild(field(base + '-color', 'Colour', el('input', { type: 'color', class: 'chart-ind-color', value: x.color, 'data-field': 'color' })));
      var width = el('select', { class: 'input', 'data-field': 'width' });
      [1, 2, 3, 4].forEach(function (w) {
        var o = el('option', { value: w }, w + ' px');
        if (w === x.width) o.selected = true;
        width.appendChild(o);
      });
      grid.appendChild(field(base + '-width', 'Line width', width));
      if (def.levels !== null && def.levels !== undefined) {
        var levels = Array.isArray(x.levels) ? x.levels : def.levels;
        grid.appendChild(field(base + '-levels', 'Levels', el('input', { type: 'text', class: 'input', inputmode: 'decimal', value: levels.join(', '), 'data-field': 'levels', placeholder: 'e.g. 30, 70' })));
      }
      grid.appendChild(field(base + '-label', 'Name', el('input', { type: 'text', class: 'input', maxlength: 40, value: x.label || '', placeholder: opts.label(Object.assign({}, x, { label: '' })), 'data-field': 'label' }), true));
      fs.appendChild(grid);
      var actions = el('div', { class: 'chart-ind-actions' });
      var showId = base + '-shown';
      var show = el('input', { type: 'checkbox', id: showId, class: 'checkbox', 'data-field': 'shown' });
      show.checked = !x.hidden;
      var showLabel = el('label', { for: showId, class: 'chart-ind-show' });
      showLabel.appendChild(show);
      showLabel.appendChild(document.createTextNode('Show on the chart'));
      actions.appendChild(showLabel);
      actions.appendChild(el('button', { type: 'button', class: 'btn btn-secondary btn-sm chart-ind-remove', 'data-ind-remove': true, 'aria-label': 'Remove ' + opts.label(x) }, 'Remove'));
      fs.appendChild(actions);
      li.appendChild(fs);
      return li;
    }

    function render() {
      var list = opts.list();
      listEl.textContent = '';
      list.forEach(function (x, n) {
        if (cat[x.kind]) listEl.appendChild(item(x, n));
      });
      emptyEl.hidden = list.length > 0;
      dialog.querySelector('[data-ind-clear]').disabled = list.length === 0;
    }

    function showError(control, text) {
      var p = dialog.querySelector('[data-error-for="' + control.id + '"]');
      control.setAttribute('aria-invalid', text ? 'true' : 'false');
      if (p) {
        p.textContent = text;
        p.hidden = !text;
      }
    }

    // onField applies one edited field to its indicator, when the value is valid.
    function onField(e) {
      var c = e.target;
      var f = c.getAttribute && c.getAttribute('data-field');
      var li = c.closest && c.closest('[data-ind-id]');
      if (!f || !li) return;
      var list = current();
      var x = list.filter(function (y) {
        return y.id === li.getAttribute('data-ind-id');
      })[0];
      if (!x) return;
      var def = cat[x.kind];
      var error = '';
      switch (f) {
        case 'param':
          var p = (def.params || []).filter(function (q) {
            return q.key === c.getAttribute('data-key');
          })[0];
          if (p.type === 'source') x.params[p.key] = c.value;
          else if (!(error = numberError(p, c.value))) x.params[p.key] = Number(c.value);
          break;
        case 'color':
          x.color = c.value;
          break;
        case 'width':
          x.width = Number(c.value);
          break;
        case 'levels':
          var lv = parseLevels(c.value);
          if (lv === null) error = 'Levels are up to six numbers, separated by commas (e.g. 30, 70).';
          else x.levels = lv;
          break;
        case 'label':
          x.label = c.value.trim().slice(0, 40);
          break;
        case 'shown':
          x.hidden = !c.checked;
          break;
      }
      showError(c, error);
      if (error) return;
      commit(list);
      var legend = li.querySelector('[data-ind-legend]');
      var now = opts.list().filter(function (y) {
        return y.id === x.id;
      })[0];
      if (legend && now) legend.textContent = opts.label(now);
      var name = li.querySelector('[data-field="label"]');
      if (name && now) name.placeholder = opts.label(Object.assign({}, now, { label: '' }));
      note((now ? opts.label(now) : 'Indicator') + ' updated.');
    }

    dialog.addEventListener('change', onField);

    dialog.addEventListener('click', function (e) {
      var t = e.target instanceof Element ? e.target : null;
      if (!t) return;
      if (t.closest('[data-ind-close]')) return dialog.close();
      if (t.closest('[data-ind-add]')) return add();
      if (t.closest('[data-ind-clear]')) {
        commit([]);
        render();
        note('All indicators removed.');
        kindEl.focus();
        return;
      }
      var rm = t.closest('[data-ind-remove]');
      if (rm) {
        var li = rm.closest('[data-ind-id]');
        var id = li.getAttribute('data-ind-id');
        var list = current();
        var gone = list.filter(function (y) {
          return y.id === id;
        })[0];
        var at = list.indexOf(gone);
        commit(
          list.filter(function (y) {
            return y.id !== id;
          })
        );
        render();
        note((gone ? opts.label(gone) : 'Indicator') + ' removed.');
        var next = listEl.querySelectorAll('[data-ind-remove]')[Math.min(at, listEl.children.length - 1)];
        (next || kindEl).focus();
      }
    });

    // add appends an indicator of the chosen kind with the catalogue's defaults and a colour of
    // its own, and moves focus to its first setting.
    function add() {
      var kind = kindEl.value;
      var def = cat[kind];
      var list = current();
      if (!def) return;
      if (list.length >= MAX_INDICATORS) return note('A chart holds at most ' + MAX_INDICATORS + ' indicators. Remove one first.');
      var params = {};
      (def.params || []).forEach(function (p) {
        params[p.key] = p.default;
      });
      var x = {
        id: kind + '-new-' + Date.now().toString(36) + '-' + ++seq,
        kind: kind,
        params: params,
        color: opts.palette[list.length % opts.palette.length],
        width: 2,
        levels: Array.isArray(def.levels) ? def.levels.slice() : null,
        hidden: false,
        label: '',
      };
      list.push(x);
      commit(list);
      render();
      note(opts.label(x) + ' added.');
      var items = listEl.querySelectorAll('[data-ind-id]');
      var last = items[items.length - 1];
      var first = last && last.querySelector('input, select');
      if (first) first.focus();
    }

    return {
      open: function () {
        if (dialog.open) return;
        render();
        note('');
        if (dialog.showModal) dialog.showModal();
        else dialog.setAttribute('open', '');
        kindEl.focus();
      },
      close: function () {
        if (dialog.open) dialog.close();
      },
    };
  }

  return { mount: mount, numberError: numberError, parseLevels: parseLevels };
});
