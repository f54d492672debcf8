// `npm run dev`: the developer loop. Rollup rebuilds the widget and dashboard on change and tsx
// restarts the server from TypeScript on change; Ctrl-C stops both.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name) => fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));
const env = { ...process.env, MALLOC_ARENA_MAX: '2' };
const children = [
  spawn(bin('rollup'), ['-c', 'widget/rollup.config.mjs', '--watch'], { cwd: root, env, stdio: 'inherit' }),
  spawn(bin('tsx'), ['watch', '--clear-screen=false', 'api/main.ts'], { cwd: root, env, stdio: 'inherit' }),
];
let stopping = false;
const stop = (code) => {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  process.exitCode = code;
};
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => stop(0));
// One side dying leaves a loop that looks alive but is not: stop the other too.
for (const c of children) c.on('exit', (code) => stop(code ?? 1));
