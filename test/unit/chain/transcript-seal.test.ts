// The TypeScript twins of the contracts' transcript encodings (docs/contracts.md, "Transcript
// commitments" and "Verdicts"): the seal commitment with the transcript inline, the seeded-start
// marker, the verdict commitment, and the shape checks a seal goes through before it is made.
// The vectors are pinned in the forge tests too (Transcripts.t.sol, ChallengeVerdicts.t.sol), so
// either side drifting fails one of them.
import { keccak256, pad, stringToHex, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { sealCommitment, verdictCommitment } from '../../../src/lib/chain/commitments.ts';
import { prepareSeal, prepareVerdict } from '../../../src/lib/chain/prepare.ts';
import {
  SEEDED_START,
  checkedTranscript,
  continuedTranscript,
  isSeeded,
  seededTranscript,
} from '../../../src/lib/chain/transcript-commit.ts';
import { MISSING_TRANSCRIPT, isMissingTranscript, sealTranscript } from '../../../src/lib/agents/transcript-gap.ts';

const word = (n: number): Hex => pad(`0x${n.toString(16)}`, { size: 32 });
const SALT = pad(stringToHex('salt'), { dir: 'right', size: 32 });
const BEEF = '0x000000000000000000000000000000000000beef' as const;
const R1 = keccak256(stringToHex('root 1'));

describe('seal commitment with the transcript', () => {
  it('matches the vector of contracts/test/Transcripts.t.sol (test_sealCommitmentVector)', () => {
    const t = { trajRoot: word(0xabc), segments: 12, startRoot: R1, startLeaf: 7 };
    expect(sealCommitment(3n, 2n, BEEF, word(1), word(2), t, SALT)).toBe(
      '0x37c15fcb61a9b7c7ca3eb993073133f850508b9ffd554ccbb3cc1000b1defd97',
    );
  });

  it('binds every field of the transcript', () => {
    const t = seededTranscript(R1, 8);
    const base = sealCommitment(1n, 0n, BEEF, word(1), word(2), t, SALT);
    const changed = [
      { ...t, trajRoot: word(9) },
      { ...t, segments: 9 },
      { ...t, startRoot: word(9) },
      { ...t, startLeaf: 1 },
    ].map((u) => sealCommitment(1n, 0n, BEEF, word(1), word(2), u, SALT));
    expect(new Set([base, ...changed]).size).toBe(5);
  });

  it('uses the documented seeded marker', () => {
    expect(SEEDED_START).toBe('0x43532158899365a5ca26b03a679a2505ec75ccf59d560aaa9bf00cee2b96cfb6');
    expect(SEEDED_START).toBe(keccak256(stringToHex('aiarena/transcript/seeded/v1')));
    expect(isSeeded(seededTranscript(R1, 1))).toBe(true);
    expect(isSeeded(continuedTranscript(R1, 4, word(5), 8))).toBe(false);
  });

  it('refuses, before any seal, a transcript the chain would refuse at the reveal', () => {
    expect(() => seededTranscript(`0x${'0'.repeat(64)}`, 8)).toThrow(/trajRoot must be a non-zero/);
    expect(() => seededTranscript(R1, 0)).toThrow(/segments \(K\) must be an integer in 1\.\./);
    expect(() => seededTranscript(R1, 2 ** 32)).toThrow(/segments/);
    expect(() => checkedTranscript({ trajRoot: R1, segments: 2, startRoot: SEEDED_START, startLeaf: 1 })).toThrow(
      /a seeded start has leaf 0/,
    );
    expect(() => continuedTranscript(R1, 2, `0x${'0'.repeat(64)}`, 0)).toThrow(/startRoot/);
    expect(() => continuedTranscript(R1, 2, word(3), -1)).toThrow(/startLeaf/);
    expect(() =>
      prepareSeal({
        taskId: 1n,
        epoch: 0,
        trainer: BEEF,
        artifactHash: word(1),
        wmCommit: word(2),
        transcript: { trajRoot: R1, segments: 0, startRoot: SEEDED_START, startLeaf: 0 },
        salt: SALT,
      }),
    ).toThrow(RangeError);
  });
});

describe('verdict commitment', () => {
  it('matches the vector of contracts/test/ChallengeVerdicts.t.sol (test_vote_commitmentVector)', () => {
    expect(verdictCommitment(7n, 3, BEEF, false, SALT)).toBe(
      '0x8478c40ae3a1e18aedc3b4851580a7c64a035e0b6dec27b20bf7fac81c4ba453',
    );
    const v = prepareVerdict({ challengeId: 7n, segment: 3, juror: BEEF, replays: false, salt: SALT });
    expect(v.commitment).toBe(verdictCommitment(7n, 3, BEEF, false, SALT));
  });

  it('binds the challenge, the segment, the juror and the verdict', () => {
    const all = [
      verdictCommitment(7n, 3, BEEF, false, SALT),
      verdictCommitment(8n, 3, BEEF, false, SALT),
      verdictCommitment(7n, 4, BEEF, false, SALT),
      verdictCommitment(7n, 3, BEEF, true, SALT),
      verdictCommitment(7n, 3, '0x000000000000000000000000000000000000dead', false, SALT),
    ];
    expect(new Set(all).size).toBe(5);
  });
});

describe('the missing-transcript placeholder (until the ML engine records transcripts)', () => {
  it('is a documented marker, used only when the training result has no transcript', () => {
    expect(MISSING_TRANSCRIPT.trajRoot).toBe(keccak256(stringToHex('aiarena/transcript/missing/v1')));
    expect(MISSING_TRANSCRIPT).toEqual({
      trajRoot: MISSING_TRANSCRIPT.trajRoot,
      segments: 1,
      startRoot: SEEDED_START,
      startLeaf: 0,
    });
    expect(sealTranscript(null)).toEqual({ transcript: MISSING_TRANSCRIPT, missing: true });
    const real = seededTranscript(R1, 8);
    expect(sealTranscript(real)).toEqual({ transcript: real, missing: false });
    expect(isMissingTranscript(MISSING_TRANSCRIPT)).toBe(true);
    expect(isMissingTranscript(real)).toBe(false);
  });
});
