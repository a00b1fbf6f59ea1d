// The circuit instances `npm run build:zk` produces (docs/zk.md section 4): the production one
// the app and the contracts use, and small test instances for the circuit tests. Paths are
// relative to the repository root. Each main file instantiates WatermarkOwnership(T, N, WB) with
// exactly these numbers (test/unit/zk/artifacts-fresh.test.ts checks it).
import { createHash } from 'node:crypto';

export interface CircuitInstance {
  /** File stem of the artifacts (wasm, zkey, verification key). */
  name: string;
  /** The main .circom file. */
  source: string;
  T: number;
  N: number;
  WB: number;
  /** Folder the committed artifacts and their manifest.json go to. */
  outDir: string;
  /** Also export the Solidity verifier and the forge proof fixture (production only). */
  verifier?: { contract: string; file: string; fixture: string };
  /** Keep the .r1cs next to the artifacts (the test instances' constraint tests read it). */
  keepR1cs: boolean;
}

export const PRODUCTION: CircuitInstance = {
  name: 'watermark_ownership',
  source: 'circuits/watermark_ownership.circom',
  T: 64,
  N: 128,
  WB: 16,
  outDir: 'public/zk',
  verifier: {
    contract: 'WatermarkOwnershipVerifier',
    file: 'contracts/src/verifiers/WatermarkOwnershipVerifier.sol',
    fixture: 'contracts/test/verifiers/WatermarkProofFixture.sol',
  },
  keepR1cs: false,
};

export const TEST_INSTANCES: CircuitInstance[] = [
  {
    name: 'watermark_ownership_16x32',
    source: 'circuits/test/watermark_ownership_16x32.circom',
    T: 16,
    N: 32,
    WB: 16,
    outDir: 'circuits/artifacts',
    keepR1cs: true,
  },
  {
    name: 'watermark_ownership_5x17x8',
    source: 'circuits/test/watermark_ownership_5x17x8.circom',
    T: 5,
    N: 17,
    WB: 8,
    outDir: 'circuits/artifacts',
    keepR1cs: true,
  },
];

export const INSTANCES: CircuitInstance[] = [PRODUCTION, ...TEST_INSTANCES];

/** Compiler flags; part of the source hash, since they change the constraint system. */
export const CIRCOM_FLAGS = ['--O2', '-l', 'node_modules'] as const;

/**
 * The development phase 2 is one snarkjs beacon contribution with this public value: fully
 * deterministic (the same sources and ptau give the same zkey) and therefore NOT secret. It
 * exists so that builds are reproducible; production replaces it by a multi-party phase 2.
 */
export const DEV_BEACON = {
  name: 'aiarena insecure development beacon v1',
  /** sha256 of the name, hex: public by construction. */
  hash: createHash('sha256').update('aiarena insecure development beacon v1').digest('hex'),
  iterationsExp: 10,
} as const;
