// Groth16 proving of WatermarkOwnership with snarkjs, from in-memory artifacts: witness, proof,
// then a local verification against the verification key and the expected public signals, so
// that nothing that would fail on chain is ever sent.
import * as snarkjs from 'snarkjs';
import { namedPublicSignals, PUBLIC_SIGNALS, type PublicSignals } from './circuit.ts';
import { toSolidityProof, type Groth16Proof, type SolidityProof } from './calldata.ts';
import { LocalVerificationError, WitnessError } from './errors.ts';
import type { PreparedProof } from './inputs.ts';

export interface ProverArtifacts {
  /** The circuit's witness calculator (circom wasm). */
  wasm: Uint8Array;
  zkey: Uint8Array;
  /** The verification key JSON (snarkjs format). */
  vkey: unknown;
}

export type ProveStage = 'loading' | 'witness' | 'proving' | 'verifying' | 'done';

export interface ProveProgress {
  stage: ProveStage;
  /** Milliseconds since the job started. */
  elapsedMs: number;
  /** While loading: bytes received so far and expected in all. */
  loadedBytes?: number;
  totalBytes?: number;
  /** While proving: snarkjs's current step ("Reading C Points", "IFFT_A", ...). */
  detail?: string;
}

export interface ProofTimings {
  witnessMs: number;
  proveMs: number;
  verifyMs: number;
}

export interface OwnershipProof {
  proof: Groth16Proof;
  publicSignals: PublicSignals;
  /** verifyProof arguments for viem. */
  calldata: SolidityProof;
  /** Wrong bits of the decoding the proof attests (<= maxErr). */
  wrong: number;
  timings: ProofTimings;
}

export interface ProveOptions {
  onStage?: (stage: ProveStage, detail?: string) => void;
  /** Called between stages; throw from it to stop early (the worker's cancel terminates instead). */
  checkpoint?: () => void;
}

/** The witness (wtns file bytes); throws WitnessError when a constraint fails. */
export async function computeWitness(wasm: Uint8Array, input: unknown): Promise<Uint8Array> {
  const wtns: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
  try {
    await snarkjs.wtns.calculate(input, { type: 'mem', data: wasm }, wtns);
  } catch (e) {
    throw new WitnessError(`the circuit rejects these inputs: ${assertTrace((e as Error).message)}`, { cause: e });
  }
  return wtns.data!;
}

/** circom's "Error in template Num2Bits_297 line: 38" lines as "Num2Bits line 38 < ErrorsAtMost line 66 < ...". */
function assertTrace(message: string): string {
  const frames = [...message.matchAll(/Error in template (\w+?)_\d+ line: (\d+)/g)].map((m) => `${m[1]} line ${m[2]}`);
  // The runtime repeats the trace; keep the first copy.
  const repeat = frames.indexOf(frames[0]!, 1);
  const first = repeat > 0 ? frames.slice(0, repeat) : frames;
  return first.length > 0 ? `a constraint failed in ${first.join(' < ')}` : message.split('\n')[0]!;
}

export async function proveOwnership(
  artifacts: ProverArtifacts,
  prepared: PreparedProof,
  options: ProveOptions = {},
): Promise<OwnershipProof> {
  const { onStage, checkpoint } = options;
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - t;
    t = now;
    return ms;
  };

  onStage?.('witness');
  const wtns = await computeWitness(artifacts.wasm, prepared.input);
  const witnessMs = lap();
  checkpoint?.();

  onStage?.('proving');
  const logger = { debug: (m: string) => onStage?.('proving', m), info: () => {}, warn: () => {}, error: () => {} };
  const { proof, publicSignals } = await snarkjs.groth16.prove(
    { type: 'mem', data: artifacts.zkey },
    { type: 'mem', data: wtns },
    logger,
  );
  const proveMs = lap();
  checkpoint?.();

  onStage?.('verifying');
  const proven = namedPublicSignals(publicSignals);
  for (const name of PUBLIC_SIGNALS) {
    if (proven[name] !== prepared.publicSignals[name]) {
      throw new LocalVerificationError(
        `the proof's ${name} is ${proven[name]}, expected ${prepared.publicSignals[name]}: the circuit artifacts do not match this app`,
      );
    }
  }
  if (!(await snarkjs.groth16.verify(artifacts.vkey, publicSignals, proof))) {
    throw new LocalVerificationError(
      'the proof does not verify against the verification key: the zkey and the verification key do not belong together',
    );
  }
  const verifyMs = lap();
  onStage?.('done');
  return {
    proof,
    publicSignals: proven,
    calldata: toSolidityProof(proof, proven),
    wrong: prepared.decoded.wrong,
    timings: { witnessMs, proveMs, verifyMs },
  };
}

/** Verifies a proof of the given public signals against a verification key (no chain). */
export async function verifyOwnershipProof(
  vkey: unknown,
  publicSignals: PublicSignals,
  proof: Groth16Proof,
): Promise<boolean> {
  return snarkjs.groth16.verify(
    vkey,
    PUBLIC_SIGNALS.map((n) => publicSignals[n].toString()),
    proof,
  );
}

/**
 * snarkjs keeps its curve (and, in Node, its worker threads) in a global; scripts that want
 * to exit cleanly release it here.
 */
export async function releaseProverThreads(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  const curve = g.curve_bn128;
  g.curve_bn128 = null;
  await curve?.terminate();
}
