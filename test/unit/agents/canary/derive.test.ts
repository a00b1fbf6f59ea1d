// The canary hashes and the producer's derivations from the creator secret: the hashes are the
// contract's (a known answer read from a deployed SubmissionBook, and an independent byte-level
// encoding), every derived value is deterministic and bound to its secret, chain, deployment,
// task, epoch and account, and the draws spread as documented.
import { concatHex, keccak256, pad, stringToHex, toHex, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { CANARY_DOMAIN, canaryKeyHash, canarySalt, maskColumns } from '../../../../src/lib/chain/canary.ts';
import {
  checkSecret,
  decoySalt,
  epochCanaryKey,
  poolAccountKey,
  poolWatermarkKey,
  seededRandom,
  trainingDraw,
  timingDraw,
  watermarkKeyCommit,
  type CanaryScope,
} from '../../../../src/lib/agents/canary/derive.ts';
import { validateKey } from '../../../../src/lib/ml/watermark/index.ts';

const SECRET: Hex = `0x${'5a'.repeat(32)}`;
const OTHER: Hex = `0x${'a5'.repeat(32)}`;
const SCOPE: CanaryScope = { chainId: 31337, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3', taskId: 7n };
const ALICE: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const BOB: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

describe('canary hashes (SubmissionBook)', () => {
  it('CANARY_DOMAIN and canarySalt give what the deployed contract gives', () => {
    // Read from SubmissionBook.CANARY_DOMAIN() and canarySalt(7, 3, ALICE, 0x11..11) on anvil.
    expect(CANARY_DOMAIN).toBe('0xfb2415e9bb5011b72f850cb0e223b3f76c23f61a8a9562aec82425c064544307');
    expect(canarySalt(7n, 3n, ALICE, `0x${'11'.repeat(32)}`)).toBe(
      '0xa551c441cb6a8cbdf4a8ecd9acc08c06dd3770aa86273339486b11137c7e5f9b',
    );
  });

  it('canarySalt is keccak256 over the five 32-byte words of abi.encode, in order', () => {
    const key: Hex = `0x${'ab'.repeat(32)}`;
    const words = concatHex([
      keccak256(stringToHex('aiarena/canary/v1')),
      pad(toHex(9n)),
      pad(toHex(2n)),
      pad(BOB.toLowerCase() as Hex),
      key,
    ]);
    expect(canarySalt(9n, 2n, BOB, key)).toBe(keccak256(words));
    // Every input matters.
    expect(canarySalt(9n, 3n, BOB, key)).not.toBe(canarySalt(9n, 2n, BOB, key));
    expect(canarySalt(9n, 2n, ALICE, key)).not.toBe(canarySalt(9n, 2n, BOB, key));
    expect(canarySalt(8n, 2n, BOB, key)).not.toBe(canarySalt(9n, 2n, BOB, key));
  });

  it('the key commitment is keccak256 of the 32-byte key', () => {
    const key: Hex = `0x${'cd'.repeat(32)}`;
    expect(canaryKeyHash(key)).toBe(keccak256(key));
  });

  it('maskColumns lists the set bits ascending', () => {
    expect(maskColumns(0n)).toEqual([]);
    expect(maskColumns(0b1011n)).toEqual([0, 1, 3]);
    expect(maskColumns(1n << 255n)).toEqual([255]);
  });
});

describe('derivations from the creator secret', () => {
  it('refuses a malformed or zero secret without quoting it', () => {
    expect(() => checkSecret('0x1234')).toThrow(
      'the canary secret must be 0x followed by 64 hex digits (got 6 characters)',
    );
    expect(() => checkSecret(`0x${'0'.repeat(64)}`)).toThrow('must not be zero');
    expect(() => checkSecret(`0x${'g'.repeat(64)}`)).toThrow(/64 hex digits/);
    expect(() => checkSecret(SECRET)).not.toThrow();
  });

  it('epoch keys are deterministic and differ by epoch, secret, task, deployment and chain', () => {
    const k = epochCanaryKey(SECRET, SCOPE, 0);
    expect(k).toMatch(/^0x[0-9a-f]{64}$/);
    expect(epochCanaryKey(SECRET, SCOPE, 0)).toBe(k);
    const others = [
      epochCanaryKey(SECRET, SCOPE, 1),
      epochCanaryKey(OTHER, SCOPE, 0),
      epochCanaryKey(SECRET, { ...SCOPE, taskId: 8n }, 0),
      epochCanaryKey(SECRET, { ...SCOPE, registry: BOB }, 0),
      epochCanaryKey(SECRET, { ...SCOPE, chainId: 1 }, 0),
    ];
    expect(new Set([k, ...others]).size).toBe(6);
  });

  it('decoy salts are per epoch and account and never a canary salt of the same seal', () => {
    const d = decoySalt(SECRET, SCOPE, 2, ALICE);
    expect(decoySalt(SECRET, SCOPE, 2, ALICE)).toBe(d);
    expect(decoySalt(SECRET, SCOPE, 3, ALICE)).not.toBe(d);
    expect(decoySalt(SECRET, SCOPE, 2, BOB)).not.toBe(d);
    for (let e = 0; e < 5; e++)
      expect(canarySalt(SCOPE.taskId, BigInt(e), ALICE, epochCanaryKey(SECRET, SCOPE, e))).not.toBe(d);
  });

  it('pool account keys are valid, distinct, stable private keys', () => {
    const keys = Array.from({ length: 8 }, (_, i) => poolAccountKey(SECRET, SCOPE, i));
    expect(new Set(keys).size).toBe(8);
    expect(poolAccountKey(SECRET, SCOPE, 3)).toBe(keys[3]);
    const addresses = keys.map((k) => privateKeyToAccount(k).address);
    expect(new Set(addresses).size).toBe(8);
    expect(poolAccountKey(SECRET, { ...SCOPE, taskId: 8n }, 0)).not.toBe(keys[0]);
    expect(() => poolAccountKey(SECRET, SCOPE, -1)).toThrow(RangeError);
  });

  it('the seeded stream does not depend on how it is read', () => {
    const a = new Uint8Array(70);
    seededRandom(keccak256('0x01'))(a);
    const b1 = new Uint8Array(10);
    const b2 = new Uint8Array(60);
    const r = seededRandom(keccak256('0x01'));
    r(b1);
    r(b2);
    expect([...b1, ...b2]).toEqual([...a]);
    const c = new Uint8Array(70);
    seededRandom(keccak256('0x02'))(c);
    expect([...c]).not.toEqual([...a]);
  });

  it('pool watermark keys are valid keys, stable per account and different between accounts', () => {
    const a = poolWatermarkKey(SECRET, SCOPE, ALICE, 64, 128);
    validateKey(a);
    expect([a.T, a.N, a.bits.length]).toEqual([64, 128, 64 * 128]);
    const again = poolWatermarkKey(SECRET, SCOPE, ALICE, 64, 128);
    expect(watermarkKeyCommit(again)).toBe(watermarkKeyCommit(a));
    expect(watermarkKeyCommit(poolWatermarkKey(SECRET, SCOPE, BOB, 64, 128))).not.toBe(watermarkKeyCommit(a));
    // About half the key bits are set.
    const ones = a.bits.reduce((s, b) => s + b, 0);
    expect(ones).toBeGreaterThan(3800);
    expect(ones).toBeLessThan(4400);
  });

  it('training draws stay in range and spread log-uniformly; seeds differ', () => {
    const range = { min: 4, max: 120 };
    const draws = Array.from({ length: 400 }, (_, e) => trainingDraw(SECRET, SCOPE, e, ALICE, range));
    for (const d of draws) {
      expect(d.steps).toBeGreaterThanOrEqual(4);
      expect(d.steps).toBeLessThanOrEqual(120);
      expect(Number.isInteger(d.seed) && d.seed >= 0 && d.seed < 2 ** 31).toBe(true);
    }
    // Log-uniform: half the draws below the geometric mean sqrt(4 * 120) ~ 21.9.
    const below = draws.filter((d) => d.steps < Math.sqrt(4 * 120)).length;
    expect(below).toBeGreaterThan(160);
    expect(below).toBeLessThan(240);
    expect(new Set(draws.map((d) => d.seed)).size).toBe(400);
    expect(trainingDraw(SECRET, SCOPE, 0, ALICE, { min: 7, max: 7 }).steps).toBe(7);
  });

  it('timing fractions are in [0, 1) and differ per action', () => {
    const f = Array.from({ length: 50 }, (_, e) => timingDraw(SECRET, SCOPE, 'seal', e, ALICE));
    for (const x of f) expect(x >= 0 && x < 1).toBe(true);
    expect(timingDraw(SECRET, SCOPE, 'reveal', 0, ALICE)).not.toBe(f[0]);
  });
});
