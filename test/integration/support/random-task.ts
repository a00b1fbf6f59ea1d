// Plays one randomly parameterized task through every scoring epoch on a deployed protocol and
// compares what the contracts booked with the TypeScript reference fed by an independent model.
import { getAddress, keccak256, toHex, type Address, type Hex } from 'viem';
import * as abis from '../../../src/lib/chain/abi.generated.ts';
import { finalEvalCommitment } from '../../../src/lib/chain/commitments.ts';
import type { Schedule } from '../../../src/lib/chain/schedule.ts';
import { epochRewards, type EpochResult, type RewardParams } from '../../../src/lib/protocol/rewards.ts';
import type { Driver } from '../../../scripts/lib/driver.ts';
import {
  Role,
  commitScores,
  createTask,
  defaultTaskParams,
  finalizeEpoch,
  fund,
  join,
  revealScores,
  revealSubmission,
  seal,
  stakeCall,
  timeIn,
} from '../../../scripts/lib/actions.ts';
import type { Rng } from './rng.ts';
import { PoolModel, PositionModel } from './stake-model.ts';

const WAD = 10n ** 18n;
const SCORE_UNIT = 10n ** 14n;

export interface AmountCheck {
  what: string;
  contract: bigint;
  reference: bigint;
}

export interface EpochReport {
  taskId: bigint;
  epoch: number;
  n: number;
  m: number;
  degenerate: boolean;
  checks: AmountCheck[];
  /** Values that must be identical (ranks, aggregates, distances, budgets). */
  exact: AmountCheck[];
}

interface Submission {
  trainer: Address;
  artifact: Hex;
  seal: bigint;
}

/** Agreement the issue asks for: 1e-9 relative, or a wei of floor rounding on tiny amounts. */
export function agrees(a: bigint, b: bigint): boolean {
  const diff = a > b ? a - b : b - a;
  const big = a > b ? a : b;
  return diff <= 1n || diff * 1_000_000_000n <= big;
}

export function relativeDiff(a: bigint, b: bigint): number {
  const big = a > b ? a : b;
  if (big === 0n) return 0;
  const diff = a > b ? a - b : b - a;
  return Number((diff * 10n ** 18n) / big) / 1e18;
}

function actor(label: string): Address {
  return getAddress(`0x${keccak256(toHex(label)).slice(26)}`);
}

export class RandomTask {
  private readonly pools = new Map<Address, PoolModel>();
  private readonly positions = new Map<string, PositionModel>();
  private readonly trainers: Address[] = [];
  private readonly validators: Address[] = [];
  private readonly delegators: Address[] = [];
  private readonly lastSigma = new Map<Address, number>();
  private readonly submissions: Submission[] = [];
  private readonly submitters: Address[] = [];
  private readonly latest = new Map<Address, Submission>();
  /** Delegators' per-epoch booked share and the pool's delegated total, for the claim check. */
  private readonly delegatorBookings: { pool: Address; epoch: number; amount: bigint; delegated: bigint }[] = [];
  private schedule!: Schedule;
  private taskId = 0n;
  private carry = 0n;
  private readonly creator: Address;

  constructor(
    private readonly d: Driver,
    private readonly rng: Rng,
    private readonly label: string,
    readonly params: RewardParams,
    readonly rewardPerEpoch: bigint,
  ) {
    this.creator = actor(`${label}/creator`);
  }

  static random(d: Driver, rng: Rng, label: string): RandomTask {
    const lambda = rng.chance(0.1) ? 0n : BigInt(rng.int(0, 50)) * WAD + BigInt(rng.int(0, 999_999)) * 10n ** 12n;
    return new RandomTask(
      d,
      rng,
      label,
      { gamma: rng.wad(), q: rng.wad(), alphaT: rng.wad(), alphaV: rng.wad(), lambdaV: lambda > 50n * WAD ? 50n * WAD : lambda },
      rng.tokens(1, 1_000_000),
    );
  }

  private get c() {
    return this.d.c;
  }

  private readonly funded = new Set<Address>();

  /** Funds an actor once with all it will need. */
  private async fund(who: Address, amount?: bigint): Promise<void> {
    if (this.funded.has(who)) return;
    this.funded.add(who);
    await fund(this.d, who, amount);
  }

  private at(epoch: number, bps: number): bigint {
    return timeIn(this.schedule, epoch, bps);
  }

  private stakeCall(functionName: string, args: readonly unknown[]) {
    return stakeCall(this.d, functionName, args);
  }

  private pool(a: Address): PoolModel {
    return this.pools.get(a)!;
  }

