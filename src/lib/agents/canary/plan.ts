// Which pool account submits what in which epoch (docs/canaries.md, "The plan"). Pure and
// deterministic: the same secret, task and pool give the same plan after any restart.
//
// - Every pool account submits one genuinely trained model in every submission epoch, so it
//   has the history of an ordinary trainer; a canary differs from those only by its seal salt.
// - Submission epoch e: `perEpoch` accounts seal with canarySalt(task, e, account, key_e).
//   The choice prefers accounts used least often so far (an account revealed as a canary is
//   known from then on), in a secret order per epoch.
// - Final epoch f: a final-phase column is an account's latest submission, so `perEpoch`
//   accounts reserved for f seal their last submission (in the last submission epoch) with
//   canarySalt(task, f, account, key_f). Reserved accounts are never submission canaries:
//   they reach the final phase unrevealed. Each final epoch has its own accounts (one latest
//   submission carries one salt).
import type { Address, Hex } from 'viem';
import { canaryKeyHash, canarySalt, MAX_CANARIES } from '../../chain/canary.ts';
import { decoySalt, epochCanaryKey, orderKey, timingDraw, trainingDraw, type CanaryScope } from './derive.ts';
import { ArenaError } from '../../errors.ts';

export type SubmissionUse =
  /** Sealed with the canary salt of `useEpoch`: a canary there (its own epoch, or a final epoch). */
  | { kind: 'canary'; useEpoch: number }
  /** An ordinary submission of the pool account (history; never revealed as a canary). */
  | { kind: 'decoy' };

export interface PlannedSubmission {
  epoch: number;
  account: Address;
  use: SubmissionUse;
  salt: Hex;
  seed: number;
  steps: number;
  /** Where in the seal / reveal window it is sent, as fractions in [0, 1) (scaled by the config's spread). */
  sealAt: number;
  revealAt: number;
}

export interface PlanInput {
  scope: CanaryScope;
  secret: Hex;
  /** The pool accounts, in a fixed order (distinct). */
  pool: readonly Address[];
  submissionEpochs: number;
  finalEpochs: number;
  /** Canaries in each scoring epoch. */
  perEpoch: number;
  /** Training steps of a model, drawn log-uniformly in [min, max]. */
  steps: { min: number; max: number };
}

export interface CanaryPlan {
  readonly input: PlanInput;
  /** The accounts reserved for each final epoch, by final epoch number. */
  readonly finalReserve: ReadonlyMap<number, readonly Address[]>;
  key(epoch: number): Hex;
  keyHash(epoch: number): Hex;
  /** Every pool account's submission in submission epoch `epoch` (pool order). */
  submissions(epoch: number): readonly PlannedSubmission[];
  /** The accounts whose columns should open as canaries in scoring epoch `epoch`. */
  canaries(epoch: number): readonly Address[];
}

export class CanaryPlanError extends ArenaError<'canary-plan'> {
  constructor(message: string) {
    super('canary-plan', message);
    this.name = 'CanaryPlanError';
  }
}

/** The smallest pool that can serve the plan: perEpoch accounts per final epoch plus perEpoch for the submission epochs. */
export const minPoolSize = (perEpoch: number, finalEpochs: number): number => perEpoch * (finalEpochs + 1);

/** The pool with which no account is a canary twice: a fresh one every epoch. */
export const freshPoolSize = (perEpoch: number, submissionEpochs: number, finalEpochs: number): number =>
  perEpoch * (submissionEpochs + finalEpochs);

export function checkPlanInput(p: PlanInput): void {
  if (!Number.isSafeInteger(p.perEpoch) || p.perEpoch < 1 || p.perEpoch > MAX_CANARIES) {
    throw new CanaryPlanError(
      `canaries per epoch must be a whole number from 1 to ${MAX_CANARIES} (the contract's MAX_CANARIES), got ${p.perEpoch}`,
    );
  }
  if (!Number.isSafeInteger(p.submissionEpochs) || p.submissionEpochs < 1)
    throw new CanaryPlanError(`a task has at least one submission epoch, got ${p.submissionEpochs}`);
  if (!Number.isSafeInteger(p.finalEpochs) || p.finalEpochs < 0)
    throw new CanaryPlanError(`final epochs must be a whole number, got ${p.finalEpochs}`);
  const seen = new Set(p.pool.map((x) => x.toLowerCase()));
  if (seen.size !== p.pool.length) throw new CanaryPlanError('the pool lists an account twice');
  const min = minPoolSize(p.perEpoch, p.finalEpochs);
  if (p.pool.length < min) {
    throw new CanaryPlanError(
      `a pool of ${p.pool.length} account${p.pool.length === 1 ? '' : 's'} cannot give ${p.perEpoch} canar${p.perEpoch === 1 ? 'y' : 'ies'} per epoch: ` +
        `each of the ${p.finalEpochs} final epoch${p.finalEpochs === 1 ? '' : 's'} needs ${p.perEpoch} account${p.perEpoch === 1 ? '' : 's'} of its own and the submission epochs ${p.perEpoch} more, ` +
        `so at least ${min} (${freshPoolSize(p.perEpoch, p.submissionEpochs, p.finalEpochs)} for a fresh account in every epoch)`,
    );
  }
  const { min: lo, max: hi } = p.steps;
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo < 1 || hi < lo)
    throw new CanaryPlanError(`training steps must be whole numbers with 1 <= min <= max, got ${lo}..${hi}`);
}

