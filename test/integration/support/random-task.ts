// Plays one randomly parameterized task through every scoring epoch on a deployed protocol and
// compares what the contracts booked with the TypeScript reference fed by an independent model:
// stakes and sigmas (stake-model.ts), duplicates, canaries (the creator commits a key per epoch
// before it starts, some trainer accounts seal with canarySalt, the creator reveals the key in
// the score-reveal window) and the carry chain (each epoch's R is rewardPerEpoch plus the
// reference's own rollover of the epoch before, never the chain's).
import { getAddress, keccak256, toHex, type Address, type Hex } from 'viem';
import * as abis from '../../../src/lib/chain/abi.generated.ts';
import { canaryKeyHash, canarySalt } from '../../../src/lib/chain/canary.ts';
import { finalEvalCommitment, sealCommitment } from '../../../src/lib/chain/commitments.ts';
import type { Schedule } from '../../../src/lib/chain/schedule.ts';
import { epochRewards, type EpochInput, type RewardParams } from '../../../src/lib/protocol/rewards.ts';
import type { Driver } from '../../../scripts/lib/driver.ts';
import {
  Role,
  bookCall,
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
  syntheticTranscript,
  timeIn,
  type SealedSubmission,
} from '../../../scripts/lib/actions.ts';
import {
  SCORE_UNIT,
  classifyEpoch,
  randomBehavior,
  randomColumns,
  randomHonestNoise,
  randomLazyShare,
  randomRewardParams,
  scoreSheets,
  type Behavior,
  type EpochCases,
} from './epoch-scenario.ts';
import type { Rng } from './rng.ts';
import { PoolModel, PositionModel } from './stake-model.ts';

/** Canary seals per epoch at most (SubmissionBook.MAX_CANARIES is 16). */
const CANARIES_PER_EPOCH = 4;

export interface AmountCheck {
  what: string;
  contract: bigint;
  reference: bigint;
  /**
   * The amount the 1e-9 relative bound is taken of, when it is not the values themselves: dust
   * and remainders are differences of large amounts (budget - booked - rollover), so they agree
   * to 1e-9 of the budget, not of themselves.
   */
  scale?: bigint;
}

export interface EpochReport {
  taskId: bigint;
  epoch: number;
  n: number;
  m: number;
  degenerate: boolean;
  /** Booked amounts (and dust): 1e-9 relative. */
  checks: AmountCheck[];
  /** Values the doc makes bit-identical: aggregates, ranks, flags, canaries, split, rollover, carry, counts. */
  exact: AmountCheck[];
  cases: EpochCases;
  /** The chain's dust equals the reference's to the wei. */
  dustExact: boolean;
}

interface Submission {
  trainer: Address;
  artifact: Hex;
  seal: bigint;
  id: bigint;
  /** The epoch whose canary key salted this seal; undefined for an ordinary seal. */
  canaryFor?: number;
}

interface TaskShape {
  trainers: number;
  validators: number;
  submissionEpochs: number;
  finalEpochs: number;
  /** Validator stakes on a small grid, kept fixed, and scores on a few levels: exact half-stake splits. */
  tie: boolean;
  /** The creator commits canary keys. */
  canaries: boolean;
}

/** Agreement the issue asks for: 1e-9 relative (of `scale` when given), or a wei of floor rounding. */
export function agrees(c: AmountCheck): boolean {
  return relativeDiff(c) <= 1e-9 || absDiff(c.contract, c.reference) <= 1n;
}

export function relativeDiff(c: AmountCheck): number {
  let big = c.contract > c.reference ? c.contract : c.reference;
  if (c.scale !== undefined && c.scale > big) big = c.scale;
  if (big === 0n) return 0;
  return Number((absDiff(c.contract, c.reference) * 10n ** 18n) / big) / 1e18;
}

function absDiff(a: bigint, b: bigint): bigint {
  return a > b ? a - b : b - a;
}

function actor(label: string): Address {
  return getAddress(`0x${keccak256(toHex(label)).slice(26)}`);
}

const flag = (b: boolean): bigint => (b ? 1n : 0n);

type Events = { eventName: string; args: unknown }[];

function only<T>(events: Events, name: string): T {
  const found = events.filter((e) => e.eventName === name);
  if (found.length !== 1) throw new Error(`expected one ${name}, got ${found.length}`);
  return found[0]!.args as T;
}

function all<T>(events: Events, name: string): T[] {
  return events.filter((e) => e.eventName === name).map((e) => e.args as T);
}