  private position(pool: Address, delegator: Address): PositionModel {
    const key = `${pool}/${delegator}`;
    let p = this.positions.get(key);
    if (!p) this.positions.set(key, (p = new PositionModel()));
    return p;
  }

  async create(submissionEpochs: number, finalEpochs: number): Promise<void> {
    const finalHash = keccak256(toHex(`${this.label}/final`));
    const params = defaultTaskParams((await this.d.now()) + 400n, {
      finalEvalCommit: finalEvalCommitment(finalHash, keccak256(toHex('salt'))),
      submissionEpochs,
      finalEpochs,
      rewardPerEpoch: this.rewardPerEpoch,
      reward: this.params,
    });
    await this.fund(this.creator, this.rewardPerEpoch * BigInt(submissionEpochs + finalEpochs));
    ({ taskId: this.taskId, schedule: this.schedule } = await createTask(this.d, this.creator, params));
  }

  async join(trainers: number, validators: number): Promise<void> {
    for (let k = 0; k < trainers + validators; k++) {
      const isTrainer = k < trainers;
      const who = actor(`${this.label}/${isTrainer ? 't' : 'v'}${k}`);
      const amount = this.rng.tokens(1, 100_000);
      const sigma = this.rng.wad();
      await this.fund(who);
      await join(this.d, this.taskId, who, isTrainer ? Role.Trainer : Role.Validator, amount, sigma);
      const pool = new PoolModel(sigma);
      pool.add({ from: 0, own: amount });
      this.pools.set(who, pool);
      (isTrainer ? this.trainers : this.validators).push(who);
      if (this.rng.chance(0.5)) await this.delegate(who, 0);
    }
  }

  private async delegate(pool: Address, from: number): Promise<void> {
    const reuse = this.delegators.length > 0 && this.rng.chance(0.3);
    const who = reuse ? this.rng.pick(this.delegators) : actor(`${this.label}/d${this.delegators.length}`);
    if (!reuse) this.delegators.push(who);
    const amount = this.rng.tokens(0.01, 20_000);
    await this.fund(who);
    await this.d.send(who, this.stakeCall('delegate', [this.taskId, pool, amount]));
    this.pool(pool).add({ from, delegated: amount });
    this.position(pool, who).add(from, amount);
  }

  /** Random stake changes during epoch `epoch`, counting from the next one. */
  private async changeStakes(epoch: number): Promise<void> {
    const from = epoch + 1;
    const scoring = this.schedule.submissionEpochs + this.schedule.finalEpochs;
    if (from >= scoring) return;
    for (let k = this.rng.int(0, 4); k > 0; k--) {
      const kind = this.rng.int(0, 3);
      if (kind === 0 && from < this.schedule.submissionEpochs) {
        const who = this.rng.pick([...this.trainers, ...this.validators]);
        const amount = this.rng.tokens(1, 10_000);
        await this.d.send(who, this.stakeCall('addStake', [this.taskId, amount]));
        this.pool(who).add({ from, own: amount });
      } else if (kind === 1) {
        await this.delegate(this.rng.pick([...this.trainers, ...this.validators]), from);
      } else if (kind === 2) {
        const held = [...this.positions.entries()].filter(([, p]) => p.principal() > 0n);
        if (held.length === 0) continue;
        const [key, pos] = this.rng.pick(held);
        const [pool, who] = key.split('/') as [Address, Address];
        const amount = this.rng.chance(0.3) ? pos.principal() : pos.principal() / BigInt(this.rng.int(2, 5));
        if (amount === 0n) continue;
        await this.d.send(who, this.stakeCall('undelegate', [this.taskId, pool, amount]));
        this.pool(pool).add({ from, delegated: -amount });
        pos.add(from, -amount);
      } else {
        const who = this.rng.pick([...this.trainers, ...this.validators]);
        if (this.lastSigma.get(who) === from) continue;
        const sigma = this.rng.wad();
        await this.d.send(who, this.stakeCall('setSigma', [this.taskId, sigma]));
        this.pool(who).add({ from, sigma });
        this.lastSigma.set(who, from);
      }
    }
  }

  private isDuplicate(s: Submission): boolean {
    const earliest = this.submissions
      .filter((x) => x.artifact === s.artifact)
      .reduce((a, b) => (b.seal < a.seal ? b : a));
    return earliest.trainer !== s.trainer;
  }

