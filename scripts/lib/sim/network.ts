// The simulation's infrastructure: one anvil with the protocol deployed as every test chain of
// the project is (launchArena: the EIP-7825 per-transaction gas cap on, a 60M block gas limit),
// the local blob store the agents fetch artifacts and datasets from, and an account per
// participant with gas money.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { casStorePort } from '../../../src/lib/agents/index.ts';
import type { StorePort } from '../../../src/lib/agents/ports.ts';
import type { CasConfig } from '../../../src/lib/storage/cas/index.ts';
import { freePort } from '../anvil.ts';
import { startBlobStore, type BlobStore } from '../blob-store/index.ts';
import { launchArena, type Driver } from '../driver.ts';
import { openAccount, type SimAccount } from './accounts.ts';
import { Ledger } from './ledger.ts';
import { SimError } from './errors.ts';
import { inPool } from './pool.ts';
import { accountKey, type AccountRole, type Population } from './population.ts';

export interface SimNetwork {
  driver: Driver;
  blobs: BlobStore;
  cas: CasConfig;
  store: StorePort;
  ledger: Ledger;
  creator: SimAccount;
  keeper: SimAccount;
  trainers: SimAccount[];
  validators: SimAccount[];
  delegators: SimAccount[];
  byAddress: Map<string, SimAccount>;
  stop(): Promise<void>;
}

/** Gas money for every account: far more than a run spends. */
const GAS_MONEY = 10n ** 22n;

export async function openNetwork(seed: number, pop: Population, workDir: string): Promise<SimNetwork> {
  const driver = await launchArena();
  let blobs: BlobStore | null = null;
  try {
    const blobDir = join(workDir, 'blobs');
    mkdirSync(blobDir, { recursive: true });
    blobs = await startBlobStore({ dir: blobDir, port: await freePort(), host: '127.0.0.1' });
    const cas: CasConfig = {
      gateways: [blobs.url],
      upload: { kind: 'store', url: `${blobs.url}/upload` },
      maxBytes: blobs.maxBlobBytes,
    };
    const ledger = new Ledger();
    const link = { rpcUrl: driver.anvil.url, deployment: driver.deployment, ledger };
    const open = (role: AccountRole, index: number) => openAccount(link, role, index, accountKey(seed, role, index));
    const creator = open('creator', 0);
    const keeper = open('keeper', 0);
    const trainers = pop.trainers.map((t) => open('trainer', t.index));
    const validators = pop.validators.map((v) => open('validator', v.index));
    const delegators = pop.delegators.map((d) => open('delegator', d.index));
    const all = [creator, keeper, ...trainers, ...validators, ...delegators];
    const byAddress = new Map(all.map((a) => [a.address.toLowerCase(), a]));
    if (byAddress.size !== all.length) throw new SimError('sim-run', 'two participants drew the same key');
    // Test-chain setup, not a protocol step: anvil's own method, not counted for the participant.
    await inPool(all, 16, (a) =>
      driver.client.request({
        method: 'anvil_setBalance',
        params: [a.address, `0x${GAS_MONEY.toString(16)}`],
      } as never),
    );
    const stopBlobs = blobs;
    return {
      driver,
      blobs,
      cas,
      store: casStorePort(cas),
      ledger,
      creator,
      keeper,
      trainers,
      validators,
      delegators,
      byAddress,
      stop: async () => {
        await stopBlobs.close();
        await driver.stop();
      },
    };
  } catch (e) {
    await blobs?.close();
    await driver.stop();
    throw e;
  }
}