export class RandomTask {
  private readonly pools = new Map<Address, PoolModel>();
  private readonly positions = new Map<string, PositionModel>();
  private readonly trainers: Address[] = [];
  private readonly validators: Address[] = [];
  private readonly delegators: Address[] = [];
  /** Pools whose own stake and delegations may change (tie tasks keep validator stakes fixed). */
  private readonly changeable: Address[] = [];
  /** Latest sigma set (pending or not) and the epoch it took or takes effect in. */
  private readonly sigmaLatest = new Map<Address, bigint>();
  private readonly sigmaEffective = new Map<Address, number>();
  private readonly behaviors = new Map<Address, Behavior>();
  private readonly submissions: Submission[] = [];
  private readonly submitters: Address[] = [];
  private readonly latest = new Map<Address, Submission>();
  private readonly canaryKeys = new Map<number, Hex>();
  /** Delegators' per-epoch booked share and the pool's delegated total, for the claim check. */
  private readonly delegatorBookings: { pool: Address; epoch: number; amount: bigint; delegated: bigint }[] = [];
  private readonly lazyShare: number;
  private readonly honestNoise: number;
  private readonly levels: number[] | undefined;
  private schedule!: Schedule;
  private taskId = 0n;
  /** The reference's rollover into the next epoch. */
  private refCarry = 0n;
  /** The remainder the reference expects (dust, then the last rollover) and the chain's own sum. */
  private refRemainder = 0n;
  private chainRemainder = 0n;
  private chainBooked = 0n;
  private readonly creator: Address;

  constructor(
    private readonly d: Driver,
    private readonly rng: Rng,
    private readonly label: string,
    readonly shape: TaskShape,
    readonly params: RewardParams,
    readonly rewardPerEpoch: bigint,
  ) {
    this.creator = actor(`${label}/creator`);
    this.lazyShare = randomLazyShare(rng);
    this.honestNoise = randomHonestNoise(rng);
    this.levels = shape.tie ? [rng.int(0, 10_000), rng.int(0, 10_000), rng.int(0, 10_000)] : undefined;
  }

  static random(d: Driver, rng: Rng, label: string): RandomTask {
    const tie = rng.chance(0.3);
    const shape: TaskShape = {
      trainers: rng.int(1, 32),
      validators: tie ? rng.int(2, 6) : rng.int(1, 32),
      submissionEpochs: rng.int(3, 7),
      finalEpochs: rng.int(1, 2),
      tie,
      canaries: rng.chance(0.8),
    };
    return new RandomTask(d, rng, label, shape, randomRewardParams(rng, shape.validators), rng.tokens(1, 1_000_000));
  }

  private get c() {
    return this.d.c;
  }

