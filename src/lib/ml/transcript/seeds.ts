// The seeds of the fixed training program (SPEC 8.1; docs/transcript.md section 1). Each is
// keccak256 of the ABI encoding (Solidity abi.encode) of (string tag, uint256 chainId,
// uint256 taskId, address trainer), so a contract or any client computes the same bytes32.
// The engine's generators take the seed as its lowercase 0x-hex string (an Rng seed part).
import { encodeAbiParameters, isAddress, keccak256, type Address, type Hex } from 'viem';
import { TranscriptError } from './errors.ts';

/** Who trains what, where: everything a transcript's randomness is bound to. */
export interface TranscriptIdentity {
  chainId: bigint | number;
  /** The task id of TaskRegistry. */
  task: bigint | number;
  trainer: Address;
}

export const INIT_TAG = 'aiarena/init';
export const DATA_TAG = 'aiarena/data';
/** Dropout masks and any other per-step randomness (SPEC 8.1 "derived from the same values and t"). */
export const NOISE_TAG = 'aiarena/noise';

export interface TranscriptSeeds {
  /** Initial weights: initialWeights(spec, init) = Rng.seeded(init, 'init') draws. */
  init: Hex;
  /** Batch order: the loader's seed (Rng.seeded(data, 'data/shard-order', epoch), ...). */
  data: Hex;
  /** Step t's dropout mask for layer l: Rng.seeded(noise, 'dropout', t, l). */
  noise: Hex;
}

const SEED_PARAMS = [{ type: 'string' }, { type: 'uint256' }, { type: 'uint256' }, { type: 'address' }] as const;
const UINT256_MAX = 2n ** 256n - 1n;

function uint(value: bigint | number, name: string): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    throw new TranscriptError('identity', `${name} must be a non-negative integer, got ${value}`);
  const v = BigInt(value);
  if (v < 0n || v > UINT256_MAX) throw new TranscriptError('identity', `${name} must fit in a uint256, got ${v}`);
  return v;
}

/** keccak256(abi.encode(tag, chainId, task, trainer)). */
export function deriveSeed(tag: string, id: TranscriptIdentity): Hex {
  if (typeof id.trainer !== 'string' || !isAddress(id.trainer, { strict: false }))
    throw new TranscriptError('identity', `trainer must be a 20-byte 0x address, got ${String(id.trainer)}`);
  return keccak256(
    encodeAbiParameters(SEED_PARAMS, [
      tag,
      uint(id.chainId, 'chainId'),
      uint(id.task, 'task'),
      id.trainer.toLowerCase() as Address,
    ]),
  );
}

export function transcriptSeeds(id: TranscriptIdentity): TranscriptSeeds {
  return { init: deriveSeed(INIT_TAG, id), data: deriveSeed(DATA_TAG, id), noise: deriveSeed(NOISE_TAG, id) };
}
