// `aiarena key new|import|address --key-file <path>`: the operator's account key in an encrypted
// file (src/lib/chain/wallet/key-file-node.ts). `new` makes a fresh key, `import` encrypts one
// read from AIARENA_PRIVATE_KEY or stdin (never from the command line, which other users of the
// machine can see), `address` prints the file's address. Files are written owner-only and an
// existing file is never overwritten. A key is never printed.
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { generatePrivateKey } from 'viem/accounts';
import { checkPrivateKey, encryptKeyFile, parseKeyFile } from '../../lib/chain/wallet/key-file-node.ts';
import { isArenaError } from '../../lib/errors.ts';
import { jsonLine } from '../../lib/agents/headless/report.ts';
import { UsageError, type Parsed } from '../args.ts';
import { keyFileOf } from '../account.ts';
import { CliError } from '../connect.ts';
import type { Io } from '../io.ts';

function fileOption(p: Parsed, io: Io, command: string): string {
  const file = keyFileOf(p, io.env ?? {}, io.cwd ?? process.cwd());
  if (file === null) throw new UsageError(`${command}: --key-file <path> is required`);
  return file;
}

/** A new passphrase: AIARENA_KEY_PASSPHRASE, or typed twice at the terminal. */
async function newPassphrase(io: Io): Promise<string> {
  const fromEnv = io.env?.AIARENA_KEY_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!io.prompt)
    throw new UsageError('set AIARENA_KEY_PASSPHRASE to the passphrase for the new file (no terminal to ask on)');
  const first = await io.prompt('New passphrase: ', { secret: true });
  if (first.length < 8) throw new UsageError('the passphrase must have at least 8 characters');
  if ((await io.prompt('Repeat it: ', { secret: true })) !== first) throw new UsageError('the passphrases differ');
  return first;
}

async function write(file: string, text: string, io: Io): Promise<void> {
  const shown = relative(io.cwd ?? process.cwd(), file) || file;
  try {
    await writeFile(file, text, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new CliError(`${shown} exists: it is not overwritten (move it away, or name another file)`);
    throw new CliError(`cannot write ${shown}: ${(e as Error).message}`);
  }
}

export async function keyNewCommand(p: Parsed, io: Io): Promise<number> {
  const file = fileOption(p, io, 'key new');
  const text = await encryptKeyFile(generatePrivateKey(), await newPassphrase(io));
  await write(file, text, io);
  const { address } = parseKeyFile(text);
  io.stdout(
    p.flags.has('json')
      ? `${jsonLine({ type: 'key', file, address })}\n`
      : `made ${relative(io.cwd ?? process.cwd(), file) || file} for ${address}\nFund this address (ETH for gas, ARENA to stake), and keep the file and its passphrase: nothing else can sign for it.\n`,
  );
  return 0;
}

export async function keyImportCommand(p: Parsed, io: Io): Promise<number> {
  const file = fileOption(p, io, 'key import');
  const fromEnv = io.env?.AIARENA_PRIVATE_KEY;
  const raw =
    fromEnv !== undefined && fromEnv.trim() !== ''
      ? fromEnv
      : io.prompt
        ? await io.prompt('Private key (hex): ', { secret: true })
        : (await io.readStdin()).trim();
  try {
    checkPrivateKey(raw, fromEnv ? 'AIARENA_PRIVATE_KEY' : 'the key given');
    const text = await encryptKeyFile(checkPrivateKey(raw, 'the key').privateKey, await newPassphrase(io));
    await write(file, text, io);
    const { address } = parseKeyFile(text);
    io.stdout(
      p.flags.has('json')
        ? `${jsonLine({ type: 'key', file, address })}\n`
        : `encrypted the key of ${address} into ${relative(io.cwd ?? process.cwd(), file) || file}\n`,
    );
    return 0;
  } catch (e) {
    if (isArenaError(e)) throw new CliError(e.message);
    throw e;
  }
}

export async function keyAddressCommand(p: Parsed, io: Io): Promise<number> {
  const file = fileOption(p, io, 'key address');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    const { address } = parseKeyFile(text, file);
    io.stdout(p.flags.has('json') ? `${jsonLine({ type: 'key', file, address })}\n` : `${address}\n`);
    return 0;
  } catch (e) {
    if (isArenaError(e)) throw new CliError(e.message);
    throw e;
  }
}