  private get scoringEpochs(): number {
    return this.schedule.submissionEpochs + this.schedule.finalEpochs;
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

  /** Creates the task and commits canary keys for some of its scoring epochs (before any starts). */
  async create(): Promise<void> {
    const { submissionEpochs, finalEpochs } = this.shape;
    const finalHash = keccak256(toHex(`${this.label}/final`));
    const params = defaultTaskParams((await this.d.now()) + 400n, {
      finalEvalCommit: finalEvalCommitment(finalHash, keccak256(toHex('salt'))),
      submissionEpochs,
      finalEpochs,
      rewardPerEpoch: this.rewardPerEpoch,
      reward: this.params,
    });
    await this.fund(this.creator, this.deposit);
    ({ taskId: this.taskId, schedule: this.schedule } = await createTask(this.d, this.creator, params));
    if (!this.shape.canaries) return;
    for (let epoch = 0; epoch < this.scoringEpochs; epoch++) {
      if (!this.rng.chance(0.8)) continue;
      const key = keccak256(toHex(`${this.label}/canary-key/${epoch}`));
      await this.d.send(
        this.creator,
        bookCall(this.d, 'commitCanaries', [this.taskId, BigInt(epoch), canaryKeyHash(key)]),
      );
      this.canaryKeys.set(epoch, key);
    }
  }

  get deposit(): bigint {
    return this.rewardPerEpoch * BigInt(this.shape.submissionEpochs + this.shape.finalEpochs);
  }

  async join(): Promise<void> {
    const { trainers, validators, tie } = this.shape;
    const unit = this.rng.tokens(1, 1_000);
    for (let k = 0; k < trainers + validators; k++) {
      const isTrainer = k < trainers;
      const who = actor(`${this.label}/${isTrainer ? 't' : 'v'}${k}`);
      const fixed = tie && !isTrainer;
      const amount = fixed ? unit * BigInt(this.rng.pick([1, 1, 1, 2, 3])) : this.rng.tokens(1, 100_000);
      const sigma = this.rng.wad();
      await this.fund(who);
      await join(this.d, this.taskId, who, isTrainer ? Role.Trainer : Role.Validator, amount, sigma);
      const pool = new PoolModel(sigma);
      pool.add({ from: 0, own: amount });
      this.pools.set(who, pool);
      this.sigmaLatest.set(who, sigma);
      (isTrainer ? this.trainers : this.validators).push(who);
      if (!isTrainer) this.behaviors.set(who, randomBehavior(this.rng, this.lazyShare));
      if (fixed) continue;
      this.changeable.push(who);
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

  /** Random stake changes during epoch `epoch`, counting from the next one (sigma increases from the one after). */
  private async changeStakes(epoch: number): Promise<void> {
    const from = epoch + 1;
    if (from >= this.scoringEpochs) return;
    for (let k = this.rng.int(0, 4); k > 0; k--) {
      const kind = this.rng.int(0, 3);
      if (kind === 0 && from < this.schedule.submissionEpochs) {
        const who = this.rng.pick(this.changeable);
        const amount = this.rng.tokens(1, 10_000);
        await this.d.send(who, this.stakeCall('addStake', [this.taskId, amount]));
        this.pool(who).add({ from, own: amount });
      } else if (kind === 1) {
        await this.delegate(this.rng.pick(this.changeable), from);
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
        // sigmaCooldown is 1: one change per effective epoch, counted from the last one's.
        if (from < (this.sigmaEffective.get(who) ?? -1) + 1) continue;
        const sigma = this.rng.wad();
        const effective = sigma > this.sigmaLatest.get(who)! ? from + 1 : from;
        if (effective >= this.scoringEpochs) continue;
        await this.d.send(who, this.stakeCall('setSigma', [this.taskId, sigma]));
        this.pool(who).add({ from: effective, sigma });
        this.sigmaLatest.set(who, sigma);
        this.sigmaEffective.set(who, effective);
      }
    }
  }

  private isDuplicate(s: Submission): boolean {
    const earliest = this.submissions
      .filter((x) => x.artifact === s.artifact)
      .reduce((a, b) => (b.seal < a.seal ? b : a));
    return earliest.trainer !== s.trainer;
  }

  /** Seals with `salt`: a canary's, which only the creator's key can tell from a random one. */
  private async sealWith(epoch: number, trainer: Address, artifact: Hex, salt: Hex): Promise<SealedSubmission> {
    const wmCommit = keccak256(toHex(`wm/${trainer}/${epoch}`));
    const transcript = syntheticTranscript(trainer, epoch);
    const commitment = sealCommitment(this.taskId, BigInt(epoch), trainer, artifact, wmCommit, transcript, salt);
    const receipt = await this.d.send(trainer, bookCall(this.d, 'sealSubmission', [this.taskId, commitment]));
    const ev = this.d.events(receipt).find((e) => e.eventName === 'SubmissionSealed');
    return { trainer, artifact, wmCommit, transcript, salt, seq: (ev!.args as { seq: bigint }).seq, receipt };
  }

  /**
   * Seals of some trainers, then reveals of all but at most one. A trainer may seal a canary of
   * this epoch (salted with its key), or in the last submission epoch one of a final epoch (its
   * latest submission is that final epoch's canary).
   */
  private async submit(epoch: number): Promise<Submission[]> {
    const chosen = this.rng.chance(0.04) ? [] : this.rng.subset(this.trainers);
    const sealed: (SealedSubmission & { canaryFor?: number })[] = [];
    const finalKeys = [...this.canaryKeys.keys()].filter((e) => e >= this.schedule.submissionEpochs);
    const lastSubmissionEpoch = epoch + 1 === this.schedule.submissionEpochs;
    const canaries = new Map<number, number>();
    await this.d.warp(this.at(epoch, 100));
    for (const trainer of chosen) {
      let canaryFor: number | undefined;
      if (this.canaryKeys.has(epoch) && this.rng.chance(0.3)) canaryFor = epoch;
      else if (lastSubmissionEpoch && finalKeys.length > 0 && this.rng.chance(0.25))
        canaryFor = this.rng.pick(finalKeys);
      if (canaryFor !== undefined && (canaries.get(canaryFor) ?? 0) >= CANARIES_PER_EPOCH) canaryFor = undefined;
      if (canaryFor !== undefined) {
        canaries.set(canaryFor, (canaries.get(canaryFor) ?? 0) + 1);
        const artifact = keccak256(toHex(`${this.label}/canary/${trainer}/${epoch}`));
        const salt = canarySalt(this.taskId, BigInt(canaryFor), trainer, this.canaryKeys.get(canaryFor)!);
        sealed.push({ ...(await this.sealWith(epoch, trainer, artifact, salt)), canaryFor });
        continue;
      }
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
      const receipt = await revealSubmission(this.d, this.taskId, s);
      const ev = this.d.events(receipt).find((e) => e.eventName === 'SubmissionRevealed')!.args as {
        submissionId: bigint;
      };
      const sub: Submission = {
        trainer: s.trainer,
        artifact: s.artifact,
        seal: s.seq,
        id: ev.submissionId,
        canaryFor: s.canaryFor,
      };
      revealed.push(sub);
      this.submissions.push(sub);
      if (!this.latest.has(s.trainer)) this.submitters.push(s.trainer);
      this.latest.set(s.trainer, sub);
    }
    return revealed;
  }

  /**
   * Validators commit and reveal their sheets; the creator reveals the epoch's canary key (if it
   * committed one, most of the time) among the score reveals. Returns the revealers in reveal
   * order, their sheets, and the canary mask the chain recorded (undefined: not revealed).
   */
  private async score(epoch: number, columns: Submission[]) {
    const final = epoch >= this.schedule.submissionEpochs;
    const key = this.canaryKeys.get(epoch);
    const revealKey = key !== undefined && this.rng.chance(0.9);
    const chosen = columns.length === 0 || this.rng.chance(0.04) ? [] : this.rng.subset(this.validators);
    const specs = randomColumns(
      this.rng,
      columns.map((s) => s.canaryFor === epoch),
      this.levels,
    );
    const stakes = chosen.map((v) => this.pool(v).own(epoch) + this.pool(v).delegated(epoch));
    const sheets = scoreSheets(
      this.rng,
      specs,
      chosen.map((v) => this.behaviors.get(v)!),
      stakes,
      this.honestNoise,
    );
    await this.d.warp(this.at(epoch, final ? 3000 : this.schedule.revealEnd + 100));
    const committed: number[] = [];
    for (const [j, v] of chosen.entries()) {
      await commitScores(this.d, this.taskId, epoch, v, sheets[j]!);
      committed.push(j);
    }
    await this.d.warp(this.at(epoch, (final ? this.schedule.finalCommitEnd : this.schedule.commitEnd) + 100));
    const order = this.rng.subset(committed, committed.length > 1 ? committed.length - 1 : committed.length);
    const canaryAt = this.rng.int(0, order.length);
    let mask: bigint | undefined;
    for (let k = 0; k <= order.length; k++) {
      if (k === canaryAt && revealKey) {
        const receipt = await this.d.send(this.creator, bookCall(this.d, 'revealCanaries', [this.taskId, key]));
        mask = only<{ mask: bigint }>(this.d.events(receipt), 'CanariesRevealed').mask;
      }
      if (k < order.length) await revealScores(this.d, this.taskId, epoch, chosen[order[k]!]!, sheets[order[k]!]!);
    }
    return { validators: order.map((j) => chosen[j]!), scores: order.map((j) => sheets[j]!), mask, revealKey };
  }

  private async finalize(epoch: number): Promise<Events> {
    await this.d.warp(this.at(epoch + 1, 1));
    const receipts = await finalizeEpoch(this.d, this.creator, this.taskId, 50);
    return receipts.flatMap((r) => this.d.events(r));
  }

  /** Plays every scoring epoch; reports each one's comparison. */
  async play(report: (r: EpochReport) => void): Promise<void> {
    for (let epoch = 0; epoch < this.scoringEpochs; epoch++) {
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
      const { validators, scores, mask, revealKey } = await this.score(epoch, columns);
      await this.changeStakes(epoch);
      const events = await this.finalize(epoch);
      const canary = columns.map((s) => revealKey && s.canaryFor === epoch);
      report(this.compare(epoch, columns, canary, mask, validators, scores, events));
    }
  }

  private compare(
    epoch: number,
    columns: Submission[],
    canary: boolean[],
    mask: bigint | undefined,
    validators: Address[],
    scores: number[][],
    events: Events,
  ): EpochReport {
    const R = this.rewardPerEpoch + this.refCarry;
    const last = epoch + 1 === this.scoringEpochs;
    const input: EpochInput = {
      R,
      params: this.params,
      trainers: columns.map((s, i) => ({
        own: this.pool(s.trainer).own(epoch),
        delegated: this.pool(s.trainer).delegated(epoch),
        sigma: this.pool(s.trainer).sigma(epoch),
        seal: s.seal,
        duplicate: this.isDuplicate(s),
        canary: canary[i],
      })),
      validators: validators.map((v) => ({
        own: this.pool(v).own(epoch),
        delegated: this.pool(v).delegated(epoch),
        sigma: this.pool(v).sigma(epoch),
      })),
      scores: scores.map((row) => row.map((s) => BigInt(s) * SCORE_UNIT)),
    };
    const ref = epochRewards(input);
    this.refCarry = last ? 0n : ref.rollover;
    this.refRemainder += ref.dust + (last ? ref.rollover : 0n);

    const fin = only<{ booked: bigint; rollover: bigint; degenerate: boolean }>(events, 'EpochFinalized');
    const closed = only<{ epoch: bigint; booked: bigint; rollover: bigint; carry: bigint; remainder: bigint }>(
      events,
      'EpochClosed',
    );
    const trainerEvents = all<{
      trainer: Address;
      submissionId: bigint;
      rank: bigint;
      aggregate: bigint;
      pool: bigint;
      own: bigint;
    }>(events, 'TrainerRewarded');
    const canaryEvents = all<{ submissionId: bigint; aggregate: bigint; agreeingStake: bigint; valid: boolean }>(
      events,
      'CanaryChecked',
    );
    const validatorEvents = all<{
      validator: Address;
      distance: bigint;
      pool: bigint;
      own: bigint;
      failedCanary: boolean;
    }>(events, 'ValidatorRewarded');
    const scored = events
      .filter((e) => e.eventName === 'EpochScored')
      .map(
        (e) =>
          e.args as {
            budget: bigint;
            rT: bigint;
            rV: bigint;
            qualified: bigint;
            columns: bigint;
            m: bigint;
          },
      );
    const budget = fin.degenerate ? fin.rollover : (scored[0]?.budget ?? -1n);
    const dust = budget - fin.booked - fin.rollover;
    this.chainBooked += fin.booked;
    this.chainRemainder += dust + (last ? fin.rollover : 0n);

    const expectedMask = canary.reduce((m, c, i) => (c ? m | (1n << BigInt(i)) : m), 0n);
    const exact: AmountCheck[] = [
      { what: 'budget (rewardPerEpoch + the reference carry)', contract: budget, reference: R },
      { what: 'degenerate', contract: flag(fin.degenerate), reference: flag(ref.degenerate) },
      { what: 'EpochScored events', contract: BigInt(scored.length), reference: flag(!ref.degenerate) },
      { what: 'rollover', contract: fin.rollover, reference: ref.rollover },
      { what: 'closed epoch', contract: closed.epoch, reference: BigInt(epoch) },
      { what: 'closed booked = finalized booked', contract: closed.booked, reference: fin.booked },
      { what: 'closed rollover', contract: closed.rollover, reference: ref.rollover },
      { what: 'registry carry', contract: closed.carry, reference: this.refCarry },
      {
        what: 'registry remainder = sum of the chain dust (+ last rollover)',
        contract: closed.remainder,
        reference: this.chainRemainder,
      },
      { what: 'canary mask', contract: mask ?? 0n, reference: expectedMask },
      {
        what: 'trainer events',
        contract: BigInt(trainerEvents.length),
        reference: BigInt(ref.trainers.filter((t) => !t.canary).length),
      },
      { what: 'canary events', contract: BigInt(canaryEvents.length), reference: BigInt(ref.canaries.length) },
      { what: 'validator events', contract: BigInt(validatorEvents.length), reference: BigInt(ref.validators.length) },
    ];
    const checks: AmountCheck[] = [
      { what: 'booked', contract: fin.booked, reference: ref.booked },
      { what: 'dust', contract: dust, reference: ref.dust, scale: R },
    ];
    const base = { taskId: this.taskId, epoch, n: columns.length, m: validators.length, degenerate: ref.degenerate };
    const cases = classifyEpoch(input, ref);
    if (ref.degenerate || scored.length !== 1) return { ...base, checks, exact, cases, dustExact: dust === ref.dust };

    const s = scored[0]!;
    exact.push(
      { what: 'R_T', contract: s.rT, reference: ref.R_T },
      { what: 'R_V', contract: s.rV, reference: ref.R_V },
      { what: 'qualified', contract: s.qualified, reference: BigInt(ref.qualified) },
      { what: 'columns', contract: s.columns, reference: BigInt(columns.length) },
      { what: 'm', contract: s.m, reference: BigInt(validators.length) },
    );
    columns.forEach((sub, i) => {
      const r = ref.trainers[i]!;
      if (r.canary) {
        const ev = canaryEvents.find((e) => e.submissionId === sub.id);
        const c = ref.canaries.find((x) => x.index === i)!;
        exact.push({ what: `canary ${i} reported`, contract: flag(ev !== undefined), reference: 1n });
        if (!ev) return;
        exact.push(
          { what: `canary ${i} aggregate`, contract: ev.aggregate, reference: c.aggregate },
          { what: `canary ${i} agreeing stake`, contract: ev.agreeingStake, reference: c.agreeingStake },
          { what: `canary ${i} valid`, contract: flag(ev.valid), reference: flag(c.valid) },
        );
        return;
      }
      const ev = trainerEvents.find((e) => getAddress(e.trainer) === sub.trainer);
      exact.push({ what: `trainer ${i} reported`, contract: flag(ev !== undefined), reference: 1n });
      if (!ev) return;
      exact.push(
        { what: `trainer ${i} submission`, contract: ev.submissionId, reference: sub.id },
        { what: `trainer ${i} rank`, contract: ev.rank, reference: BigInt(r.rank) },
        { what: `trainer ${i} qualified`, contract: flag(ev.rank > 0n), reference: flag(r.qualified) },
        { what: `trainer ${i} aggregate`, contract: ev.aggregate, reference: r.aggregate },
      );
      checks.push(
        { what: `trainer ${i} pool`, contract: ev.pool, reference: r.pool },
        { what: `trainer ${i} own`, contract: ev.own, reference: r.own },
        { what: `trainer ${i} delegators`, contract: ev.pool - ev.own, reference: r.delegators },
      );
      this.delegatorBookings.push({
        pool: sub.trainer,
        epoch,
        amount: ev.pool - ev.own,
        delegated: this.pool(sub.trainer).delegated(epoch),
      });
    });
    validators.forEach((v, j) => {
      const ev = validatorEvents.find((e) => getAddress(e.validator) === v);
      const r = ref.validators[j]!;
      exact.push({ what: `validator ${j} reported`, contract: flag(ev !== undefined), reference: 1n });
      if (!ev) return;
      exact.push(
        { what: `validator ${j} distance`, contract: ev.distance, reference: r.distance },
        { what: `validator ${j} failed a canary`, contract: flag(ev.failedCanary), reference: flag(r.failedCanary) },
      );
      checks.push(
        { what: `validator ${j} pool`, contract: ev.pool, reference: r.pool },
        { what: `validator ${j} own`, contract: ev.own, reference: r.own },
        { what: `validator ${j} delegators`, contract: ev.pool - ev.own, reference: r.delegators },
      );
      this.delegatorBookings.push({
        pool: v,
        epoch,
        amount: ev.pool - ev.own,
        delegated: this.pool(v).delegated(epoch),
      });
    });
    return { ...base, checks, exact, cases, dustExact: dust === ref.dust };
  }

  /**
   * After the last scoring epoch: the registry's carry is 0, its remainder is the dust of every
   * epoch plus the last rollover (the chain's own, exactly; the reference's, to 1e-9 of the
   * deposit), what it paid out is what the engine booked, and paid + remainder is the deposit.
   */
  async registryChecks(): Promise<{ exact: AmountCheck[]; checks: AmountCheck[] }> {
    const t = await this.d.read<{ carry: bigint; remainder: bigint; paid: bigint }>({
      address: this.c.taskRegistry,
      abi: abis.taskRegistryAbi,
      functionName: 'getTask',
      args: [this.taskId],
    });
    return {
      exact: [
        { what: 'final carry', contract: t.carry, reference: 0n },
        { what: 'final remainder = chain dust + last rollover', contract: t.remainder, reference: this.chainRemainder },
        { what: 'paid = booked', contract: t.paid, reference: this.chainBooked },
        { what: 'paid + remainder = deposit', contract: t.paid + t.remainder, reference: this.deposit },
      ],
      checks: [{ what: 'final remainder', contract: t.remainder, reference: this.refRemainder, scale: this.deposit }],
    };
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
