// The CLI's commands in-process (`main(argv, io)`), without a chain: help for every command and
// subcommand, the option parser's refusals, the checks made before anything is sent, and the
// account key files (made, imported, read back; never printed).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../../src/cli/main.ts';
import { UsageError, helpText, parseOptions } from '../../../src/cli/args.ts';
import { decryptKeyFile, encryptKeyFile, parseKeyFile } from '../../../src/lib/chain/wallet/key-file-node.ts';
import { LOCAL_STORE } from '../../../src/cli/option-specs.ts';
import { LOCAL_STORE_URL } from '../../../src/lib/storage/cas/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'aiarena-cli-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** anvil's dev account 2: public test key. */
const DEV_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';
const DEV_ADDRESS = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

async function run(argv: string[], env: Record<string, string> = {}, extra: Partial<Io> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    readStdin: async () => '',
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env,
    cwd: dir,
    ...extra,
  });
  return { code, stdout, stderr };
}

const COMMANDS = [
  ['tasks'],
  ['status'],
  ['claim'],
  ['agent', 'train'],
  ['agent', 'validate'],
  ['agent', 'keep'],
  ['agent', 'run'],
  ['agent', 'delegate'],
  ['key', 'new'],
  ['key', 'import'],
  ['key', 'address'],
];

describe('aiarena help', () => {
  it.each(COMMANDS.map((c) => [c.join(' '), c] as const))(
    '%s --help: its usage and options, exit 0',
    async (_n, path) => {
      const { code, stdout, stderr } = await run([...path, '--help']);
      expect([code, stderr]).toEqual([0, '']);
      expect(stdout).toMatch(new RegExp(`^usage: aiarena ${path.join(' ')} `));
      expect(stdout).toMatch(/\noptions:\n/);
    },
  );

  it('lists the commands and the subcommands of a group; a group alone is a usage error', async () => {
    const top = await run(['--help']);
    expect(top.stdout).toMatch(/^usage: aiarena <command>/);
    for (const name of ['tasks', 'status', 'claim', 'agent', 'key', 'rewards'])
      expect(top.stdout).toContain(`  ${name} `);
    const agent = await run(['agent', '--help']);
    expect(agent.code).toBe(0);
    for (const sub of ['train', 'validate', 'keep', 'run', 'delegate']) expect(agent.stdout).toContain(`  ${sub} `);
    const bare = await run(['agent']);
    expect([bare.code, bare.stdout]).toEqual([2, '']);
    expect(bare.stderr).toMatch(/^usage: aiarena agent <subcommand>/);
    const unknown = await run(['agent', 'mine']);
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      expect.stringMatching(/^error: unknown subcommand "agent mine"/),
    ]);
  });

  it("documents the environment variables that stand in for options, and the local stack's defaults", async () => {
    expect(LOCAL_STORE).toBe(LOCAL_STORE_URL);
    const { stdout } = await run(['agent', 'train', '--help']);
    for (const v of [
      'AIARENA_RPC_URL',
      'AIARENA_DEPLOYMENT',
      'AIARENA_GATEWAYS',
      'AIARENA_UPLOAD_URL',
      'AIARENA_KEY_FILE',
      'AIARENA_PRIVATE_KEY',
    ])
      expect(stdout).toContain(v);
  });
});

