// The app and scripts use the committed src/lib/chain/abi.generated.ts; it must match what the
// contracts compile to (npm test runs forge first, so contracts/out is fresh here).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ABI_FILE, renderAbis } from '../../../scripts/gen-abi.ts';

describe('generated ABIs', () => {
  it('match the compiled contracts (run `npm run gen:abi` after changing a contract)', () => {
    expect(readFileSync(ABI_FILE, 'utf8')).toBe(renderAbis());
  });
});
