// Everything a role agent needs in the page, built from the connected account's action context:
// the chain port over the protocol actions, the artifact store from the Vite env, the ML workers
// (created on first use, so the Validate page never starts a training worker), the agents'
// IndexedDB and the task's model spec fetched by its on-chain hash.
import type { Hex } from 'viem';
import {
  actionsChainPort,
  actionsChallengePort,
  agentStoreOn,
  casStorePort,
  keyStoreOn,
  mlPort,
  openAgentDatabase,
} from '../../../lib/agents/index.ts';
import type {
  AgentScope,
  AgentStore,
  ChainPort,
  ChallengePort,
  KeyStore,
  MlPort,
  StorePort,
} from '../../../lib/agents/index.ts';
import type { EvaluatorHandle, TrainerHandle } from '../../../lib/agents/index.ts';
import type { ActionContext } from '../../../lib/chain/actions/index.ts';
import type { ContentFetcher } from '../../../lib/chain/reads/gateway.ts';
import type { Evaluator, GenerateEvents, GenerateJob, GenerateOutcome, Trainer } from '../../../lib/ml/client.ts';
import { casConfigFromEnv } from '../../../lib/storage/cas/index.ts';
import { datasetFolder } from './datasets.ts';
import { evalWorker, proveWorker, trainWorker } from '../../workers.ts';
import type { ProverPort } from '../../../lib/agents/index.ts';
import type { TranscriptStore } from '../../../lib/ml/transcript/store.ts';
import type { Prover } from '../../../lib/zk/client.ts';

export type RoleName = 'trainer' | 'validator';

export interface RolePortsInput {
  ctx: ActionContext;
  taskId: bigint;
  role: RoleName;
  /** Hash-checked content by on-chain sha256 (the app context's fetcher). */
  content: ContentFetcher;
  /** Vite's env (VITE_IPFS_GATEWAYS, VITE_UPLOAD_URL, ...) and base URL. */
  env: Record<string, string | boolean | undefined>;
  base: string;
  /** Steps between training checkpoints (a reload resumes from the last one). */
  checkpointEvery?: number;
}

export interface RolePorts {
  scope: AgentScope;
  chain: ChainPort;
  store: StorePort;
  ml: MlPort;
  /**
   * For a validator on a deployment with a challenge module: the learning stage of challenges
   * (similarity hints, automatic challenge, transcript checks, verdicts); ValidatorAgent.open takes it.
   */
  challenges?: ChallengePort;
  persist: AgentStore;
  keys: KeyStore;
  specBytes: Uint8Array;
  /** For a trainer: the samples in the task's training set (its manifest), to plan a run's length; null when unread. */
  trainSamples: number | null;
  /** For a trainer: the task's public eval set when this app serves it (its model is evaluated on it before sealing); else null. */
  evalData: Hex | null;
  /** For a trainer: its transcripts (the training worker's IndexedDB database). */
  transcripts?: TranscriptStore;
  /** For a trainer: ownership proofs in the zk worker (made on the first challenge), so its agent answers by itself. */
  prover?: ProverPort;
  /** The training worker's handle (created on first use), for the backend probe. */
  trainer(): Trainer;
  /** Completes a prompt with a byte model in the eval worker (the "try the model" box). */
  generate(job: GenerateJob, events?: GenerateEvents): Promise<GenerateOutcome>;
  /** Stops the completion in progress before its next byte. */
  cancelGenerate(): Promise<void>;
  /** Ends the workers. The database stays open: it is shared by every agent of the page. */
  close(): void;
}

/** The sample count in a dataset folder's manifest; null when it cannot be read (only a run's plan needs it). */
async function manifestSamples(folder: string): Promise<number | null> {
  try {
    const res = await fetch(`${folder}/manifest.json`);
    if (!res.ok) return null;
    const { parseManifest } = await import('../../../lib/ml/data/manifest.ts');
    return parseManifest(await res.json()).samples;
  } catch {
    return null;
  }
}

/** The zk worker and the task's proving environment, loaded on the first proof only. */
function lazyProver(
  ctx: ActionContext,
  content: ContentFetcher,
  specBytes: Uint8Array,
  modelSpec: Hex,
): { port: ProverPort; close(): void } {
  let prover: Prover | null = null;
  return {
    port: {
      async proveOwnership(p) {
        const [{ createProver, defaultManifestUrl }, { parseModelSpecBytes }, { ownershipProverPort }] =
          await Promise.all([
            import('../../../lib/zk/client.ts'),
            import('../../../lib/ml/spec/parse.ts'),
            import('../../../lib/agents/adapters/prover.ts'),
          ]);
        prover ??= createProver(proveWorker);
        const { spec } = await parseModelSpecBytes(specBytes);
        const env = { prover, manifestUrl: defaultManifestUrl(), content, spec, specHash: modelSpec };
        return ownershipProverPort(ctx, env, ctx.wallet.account.address).proveOwnership(p);
      },
    },
    close: () => {
      prover?.terminate();
      prover = null;
    },
  };
}