  private async submit(epoch: number): Promise<Submission[]> {
    const chosen = this.rng.chance(0.04) ? [] : this.rng.subset(this.trainers);
    const sealed: Awaited<ReturnType<typeof seal>>[] = [];
    await this.d.warp(this.at(epoch, 100));
    for (const trainer of chosen) {
      const copyFrom = this.submissions.filter((s) => s.trainer !== trainer);
      const own = this.submissions.filter((s) => s.trainer === trainer);
      const artifact =
        copyFrom.length && this.rng.chance(0.08)
          ? this.rng.pick(copyFrom).artifact
          : own.length && this.rng.chance(0.05)
            ? this.rng.pick(own).artifact
            : keccak256(toHex(`${this.label}/artifact/${trainer}/${epoch}`));
      sealed.push(await seal(this.d, this.taskId, epoch, trainer, artifact));
    }
    await this.d.warp(this.at(epoch, this.schedule.sealEnd + 100));
    const revealed: Submission[] = [];
    for (const s of this.rng.subset(sealed, sealed.length > 1 ? sealed.length - 1 : sealed.length)) {
      await revealSubmission(this.d, this.taskId, s);
      const sub = { trainer: s.trainer, artifact: s.artifact, seal: s.seq };
      revealed.push(sub);
      this.submissions.push(sub);
      if (!this.latest.has(s.trainer)) this.submitters.push(s.trainer);
      this.latest.set(s.trainer, sub);
    }
    return revealed;
  }

  private async score(epoch: number, columns: number): Promise<{ validators: Address[]; scores: number[][] }> {
    const final = epoch >= this.schedule.submissionEpochs;
    const chosen = columns === 0 || this.rng.chance(0.04) ? [] : this.rng.subset(this.validators);
    const quality = Array.from({ length: columns }, () => this.rng.next());
    const sheets = chosen.map(() => {
      const noise = this.rng.pick([0, 0.02, 0.1, 0.5]);
      return quality.map((q) => Math.round(Math.min(1, Math.max(0, q + (this.rng.next() - 0.5) * 2 * noise)) * 10_000));
    });
    await this.d.warp(this.at(epoch, final ? 3000 : this.schedule.revealEnd + 100));
    const committed: number[] = [];
    for (const [j, v] of chosen.entries()) {
      await commitScores(this.d, this.taskId, epoch, v, sheets[j]!);
      committed.push(j);
    }
    await this.d.warp(this.at(epoch, (final ? this.schedule.finalCommitEnd : this.schedule.commitEnd) + 100));
    const order = this.rng.subset(committed, committed.length > 1 ? committed.length - 1 : committed.length);
    for (const j of order) {
      await revealScores(this.d, this.taskId, epoch, chosen[j]!, sheets[j]!);
    }
    return { validators: order.map((j) => chosen[j]!), scores: order.map((j) => sheets[j]!) };
  }

  private async finalize(epoch: number) {
    await this.d.warp(this.at(epoch + 1, 1));
    const receipts = await finalizeEpoch(this.d, this.creator, this.taskId, 50);
    return receipts.flatMap((r) => this.d.events(r));
  }

  /** Plays every scoring epoch; reports each one's comparison. */
  async play(report: (r: EpochReport) => void): Promise<void> {
    const scoring = this.schedule.submissionEpochs + this.schedule.finalEpochs;
    for (let epoch = 0; epoch < scoring; epoch++) {
      const final = epoch >= this.schedule.submissionEpochs;
      if (epoch === this.schedule.submissionEpochs && this.rng.chance(0.6)) {
        await this.d.warp(this.at(epoch, 50));
        await this.d.send(this.creator, {
          address: this.c.taskRegistry,
          abi: abis.taskRegistryAbi,
          functionName: 'revealFinalEval',
          args: [this.taskId, keccak256(toHex(`${this.label}/final`)), keccak256(toHex('salt'))],
        });
      }
      const columns = final ? this.submitters.map((t) => this.latest.get(t)!) : await this.submit(epoch);
      const { validators, scores } = await this.score(epoch, columns.length);
      await this.changeStakes(epoch);
      const events = await this.finalize(epoch);
      report(this.compare(epoch, columns, validators, scores, events));
    }
  }

