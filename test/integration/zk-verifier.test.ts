// The generated verifier on a real chain (anvil) with a fresh proof of the production circuit
// made in Node by the app's prover: viem calldata from toSolidityProof is accepted, any other
// claim is refused, and verification stays under the 300k gas budget. Its ceremony() names the
// committed development key, and readVerifierCeremony tells an old verifier without one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Abi, Hex, PublicClient } from 'viem';
import type { DeployWallet } from '../../src/lib/chain/deploy.ts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { devAccounts } from '../../scripts/lib/dev-accounts.ts';
import { freePort, startAnvil, type Anvil } from '../../scripts/lib/anvil.ts';
import { localPublicClient, localWallet } from '../../scripts/lib/local-chain.ts';
import { deployVerifier, leastGasLimit, verifyWithGas as verifyWithGasOn } from '../../scripts/zk/verifier-contract.ts';
import { DEV_BEACON } from '../../scripts/zk/instances.ts';
import { REPO_ROOT } from '../../scripts/zk/sources.ts';
import { snarkjsVerifierSource } from '../../scripts/zk/verifier.ts';
import { compileSolidity } from '../../scripts/zk/verifier-compile.ts';
import { PRODUCTION_VECTOR, vectorByName, vectorClaim } from '../../scripts/zk/vectors.ts';
import { NoVerifierCeremonyError, readVerifierCeremony } from '../../src/lib/chain/verifier-ceremony.ts';
import { FIELD_P } from '../../src/lib/ml/watermark/field.ts';
import { verifierArgs, type SolidityProof } from '../../src/lib/zk/calldata.ts';
import { PRODUCTION_SHAPE } from '../../src/lib/zk/circuit.ts';
import { prepareOwnershipProof } from '../../src/lib/zk/inputs.ts';
import { parseZkManifest } from '../../src/lib/zk/manifest.ts';
import { proveOwnership, type OwnershipProof } from '../../src/lib/zk/prove.ts';
import { forgeFromBeacon } from './support/forge-from-beacon.ts';

const dir = join(REPO_ROOT, 'public', 'zk');
const read = (f: string) => new Uint8Array(readFileSync(join(dir, f)));

let anvil: Anvil;
let client: PublicClient;
let wallet: DeployWallet;
let verifier: { address: Hex; abi: Abi; deployGas: bigint };
let proof: OwnershipProof;

beforeAll(async () => {
  anvil = await startAnvil({ port: await freePort() });
  client = localPublicClient(anvil.url);
  wallet = localWallet(anvil.url, devAccounts(1)[0]!.privateKey);
  const vector = vectorByName(PRODUCTION_VECTOR);
  const artifacts = {
    wasm: read('watermark_ownership.wasm'),
    zkey: read('watermark_ownership.zkey'),
    vkey: JSON.parse(readFileSync(join(dir, 'watermark_ownership.vkey.json'), 'utf8')),
  };
  [verifier, proof] = await Promise.all([
    deployVerifier(wallet, client),
    proveOwnership(artifacts, prepareOwnershipProof(PRODUCTION_SHAPE, vectorClaim(vector))),
  ]);
}, 180_000);

afterAll(async () => {
  await anvil?.stop();
});

const verifyWithGas = (p: SolidityProof, gas: bigint) => verifyWithGasOn(client, verifier, p, gas);

const verify = (p: SolidityProof) =>
  client.readContract({
    address: verifier.address,
    abi: verifier.abi,
    functionName: 'verifyProof',
    args: verifierArgs(p),
  }) as Promise<boolean>;