let database: Promise<IDBDatabase> | null = null;

/** The agents' database, opened once per page. */
export function agentDatabase(): Promise<IDBDatabase> {
  database ??= openAgentDatabase().catch((e: unknown) => {
    database = null;
    throw e;
  });
  return database;
}

/** A worker handle made on first use. */
function lazy<T extends { terminate(): void }>(make: () => T): { get(): T; close(): void } {
  let value: T | null = null;
  return {
    get: () => (value ??= make()),
    close: () => {
      value?.terminate();
      value = null;
    },
  };
}

export async function openRolePorts(input: RolePortsInput): Promise<RolePorts> {
  const { ctx, taskId, role } = input;
  const chain = actionsChainPort(ctx, taskId);
  const task = await chain.task();
  const needed: Hex = role === 'trainer' ? task.trainData : task.evalData;
  const [specBytes, folder, db, client] = await Promise.all([
    input.content(task.modelSpec),
    datasetFolder(needed, { base: input.base }),
    agentDatabase(),
    import('../../../lib/ml/client.ts'),
  ]);
  const folders = new Map<string, string>([[needed.toLowerCase(), folder]]);
  // A trainer sees its model's accuracy on the public eval set before sealing; a set this app
  // does not serve only costs that preview.
  const evalFolder =
    role === 'trainer' ? await datasetFolder(task.evalData, { base: input.base }).catch(() => null) : null;
  if (evalFolder !== null) folders.set(task.evalData.toLowerCase(), evalFolder);
  // A validator replays disclosed transcripts on the training set (SPEC 8.3) when this app serves it.
  const trainFolder =
    role === 'validator' ? await datasetFolder(task.trainData, { base: input.base }).catch(() => null) : null;
  if (trainFolder !== null) folders.set(task.trainData.toLowerCase(), trainFolder);
  const trainSamples = role === 'trainer' ? await manifestSamples(folder) : null;
  const trainer = lazy<Trainer>(() => client.createTrainer(trainWorker()));
  const evaluator = lazy<Evaluator>(() => client.createEvaluator(evalWorker()));
  const trainerHandle: TrainerHandle = {
    train: (job, events) => trainer.get().train(job, events),
    transcript: (job, events) => trainer.get().transcript(job, events),
    pause: () => trainer.get().pause(),
    resume: () => trainer.get().resume(),
    cancel: (reason) => trainer.get().cancel(reason),
  };
  const evaluatorHandle: EvaluatorHandle = {
    evaluate: (job, events) => evaluator.get().evaluate(job, events),
    replay: (job, events) => evaluator.get().replay(job, events),
  };
  const cas = casConfigFromEnv(input.env);
  // A trainer's transcripts (the database the training worker writes; SPEC 8.2, kept until
  // vesting) and its prover, so its agent trains with transcripts and answers challenges by
  // itself while the page is open (docs/transcript.md section 11). A plain run seals no transcript
  // and loses any challenge (SPEC 8), so there is no switch to turn this off.
  const withTranscripts = role === 'trainer';
  const transcripts = withTranscripts
    ? await (await import('../../../lib/storage/transcripts.ts')).openTranscriptStore()
    : undefined;
  const proving = withTranscripts ? lazyProver(ctx, input.content, specBytes, task.modelSpec) : null;
  const ml = mlPort({
    trainer: trainerHandle,
    evaluator: evaluatorHandle,
    specBytes,
    trainData: task.trainData,
    // A set the app does not bundle (the final phase's hidden set, revealed and uploaded by the
    // creator during the task) is read by hash through the task's IPFS gateways.
    dataUrl: (hash) => folders.get(hash.toLowerCase()) ?? { gateways: cas.gateways },
    train: { checkpointEvery: input.checkpointEvery ?? 20 },
    ...(transcripts ? { transcripts } : {}),
  });
  return {
    scope: {
      chainId: ctx.deployment.chainId,
      registry: ctx.deployment.contracts.taskRegistry,
      taskId,
      account: ctx.wallet.account.address,
      role,
    },
    chain,
    store: casStorePort(cas, { name: `aiarena task ${taskId}` }),
    ml,
    ...(role === 'validator' && ctx.deployment.contracts.challengeModule
      ? { challenges: actionsChallengePort(ctx, taskId) }
      : {}),
    persist: agentStoreOn(db),
    keys: keyStoreOn(db),
    specBytes,
    trainSamples,
    evalData: role === 'trainer' ? (evalFolder !== null ? task.evalData : null) : task.evalData,
    ...(transcripts ? { transcripts } : {}),
    ...(proving ? { prover: proving.port } : {}),
    trainer: () => trainer.get(),
    generate: (job, events) => evaluator.get().generate(job, events),
    cancelGenerate: () => evaluator.get().cancelGenerate(),
    close: () => {
      trainer.close();
      evaluator.close();
      proving?.close();
      transcripts?.close();
    },
  };
}
