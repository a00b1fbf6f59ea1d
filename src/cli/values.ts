// Option values turned into what the actions take, with a sentence for each way they can be
// wrong (the app's own parsers where it has them), and the checks against the chain that every
// command makes the same way.
import { isAddress, getAddress, type Address } from 'viem';
import { parseInteger, parsePercentBps, parseTokenAmount } from '../lib/app-logic/amount.ts';
import type { ReadContext } from '../lib/chain/actions/context.ts';
import { readTaskCount } from '../lib/chain/reads/task-record.ts';
import { UsageError, single, type Parsed } from './args.ts';
import { CliError } from './connect.ts';

export function taskId(text: string, option = '--task'): bigint {
  if (!/^\d+$/.test(text.trim()) || BigInt(text.trim()) < 1n)
    throw new UsageError(
      `${option}: a task id is a whole number from 1 (see aiarena tasks), got ${JSON.stringify(text)}`,
    );
  return BigInt(text.trim());
}

/** Every --task given, in order, without repeats. */
export function taskIds(p: Parsed, option = 'task'): bigint[] {
  return [...new Set((p.values[option] ?? []).map((t) => taskId(t, `--${option}`)))];
}

export function requiredTask(p: Parsed, command: string): bigint {
  const ids = taskIds(p);
  if (ids.length === 0) throw new UsageError(`${command}: --task <id> is required (see aiarena tasks)`);
  if (ids.length > 1) throw new UsageError(`${command}: give one --task`);
  return ids[0]!;
}

export function tokens(text: string, option: string): bigint {
  const r = parseTokenAmount(text, { label: option });
  if (!r.ok) throw new UsageError(r.error);
  return r.value;
}

/** --sigma as a percentage (the app's "own reward share"), into WAD. */
export function sigma(p: Parsed, fallback = '50'): bigint {
  const r = parsePercentBps(single(p, 'sigma') ?? fallback, '--sigma');
  if (!r.ok) throw new UsageError(r.error);
  return BigInt(r.value) * 10n ** 14n;
}

export function integer(p: Parsed, name: string, min: number, max: number): number | undefined {
  const text = single(p, name);
  if (text === undefined) return undefined;
  const r = parseInteger(text, `--${name}`, min, max);
  if (!r.ok) throw new UsageError(r.error);
  return r.value;
}

export function address(text: string | undefined, option: string): Address {
  if (text === undefined) throw new UsageError(`${option} <address> is required`);
  if (!isAddress(text, { strict: false })) throw new UsageError(`${option}: ${JSON.stringify(text)} is not an address`);
  return getAddress(text);
}

/** Throws, naming how many tasks exist, when one of `ids` is not a task of this deployment. */
export async function requireTasks(ctx: ReadContext, ids: readonly bigint[]): Promise<bigint> {
  const count = await readTaskCount(ctx.publicClient, ctx.deployment);
  const missing = ids.filter((id) => id > count);
  if (missing.length > 0)
    throw new CliError(
      `no task ${missing.join(', ')} on this deployment: ${count === 0n ? 'no task exists yet' : `task ids go from 1 to ${count}`} (see aiarena tasks)`,
    );
  return count;
}
