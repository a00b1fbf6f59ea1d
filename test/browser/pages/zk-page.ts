// Test page: proves WatermarkOwnership through the app's prover client (a real module worker
// running snarkjs) and exposes a small API on window for the Playwright side. Results cross to
// Node as JSON-friendly values (bigints as decimal strings).
import vectorsJson from '../../vectors/watermark.json';
import { serializeArtifact } from '../../../src/lib/ml/artifact/serialize.ts';
import { specHashBytes } from '../../../src/lib/ml/eval/evaluate.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import { createProver, type OwnershipProof, type ProveJob, type ProveProgress } from '../../../src/lib/zk/client.ts';
import { proveWorker } from '../../../src/app/workers.ts';
import type { OwnershipClaim } from '../../../src/lib/zk/inputs.ts';

interface VectorJson {
  name: string;
  params: { T: number; N: number; maxErr: number };
  owner: string;
  key: { bits: string; salt: string };
  q: number[];
}

const vectors = (vectorsJson as unknown as { vectors: VectorJson[] }).vectors;
const MANIFEST = '/zk/manifest.json';

function claimOf(name: string, owner?: string): OwnershipClaim {
  const v = vectors.find((x) => x.name === name)!;
  return {
    q: Int32Array.from(v.q),
    key: { T: v.params.T, N: v.params.N, bits: Uint8Array.from(v.key.bits, Number), salt: BigInt(v.key.salt) },
    owner: owner ?? v.owner,
    maxErr: v.params.maxErr,
  };
}

/** digits-mlp artifact whose hidden kernel rows are all q / 2^16: it quantizes back to the vector's q. */
async function artifactJob(name: string): Promise<ProveJob> {
  const specBytes = new Uint8Array(await (await fetch('/specs/digits-mlp.json')).arrayBuffer());
  const { spec, hash } = await parseModelSpecBytes(specBytes);
  const params = specShapes(spec).params;
  const claim = claimOf(name);
  const weights = params.map((p) => new Float32Array(p.shape.reduce((a, b) => a * b, 1)).fill(0.01));
  const k = params.findIndex((p) => p.layer === 1 && p.name === 'kernel');
  weights[k] = Float32Array.from({ length: 64 * 128 }, (_, i) => claim.q[i % 128]! / 65536);
  const artifact = serializeArtifact(specHashBytes(hash), params, weights);
  return {
    manifestUrl: MANIFEST,
    artifactClaim: { spec, specHash: hash, artifact, key: claim.key, owner: claim.owner },
  };
}

const plain = (p: OwnershipProof) => ({
  proof: p.proof,
  publicSignals: Object.fromEntries(Object.entries(p.publicSignals).map(([k, v]) => [k, v.toString()])),
  calldata: JSON.parse(JSON.stringify(p.calldata, (_, v) => (typeof v === 'bigint' ? v.toString() : v))) as unknown,
  wrong: p.wrong,
  timings: p.timings,
});

const prover = createProver(proveWorker);

const api = {
  async prove(kind: 'claim' | 'artifact') {
    const progress: ProveProgress[] = [];
    const job =
      kind === 'claim'
        ? { manifestUrl: MANIFEST, claim: claimOf('production-64x128-five-wrong') }
        : await artifactJob('production-64x128-five-wrong');
    const t0 = performance.now();
    const p = await prover.prove(job, { onProgress: (e) => progress.push(e) });
    return {
      ...plain(p),
      wallMs: performance.now() - t0,
      progress,
      hardwareConcurrency: navigator.hardwareConcurrency,
    };
  },
  /** A claim with the wrong owner: refused before proving. */
  async undecodable() {
    const t0 = performance.now();
    try {
      await prover.prove({
        manifestUrl: MANIFEST,
        claim: claimOf('production-64x128-five-wrong', '0xab8483f64d9c6d1ecf9b849ae677dd3315835cb2'),
      });
      return { error: null };
    } catch (e) {
      const err = e as Error & { code?: string; wrong?: number };
      return {
        error: { name: err.name, code: err.code, wrong: err.wrong, message: err.message },
        ms: performance.now() - t0,
      };
    }
  },
  /** Cancels once the worker reports the proving stage; then proves again on the same handle. */
  async cancelThenProve() {
    const stages: string[] = [];
    let outcome: { name: string; code?: string } | null = null;
    try {
      await prover.prove(
        { manifestUrl: MANIFEST, claim: claimOf('production-64x128-five-wrong') },
        {
          onProgress: (e) => {
            stages.push(e.stage);
            if (e.stage === 'proving') prover.cancel('cancelled by the test');
          },
        },
      );
    } catch (e) {
      outcome = { name: (e as Error).name, code: (e as { code?: string }).code };
    }
    const stagesAtCancel = [...new Set(stages)];
    const again = await prover.prove({ manifestUrl: MANIFEST, claim: claimOf('production-64x128-five-wrong') });
    return { outcome, stagesAtCancel, againKeyCommit: again.publicSignals.keyCommit.toString() };
  },
};

(window as unknown as { zk: typeof api }).zk = api;
document.getElementById('log')!.textContent = 'ready';
