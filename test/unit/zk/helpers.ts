// Shared by the zk tests: the committed test-circuit artifacts (circuits/artifacts, built by
// `npm run build:zk`), witness calculation, and claims from test/vectors/watermark.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../scripts/zk/sources.ts';
import { computeWitness, type ProverArtifacts } from '../../../src/lib/zk/prove.ts';
import type { CircuitInput } from '../../../src/lib/zk/inputs.ts';
import { readR1cs, readWtns, type R1cs } from './r1cs.ts';

export const TEST_ARTIFACTS = join(REPO_ROOT, 'circuits', 'artifacts');
export const PRODUCTION_ARTIFACTS = join(REPO_ROOT, 'public', 'zk');

export interface TestCircuit {
  name: string;
  artifacts: ProverArtifacts;
  r1cs: () => R1cs;
}

const bytes = (dir: string, file: string) => new Uint8Array(readFileSync(join(dir, file)));

export function testCircuit(name: string, dir = TEST_ARTIFACTS): TestCircuit {
  let r1cs: R1cs | undefined;
  return {
    name,
    artifacts: {
      wasm: bytes(dir, `${name}.wasm`),
      zkey: bytes(dir, `${name}.zkey`),
      vkey: JSON.parse(readFileSync(join(dir, `${name}.vkey.json`), 'utf8')) as unknown,
    },
    r1cs: () => (r1cs ??= readR1cs(bytes(dir, `${name}.r1cs`))),
  };
}

/** The full witness (wire values) for these inputs; throws WitnessError if an assert fails. */
export async function witness(c: TestCircuit, input: CircuitInput | Record<string, unknown>): Promise<bigint[]> {
  return readWtns(await computeWitness(c.artifacts.wasm, input));
}
