// `vite build` of the app: it compiles, and it publishes deployment records but nothing else
// from the deployments folder.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, ROOT } from './support/script-process.ts';

const work = mkdtempSync(join(tmpdir(), 'aiarena-build-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('vite build', () => {
  it('builds the app and copies the deployment records into it', async () => {
    const deployments = join(work, 'deployments');
    const out = join(work, 'dist');
    mkdirSync(deployments);
    writeFileSync(join(deployments, '84532.json'), '{"chainId":84532}\n');
    writeFileSync(join(deployments, 'private-notes.json'), '{}');
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        process.execPath,
        [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', out, '--emptyOutDir'],
        {
          cwd: ROOT,
          env: cleanEnv({ AIARENA_DEPLOYMENTS_DIR: deployments }),
          stdio: 'ignore',
        },
      );
      child.once('exit', resolve);
    });
    expect(code).toBe(0);
    expect(readdirSync(join(out, 'deployments'))).toEqual(['84532.json']);
    expect(readFileSync(join(out, 'deployments', '84532.json'), 'utf8')).toBe('{"chainId":84532}\n');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toMatch(
      /<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/,
    );
    expect(existsSync(join(out, 'specs', 'digits-mlp.json'))).toBe(true);
    // The app names the worker scripts (src/app/workers.ts), so Vite still bundles all three even
    // though the library's clients no longer point at workers/ themselves.
    const workers = readdirSync(join(out, 'assets', 'worker')).filter((f) => /\.worker-[\w-]+\.js$/.test(f));
    expect(workers.map((f) => f.replace(/-[\w-]+\.js$/, '')).sort()).toEqual([
      'eval.worker',
      'prove.worker',
      'train.worker',
    ]);
    const chunks = readdirSync(join(out, 'assets')).filter((f) => f.endsWith('.js'));
    const referenced = chunks.flatMap((f) =>
      [...readFileSync(join(out, 'assets', f), 'utf8').matchAll(/worker\/(\w+\.worker-[\w-]+\.js)/g)].map((m) => m[1]),
    );
    expect(new Set(referenced)).toEqual(new Set(workers));
  });
});
