// The canary producer: the pure machine (machine.ts) driven by the agents' runner over its ports
// (ports.ts). Observes the chain, steps, stores the state, then executes the actions: the state
// that decided an action is stored before the action runs (AgentRunner). Training runs in the
// background, one model at a time; its artifact is stored before the machine hears of it.
import { encodeAbiParameters, keccak256, type Address, type Hex } from 'viem';
import { epochAt, scoringEpochs, type Schedule } from '../../chain/schedule.ts';
import { AgentError, type Note } from '../common.ts';
import { failureOf } from '../role-agent.ts';
import type { ChainPort } from '../ports.ts';
import { AgentRunner, type ExecuteContext, type RunnerEvent } from '../runner.ts';
import { uploadSealedArtifact } from '../upload-sealed.ts';
import { poolWatermarkKey, watermarkKeyCommit, type CanaryScope } from './derive.ts';
import {
  DEFAULT_CANARY_CONFIG,
  canaryReads,
  canaryRecord,
  canaryStep,
  canarySummary,
  initialCanaryState,
  subKey,
  type CanaryAction,
  type CanaryConfig,
  type CanaryIdentity,
  type CanaryObservation,
  type CanaryOutcome,
  type CanaryState,
  type MemberView,
} from './machine.ts';
import { planCanaries, type CanaryPlan } from './plan.ts';
import type { CanaryPorts, CanaryTaskInfo } from './ports.ts';
import type { WatermarkKey } from '../../ml/watermark/index.ts';
import { WAD } from '../../protocol/wad.ts';

export interface CanaryProducerOptions extends CanaryPorts {
  /** Chain id and TaskRegistry address: the derivations are bound to them. */
  chainId: number;
  registry: Address;
  /** The creator secret (32 bytes): every key, salt and draw derives from it. Never stored. */
  secret: Hex;
  /** Canaries per scoring epoch. */
  perEpoch: number;
  /** Training steps of a model, drawn log-uniformly. */
  steps: { min: number; max: number };
  config?: Partial<CanaryConfig>;
  /** Milliseconds between ticks once started. Default 2000. */
  pollMs?: number;
}

/**
 * Identifies a plan without revealing the secret: a state saved for another plan (pool, canaries
 * per epoch, steps, secret) or another instance of the task (a reset local chain reuses task ids
 * and addresses; the start time tells them apart) is not reused.
 */
export function planId(plan: CanaryPlan, startTime: bigint): string {
  const p = plan.input;
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'address[]' },
        { type: 'uint256' },
        { type: 'uint256' },
        { type: 'uint256' },
        { type: 'bytes32' },
        { type: 'uint256' },
      ],
      [[...p.pool], BigInt(p.perEpoch), BigInt(p.steps.min), BigInt(p.steps.max), plan.keyHash(0), startTime],
    ),
  );
}

export class CanaryProducer {
  private readonly runner: AgentRunner<CanaryState, CanaryObservation, CanaryAction, CanaryOutcome>;
  private readonly listeners = new Set<(e: RunnerEvent<CanaryState>) => void>();
  private readonly config: CanaryConfig;

  private constructor(
    private readonly ports: CanaryPorts,
    readonly task: CanaryTaskInfo,
    readonly identity: CanaryIdentity,
    private readonly keys: ReadonlyMap<Address, WatermarkKey>,
    initial: CanaryState,
    config: CanaryConfig,
    pollMs: number,
  ) {
    this.config = config;
    this.runner = new AgentRunner(
      {
        step: (s, o) => canaryStep(s, o, this.identity, this.config),
        record: (s, r) => canaryRecord(s, r),
        observe: (s) => this.observe(s),
        timeOf: (o) => o.now,
        execute: (a, ctx) => this.execute(a, ctx),
        failure: (a, error, at) => ({
          ...failureOf(a.type, 'epoch' in a ? a.epoch : null, error, at),
          account: 'account' in a ? a.account : null,
        }),
      },
      { save: (s) => ports.persist.save(s) },
      initial,
      { pollMs },
    );
    this.runner.subscribe((e) => {
      for (const l of this.listeners) {
        try {
          l(e);
        } catch {
          // A broken listener must not stop the producer.
        }
      }
    });
  }

