import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function cli(args: string[], stdin = '') {
  const run = spawnSync(process.execPath, ['bin/aiarena.mjs', ...args], { cwd: ROOT, input: stdin, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const SCENARIO = {
  params: { R0: '1000', gamma: '0.7', q: '0.85', alphaT: '1', alphaV: '1', lambdaV: '20' },
  trainers: [
    { id: 't0', stake: '100', delegated: '50.5', sigma: '0.2', sealTime: '10' },
    { id: 't1', stake: '200', delegated: '0', sigma: '0.5', sealTime: '5' },
  ],
  validators: [
    { id: 'v0', stake: '300', delegated: '100', sigma: '0.1' },
    { id: 'v1', stake: '100', delegated: '0', sigma: '1' },
  ],
  scores: [
    ['0.8', '0.7'],
    ['0.6', '0.75'],
  ],
};

describe('aiarena CLI', () => {
  it('rewards: prints the result JSON for a valid scenario', () => {
    const { code, stdout, stderr } = cli(['rewards'], JSON.stringify(SCENARIO));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\{\n {2}"R_T": "/);
    const out = JSON.parse(stdout);
    expect(out.trainers.map((t: { id: string; rank: number }) => [t.id, t.rank])).toEqual([
      ['t0', 1],
      ['t1', 2],
    ]);
    const wei = (s: string): bigint => BigInt(s.replace('.', ''));
    expect(wei(out.R_T) + wei(out.R_V)).toBe(1000n * 10n ** 18n);
    for (const p of [...out.trainers, ...out.validators]) {
      expect(p.pool).toMatch(/^\d+\.\d{18}$/);
      expect(wei(p.own) + wei(p.delegators)).toBe(wei(p.pool));
    }
    expect(out.validators[0].distance).toMatch(/^0\.\d{18}$/);
  });

  it('rewards: exits 2 naming the bad field', () => {
    const bad = structuredClone(SCENARIO);
    bad.trainers[1]!.sigma = '2';
    const { code, stdout, stderr } = cli(['rewards'], JSON.stringify(bad));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('error: trainers[1].sigma: must be between 0 and 1\n');
  });

  it('rewards: exits 2 on malformed JSON', () => {
    const { code, stderr } = cli(['rewards'], '{"params": ');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: stdin: not valid JSON/);
  });

  it('--help lists the commands and exits 0; no arguments or an unknown command exit 2', () => {
    const help = cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/commands:\n\s+rewards\s/);
    expect(cli([]).code).toBe(2);
    const unknown = cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command "frobnicate"/);
  });
});
