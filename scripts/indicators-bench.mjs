// Benchmark of static/js/indicators.js: every catalogue indicator (the original's 21 plus Ichimoku)
// recomputed with its default settings on 5,000 candles, as the chart does when candles load or a
// live update arrives. Prints the median, fastest and slowest of several runs, in total and per
// indicator. Results are recorded in docs/BENCHMARKS.md (issue 16).
//
//   node scripts/indicators-bench.mjs                 # in node (V8, the engine Chromium uses): wall clock and CPU time
//   node scripts/indicators-bench.mjs --browser       # the same code in headless Chromium
//   options: --candles N (5000) --runs N (31) --gaps (a gap candle every 97)
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const indicatorsPath = join(here, '..', 'static', 'js', 'indicators.js');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const config = { candles: opt('--candles', 5000), runs: opt('--runs', 31), gaps: args.includes('--gaps') };

// bench runs in node and, stringified, in the browser page: it must not close over anything.
function bench(Indicators, config, now) {
  // A deterministic random walk of 1-minute candles.
  let seed = 42;
  const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
  const candles = [];
  let price = 180;
  for (let i = 0; i < config.candles; i++) {
    if (config.gaps && i % 97 === 50) {
      candles.push(null);
      continue;
    }
    const open = price;
    price *= 1 + (rand() - 0.5) * 0.004;
    const close = price;
    const high = Math.max(open, close) * (1 + rand() * 0.001);
    const low = Math.min(open, close) * (1 - rand() * 0.001);
    candles.push({ time: 1704207600 + i * 60, open, high, low, close, volume: Math.round(rand() * 5000) });
  }
  const kinds = Indicators.kinds;
  const perKind = {};
  kinds.forEach((k) => (perKind[k] = []));
  const totals = [];
  let sink = 0;
  const warmup = 5;
  for (let run = 0; run < warmup + config.runs; run++) {
    const t0 = now();
    for (const k of kinds) {
      const s = now();
      const out = Indicators.catalog[k].compute(candles, {});
      const first = out[Indicators.catalog[k].outputs[0].key];
      sink += first[first.length - 1] || 0;
      if (run >= warmup) perKind[k].push(now() - s);
    }
    if (run >= warmup) totals.push(now() - t0);
  }
  const stats = (xs) => {
    const s = xs.slice().sort((a, b) => a - b);
    return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
  };
  const result = { candles: config.candles, runs: config.runs, gaps: config.gaps, kinds: kinds.length, total: stats(totals), perKind: {}, sink };
  kinds.forEach((k) => (result.perKind[k] = stats(perKind[k])));
  return result;
}

function print(where, r) {
  const ms = (x) => x.toFixed(2);
  console.log(`${where}: ${r.kinds} indicators on ${r.candles} candles${r.gaps ? ' (with gaps)' : ''}, ${r.runs} runs after 5 warm-up runs`);
  console.log(`all together: median ${ms(r.total.median)} ms (fastest ${ms(r.total.min)}, slowest ${ms(r.total.max)})`);
  const rows = Object.entries(r.perKind).sort((a, b) => b[1].median - a[1].median);
  for (const [k, s] of rows) console.log(`  ${k.padEnd(9)} ${ms(s.median).padStart(7)} ms  (${ms(s.min)}–${ms(s.max)})`);
}

if (args.includes('--browser')) {
  // The page runs the bench on load and writes the JSON result into the DOM, which headless
  // Chromium prints with --dump-dom.
  const dir = mkdtempSync(join(tmpdir(), 'indbench-'));
  const page = join(dir, 'bench.html');
  const src = readFileSync(indicatorsPath, 'utf8');
  writeFileSync(
    page,
    `<!doctype html><meta charset="utf-8"><script>${src}</script><script>
document.addEventListener('DOMContentLoaded', function () {
  var r = (${bench.toString()})(window.AWIndicators, ${JSON.stringify(config)}, function () { return performance.now(); });
  var pre = document.createElement('pre'); pre.id = 'result'; pre.textContent = JSON.stringify(r); document.body.appendChild(pre);
});
</script>`
  );
  try {
    const html = execFileSync(
      process.env.CHROMIUM || 'chromium',
      ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=600000', '--dump-dom', 'file://' + page],
      { encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'ignore'] }
    );
    const m = /<pre id="result">([^<]*)<\/pre>/.exec(html);
    if (!m) throw new Error('no result in the page');
    const version = execFileSync(process.env.CHROMIUM || 'chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    print(`headless ${version}`, JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  const Indicators = createRequire(import.meta.url)(indicatorsPath);
  print(`node ${process.version} (V8 ${process.versions.v8}), wall clock`, bench(Indicators, config, () => performance.now()));
  // Process CPU time leaves out the time other processes held the cores, which on a shared
  // machine is most of the spread above (it includes V8's garbage-collector threads).
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  print(`node, process CPU time`, bench(Indicators, config, cpu));
}