  /**
   * Reads the task, checks that the creator port's account created it and that every pool account
   * has a port, builds the plan and loads the stored state (a state of another plan, task or
   * creator starts over: the chain still shows what was done).
   */
  static async open(o: CanaryProducerOptions): Promise<CanaryProducer> {
    const task = await o.creator.task();
    if (task.creator.toLowerCase() !== o.creator.creator.toLowerCase()) {
      throw new AgentError(
        'wrong-scope',
        `task ${o.creator.taskId} was created by ${task.creator}, not by ${o.creator.creator}: only a task's creator can commit and reveal its canaries`,
      );
    }
    const pool = [...o.members.keys()];
    const scope: CanaryScope = { chainId: o.chainId, registry: o.registry, taskId: o.creator.taskId };
    const plan = planCanaries({
      scope,
      secret: o.secret,
      pool,
      submissionEpochs: task.schedule.submissionEpochs,
      finalEpochs: task.schedule.finalEpochs,
      perEpoch: o.perEpoch,
      steps: o.steps,
    });
    const { bits, length } = o.models.watermark;
    const keys = new Map(pool.map((a) => [a, poolWatermarkKey(o.secret, scope, a, bits, length)] as const));
    const keyCommits = Object.fromEntries([...keys].map(([a, k]) => [a, watermarkKeyCommit(k)]));
    const id = planId(plan, task.schedule.startTime);
    const stored = await o.persist.load();
    const fresh = initialCanaryState({ ...scope, creator: o.creator.creator }, id);
    const sameScope = (s: CanaryState) =>
      s.planId === id &&
      s.scope.chainId === scope.chainId &&
      s.scope.registry.toLowerCase() === scope.registry.toLowerCase() &&
      s.scope.taskId === scope.taskId;
    let initial = stored && stored.kind === 'canary-producer' && sameScope(stored) ? stored : fresh;
    // A run recorded as training, or a send as under way, belonged to a process that is gone.
    initial = {
      ...initial,
      subs: initial.subs.map((r) => ({ ...r, inFlight: false, training: { ...r.training, running: false } })),
    };
    return new CanaryProducer(
      o,
      task,
      { plan, keyCommits },
      keys,
      initial,
      { ...DEFAULT_CANARY_CONFIG, ...o.config },
      o.pollMs ?? 2000,
    );
  }

  get state(): CanaryState {
    return this.runner.current;
  }

  get schedule(): Schedule {
    return this.task.schedule;
  }

