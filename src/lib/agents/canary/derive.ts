// Everything secret about a creator's canaries comes from one 32-byte creator secret, bound to
// the chain, the deployment and the task (docs/canaries.md, "Keys and restarts"): each epoch's
// canary key, the seal salts of the pool accounts' ordinary submissions, the pool accounts'
// private keys and watermark keys, and each submission's training draw and timing. A restart
// with the same secret re-derives all of it, so nothing is lost with the process; the secret
// itself is never stored by the producer.
//
// Each value is keccak256(abi.encode(domain, secret, chainId, registry, taskId, ...)), with one
// domain per use, so no value reveals another and none is shared across tasks or deployments.
import { encodeAbiParameters, hexToBytes, keccak256, stringToHex, type Address, type Hex } from 'viem';
import {
  generateKey,
  keyCommit,
  fieldToBytes32,
  type RandomFill,
  type WatermarkKey,
} from '../../ml/watermark/index.ts';
import { ArenaError } from '../../errors.ts';

export interface CanaryScope {
  chainId: number;
  /** TaskRegistry address: tells two deployments on one chain id apart. */
  registry: Address;
  taskId: bigint;
}

export class CanarySecretError extends ArenaError<'canary-secret'> {
  constructor(message: string) {
    super('canary-secret', message);
    this.name = 'CanarySecretError';
  }
}

/** Refuses a secret that is not 32 bytes or is all zeros (the message never quotes it). */
export function checkSecret(secret: string): asserts secret is Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(secret))
    throw new CanarySecretError(
      `the canary secret must be 0x followed by 64 hex digits (got ${secret.length} characters)`,
    );
  if (/^0x0+$/.test(secret)) throw new CanarySecretError('the canary secret must not be zero');
}

const domain = (name: string): Hex => keccak256(stringToHex(`aiarena/canary-producer/${name}/v1`));
const D = {
  key: domain('epoch-key'),
  decoy: domain('decoy-salt'),
  pool: domain('pool-account'),
  watermark: domain('watermark-key'),
  train: domain('training'),
  time: domain('timing'),
  order: domain('order'),
} as const;

type Extra = { type: 'uint256'; value: bigint } | { type: 'address'; value: Address } | { type: 'bytes32'; value: Hex };
const u = (value: bigint | number): Extra => ({ type: 'uint256', value: BigInt(value) });
const a = (value: Address): Extra => ({ type: 'address', value });

function derive(tag: Hex, secret: Hex, scope: CanaryScope, extra: readonly Extra[]): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'bytes32' },
        { type: 'bytes32' },
        { type: 'uint256' },
        { type: 'address' },
        { type: 'uint256' },
        ...extra.map((e) => ({ type: e.type })),
      ],
      [tag, secret, BigInt(scope.chainId), scope.registry, scope.taskId, ...extra.map((e) => e.value)],
    ),
  );
}

/** The canary key of scoring epoch `epoch` (revealed in that epoch's score-reveal window). */
export function epochCanaryKey(secret: Hex, scope: CanaryScope, epoch: number): Hex {
  return derive(D.key, secret, scope, [u(epoch)]);
}

/** The seal salt of a pool account's ordinary (non-canary) submission in `sealEpoch`: as random-looking as a canary salt. */
export function decoySalt(secret: Hex, scope: CanaryScope, sealEpoch: number, account: Address): Hex {
  return derive(D.decoy, secret, scope, [u(sealEpoch), a(account)]);
}

/** secp256k1 group order: a private key is a scalar in [1, n). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The private key of pool account `index` of this task (funded by the operator; docs/canaries.md). */
export function poolAccountKey(secret: Hex, scope: CanaryScope, index: number): Hex {
  if (!Number.isSafeInteger(index) || index < 0)
    throw new RangeError(`pool account index must be a whole number from 0, got ${index}`);
  // A hash outside [1, n) has probability ~4e-39; rehash with a counter rather than bias it.
  for (let round = 0n; ; round++) {
    const k = derive(D.pool, secret, scope, [u(index), u(round)]);
    const x = BigInt(k);
    if (x > 0n && x < SECP256K1_N) return k;
  }
}

/** A deterministic byte stream: keccak256(seed || counter) blocks. */
export function seededRandom(seed: Hex): RandomFill {
  let counter = 0n;
  let block: Uint8Array = new Uint8Array(0);
  let used = 0;
  return (bytes) => {
    for (let i = 0; i < bytes.length; i++) {
      if (used === block.length) {
        const h = keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [seed, counter++]));
        block = hexToBytes(h);
        used = 0;
      }
      bytes[i] = block[used++]!;
    }
  };
}

/** The watermark key a pool account joins with and trains into its models (T bits x N). */
export function poolWatermarkKey(
  secret: Hex,
  scope: CanaryScope,
  account: Address,
  T: number,
  N: number,
): WatermarkKey {
  return generateKey(T, N, seededRandom(derive(D.watermark, secret, scope, [a(account)])));
}

/** keyCommit of a key as the bytes32 the stake manager records. */
export const watermarkKeyCommit = (key: WatermarkKey): Hex => fieldToBytes32(keyCommit(key));

/** A uniform fraction in [0, 1) from a hash (53 bits). */
const fraction = (h: Hex): number => Number(BigInt(h) >> 203n) / 2 ** 53;

/**
 * The training of one submission: a run seed and a step count drawn log-uniformly from
 * [min, max] (docs/canaries.md, "Models"): most draws are weak models, some good ones, so the
 * pool's quality spreads like a crowd of trainers at different stages.
 */
export function trainingDraw(
  secret: Hex,
  scope: CanaryScope,
  epoch: number,
  account: Address,
  range: { min: number; max: number },
): { seed: number; steps: number } {
  const h = derive(D.train, secret, scope, [u(epoch), a(account)]);
  const seed = Number(BigInt(h) & 0x7fffffffn);
  const lo = Math.log(range.min);
  const hi = Math.log(range.max);
  const steps = Math.min(range.max, Math.max(range.min, Math.round(Math.exp(lo + fraction(keccak256(h)) * (hi - lo)))));
  return { seed, steps };
}

/** When in its window an action happens, as a fraction in [0, 1): `what` names the action. */
export function timingDraw(
  secret: Hex,
  scope: CanaryScope,
  what: 'seal' | 'reveal',
  epoch: number,
  account: Address,
): number {
  return fraction(
    derive(D.time, secret, scope, [{ type: 'bytes32', value: stringToHex(what, { size: 32 }) }, u(epoch), a(account)]),
  );
}

/** A secret order of the pool accounts for a choice (`what`, epoch): ascending keys. */
export function orderKey(
  secret: Hex,
  scope: CanaryScope,
  what: 'final' | 'epoch',
  epoch: number,
  account: Address,
): bigint {
  return BigInt(
    derive(D.order, secret, scope, [{ type: 'bytes32', value: stringToHex(what, { size: 32 }) }, u(epoch), a(account)]),
  );
}
