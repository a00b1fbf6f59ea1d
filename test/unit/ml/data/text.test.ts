import { describe, expect, it } from 'vitest';
import { sequenceWindows, TextDatasetError, textStream, windowCount } from '../../../../src/lib/ml/data/text.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('textStream', () => {
  it('joins files in sorted path order, each ended by the separator', () => {
    const stream = textStream(
      [
        { path: 'b/x.sol', bytes: enc('BB') },
        { path: 'a.sol', bytes: enc('A') },
        { path: 'B.sol', bytes: enc('') },
      ],
      0,
    );
    // Code-unit order: 'B' (0x42) sorts before 'a' (0x61) and 'b'.
    expect(dec(stream)).toBe('\0A\0BB\0');
  });

  it('refuses a file holding the separator, a duplicate path and a separator that is no byte', () => {
    const e = (() => {
      try {
        textStream(
          [
            { path: 'ok.sol', bytes: enc('x') },
            { path: 'bad.sol', bytes: Uint8Array.from([65, 0, 66]) },
          ],
          0,
        );
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(TextDatasetError);
    expect((e as TextDatasetError).path).toBe('bad.sol');
    expect((e as Error).message).toBe('bad.sol: contains the separator byte 0 at offset 1');
    expect(() =>
      textStream(
        [
          { path: 'a', bytes: enc('1') },
          { path: 'a', bytes: enc('2') },
        ],
        0,
      ),
    ).toThrow(/a: is listed twice/);
    expect(() => textStream([], 256)).toThrow(/separator must be a byte/);
  });
});

describe('sequenceWindows', () => {
  it('cuts windows of L + 1 with stride L and pads the last one', () => {
    const stream = enc('abcdefghij'); // 10 bytes: targets b..j, 9 of them
    expect(windowCount(10, 4)).toBe(3);
    const w = sequenceWindows(stream, 4, 0x2e);
    expect(dec(w)).toBe('abcde' + 'efghi' + 'ij...');
    // Every byte after the first is a target exactly once: the targets are positions 1..L.
    const targets = [0, 1, 2].map((i) => dec(w.subarray(i * 5 + 1, i * 5 + 5))).join('');
    expect(targets).toBe('bcdefghij...');
  });

  it('needs no padding when the targets fill the windows exactly', () => {
    expect(dec(sequenceWindows(enc('abcdefghi'), 4, 0))).toBe('abcdeefghi');
    expect(dec(sequenceWindows(enc('ab'), 1, 0))).toBe('ab');
    expect(dec(sequenceWindows(enc('ab'), 3, 0x2e))).toBe('ab..');
  });

  it('refuses a stream without targets and a bad length', () => {
    expect(windowCount(1, 4)).toBe(0);
    expect(() => sequenceWindows(enc('a'), 4, 0)).toThrow(/a stream of 1 tokens has no next-token targets/);
    expect(() => sequenceWindows(enc('abc'), 0, 0)).toThrow(/sequence length must be >= 1/);
  });
});
