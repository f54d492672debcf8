// `npm start` / `npm run admin`: runs a compiled entry (`node api/deploy/start.mjs main|admin
// [args]`), building first only when the output is missing or older than a source, so
// `npm ci && npm start` works on a fresh clone and a restart does not rebuild. Plain JavaScript
// with node: imports only: it must run where only production dependencies are installed.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const OUTPUTS = ['api/dist/.built', 'widget/dist/widget.js', 'dashboard/dist/dashboard.js'];
const SOURCES = ['api', 'widget', 'dashboard', 'package-lock.json'];
const SKIP = new Set(['dist', 'node_modules', 'deploy']);

/** The newest modification time under `path` (0 when absent: a production copy has no sources). */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return /\.(ts|tsx|mjs|json)$/.test(path) ? st.mtimeMs : 0;
  let max = 0;
  for (const name of readdirSync(path)) if (!SKIP.has(name)) max = Math.max(max, newest(join(path, name)));
  return max;
}

function stale() {
  const outs = OUTPUTS.map((p) => join(root, p));
  if (!outs.every((p) => existsSync(p))) return 'missing';
  const built = Math.min(...outs.map((p) => statSync(p).mtimeMs));
  return SOURCES.some((s) => newest(join(root, s)) > built) ? 'older than the sources' : null;
}

const [entry = 'main'] = process.argv.splice(2, 1);
if (!['main', 'admin'].includes(entry)) {
  console.error(`start: unknown entry ${entry} (main or admin)`);
  process.exit(2);
}
const why = stale();
if (why) {
  console.error(`start: the build is ${why}; building (npm run build)`);
  let buildAll;
  try {
    ({ buildAll } = await import('./build.mjs'));
  } catch (err) {
    console.error('start: cannot build here (are dev dependencies installed? run npm ci, then npm run build)', err);
    process.exit(1);
  }
  await buildAll(root);
}
process.setSourceMapsEnabled(true);
await import(pathToFileURL(join(root, 'api/dist', `${entry}.js`)).href);
