// Copies the vendored browser libraries from node_modules into static/js/.
//
// Run through `npm run build` (after the Tailwind step). No dependencies
// beyond Node's standard library. The copies are byte-for-byte, so the
// output is deterministic: the same lock file always yields the same files.
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** [source under node_modules, destination under static/] */
const vendored = [
  ['htmx.org/dist/htmx.min.js', 'js/htmx.min.js'],
  ['htmx-ext-ws/dist/ws.min.js', 'js/htmx-ext-ws.min.js'],
  [
    'lightweight-charts/dist/lightweight-charts.standalone.production.js',
    'js/lightweight-charts.standalone.production.js',
  ],
  // The API reference page's viewer (/api/docs).
  ['swagger-ui-dist/swagger-ui-bundle.js', 'js/swagger-ui-bundle.js'],
  ['swagger-ui-dist/swagger-ui.css', 'css/swagger-ui.css'],
];

async function main() {
  const outDir = join(root, 'static');

  for (const [from, to] of vendored) {
    const src = join(root, 'node_modules', from);
    const dst = join(outDir, to);
    await mkdir(dirname(dst), { recursive: true });
    try {
      await stat(src);
    } catch {
      // A checkout whose node_modules predates a newly vendored package still has the committed
      // copy: keep it, and say so, rather than fail the whole build (CI runs npm ci first).
      if (await stat(dst).then(() => true, () => false)) {
        console.log(`kept        static/${to} (${relative(root, src)} is not installed: run \`npm ci\`)`);
        continue;
      }
      throw new Error(`missing ${relative(root, src)}: run \`npm ci\` first`);
    }
    // Skip the write when the bytes already match, so file mtimes stay put.
    const [a, b] = await Promise.all([readFile(src), readFile(dst).catch(() => null)]);
    if (b !== null && a.equals(b)) {
      console.log(`up to date  static/${to}`);
      continue;
    }
    await copyFile(src, dst);
    console.log(`copied      ${relative(root, src)} -> static/${to}`);
  }
}

main().catch((err) => {
  console.error(err.message || err);
  process.exit(1);
});