  subscribe(listener: (e: RunnerEvent<CanaryState>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Notes as they are added (a convenience over subscribe). */
  onNote(listener: (note: Note) => void): () => void {
    return this.subscribe((e) => {
      if (e.type === 'note') listener(e.note);
    });
  }

  tick(): Promise<void> {
    return this.runner.tick();
  }

  settled(): Promise<void> {
    return this.runner.settled();
  }

  start(): void {
    this.runner.start();
  }

  stop(): void {
    this.runner.stop();
  }

  /** True once every scoring epoch has ended, or the task was rejected in review. */
  async finished(): Promise<boolean> {
    const [now, task] = await Promise.all([this.ports.creator.now(), this.ports.creator.task()]);
    if (task.schedule.rejected) return true;
    const { started, epoch } = epochAt(task.schedule, now);
    return started && epoch >= scoringEpochs(task.schedule);
  }

  summary(): string[] {
    return canarySummary(this.state, this.identity, this.task.schedule);
  }

  private member(account: Address): ChainPort {
    const port = this.ports.members.get(account);
    if (!port) throw new AgentError('bad-state', `no port for pool account ${account}`);
    return port;
  }

  private async observe(s: CanaryState): Promise<CanaryObservation> {
    const { creator } = this.ports;
    // The schedule changes only by a rejection in review; re-read so the machine sees it.
    const [now, task] = await Promise.all([creator.now(), creator.task()]);
    const sch = task.schedule;
    const reads = canaryReads(s, this.identity.plan, sch, now, this.config);
    const [commits, reveals, members, seals] = await Promise.all([
      Promise.all(reads.commits.map(async (e) => [e, await creator.canaryCommit(e)] as const)),
      Promise.all(reads.reveals.map(async (e) => [e, await creator.canaryReveal(e)] as const)),
      Promise.all(
        [...this.ports.members.entries()].map(async ([a, port]) => {
          const p = await port.pool();
          const view: MemberView = {
            role: p.role,
            keyCommit: p.keyCommit,
            eligibleFrom: p.eligibleFrom,
            excluded: p.excluded,
          };
          return [a, view] as const;
        }),
      ),
      Promise.all(
        reads.seals.map(
          async ({ epoch, account }) => [subKey(epoch, account), await this.member(account).seal(epoch)] as const,
        ),
      ),
    ]);
    return {
      now,
      schedule: sch,
      minStake: this.task.minStake,
      chain: {
        commits: Object.fromEntries(commits),
        reveals: Object.fromEntries(reveals),
        members: Object.fromEntries(members),
        seals: Object.fromEntries(seals),
      },
    };
  }

  private async execute(
    a: Exclude<CanaryAction, { type: 'explain' }>,
    ctx: ExecuteContext<CanaryOutcome>,
  ): Promise<CanaryOutcome | null> {
    const { creator, persist, store, models } = this.ports;
    switch (a.type) {
      case 'commit': {
        const tx = await creator.commitCanaries(a.epoch, a.keyHash);
        return { type: 'sent', action: 'commit', epoch: a.epoch, account: null, txHash: tx.txHash, at: ctx.at };
      }
      case 'join': {
        // No delegators are expected: the pool account keeps its whole pool reward (sigma 1).
        const tx = await this.member(a.account).join('Trainer', a.amount, WAD, a.keyCommit);
        return { type: 'sent', action: 'join', epoch: null, account: a.account, txHash: tx.txHash, at: ctx.at };
      }
      case 'train': {
        const key = this.keys.get(a.account)!;
        ctx.background(
          async () => {
            const { artifact, model } = await models.train({ seed: a.seed, steps: a.steps, owner: a.account, key });
            // Stored before the machine hears of it: a model it may seal is one it can reveal.
            await persist.putArtifact(model.artifactHash, artifact);
            return { type: 'trained', epoch: a.epoch, account: a.account, model, at: this.runner.lastObservedAt };
          },
          (error) => ({ ...failureOf('train', a.epoch, error, this.runner.lastObservedAt), account: a.account }),
        );
        return null;
      }
      // The pool's seals, uploads and reveals run concurrently (each account has its own nonce):
      // a short window fits them all. The machine sends nothing more for one until its outcome.
      case 'seal':
        return this.concurrently(a, ctx, async () => {
          const tx = await this.member(a.account).sealSubmission({
            epoch: a.epoch,
            commitment: a.commitment,
            artifactHash: a.artifactHash,
            wmCommit: a.wmCommit,
            transcript: a.transcript,
            salt: a.salt,
          });
          return { type: 'sent', action: 'seal', epoch: a.epoch, account: a.account, txHash: tx.txHash, at: ctx.at };
        });
      case 'upload':
        return this.concurrently(a, ctx, async () => {
          const bytes = await persist.getArtifact(a.artifactHash);
          const { cid, artifactRoot } = await uploadSealedArtifact(
            store,
            a.artifactHash,
            bytes,
            `the sealed artifact ${a.artifactHash} of pool account ${a.account} is no longer stored, so it cannot be revealed`,
          );
          return {
            type: 'uploaded',
            epoch: a.epoch,
            account: a.account,
            artifactHash: a.artifactHash,
            cid,
            artifactRoot,
            at: ctx.at,
          };
        });
      case 'reveal':
        return this.concurrently(a, ctx, async () => {
          const tx = await this.member(a.account).revealSubmission({
            epoch: a.epoch,
            artifactHash: a.artifactHash,
            artifactRoot: a.artifactRoot,
            wmCommit: a.wmCommit,
            transcript: a.transcript,
            salt: a.salt,
          });
          return { type: 'sent', action: 'reveal', epoch: a.epoch, account: a.account, txHash: tx.txHash, at: ctx.at };
        });
      case 'revealCanaries': {
        const r = await creator.revealCanaries(a.epoch, a.key);
        return { type: 'canariesRevealed', epoch: a.epoch, mask: r.mask, txHash: r.txHash, at: ctx.at };
      }
    }
  }

  private concurrently(
    a: { type: string; epoch: number; account: Address },
    ctx: ExecuteContext<CanaryOutcome>,
    work: () => Promise<CanaryOutcome>,
  ): null {
    ctx.background(work, (error) => ({ ...failureOf(a.type, a.epoch, error, ctx.at), account: a.account }));
    return null;
  }
}
