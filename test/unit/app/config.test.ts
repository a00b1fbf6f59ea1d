import { describe, expect, it } from 'vitest';
import { appConfig } from '../../../src/app/config.ts';

describe('appConfig', () => {
  it('defaults to the local stack', () => {
    expect(appConfig({})).toEqual({
      rpcUrl: 'http://127.0.0.1:8545',
      chainId: 31337,
      deploymentUrl: '/deployments/31337.json',
      refreshMs: 3000,
      gateways: ['http://127.0.0.1:8546'],
    });
  });

  it('takes the RPC, chain and refresh from the env, under the base URL', () => {
    expect(
      appConfig(
        {
          VITE_RPC_URL: ' https://sepolia.base.org ',
          VITE_CHAIN_ID: '84532',
          VITE_REFRESH_MS: '5000',
          VITE_IPFS_GATEWAYS: 'https://ipfs.io/, https://dweb.link/ipfs/{cid},',
        },
        '/arena',
      ),
    ).toEqual({
      rpcUrl: 'https://sepolia.base.org',
      chainId: 84532,
      deploymentUrl: '/arena/deployments/84532.json',
      refreshMs: 5000,
      gateways: ['https://ipfs.io', 'https://dweb.link/ipfs/{cid}'],
    });
  });

  it('rejects a bad chain id and ignores a too-fast refresh', () => {
    expect(() => appConfig({ VITE_CHAIN_ID: 'base' })).toThrow(/VITE_CHAIN_ID/);
    expect(appConfig({ VITE_REFRESH_MS: '10' }).refreshMs).toBe(3000);
  });
});
