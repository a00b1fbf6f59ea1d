// Witness inputs of WatermarkOwnership and the public signals they must prove, computed in TS
// with the same functions the rest of the app uses for the watermark (src/lib/ml/watermark), so
// that what the app seals and what the circuit recomputes cannot drift apart.
import { ownerBits } from '../ml/watermark/bits.ts';
import { keyCommit, wmCommit } from '../ml/watermark/commit.ts';
import { decode, type DecodeResult } from '../ml/watermark/decode.ts';
import { validateKey } from '../ml/watermark/key.ts';
import { WatermarkError, type WatermarkKey } from '../ml/watermark/types.ts';
import { MAX_ERR_BITS, type CircuitShape, type PublicSignals } from './circuit.ts';
import { ShapeMismatchError, WatermarkDoesNotDecodeError, ZkInputError } from './errors.ts';

/** What the prover knows: the quantized vector of the model, the key, and the claim. */
export interface OwnershipClaim {
  /** The quantized watermark vector q (length N, signed WB-bit values). */
  q: Int32Array;
  key: WatermarkKey;
  /** The claimed owner's 0x address. */
  owner: string;
  /** The task's tolerance (the contract passes the same number). */
  maxErr: number;
}

/** The circuit's input signals as snarkjs takes them (decimal strings, negative q allowed). */
export interface CircuitInput {
  wmCommit: string;
  keyCommit: string;
  owner: string;
  maxErr: string;
  q: string[];
  key: number[][];
  keySalt: string;
}

export interface PreparedProof {
  input: CircuitInput;
  publicSignals: PublicSignals;
  /** The decoding the circuit will check (wrong <= maxErr). */
  decoded: DecodeResult;
}

export function checkOwner(owner: string): bigint {
  if (typeof owner !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(owner))
    throw new ZkInputError(`the owner must be a 20-byte 0x address, got ${JSON.stringify(owner)}`);
  return BigInt(owner);
}

/** The circuit's range for maxErr (the model spec parser already keeps it below T). */
export function checkMaxErr(maxErr: number): void {
  const limit = 2 ** MAX_ERR_BITS;
  if (!Number.isInteger(maxErr) || maxErr < 0 || maxErr >= limit) {
    throw new ZkInputError(
      `maxErr must be an integer in 0..${limit - 1} (the circuit checks it in ${MAX_ERR_BITS} bits), got ${maxErr}`,
    );
  }
}

function checkShape(shape: CircuitShape, claim: OwnershipClaim): void {
  const { key, q } = claim;
  if (key.T !== shape.T || key.N !== shape.N) {
    throw new ShapeMismatchError(`the key is ${key.T}x${key.N}, the circuit takes ${shape.T}x${shape.N} (T x N)`);
  }
  if (q.length !== shape.N)
    throw new ShapeMismatchError(`the quantized vector has ${q.length} values, the circuit takes N = ${shape.N}`);
  const half = 2 ** (shape.WB - 1);
  const bad = q.findIndex((x) => x < -half || x >= half);
  if (bad >= 0)
    throw new ZkInputError(
      `q[${bad}] = ${q[bad]} is outside the circuit's ${shape.WB}-bit range ${-half}..${half - 1}`,
    );
}

/** The public signals an honest proof of this claim carries (the circuit recomputes them). */
export function publicSignalsFor(shape: CircuitShape, claim: OwnershipClaim): PublicSignals {
  checkShape(shape, claim);
  checkMaxErr(claim.maxErr);
  try {
    validateKey(claim.key);
  } catch (e) {
    throw new ZkInputError((e as Error).message);
  }
  return {
    wmCommit: wmCommit(claim.q, shape.WB),
    keyCommit: keyCommit(claim.key),
    owner: checkOwner(claim.owner),
    maxErr: BigInt(claim.maxErr),
  };
}

/**
 * Encodes a claim with given public signals as circuit inputs, without any check: the circuit
 * tests feed it broken claims on purpose. Use prepareOwnershipProof otherwise.
 */
export function encodeCircuitInput(
  claim: Pick<OwnershipClaim, 'q' | 'key'>,
  publicSignals: PublicSignals,
): CircuitInput {
  const { key, q } = claim;
  return {
    wmCommit: publicSignals.wmCommit.toString(),
    keyCommit: publicSignals.keyCommit.toString(),
    owner: publicSignals.owner.toString(),
    maxErr: publicSignals.maxErr.toString(),
    q: Array.from(q, (x) => x.toString()),
    key: Array.from({ length: key.T }, (_, j) => Array.from(key.bits.subarray(j * key.N, (j + 1) * key.N))),
    keySalt: key.salt.toString(),
  };
}

/**
 * Checks a claim the way the circuit will and returns its inputs. Throws before any proving
 * when no proof can exist: ShapeMismatchError, ZkInputError, or WatermarkDoesNotDecodeError when
 * more than maxErr bits are wrong.
 */
export function prepareOwnershipProof(shape: CircuitShape, claim: OwnershipClaim): PreparedProof {
  const publicSignals = publicSignalsFor(shape, claim);
  let decoded: DecodeResult;
  try {
    decoded = decode(claim.key.bits, claim.q, ownerBits(claim.owner, shape.T));
  } catch (e) {
    if (e instanceof WatermarkError) throw new ZkInputError(e.message);
    throw e;
  }
  if (decoded.wrong > claim.maxErr) throw new WatermarkDoesNotDecodeError(decoded.wrong, claim.maxErr);
  return { input: encodeCircuitInput(claim, publicSignals), publicSignals, decoded };
}