describe('WatermarkOwnershipVerifier on anvil', () => {
  test('accepts a fresh proof of the production circuit, under 300k gas per transaction', async () => {
    expect(await verify(proof.calldata)).toBe(true);
    const hash = await wallet.writeContract({
      address: verifier.address,
      abi: verifier.abi,
      functionName: 'verifyProof',
      args: verifierArgs(proof.calldata),
      gas: 1_000_000n,
    });
    const { gasUsed, status } = await client.waitForTransactionReceipt({ hash });
    expect(status).toBe('success');
    // The gas limit a sender must give is a little above what is charged (EIP-150 keeps 1/64
    // back at the precompile call): find the least limit for which the call is true.
    const hi = await leastGasLimit(client, verifier, proof.calldata);
    console.info(
      `verifyProof: ${gasUsed} gas charged per transaction, gas limit needed ${hi}, deploy ${verifier.deployGas}`,
    );
    expect(hi).toBeGreaterThanOrEqual(gasUsed);
    expect(hi).toBeLessThan(300_000n);
  });

  test('eth_estimateGas underestimates a direct call: short of gas the verifier returns false instead of reverting', async () => {
    // A trap for callers (docs/zk.md section 6): the estimate is the least gas that does not
    // revert, and a failed pairing precompile call makes the verifier return false, not revert.
    const estimate = await client.estimateContractGas({
      address: verifier.address,
      abi: verifier.abi,
      functionName: 'verifyProof',
      args: verifierArgs(proof.calldata),
    });
    expect(estimate).toBeLessThan(150_000n);
    expect(await verifyWithGas(proof.calldata, estimate)).toBe(false);
  });

  test('refuses the proof for another submission, key, owner or tolerance, and field aliases', async () => {
    const input = proof.calldata.input;
    for (let i = 0; i < 4; i++) {
      const other = [...input] as [bigint, bigint, bigint, bigint];
      other[i] = other[i]! + 1n;
      expect(await verify({ ...proof.calldata, input: other })).toBe(false);
      other[i] = input[i]! + FIELD_P;
      expect(await verify({ ...proof.calldata, input: other })).toBe(false);
    }
    const thief = BigInt('0xab8483f64d9c6d1ecf9b849ae677dd3315835cb2');
    expect(await verify({ ...proof.calldata, input: [input[0], input[1], thief, input[3]] })).toBe(false);
  });

  test('refuses a tampered proof', async () => {
    const { a, b, c } = proof.calldata;
    expect(await verify({ ...proof.calldata, a: [a[0], a[1] ^ 1n] })).toBe(false);
    expect(await verify({ ...proof.calldata, b: [b[1], b[0]] })).toBe(false);
    expect(await verify({ ...proof.calldata, c: [c[1], c[0]] })).toBe(false);
  });
});

describe('the development ceremony is forgeable', () => {
  test('a proof forged from the public beacon alone, for a claim nobody can prove, is accepted', async () => {
    // Why a development verifier must never reach a real chain: no witness, no key, any owner.
    const vkey = JSON.parse(readFileSync(join(dir, 'watermark_ownership.vkey.json'), 'utf8'));
    const thief = BigInt('0xab8483f64d9c6d1ecf9b849ae677dd3315835cb2');
    const claim = [123456789n, 987654321n, thief, 0n] as const;
    const forged = await forgeFromBeacon(vkey, DEV_BEACON, claim);
    expect(forged.deltaRecovered).toBe(true);
    expect(await verify(forged.proof)).toBe(true);
  });
});

describe('ceremony()', () => {
  test('names the development ceremony and the committed proving key', async () => {
    const entry = parseZkManifest(readFileSync(join(dir, 'manifest.json'), 'utf8')).circuits.watermark_ownership!;
    expect(await readVerifierCeremony(client, verifier.address)).toEqual({
      development: true,
      description: entry.phase2,
      zkeySha256: `0x${entry.files.zkey.sha256}`,
    });
    expect(entry.phase2).toMatch(/^INSECURE development phase 2/);
  });

  test('an old verifier without ceremony(), or an address without code, is a typed error', async () => {
    // The plain snarkjs verifier of the same key: what deployments made before the record hold.
    const old = compileSolidity(
      { 'Groth16Verifier.sol': await snarkjsVerifierSource(join(dir, 'watermark_ownership.zkey')) },
      'Groth16Verifier.sol',
      'Groth16Verifier',
    );
    const hash = await wallet.deployContract({
      abi: old.abi,
      bytecode: old.bytecode,
      account: wallet.account,
      chain: wallet.chain,
    });
    const { contractAddress } = await client.waitForTransactionReceipt({ hash });
    expect(
      await client.readContract({
        address: contractAddress!,
        abi: old.abi,
        functionName: 'verifyProof',
        args: verifierArgs(proof.calldata),
      }),
    ).toBe(true);
    const noCeremony = await readVerifierCeremony(client, contractAddress!).catch((e: unknown) => e);
    expect(noCeremony).toBeInstanceOf(NoVerifierCeremonyError);
    expect(noCeremony).toMatchObject({ reason: 'no-ceremony', address: contractAddress });
    expect((noCeremony as Error).message).toContain('has no ceremony()');
    const empty = '0x000000000000000000000000000000000000dEaD';
    await expect(readVerifierCeremony(client, empty)).rejects.toMatchObject({
      name: 'NoVerifierCeremonyError',
      reason: 'no-code',
    });
  });
});
