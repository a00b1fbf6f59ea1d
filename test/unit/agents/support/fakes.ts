// FAKES of the agents' ports, for runner tests in Node without a chain, a blob store or tfjs.
// They stand in only for the outside world; the machines, runner, IndexedDB stores, key store and
// artifact checks under test are the real ones. The real ports are exercised against anvil and the
// real ML engine in test/integration/agents.test.ts.
//
// FakeWorld mirrors what SubmissionBook / StakeManager check (windows, eligibility, commitments,
// duplicates, score words) closely enough that an agent bug shows up as a refused call.
import { keccak256, toHex, zeroHash, type Address, type Hex } from 'viem';
import { packScores, scoresCommitment, sealCommitment } from '../../../../src/lib/chain/commitments.ts';
import { seededTranscript } from '../../../../src/lib/chain/transcript-commit.ts';
import { effectiveEpoch, windowAt, type Schedule, type Window } from '../../../../src/lib/chain/schedule.ts';
import { fileCid } from '../../../../src/lib/storage/unixfs/dag.ts';
import { cidOfRef, type ContentRef } from '../../../../src/lib/storage/unixfs/ref.ts';
import { artifactHash } from '../../../../src/lib/ml/artifact/hash.ts';
import { serializeArtifact } from '../../../../src/lib/ml/artifact/serialize.ts';
import { specHashBytes } from '../../../../src/lib/ml/eval/evaluate.ts';
import { parseModelSpecBytes } from '../../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../../src/lib/ml/spec/shapes.ts';
import type { ModelSpec } from '../../../../src/lib/ml/spec/types.ts';
import { ownerBits, watermarkKernelIndex } from '../../../../src/lib/ml/watermark/index.ts';
import { type ChainRole } from '../../../../src/lib/agents/common.ts';
import {
  PortError,
  type ChainPort,
  type EpochOutcomeView,
  type EvalScore,
  type MlPort,
  type SampleEval,
  type StorePort,
  type TaskInfo,
  type TrainRequest,
  type TrainResult,
} from '../../../../src/lib/agents/ports.ts';
import type { ColumnView, FinalEvalStatus } from '../../../../src/lib/agents/validator/machine.ts';

const refuse = (code: string, message: string) => new PortError('chain', code, message, false);

interface Submission extends ColumnView {
  epoch: number;
  sealSeq: number;
}

/** FAKE chain: one task, many accounts, a clock the test moves. */
export class FakeWorld {
  now: bigint;
  readonly pools = new Map<string, { role: ChainRole; keyCommit: Hex | null; eligibleFrom: number | null }>();
  readonly seals = new Map<string, { commitment: Hex; revealed: boolean; seq: number }>();
  readonly submissions: Submission[] = [];
  readonly commits = new Map<string, { commitment: Hex; revealed: boolean; words: bigint[] | null }>();
  finalEval: { status: FinalEvalStatus; hash: Hex | null } = { status: 'Pending', hash: null };
  /** Evaluation seeds by epoch, as SubmissionBook.evalSeedOf (a test may set one: another validator drew it). */
  readonly seeds = new Map<number, Hex>();
  /** What epochOutcome answers, by epoch (default: not finalized). */
  readonly outcomes = new Map<number, EpochOutcomeView>();
  /** Every write, in order: what the tests assert on. */
  readonly log: { account: Address; call: string; epoch: number }[] = [];
  private seq = 0;
  /** `account:call` entries: that write lands on chain, then the tab dies (onCrash, then a throw). */
  crashAfterSend = new Set<string>();
  onCrash: (() => void) | null = null;

  constructor(
    readonly task: TaskInfo,
    readonly taskId = 7n,
    start: bigint = task.schedule.startTime - 50n,
  ) {
    this.now = start;
  }

  get schedule(): Schedule {
    return this.task.schedule;
  }

  private key = (epoch: number, a: Address) => `${epoch}:${a.toLowerCase()}`;

  private inWindow(expected: Window): number {
    const { window, epoch } = windowAt(this.schedule, this.now);
    if (window !== expected) throw refuse('reverted', `WrongWindow(${expected}, ${window})`);
    return epoch;
  }

  private eligible(a: Address, role: ChainRole, epoch: number): void {
    const p = this.pools.get(a.toLowerCase());
    if (!p || p.role !== role || p.eligibleFrom === null || p.eligibleFrom > epoch)
      throw refuse('reverted', 'NotEligible()');
  }

