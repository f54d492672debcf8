import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BUDGET = 20 * 1024;

const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'dist' || name === 'node_modules') return [];
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(name) ? [p] : [];
  });

describe('widget bundle', () => {
  // `npm test` builds first (pretest); a stale or missing file fails here rather than passing.
  // What each part costs: `node widget/size-report.mjs`.
  const file = join(root, 'widget/dist/widget.js');
  const js = readFileSync(file, 'utf8');

  it(`is at most ${BUDGET} bytes gzipped`, () => {
    const size = gzipSync(js, { level: 9 }).length;
    console.log(`widget.js: ${js.length} bytes, ${size} bytes gzipped`);
    expect(size).toBeLessThanOrEqual(BUDGET);
  });

  it('is precompressed at build: .gz and .br beside it hold the same bytes, gzip within the budget', () => {
    const gz = readFileSync(`${file}.gz`);
    const br = readFileSync(`${file}.br`);
    expect(gunzipSync(gz).toString('utf8')).toBe(js);
    expect(brotliDecompressSync(br).toString('utf8')).toBe(js);
    expect(gz.length).toBeLessThanOrEqual(BUDGET);
    expect(br.length).toBeLessThan(gz.length);
    expect(statSync(`${file}.gz`).mtimeMs).toBeGreaterThanOrEqual(statSync(file).mtimeMs);
  });

  it('is one minified IIFE that leaks nothing but window.Parley', () => {
    expect(js.startsWith('!function(){') || js.startsWith('(function(){')).toBe(true);
    expect(js.split('\n').length).toBeLessThanOrEqual(2);
    expect(js).not.toMatch(/\bimport\s*\(|\brequire\(/);
    // Our `_`-prefixed internals are mangled away.
    expect(js).not.toMatch(/\._[a-z]\w+/i);
  });

  it('is newer than every widget source file', () => {
    const built = statSync(file).mtimeMs;
    const stale = sources(join(root, 'widget')).filter((p) => statSync(p).mtimeMs > built);
    expect(stale.map((p) => relative(root, p)), 'widget/dist/widget.js is stale: run npm run build').toEqual([]);
  });
});

describe('widget source rules', () => {
  const files = sources(join(root, 'widget')).map((p) => [relative(root, p), readFileSync(p, 'utf8')] as const);

  it('renders user text as text: no innerHTML, no dangerouslySetInnerHTML, no eval', () => {
    const bad = files.filter(([, src]) => /innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML|document\.write|\beval\(|new Function/.test(src));
    expect(bad.map(([p]) => p)).toEqual([]);
  });

  it('imports nothing from api/ but api/protocol, and no packages but preact and signals-core', () => {
    const bad: string[] = [];
    for (const [p, src] of files) {
      for (const [, spec] of src.matchAll(/from\s+'([^']+)'/g)) {
        const ok = spec.startsWith('.')
          ? !/\/api\//.test(spec) || /\/api\/protocol$/.test(spec)
          : // Not the @preact/signals binding: mount.ts renders in one effect (1.2 KB less).
            /^(preact|preact\/hooks|@preact\/signals-core)$/.test(spec);
        if (!ok) bad.push(`${p}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