  private compare(
    epoch: number,
    columns: Submission[],
    validators: Address[],
    scores: number[][],
    events: { eventName: string; args: unknown }[],
  ): EpochReport {
    const budget = this.rewardPerEpoch + this.carry;
    const base = { taskId: this.taskId, epoch, n: columns.length, m: validators.length };
    if (columns.length === 0 || validators.length === 0) {
      const fin = events.find((e) => e.eventName === 'EpochFinalized')!.args as { booked: bigint; degenerate: boolean };
      const last = epoch + 1 === this.schedule.submissionEpochs + this.schedule.finalEpochs;
      this.carry = last ? 0n : budget;
      return { ...base, degenerate: true, checks: [], exact: [{ what: 'booked', contract: fin.booked, reference: 0n }] };
    }
    const ref: EpochResult = epochRewards({
      R: budget,
      params: this.params,
      trainers: columns.map((s) => ({
        own: this.pool(s.trainer).own(epoch),
        delegated: this.pool(s.trainer).delegated(epoch),
        sigma: this.pool(s.trainer).sigma(epoch),
        seal: s.seal,
        duplicate: this.isDuplicate(s),
      })),
      validators: validators.map((v) => ({
        own: this.pool(v).own(epoch),
        delegated: this.pool(v).delegated(epoch),
        sigma: this.pool(v).sigma(epoch),
      })),
      scores: scores.map((row) => row.map((s) => BigInt(s) * SCORE_UNIT)),
    });
    this.carry = 0n;
    const scored = events.find((e) => e.eventName === 'EpochScored')!.args as { budget: bigint; rT: bigint; rV: bigint };
    const checks: AmountCheck[] = [
      { what: 'R_T', contract: scored.rT, reference: ref.R_T },
      { what: 'R_V', contract: scored.rV, reference: ref.R_V },
    ];
    const exact: AmountCheck[] = [{ what: 'budget', contract: scored.budget, reference: budget }];
    const trainerEvents = events.filter((e) => e.eventName === 'TrainerRewarded').map((e) => e.args as {
      trainer: Address; rank: bigint; aggregate: bigint; pool: bigint; own: bigint;
    });
    exact.push({ what: 'trainer events', contract: BigInt(trainerEvents.length), reference: BigInt(columns.length) });
    columns.forEach((s, i) => {
      const ev = trainerEvents.find((e) => getAddress(e.trainer) === s.trainer)!;
      const r = ref.trainers[i]!;
      exact.push({ what: `trainer ${i} rank`, contract: ev.rank, reference: BigInt(r.rank) });
      exact.push({ what: `trainer ${i} aggregate`, contract: ev.aggregate, reference: r.aggregate });
      checks.push({ what: `trainer ${i} pool`, contract: ev.pool, reference: r.pool });
      checks.push({ what: `trainer ${i} own`, contract: ev.own, reference: r.own });
      checks.push({ what: `trainer ${i} delegators`, contract: ev.pool - ev.own, reference: r.delegators });
      this.delegatorBookings.push({ pool: s.trainer, epoch, amount: ev.pool - ev.own, delegated: this.pool(s.trainer).delegated(epoch) });
    });
    const validatorEvents = events.filter((e) => e.eventName === 'ValidatorRewarded').map((e) => e.args as {
      validator: Address; distance: bigint; pool: bigint; own: bigint;
    });
    exact.push({ what: 'validator events', contract: BigInt(validatorEvents.length), reference: BigInt(validators.length) });
    validators.forEach((v, j) => {
      const ev = validatorEvents.find((e) => getAddress(e.validator) === v)!;
      const r = ref.validators[j]!;
      exact.push({ what: `validator ${j} distance`, contract: ev.distance, reference: r.distance });
      checks.push({ what: `validator ${j} pool`, contract: ev.pool, reference: r.pool });
      checks.push({ what: `validator ${j} own`, contract: ev.own, reference: r.own });
      checks.push({ what: `validator ${j} delegators`, contract: ev.pool - ev.own, reference: r.delegators });
      this.delegatorBookings.push({ pool: v, epoch, amount: ev.pool - ev.own, delegated: this.pool(v).delegated(epoch) });
    });
    return { ...base, degenerate: false, checks, exact };
  }

  /**
   * Every delegator's claimable rewards, from the chain's pending view, against the pro-rata
   * sum over epochs of its active shares (the model's) times what each epoch booked to its pool.
   */
  async delegatorChecks(): Promise<AmountCheck[]> {
    const out: AmountCheck[] = [];
    for (const [key, pos] of this.positions) {
      const [pool, who] = key.split('/') as [Address, Address];
      let expected = 0n;
      let bookings = 0n;
      for (const b of this.delegatorBookings) {
        if (b.pool !== pool || b.delegated === 0n) continue;
        expected += (b.amount * pos.shares(b.epoch)) / b.delegated;
        bookings++;
      }
      const onChain = (await this.d.read({
        address: this.c.stakeManager,
        abi: abis.stakeManagerAbi,
        functionName: 'pendingDelegationRewards',
        args: [this.taskId, pool, who],
      })) as bigint;
      // Each epoch's reward-per-share is floored at 1e-36 per share, and each settlement once.
      out.push({ what: `delegator ${who} in ${pool} (${bookings} bookings)`, contract: onChain, reference: expected });
    }
    return out;
  }
}