  /** Columns of an epoch as SubmissionBook.columns lists them. */
  columnsOf(epoch: number): ColumnView[] {
    if (epoch < this.schedule.submissionEpochs) {
      return this.submissions
        .filter((s) => s.epoch === epoch)
        .map(({ submissionId, trainer, artifactHash, artifactRoot, wmCommit, duplicate }) => ({
          submissionId,
          trainer,
          artifactHash,
          artifactRoot,
          wmCommit,
          duplicate,
        }));
    }
    const latest = new Map<string, Submission>();
    for (const s of this.submissions) latest.set(s.trainer.toLowerCase(), s);
    return [...latest.values()].map(({ submissionId, trainer, artifactHash, artifactRoot, wmCommit, duplicate }) => ({
      submissionId,
      trainer,
      artifactHash,
      artifactRoot,
      wmCommit,
      duplicate,
    }));
  }

  private after(account: Address, call: string, epoch: number): { txHash: Hex } {
    this.log.push({ account, call, epoch });
    const k = `${account.toLowerCase()}:${call}`;
    if (this.crashAfterSend.delete(k)) {
      this.onCrash?.();
      throw new Error(`FAKE: the tab died after sending ${call}`);
    }
    return { txHash: `0x${this.log.length.toString(16).padStart(64, '0')}` };
  }

  portFor(account: Address): ChainPort {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the port's own methods rebind `this`
    const w = this;
    return {
      account,
      taskId: w.taskId,
      now: async () => w.now,
      task: async () => w.task,
      async pool() {
        const p = w.pools.get(account.toLowerCase());
        return p
          ? { role: p.role, keyCommit: p.keyCommit, eligibleFrom: p.eligibleFrom, excluded: false }
          : { role: 'None', keyCommit: null, eligibleFrom: null, excluded: false };
      },
      seal: async (epoch) => {
        const s = w.seals.get(w.key(epoch, account));
        return s ? { commitment: s.commitment, revealed: s.revealed } : { commitment: zeroHash, revealed: false };
      },
      scoreCommit: async (epoch) => {
        const c = w.commits.get(w.key(epoch, account));
        return c ? { commitment: c.commitment, revealed: c.revealed } : { commitment: zeroHash, revealed: false };
      },
      columns: async (epoch) => w.columnsOf(epoch),
      finalEval: async () => w.finalEval,
      evalSeed: async (epoch) => w.seeds.get(epoch) ?? null,
      epochOutcome: async (epoch) =>
        w.outcomes.get(epoch) ?? { finalized: false, degenerate: false, validators: 0, own: null, best: null },
      async drawEvalSeed(epoch) {
        const now = w.inWindow('ScoreCommit');
        if (now !== epoch) throw refuse('wrong-epoch', `FAKE: drawing for epoch ${epoch} in epoch ${now}`);
        const drawn = w.seeds.get(epoch);
        // The action reads the seed first and sends nothing when it is drawn.
        if (drawn) return { txHash: null, seed: drawn, drew: false };
        const seed = keccak256(toHex(`FAKE seed ${w.taskId}/${epoch}`));
        w.seeds.set(epoch, seed);
        return { ...w.after(account, 'drawEvalSeed', epoch), seed, drew: true };
      },
      async join(role, _amount, _sigma, keyCommit) {
        if (w.pools.has(account.toLowerCase())) throw refuse('reverted', 'AlreadyJoined()');
        if ((role === 'Trainer') !== (keyCommit !== zeroHash)) throw refuse('reverted', 'InvalidKeyCommit()');
        w.pools.set(account.toLowerCase(), {
          role,
          keyCommit: role === 'Trainer' ? keyCommit : null,
          eligibleFrom: effectiveEpoch(w.schedule, w.now),
        });
        return w.after(account, 'join', -1);
      },
      async sealSubmission(p) {
        const epoch = w.inWindow('Seal');
        w.eligible(account, 'Trainer', epoch);
        if (p.epoch !== epoch) throw refuse('reverted', `FAKE: sealing for epoch ${p.epoch} in epoch ${epoch}`);
        const commitment = sealCommitment(
          w.taskId,
          BigInt(epoch),
          account,
          p.artifactHash,
          p.wmCommit,
          p.transcript,
          p.salt,
        );
        if (commitment !== p.commitment) throw refuse('commitment-mismatch', 'FAKE: commitment mismatch');
        w.seals.set(w.key(epoch, account), { commitment, revealed: false, seq: ++w.seq });
        return w.after(account, 'seal', epoch);
      },
      async revealSubmission(p) {
        const epoch = w.inWindow('Reveal');
        const seal = w.seals.get(w.key(epoch, account));
        if (!seal) throw refuse('reverted', 'NoSeal()');
        if (seal.revealed) throw refuse('reverted', 'AlreadyRevealed()');
        if (
          sealCommitment(w.taskId, BigInt(epoch), account, p.artifactHash, p.wmCommit, p.transcript, p.salt) !==
          seal.commitment
        )
          throw refuse('reverted', 'CommitmentMismatch()');
        if (/^0x0{64}$/.test(p.artifactRoot)) throw refuse('reverted', 'EmptyArtifactRoot()');
        seal.revealed = true;
        const earlier = w.submissions.find(
          (s) => s.artifactHash === p.artifactHash && s.trainer.toLowerCase() !== account.toLowerCase(),
        );
        w.submissions.push({
          submissionId: w.submissions.length,
          trainer: account,
          artifactHash: p.artifactHash,
          artifactRoot: p.artifactRoot,
          wmCommit: p.wmCommit,
          duplicate: earlier !== undefined && earlier.sealSeq < seal.seq,
          epoch,
          sealSeq: seal.seq,
        });
        return w.after(account, 'reveal', epoch);
      },
      async commitScores(p) {
        const epoch = w.inWindow('ScoreCommit');
        w.eligible(account, 'Validator', epoch);
        if (!w.seeds.has(epoch)) throw refuse('reverted', 'EvalSeedNotDrawn()');
        const commitment = scoresCommitment(w.taskId, BigInt(epoch), account, packScores(p.scores), p.salt);
        if (commitment !== p.commitment) throw refuse('commitment-mismatch', 'FAKE: commitment mismatch');
        w.commits.set(w.key(epoch, account), { commitment, revealed: false, words: null });
        return w.after(account, 'commitScores', epoch);
      },
      async revealScores(p) {
        const epoch = w.inWindow('ScoreReveal');
        const c = w.commits.get(w.key(epoch, account));
        if (!c) throw refuse('reverted', 'NoScoreCommit()');
        if (c.revealed) throw refuse('reverted', 'AlreadyRevealed()');
        const words = packScores(p.scores);
        if (scoresCommitment(w.taskId, BigInt(epoch), account, words, p.salt) !== c.commitment)
          throw refuse('reverted', 'CommitmentMismatch()');
        if (p.scores.length !== w.columnsOf(epoch).length) throw refuse('reverted', 'FAKE: wrong column count');
        c.revealed = true;
        c.words = words;
        return w.after(account, 'revealScores', epoch);
      },
    };
  }
}