export function planCanaries(input: PlanInput): CanaryPlan {
  checkPlanInput(input);
  const { scope, secret, pool, perEpoch, submissionEpochs: x0, finalEpochs: x1 } = input;
  const scoring = x0 + x1;
  const inRange = (epoch: number, upTo: number, what: string) => {
    if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch >= upTo)
      throw new RangeError(`${what} ${epoch} is outside 0..${upTo - 1}`);
  };

  // The final reserve: the first perEpoch * x1 accounts in the secret 'final' order.
  const byFinalOrder = [...pool].sort((p, q) =>
    cmp(orderKey(secret, scope, 'final', 0, p), orderKey(secret, scope, 'final', 0, q)),
  );
  const finalReserve = new Map<number, Address[]>();
  for (let g = 0; g < x1; g++) finalReserve.set(x0 + g, byFinalOrder.slice(g * perEpoch, (g + 1) * perEpoch));
  const reserved = new Set([...finalReserve.values()].flat());
  const candidates = pool.filter((p) => !reserved.has(p));

  // Submission-epoch canaries, epoch by epoch: least used first, then the epoch's secret order.
  const chosen: Address[][] = [];
  const uses = new Map<Address, number>(candidates.map((c) => [c, 0]));
  const submissionCanaries = (epoch: number): Address[] => {
    while (chosen.length <= epoch) {
      const e = chosen.length;
      const pick = [...candidates]
        .sort(
          (p, q) =>
            uses.get(p)! - uses.get(q)! ||
            cmp(orderKey(secret, scope, 'epoch', e, p), orderKey(secret, scope, 'epoch', e, q)),
        )
        .slice(0, perEpoch);
      for (const p of pick) uses.set(p, uses.get(p)! + 1);
      chosen.push(pick);
    }
    return chosen[epoch]!;
  };

  const keys = new Map<number, Hex>();
  const key = (epoch: number): Hex => {
    inRange(epoch, scoring, 'scoring epoch');
    let k = keys.get(epoch);
    if (!k) keys.set(epoch, (k = epochCanaryKey(secret, scope, epoch)));
    return k;
  };

  const useOf = (epoch: number, account: Address): SubmissionUse => {
    if (epoch === x0 - 1) {
      for (const [f, accounts] of finalReserve) if (accounts.includes(account)) return { kind: 'canary', useEpoch: f };
    }
    return submissionCanaries(epoch).includes(account) ? { kind: 'canary', useEpoch: epoch } : { kind: 'decoy' };
  };

  const subs = new Map<number, PlannedSubmission[]>();
  return {
    input,
    finalReserve,
    key,
    keyHash: (epoch) => canaryKeyHash(key(epoch)),
    submissions(epoch) {
      inRange(epoch, x0, 'submission epoch');
      let list = subs.get(epoch);
      if (!list) {
        list = pool.map((account) => {
          const use = useOf(epoch, account);
          const salt =
            use.kind === 'canary'
              ? canarySalt(scope.taskId, BigInt(use.useEpoch), account, key(use.useEpoch))
              : decoySalt(secret, scope, epoch, account);
          return {
            epoch,
            account,
            use,
            salt,
            ...trainingDraw(secret, scope, epoch, account, input.steps),
            sealAt: timingDraw(secret, scope, 'seal', epoch, account),
            revealAt: timingDraw(secret, scope, 'reveal', epoch, account),
          };
        });
        subs.set(epoch, list);
      }
      return list;
    },
    canaries(epoch) {
      inRange(epoch, scoring, 'scoring epoch');
      return epoch < x0 ? submissionCanaries(epoch) : finalReserve.get(epoch)!;
    },
  };
}

const cmp = (x: bigint, y: bigint): number => (x < y ? -1 : x > y ? 1 : 0);
