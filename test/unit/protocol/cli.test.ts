import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function cli(args: string[], stdin = '') {
  const run = spawnSync(process.execPath, ['bin/aiarena.mjs', ...args], { cwd: ROOT, input: stdin, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const SCENARIO = {
  params: {
    R0: '1000',
    gamma: '0.7',
    q: '0.85',
    alphaT: '1',
    alphaV: '1',
    lambdaV: '20',
    minScore: '0',
    tolV: '0.005',
    floorBps: '5000',
    minValidators: '2',
  },
  trainers: [
    { id: 't0', stake: '100', delegated: '50.5', sigma: '0.2', sealTime: '10' },
    { id: 't1', stake: '200', delegated: '0', sigma: '0.5', sealTime: '5' },
    { id: 't2', stake: '900', delegated: '0', sigma: '0.5', sealTime: '1' },
  ],
  validators: [
    { id: 'v0', stake: '300', delegated: '100', sigma: '0.1' },
    { id: 'v1', stake: '100', delegated: '0', sigma: '1' },
  ],
  scores: [
    ['0.8', '0.7', '0.05'],
    ['0.6', '0.75', '0.05'],
  ],
};

const wei = (s: string): bigint => BigInt(s.replace('.', ''));

/** The README's example scenario (the first sh block of its section) and the output it shows. */
function readmeExample(): { input: string; output: unknown } {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## The reward calculator'));
  const input = /```sh\necho '([\s\S]*?)' \| npx aiarena rewards\n```/.exec(section)?.[1];
  const output = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (input === undefined || output === undefined) throw new Error('README example not found');
  return { input, output: JSON.parse(output) };
}

describe('aiarena CLI', () => {
  it('rewards: prints the result JSON for a valid scenario', () => {
    const { code, stdout, stderr } = cli(['rewards'], JSON.stringify(SCENARIO));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\{\n {2}"degenerate": false,\n {2}"R_T": "/);
    const out = JSON.parse(stdout);
    // v0 holds 400 of the 500 validator stake: its scores are the aggregates (0.8, 0.7, 0.05).
    // t2 (0.05) is under half of the best (0.8): no rank, nothing paid, rank printed as null.
    expect(
      out.trainers.map((t: { id: string; rank: number | null; qualified: boolean }) => [t.id, t.rank, t.qualified]),
    ).toEqual([
      ['t0', 1, true],
      ['t1', 2, true],
      ['t2', null, false],
    ]);
    expect(out.qualified).toBe(2);
    expect(wei(out.R_T) + wei(out.R_V)).toBe(1000n * 10n ** 18n);
    expect(wei(out.booked) + wei(out.rollover) + wei(out.dust)).toBe(1000n * 10n ** 18n);
    for (const p of [...out.trainers, ...out.validators]) {
      expect(p.pool).toMatch(/^\d+\.\d{18}$/);
      expect(wei(p.own) + wei(p.delegators)).toBe(wei(p.pool));
    }
    // v1 is out of tolerance on t0 and t1 and earns only its stake share (1/5) of t2's column,
    // a third of R_V: R_V / 15 less rounding.
    expect(out.validators.map((v: { failedCanary: boolean }) => v.failedCanary)).toEqual([false, false]);
    expect(out.validators[1].distance).toBe('0.083333333333333333');
    const v1 = wei(out.validators[1].pool);
    expect(v1 <= wei(out.R_V) / 15n && v1 >= wei(out.R_V) / 15n - 2n).toBe(true);
  });

  it('rewards: the README example prints exactly the output the README shows', () => {
    const { input, output } = readmeExample();
    const { code, stdout, stderr } = cli(['rewards'], input);
    expect([code, stderr]).toEqual([0, '']);
    expect(JSON.parse(stdout)).toEqual(output);
  });

  it('rewards: exits 2 naming the bad field', () => {
    const bad = structuredClone(SCENARIO);
    bad.trainers[1]!.sigma = '2';
    const { code, stdout, stderr } = cli(['rewards'], JSON.stringify(bad));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('error: trainers[1].sigma: must be between 0 and 1\n');
  });

  it('rewards: exits 2 listing the parameters a revision 1 scenario lacks, with their defaults', () => {
    const old = structuredClone(SCENARIO) as { params: Record<string, string> };
    for (const key of ['minScore', 'tolV', 'floorBps', 'minValidators']) delete old.params[key];
    const { code, stdout, stderr } = cli(['rewards'], JSON.stringify(old));
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toBe(
      'error: params: missing minScore, tolV, floorBps, minValidators; every parameter is required ' +
        '(defaults: minScore "0", tolV "0.0005", floorBps "5000", minValidators "3")\n',
    );
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
    const rewardsHelp = cli(['rewards', '--help']);
    expect(rewardsHelp.code).toBe(0);
    expect(rewardsHelp.stdout).toContain('"minScore","tolV","floorBps","minValidators"');
    expect(cli([]).code).toBe(2);
    const unknown = cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command "frobnicate"/);
  });
});