/**
 * FAKE content-addressed store: a Map by root CID (computed with the real UnixFS settings), the
 * whole file checked against the reference's hash on the way out like the real one.
 */
export class FakeStore implements StorePort {
  readonly blobs = new Map<string, Uint8Array>();
  uploads = 0;
  /** CIDs whose fetch fails with a transient error this many more times. */
  readonly flaky = new Map<string, number>();

  async upload(bytes: Uint8Array): Promise<string> {
    this.uploads += 1;
    const cid = await fileCid(bytes);
    this.blobs.set(cid, bytes.slice());
    return cid;
  }

  async fetchVerified(ref: ContentRef, options: { maxBytes?: number } = {}): Promise<Uint8Array> {
    const cid = cidOfRef(ref).toString();
    const left = this.flaky.get(cid) ?? 0;
    if (left > 0) {
      this.flaky.set(cid, left - 1);
      throw new PortError('store', 'network', `FAKE: gateway unreachable for ${cid}`, true);
    }
    const bytes = this.blobs.get(cid);
    if (!bytes) throw new PortError('store', 'not_found', `FAKE: no gateway has ${cid}`, true);
    if (options.maxBytes !== undefined && bytes.length > options.maxBytes)
      throw new PortError('store', 'too_large', 'FAKE: too large', false);
    if ((await artifactHash(bytes)) !== ref.hash.toLowerCase())
      throw new PortError('store', 'content_mismatch', 'FAKE: wrong bytes', false);
    return bytes.slice();
  }
}

/**
 * Weights whose watermark decodes `owner` under `keyBits` with exactly `wrong` wrong bits: the
 * watermark kernel's column means solve X v = c y (min-norm, so every projection has margin),
 * with `wrong` of the targets flipped. Everything else is zero, which the artifact format allows.
 */
