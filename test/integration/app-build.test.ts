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
      const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', out, '--emptyOutDir'], {
        cwd: ROOT,
        env: cleanEnv({ AIARENA_DEPLOYMENTS_DIR: deployments }),
        stdio: 'ignore',
      });
      child.once('exit', resolve);
    });
    expect(code).toBe(0);
    expect(readdirSync(join(out, 'deployments'))).toEqual(['84532.json']);
    expect(readFileSync(join(out, 'deployments', '84532.json'), 'utf8')).toBe('{"chainId":84532}\n');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
    expect(existsSync(join(out, 'specs', 'digits-mlp.json'))).toBe(true);
  });
});
