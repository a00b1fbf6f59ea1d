// Seeds of the fixed program (docs/transcript.md section 1): the ABI encoding written out by hand.
import { keccak256, toHex, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { TranscriptError } from '../../../../src/lib/ml/transcript/errors.ts';
import { deriveSeed, transcriptSeeds } from '../../../../src/lib/ml/transcript/seeds.ts';
import { SEED_IDENTITY } from './vectors.ts';

const word = (n: bigint) => n.toString(16).padStart(64, '0');

/** abi.encode(string tag, uint256 chainId, uint256 task, address trainer), by hand. */
function handEncoding(tag: string, chainId: bigint, task: bigint, trainer: string): Hex {
  const text = Buffer.from(tag, 'utf8').toString('hex');
  const padded = text.padEnd(Math.ceil(text.length / 64) * 64, '0');
  return `0x${word(0x80n)}${word(chainId)}${word(task)}${trainer.slice(2).toLowerCase().padStart(64, '0')}${word(BigInt(tag.length))}${padded}`;
}

describe('transcript seeds', () => {
  it('are keccak256(abi.encode(tag, chainId, task, trainer)) for the three tags', () => {
    const { chainId, task, trainer } = SEED_IDENTITY;
    const seeds = transcriptSeeds(SEED_IDENTITY);
    for (const [tag, seed] of [
      ['aiarena/init', seeds.init],
      ['aiarena/data', seeds.data],
      ['aiarena/noise', seeds.noise],
    ] as const) {
      expect(seed).toBe(keccak256(handEncoding(tag, BigInt(chainId), BigInt(task), trainer)));
    }
    expect(new Set([seeds.init, seeds.data, seeds.noise]).size).toBe(3);
  });

  it('bind every part of the identity, and no other', () => {
    const base = transcriptSeeds(SEED_IDENTITY).init;
    expect(deriveSeed('aiarena/init', { ...SEED_IDENTITY, chainId: 31338 })).not.toBe(base);
    expect(deriveSeed('aiarena/init', { ...SEED_IDENTITY, task: 8 })).not.toBe(base);
    expect(deriveSeed('aiarena/init', { ...SEED_IDENTITY, trainer: `0x${'11'.repeat(20)}` })).not.toBe(base);
    // Address case and number vs bigint do not matter.
    expect(
      deriveSeed('aiarena/init', {
        chainId: 31337n,
        task: 7n,
        trainer: SEED_IDENTITY.trainer.toLowerCase() as Hex,
      }),
    ).toBe(base);
    // Large ids encode as uint256.
    const big = 2n ** 255n + 3n;
    expect(deriveSeed('t', { chainId: 1, task: big, trainer: SEED_IDENTITY.trainer })).toBe(
      keccak256(handEncoding('t', 1n, big, SEED_IDENTITY.trainer)),
    );
    expect(toHex(big)).toMatch(/^0x8/);
  });

  it('refuse identities that cannot be encoded, with the reason', () => {
    const bad = (over: object) => () => transcriptSeeds({ ...SEED_IDENTITY, ...over });
    expect(bad({ trainer: '0x1234' })).toThrow(TranscriptError);
    expect(bad({ trainer: '0x1234' })).toThrow(/trainer must be a 20-byte 0x address/);
    expect(bad({ chainId: -1 })).toThrow(/chainId must fit in a uint256/);
    expect(bad({ task: 1.5 })).toThrow(/task must be a non-negative integer/);
    expect(bad({ task: 2n ** 256n })).toThrow(/task must fit in a uint256/);
  });
});
