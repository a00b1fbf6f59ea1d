// The zk prover's public surface (docs/zk.md section 5). The app proves through createProver
// (a worker); Node scripts and tests use createProveService or proveOwnership directly.
export { PRODUCTION_SHAPE, PUBLIC_SIGNALS, MAX_ERR_BITS, publicSignalTuple, namedPublicSignals } from './circuit.ts';
export type { CircuitShape, PublicSignals, PublicSignalName, PublicSignalTuple } from './circuit.ts';
export { prepareOwnershipProof, publicSignalsFor, encodeCircuitInput, checkOwner, checkMaxErr } from './inputs.ts';
export type { OwnershipClaim, CircuitInput, PreparedProof } from './inputs.ts';
export { claimFromArtifact, quantizedVector, type ArtifactClaim } from './from-artifact.ts';
export {
  toSolidityProof,
  verifierArgs,
  proofWords,
  BASE_FIELD_Q,
  type Groth16Proof,
  type SolidityProof,
} from './calldata.ts';
export {
  parseZkManifest,
  circuitEntry,
  ZK_MANIFEST_FORMAT,
  type ZkManifest,
  type CircuitEntry,
  type ArtifactFile,
} from './manifest.ts';
export {
  loadArtifacts,
  loadCircuit,
  fetchZkManifest,
  shapeOf,
  type LoadedCircuit,
  type LoadProgress,
} from './artifacts.ts';
export { proveOwnership, verifyOwnershipProof, computeWitness, releaseProverThreads } from './prove.ts';
export type { ProverArtifacts, ProveStage, ProveProgress, OwnershipProof, ProofTimings } from './prove.ts';
export {
  createProveService,
  OWNERSHIP_CIRCUIT,
  type ProveJob,
  type ProveEvents,
  type ProveService,
} from './service.ts';
export * from './errors.ts';
