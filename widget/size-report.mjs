// `node widget/size-report.mjs`: what each part of widget.js costs. Builds the bundle as
// rollup.config.mjs does, with a source map, and gives every minified byte to the source it came
// from; gzip bytes are shared out in proportion (gzip works on the whole file, so a part's exact
// cost cannot be measured alone). The bundle test checks the total against the budget.
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { rollup } from 'rollup';

const root = fileURLToPath(new URL('..', import.meta.url));
const { default: configs } = await import('./rollup.config.mjs');
const config = configs.find((c) => c.input === 'widget/index.ts');
const bundle = await rollup({ ...config, onwarn: () => {} });
const { output } = await bundle.generate({ ...config.output, sourcemap: true });
const { code, map } = output[0];

// A part: a package in node_modules, or a file of ours (source paths are relative to widget/dist).
const part = (source) => {
  const path = relative(root, resolve(root, 'widget/dist', source));
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)(\/hooks)?/.exec(path);
  return pkg ? pkg[1] + (pkg[2] ?? '') : path.startsWith('api/') ? 'api/protocol' : path;
};
const trace = new TraceMap(map);
const bytes = new Map();
const lines = code.split('\n');
for (let l = 0; l < lines.length; l++) {
  for (let c = 0; c < lines[l].length; c++) {
    const pos = originalPositionFor(trace, { line: l + 1, column: c });
    const k = pos.source ? part(pos.source) : '(glue)';
    bytes.set(k, (bytes.get(k) ?? 0) + 1);
  }
}
const gz = gzipSync(code, { level: 9 }).length;
const br = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
console.log(`widget.js: ${code.length} bytes, ${gz} gzip, ${br} brotli`);
for (const [k, n] of [...bytes].sort((a, b) => b[1] - a[1]))
  console.log(`${k.padEnd(28)} ${String(n).padStart(6)} B min  ~${String(Math.round((gz * n) / code.length)).padStart(5)} B gzip`);
await bundle.close();
