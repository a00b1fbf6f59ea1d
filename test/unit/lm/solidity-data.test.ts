// The benches' reader of the shipped Solidity datasets: the trainer's loader, in file order.
import { describe, expect, it } from 'vitest';
import { readTokens, solidityData } from '../../../scripts/lib/lm/solidity-data.ts';

describe('solidityData / readTokens', () => {
  it('reads sequences whose targets are the inputs shifted by one byte', async () => {
    const set = await solidityData('eval');
    expect(set.name).toBe('solidity-eval');
    expect(set.samples).toBe(3457);
    const t = await readTokens(set, 5);
    const L = 128;
    expect(t.samples).toBe(5);
    expect(t.features.length).toBe(5 * L);
    for (let s = 0; s < 5; s++)
      for (let i = 0; i + 1 < L; i++) expect(t.labels[s * L + i]).toBe(t.features[s * L + i + 1]);
    // Windows overlap by one byte: a sequence's last target is the next one's first input.
    for (let s = 0; s + 1 < 5; s++) expect(t.labels[s * L + L - 1]).toBe(t.features[(s + 1) * L]);
    // Solidity source is text: every byte of the first sequences is ASCII or the 0x00 separator.
    expect(Math.max(...t.features)).toBeLessThan(128);
  });

  it('the hidden split reads from datasets/hidden', async () => {
    const set = await solidityData('final');
    expect(set.dir).toBe('datasets/hidden/solidity-final');
    expect(set.samples).toBe(3492);
  });
});
