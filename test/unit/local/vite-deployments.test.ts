import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deploymentFiles } from '../../../scripts/lib/vite-deployments.ts';

describe('deploymentFiles', () => {
  it('publishes only <chainId>.json files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aiarena-deployments-'));
    try {
      for (const f of ['31337.json', '84532.json', 'secrets.json', '31337.json.bak', 'notes.md'])
        writeFileSync(join(dir, f), '{}');
      expect(deploymentFiles(dir)).toEqual(['31337.json', '84532.json']);
      expect(deploymentFiles(join(dir, 'missing'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
