import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  const abs = join(ROOT, dir);
  let out: string[] = [];
  for (const name of readdirSync(abs)) {
    const p = join(abs, name);
    if (name === 'dist' || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) out = out.concat(sources(relative(ROOT, p)));
    else if (/\.(ts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

/** Every import specifier in a file, resolved to a path relative to the repo when relative. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2],
  );
  return specs.map((s) => (s.startsWith('.') ? relative(ROOT, resolve(dirname(file), s)) : s));
}

describe('import rules', () => {
  it('api/protocol imports nothing outside itself and no Node API', () => {
    for (const f of sources('api/protocol'))
      for (const i of imports(f)) expect(i.startsWith('api/protocol') ? '' : `${relative(ROOT, f)} imports ${i}`).toBe('');
  });

  it('the widget and the dashboard import only api/protocol from api/, and no Node API', () => {
    for (const dir of ['widget', 'dashboard'])
      for (const f of sources(dir))
        for (const i of imports(f)) {
          const wrong = (i.startsWith('api/') && !i.startsWith('api/protocol')) || i.startsWith('node:') || i === 'ws';
          expect(wrong ? `${relative(ROOT, f)} imports ${i}` : '').toBe('');
        }
  });

  it('the chat domain knows no sockets and no HTTP framework', () => {
    for (const f of sources('api/chat'))
      for (const i of imports(f)) {
        const wrong = i === 'ws' || i.startsWith('hono') || i.startsWith('@hono') || i.startsWith('api/ws') || i.startsWith('api/routes');
        expect(wrong ? `${relative(ROOT, f)} imports ${i}` : '').toBe('');
      }
  });

  it('only the transport adapter and the gateway touch the ws library', () => {
    const users = sources('api').filter((f) => imports(f).includes('ws')).map((f) => relative(ROOT, f));
    expect(users.sort()).toEqual(['api/ws/gateway.ts', 'api/ws/node-transport.ts']);
  });
});