export function craftedWeights(
  spec: ModelSpec,
  keyBits: Uint8Array,
  owner: Address,
  wrong: number,
  tag: number,
): Float32Array[] {
  const wm = spec.watermark!;
  const { params } = specShapes(spec);
  const T = wm.bits;
  const N = wm.length;
  const b = ownerBits(owner, T);
  const y = Array.from(b, (bit, j) => (bit ? 1 : -1) * (j < wrong ? -1 : 1));
  const X = (j: number, k: number) => (keyBits[j * N + k] ? 1 : -1);
  // Solve (X X^T) a = y by Gaussian elimination with partial pivoting, in float64.
  const A = Array.from({ length: T }, (_, i) =>
    Array.from({ length: T + 1 }, (_, j) =>
      j === T ? y[i]! : Array.from({ length: N }, (_, k) => X(i, k) * X(j, k)).reduce((s, v) => s + v, 0),
    ),
  );
  for (let c = 0; c < T; c++) {
    let p = c;
    for (let r = c + 1; r < T; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    [A[c], A[p]] = [A[p]!, A[c]!];
    for (let r = 0; r < T; r++) {
      if (r === c) continue;
      const f = A[r]![c]! / A[c]![c]!;
      for (let j = c; j <= T; j++) A[r]![j]! -= f * A[c]![j]!;
    }
  }
  const a = A.map((row, i) => row[T]! / row[i]!);
  const v = Array.from({ length: N }, (_, k) => a.reduce((s, ai, j) => s + ai * X(j, k), 0));
  const scale = 0.02 / Math.max(...v.map(Math.abs));
  const weights = params.map((p) => new Float32Array(p.shape.reduce((x, d) => x * d, 1)));
  const k = watermarkKernelIndex(spec, params);
  const [rows, cols] = params[k]!.shape as [number, number];
  for (let i = 0; i < rows; i++) for (let c = 0; c < N; c++) weights[k]![i * cols + c] = v[c]! * scale;
  // A per-run tag in the last bias keeps artifacts of different runs distinct.
  weights[params.length - 1]![0] = tag / 1000;
  return weights;
}

/** FAKE ML: "trains" instantly (or when released) into crafted weights; scores from a table. */
export class FakeMl implements MlPort {
  runs: TrainRequest[] = [];
  /** Wrong watermark bits of each successive run (default 0). */
  wrongBits: number[] = [];
  /** Scores by artifact hash (default 0.5). */
  readonly scores = new Map<string, number>();
  evaluations: string[] = [];
  /** When set, train() waits for release() (or stop()). */
  holdRuns = false;
  private release: ((status: 'completed' | 'cancelled', reason?: string) => void) | null = null;
  private spec: Promise<{ spec: ModelSpec; hash: string }>;

  constructor(private readonly bytes: Uint8Array) {
    this.spec = parseModelSpecBytes(bytes);
  }

  specBytes = async () => this.bytes;

  async train(req: TrainRequest): Promise<TrainResult> {
    this.runs.push(req);
    const n = this.runs.length;
    let status: 'completed' | 'cancelled' = 'completed';
    let reason: string | undefined;
    if (this.holdRuns) {
      [status, reason] = await new Promise<['completed' | 'cancelled', string | undefined]>(
        (resolve) => (this.release = (s, r) => resolve([s, r])),
      );
    }
    const { spec, hash } = await this.spec;
    const weights = craftedWeights(spec, req.watermark.keyBits, req.watermark.owner, this.wrongBits[n - 1] ?? 0, n);
    const artifact = serializeArtifact(specHashBytes(hash), specShapes(spec).params, weights);
    return {
      status,
      ...(reason !== undefined ? { reason } : {}),
      step: 100 * n,
      epoch: n,
      plannedEpochs: req.epochs ?? spec.optimizer.epochs,
      backend: 'cpu',
      artifact,
      artifactHash: await artifactHash(artifact),
      // What the transcript engine will hand back: a commitment bound to the run (seeded, 8 segments).
      transcript: seededTranscript(keccak256(toHex(`fake transcript ${n}`)), 8),
    };
  }

  get running(): boolean {
    return this.release !== null;
  }

  finish(): void {
    const r = this.release;
    this.release = null;
    r?.('completed');
  }

  pause = () => undefined;
  resume = () => undefined;
  stop = (reason: string) => {
    const r = this.release;
    this.release = null;
    r?.('cancelled', reason);
  };

  async evaluate(req: { artifactHash: Hex }): Promise<EvalScore> {
    this.evaluations.push(req.artifactHash);
    return { score: this.scores.get(req.artifactHash) ?? 0.5, loss: 1, accuracy: 0.5, samples: 250 };
  }

  /** Per-sample results whose whole-set accuracy is about the table's score, spread unevenly over the set. */
  static vectors(score: number, samples = FakeMl.SAMPLES): { correct: Uint8Array; losses: Float32Array } {
    const correct = Uint8Array.from({ length: samples }, (_, i) => ((i * 7919) % 1000 < score * 1000 ? 1 : 0));
    return { correct, losses: Float32Array.from(correct, (c) => (c ? 0.1 : 2.5)) };
  }

  static readonly SAMPLES = 250;

  async evaluateSamples(req: { artifactHash: Hex }): Promise<SampleEval> {
    this.evaluations.push(req.artifactHash);
    const { correct, losses } = FakeMl.vectors(this.scores.get(req.artifactHash) ?? 0.5);
    const score = correct.reduce((a, c) => a + c, 0) / correct.length;
    return { samples: correct.length, correct, losses, score, backend: 'wasm', floatPrecision: 32 };
  }
}