describe('aiarena usage errors (exit 2, nothing contacted)', () => {
  const cases: [string, string[], RegExp][] = [
    ['a required task', ['agent', 'train'], /agent train: --task <id> is required/],
    ['a task id', ['agent', 'validate', '--task', 'x'], /a task id is a whole number from 1/],
    [
      'an unknown option',
      ['agent', 'train', '--task', '1', '--bogus'],
      /unknown option --bogus \(see `aiarena agent train --help`\)/,
    ],
    ['a value', ['agent', 'train', '--task', '1', '--stake'], /--stake needs a value <ARENA>/],
    ['a repeated single option', ['tasks', '--rpc', 'http://a', '--rpc', 'http://b'], /--rpc is given twice/],
    ['a positional', ['tasks', 'all'], /tasks: unexpected argument "all"/],
    ['a stake', ['agent', 'train', '--task', '1', '--stake', '-5'], /--stake cannot be negative/],
    ['a sigma', ['agent', 'validate', '--task', '1', '--sigma', '150'], /--sigma must be from 0 to 100 %/],
    ['an RPC URL', ['tasks', '--rpc', 'ftp://x'], /--rpc: "ftp:\/\/x" must be an http or https URL/],
    [
      'a gateway, named as the operator set it',
      ['agent', 'validate', '--task', '1', '--gateway', 'nope'],
      /--gateway: "nope" is not a URL/,
    ],
    [
      'roles of one task',
      ['agent', 'run', '--train', '2', '--validate', '2'],
      /cannot train and validate the same task \(task 2\)/,
    ],
    ['some role', ['agent', 'run'], /give at least one of --train <id>, --validate <id>, --keep/],
    ['a delegate amount', ['agent', 'delegate', '--task', '1', '--to', DEV_ADDRESS], /--amount <ARENA> is required/],
    [
      'a delegate address',
      ['agent', 'delegate', '--task', '1', '--to', '0x12', '--amount', '1'],
      /--to: "0x12" is not an address/,
    ],
    ['a poll interval', ['agent', 'keep', '--poll', '5'], /--poll must be from 100 to/],
  ];
  it.each(cases)('needs %s', async (_what, argv, message) => {
    const { code, stdout, stderr } = await run(argv);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toMatch(message);
  });
});

describe('the option parser', () => {
  const specs = {
    task: { kind: 'value', multiple: true, help: 't' },
    rpc: { kind: 'value', value: '<url>', help: 'r' },
    yes: { kind: 'flag', help: 'y' },
  } as const;
  it('reads --name value, --name=value, flags, repeats and positionals after --', () => {
    const p = parseOptions(
      ['--task', '1', '--task=2', '--yes', '--rpc=http://x?a=b', '--', '--not-an-option'],
      specs,
      'x',
    );
    expect(p.values).toEqual({ task: ['1', '2'], rpc: ['http://x?a=b'] });
    expect([...p.flags]).toEqual(['yes']);
    expect(p.positionals).toEqual(['--not-an-option']);
    expect(() => parseOptions(['--yes=1'], specs, 'x')).toThrow(UsageError);
    expect(() => parseOptions(['-y'], specs, 'x')).toThrow(/unknown option -y/);
  });
  it('writes help from the same table', () => {
    expect(helpText('aiarena x', ['Does x.'], specs)).toBe(
      [
        'usage: aiarena x',
        '',
        'Does x.',
        '',
        'options:',
        '  --task <value>  t (repeatable)',
        '  --rpc <url>     r',
        '  --yes           y',
      ].join('\n'),
    );
  });
});

