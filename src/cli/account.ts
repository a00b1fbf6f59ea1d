// The operator's account key: from an encrypted key file (--key-file or AIARENA_KEY_FILE, its
// passphrase from AIARENA_KEY_PASSPHRASE or typed at the terminal), else from AIARENA_PRIVATE_KEY.
// The key is never printed, logged or put in an error message.
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { Address, Hex } from 'viem';
import { checkPrivateKey, decryptKeyFile } from '../lib/chain/wallet/key-file-node.ts';
import { isArenaError } from '../lib/errors.ts';
import { UsageError, single, type Parsed } from './args.ts';
import { CliError } from './connect.ts';
import type { Io } from './io.ts';

export interface Signer {
  privateKey: Hex;
  address: Address;
  /** Where the key came from, for messages: "key file .aiarena/key.json" or "AIARENA_PRIVATE_KEY". */
  source: string;
}

export const NO_KEY =
  'no account key: set AIARENA_PRIVATE_KEY, or pass --key-file <path> (make one with `aiarena key new --key-file <path>`). On the local stack, the dev account keys npm start prints work.';

/** The passphrase of a key file: AIARENA_KEY_PASSPHRASE, or asked at the terminal. */
export async function passphrase(io: Io, env: Record<string, string | undefined>, question: string): Promise<string> {
  const fromEnv = env.AIARENA_KEY_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!io.prompt)
    throw new UsageError('the key file needs its passphrase: set AIARENA_KEY_PASSPHRASE (no terminal to ask on)');
  return io.prompt(question, { secret: true });
}

export function keyFileOf(p: Parsed, env: Record<string, string | undefined>, cwd: string): string | null {
  const file = single(p, 'key-file') ?? (env.AIARENA_KEY_FILE?.trim() || undefined);
  return file ? resolve(cwd, file) : null;
}

export async function loadSigner(p: Parsed, io: Io): Promise<Signer> {
  const env = io.env ?? {};
  const cwd = io.cwd ?? process.cwd();
  const file = keyFileOf(p, env, cwd);
  try {
    if (file !== null) {
      const shown = relative(cwd, file) || file;
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT')
          throw new CliError(`no key file at ${shown}: make one with \`aiarena key new --key-file ${shown}\``);
        throw new CliError(`cannot read the key file ${shown}: ${(e as Error).message}`);
      }
      const opened = await decryptKeyFile(text, await passphrase(io, env, `Passphrase for ${shown}: `), shown);
      return { ...opened, source: `key file ${shown}` };
    }
    const raw = env.AIARENA_PRIVATE_KEY;
    if (raw === undefined || raw.trim() === '') throw new CliError(NO_KEY);
    return { ...checkPrivateKey(raw, 'AIARENA_PRIVATE_KEY'), source: 'AIARENA_PRIVATE_KEY' };
  } catch (e) {
    if (isArenaError(e)) throw new CliError(e.message);
    throw e;
  }
}
