// `npm run build`: the server to JavaScript (esbuild) and the widget and dashboard bundles
// (rollup), once. `--out <dir>` writes the same tree under another root (the production-start
// test builds there, so it never rewrites bundles other tests are serving).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { rollup } from 'rollup';
import { precompress } from '../../widget/precompress.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The compiled entry points: `api/dist/<name>.js`. */
export const ENTRIES = { main: 'api/main.ts', admin: 'api/cli/admin.ts' };

/** Builds everything under `out` (default: the repository itself). */
export async function buildAll(out = root) {
  // api/dist sits two levels below the root, like the api/<layer>/ files it is built from, so
  // the `new URL('../../drizzle', import.meta.url)` paths they use resolve the same from both.
  // Chunk names carry hashes: without a clean start, old chunks pile up beside the new ones.
  rmSync(join(out, 'api/dist'), { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: ENTRIES,
    outdir: join(out, 'api/dist'),
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // node_modules stay imports: `npm ci --omit=dev` installs exactly what the bundle needs.
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  const { default: configs } = await import(join(root, 'widget/rollup.config.mjs'));
  for (const config of configs) {
    const bundle = await rollup({ ...config, onwarn: (w) => console.warn(`rollup: ${w.message}`) });
    const output = { ...config.output, file: join(out, config.output.file) };
    mkdirSync(join(output.file, '..'), { recursive: true });
    await bundle.write(output);
    await bundle.close();
    precompress(output.file);
  }
  // One file whose age says when the whole output was made (start.mjs compares sources to it).
  writeFileSync(join(out, 'api/dist/.built'), `${new Date().toISOString()}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const started = Date.now();
  await buildAll(values.out ?? root);
  console.error(`build: server, widget and dashboard in ${Date.now() - started} ms`);
}