describe('account key files', () => {
  it('key new: an owner-only file whose address is printed, never the key; never overwritten', async () => {
    const env = { AIARENA_KEY_PASSPHRASE: 'a passphrase of some length' };
    const made = await run(['key', 'new', '--key-file', 'k1.json'], env);
    expect([made.code, made.stderr]).toEqual([0, '']);
    const address = /for (0x[0-9a-fA-F]{40})/.exec(made.stdout)![1]!;
    const file = join(dir, 'k1.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    const opened = await decryptKeyFile(text, env.AIARENA_KEY_PASSPHRASE);
    expect(opened.address).toBe(address);
    expect(made.stdout).not.toContain(opened.privateKey.slice(2));
    expect(text).not.toContain(opened.privateKey.slice(2));
    const shown = await run(['key', 'address', '--key-file', 'k1.json']);
    expect(shown).toEqual({ code: 0, stdout: `${address}\n`, stderr: '' });
    const again = await run(['key', 'new', '--key-file', 'k1.json'], env);
    expect([again.code, again.stderr]).toEqual([1, expect.stringMatching(/k1\.json exists: it is not overwritten/)]);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('key import: the key from AIARENA_PRIVATE_KEY; a passphrase is required where nobody can type one', async () => {
    const noPass = await run(['key', 'import', '--key-file', 'k2.json'], { AIARENA_PRIVATE_KEY: DEV_KEY });
    expect([noPass.code, noPass.stderr]).toEqual([2, expect.stringMatching(/set AIARENA_KEY_PASSPHRASE/)]);
    const env = { AIARENA_PRIVATE_KEY: DEV_KEY, AIARENA_KEY_PASSPHRASE: 'another long passphrase' };
    const done = await run(['key', 'import', '--key-file', 'k2.json', '--json'], env);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toEqual({ type: 'key', file: join(dir, 'k2.json'), address: DEV_ADDRESS });
    expect(done.stdout + done.stderr).not.toContain(DEV_KEY.slice(2));
    const bad = await run(['key', 'import', '--key-file', 'k3.json'], { ...env, AIARENA_PRIVATE_KEY: '0xnot-a-key' });
    expect([bad.code, bad.stderr]).toEqual([
      1,
      'error: AIARENA_PRIVATE_KEY is not a private key (32 bytes as 64 hex digits)\n',
    ]);
  });

  it('a wrong passphrase or a changed header does not open; the address is readable without the passphrase', async () => {
    const text = await encryptKeyFile(DEV_KEY, 'right passphrase', { N: 1024, r: 8, p: 1 });
    expect(parseKeyFile(text).address).toBe(DEV_ADDRESS);
    expect((await decryptKeyFile(text, 'right passphrase')).privateKey).toBe(DEV_KEY);
    await expect(decryptKeyFile(text, 'wrong passphrase')).rejects.toThrow(/did not open: wrong passphrase/);
    const json = JSON.parse(text) as { address: string };
    json.address = '0x70997970C51812dc3A010C7d01b50e20d4a86c2E';
    await expect(decryptKeyFile(JSON.stringify(json), 'right passphrase')).rejects.toThrow(/did not open/);
    await expect(decryptKeyFile('{"format":"x"}', 'p')).rejects.toThrow(/not an aiarena account key file/);
  });

  it('an agent command with a key file asks for its passphrase only where it can, else names the variable', async () => {
    const env = { AIARENA_KEY_PASSPHRASE: 'a passphrase of some length' };
    await run(['key', 'new', '--key-file', 'k4.json'], env);
    const rpc = ['--rpc', 'http://127.0.0.1:9'];
    const unasked = await run(['claim', '--key-file', 'k4.json', ...rpc]);
    expect([unasked.code, unasked.stderr]).toEqual([
      2,
      expect.stringMatching(/needs its passphrase: set AIARENA_KEY_PASSPHRASE/),
    ]);
    const asked: string[] = [];
    const prompt = async (q: string, o?: { secret?: boolean }) => {
      asked.push(`${q}${o?.secret ? ' (hidden)' : ''}`);
      return asked.length === 1 ? 'wrong one' : env.AIARENA_KEY_PASSPHRASE;
    };
    const wrong = await run(['claim', '--key-file', 'k4.json', ...rpc], {}, { prompt });
    expect([wrong.code, wrong.stderr]).toEqual([1, expect.stringMatching(/k4\.json did not open: wrong passphrase/)]);
    // The key opens; the chain is down here, which is the next thing said.
    const down = await run(['claim', '--key-file', 'k4.json', ...rpc], {}, { prompt });
    expect(asked).toEqual(['Passphrase for k4.json:  (hidden)', 'Passphrase for k4.json:  (hidden)']);
    expect([down.code, down.stderr]).toEqual([
      1,
      expect.stringMatching(/cannot reach the RPC at http:\/\/127\.0\.0\.1:9/),
    ]);
    // status needs no passphrase: it reads the address from the file.
    const status = await run(['status', '--task', '1', '--key-file', 'k4.json', ...rpc]);
    expect([status.code, status.stderr]).toEqual([1, expect.stringMatching(/cannot reach the RPC/)]);
  });
});
