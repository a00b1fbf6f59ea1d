// The prover as a service (what workers/prove.worker.ts exposes; Node scripts call it directly):
// manifest -> claim checks -> artifacts (cached) -> witness -> proof -> local verification.
// The checks come before the download, so a key that cannot prove a model fails in milliseconds.
import { loadArtifacts, fetchZkManifest, shapeOf, type Fetch } from './artifacts.ts';
import { claimFromArtifact, type ArtifactClaim } from './from-artifact.ts';
import { prepareOwnershipProof, type OwnershipClaim } from './inputs.ts';
import { circuitEntry } from './manifest.ts';
import { proveOwnership, type OwnershipProof, type ProveProgress, type ProverArtifacts } from './prove.ts';
import { ZkInputError } from './errors.ts';

/** The production circuit's name in the manifest. */
export const OWNERSHIP_CIRCUIT = 'watermark_ownership';

export interface ProveJob {
  /** Absolute URL of the zk manifest (public/zk/manifest.json in the app). */
  manifestUrl: string;
  /** Circuit name in the manifest; default OWNERSHIP_CIRCUIT. */
  circuit?: string;
  /** Either the claim itself (q known) ... */
  claim?: OwnershipClaim;
  /** ... or a sealed artifact to read q from. */
  artifactClaim?: ArtifactClaim;
}

export interface ProveEvents {
  onProgress?: (p: ProveProgress) => void;
}

export interface ProveService {
  prove(job: ProveJob, events?: ProveEvents): Promise<OwnershipProof>;
}

export function createProveService(options: { fetch?: Fetch } = {}): ProveService {
  const cache = new Map<string, Promise<ProverArtifacts>>();
  return {
    async prove(job, events = {}) {
      const started = performance.now();
      const report = (p: Omit<ProveProgress, 'elapsedMs'>) =>
        events.onProgress?.({ ...p, elapsedMs: performance.now() - started });
      report({ stage: 'loading' });
      const name = job.circuit ?? OWNERSHIP_CIRCUIT;
      const entry = circuitEntry(await fetchZkManifest(job.manifestUrl, options.fetch), name);
      const shape = shapeOf(entry);
      if ((job.claim === undefined) === (job.artifactClaim === undefined))
        throw new ZkInputError('a proof job needs exactly one of claim and artifactClaim');
      const claim = job.claim ?? claimFromArtifact(shape, job.artifactClaim!);
      const prepared = prepareOwnershipProof(shape, claim);

      const key = `${new URL(job.manifestUrl).href}#${name}@${entry.files.zkey.sha256}`;
      let artifacts = cache.get(key);
      if (!artifacts) {
        artifacts = loadArtifacts(job.manifestUrl, entry, {
          fetch: options.fetch,
          onProgress: (p) => report({ stage: 'loading', ...p }),
        });
        cache.set(key, artifacts);
        // A failed download is retried by the next job, not served from the cache.
        artifacts.catch(() => cache.delete(key));
      }
      return proveOwnership(await artifacts, prepared, {
        onStage: (stage, detail) => report({ stage, ...(detail ? { detail } : {}) }),
      });
    },
  };
}
