// A person's verdict without an agent (SPEC 8.4): the salt is made and kept on this device before
// the commitment is sent, and the reveal reads it back after any reload; the kept verdict goes
// once a read of the chain shows it revealed (forgetRevealed), not when the reveal returns, so a
// view never holds a committed-but-unrevealed vote without its salt. The chain actions check
// windows, weight and the commitment themselves.
import { ActionInputError, accountOf, type ActionContext } from '../chain/actions/context.ts';
import { commitVerdict, type CommitVerdictResult } from '../chain/actions/commit-verdict.ts';
import { challengeModuleOf } from '../chain/actions/read-challenges.ts';
import { revealVerdict, type RevealVerdictResult } from '../chain/actions/reveal-verdict.ts';
import { randomSalt } from '../chain/actions/salt.ts';
import type { Address } from 'viem';
import { forgetVerdict, keepVerdict, loadVerdict, type KeyValue, type VerdictPlace } from './verdict-salts.ts';

export function verdictPlace(ctx: ActionContext, challengeId: bigint): VerdictPlace {
  return {
    chainId: ctx.deployment.chainId,
    module: challengeModuleOf(ctx.deployment),
    challengeId,
    juror: accountOf(ctx),
  };
}

export async function commitKeptVerdict(
  ctx: ActionContext,
  store: KeyValue | undefined,
  p: { challengeId: bigint; segment: number; replays: boolean },
): Promise<CommitVerdictResult> {
  const salt = randomSalt();
  keepVerdict(store, verdictPlace(ctx, p.challengeId), { replays: p.replays, salt, segment: p.segment });
  return commitVerdict(ctx, { challengeId: p.challengeId, replays: p.replays, salt });
}

export async function revealKeptVerdict(
  ctx: ActionContext,
  store: KeyValue | undefined,
  p: { challengeId: bigint },
): Promise<RevealVerdictResult> {
  const place = verdictPlace(ctx, p.challengeId);
  const kept = loadVerdict(store, place);
  if (!kept)
    throw new ActionInputError(
      'salt',
      'The salt of your committed verdict is not on this device (it was committed elsewhere, or the browser data was cleared): it cannot be revealed here.',
    );
  return revealVerdict(ctx, { challengeId: p.challengeId, replays: kept.replays, salt: kept.salt });
}

/** Forgets the kept verdicts that the chain shows revealed (`revealed`: their challenge ids). */
export function forgetRevealed(
  store: KeyValue | undefined,
  p: { chainId: number; module: Address; juror: Address },
  revealed: Iterable<bigint>,
): void {
  for (const challengeId of revealed) forgetVerdict(store, { ...p, challengeId });
}
