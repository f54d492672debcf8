import { spawn, execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAll } from '../../api/deploy/build.mjs';
import { waitForLine } from '../helpers/process-output';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The runtime stage of the Dockerfile: what it installs, copies and runs. */
function runtimeStage() {
  const text = readFileSync(join(root, 'api/deploy/Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stage = text.slice(text.indexOf('AS runtime'));
  const install = stage.match(/^RUN (npm ci --omit=dev[^&\n]*)/m)![1].trim().split(/\s+/);
  const copies = [...stage.matchAll(/^COPY --from=build \/app\/(\S+) \.\/(\S+)$/gm)].map((m) => ({ from: m[1], to: m[2] }));
  const plain = [...stage.matchAll(/^COPY (?!--)(.+) \.\/$/gm)].flatMap((m) => m[1].split(/\s+/));
  const cmd = JSON.parse(stage.match(/^CMD (\[.*\])$/m)![1]) as string[];
  const env = Object.fromEntries([...stage.matchAll(/^ENV (.+)$/gm)].flatMap((m) => m[1].split(/\s+/).map((kv) => kv.split('='))));
  return { install, copies, plain, cmd, env };
}

function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: 300_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr}`)) : resolve(stdout),
    );
  });
}

// `npm start` refuses an admin token shorter than 24 characters.
const ADMIN = 'prod-admin-token-long-enough-0123';

describe('the production start sequence (the container recipe, without a container engine)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-prod-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds, installs production dependencies only, starts from the compiled output and answers /readyz', { timeout: 600_000 }, async () => {
    const stage = runtimeStage();
    expect(stage.cmd[0]).toBe('node');
    // The build stage: the repository plus its build output.
    const built = join(dir, 'build');
    await buildAll(built);
    const app = join(dir, 'app');
    for (const f of stage.plain) cpSync(join(root, f), join(app, f));
    // `npm` comes from the PATH, as in the image; the cache makes it work offline when warm.
    await run('npm', [...stage.install.slice(1), '--prefer-offline'], app);
    expect(existsSync(join(app, 'node_modules/tsx'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/esbuild'))).toBe(false);
    for (const c of stage.copies) {
      const from = existsSync(join(built, c.from)) ? join(built, c.from) : join(root, c.from);
      cpSync(from, join(app, c.to), { recursive: true });
    }

    const dataDir = join(dir, 'data');
    const child = spawn(process.execPath, stage.cmd.slice(1), {
      cwd: app,
      env: { PATH: process.env.PATH ?? '', ...stage.env, PORT: '0', DATA_DIR: dataDir, PARLEY_ADMIN_TOKEN: ADMIN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const url = (await waitForLine(child, /"address":"(http:[^"]+)"/, 120_000))[1];
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      // Migrations ran (readyz) and the bundles are found from the compiled output.
      for (const path of ['/widget.js', '/dashboard.js']) expect((await fetch(`${url}${path}`)).status).toBe(200);
      const tenants = await fetch(`${url}/admin/api/tenants`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(tenants.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    // SIGTERM drains and exits 0: what `docker stop` sends through tini.
    expect(await exited).toBe(0);

    // `npm start`'s launcher on the copy (no sources there) runs the build as it is: no rebuild.
    const start = spawn(process.execPath, ['api/deploy/start.mjs', 'admin', '--help'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    const usage = await waitForLine(start, /Usage: npm run admin/, 30_000);
    expect(usage[0]).toContain('Usage');
  });
});
