// ProverPort over the app's ownership proving (src/lib/app-logic/ownership.ts): the same checks
// and the same prover the Challenges page uses (the zk worker in the app, the in-process prove
// service in Node), so an agent's proof and a proof made by hand are the same proof.
import type { Address } from 'viem';
import type { ReadContext } from '../../chain/actions/context.ts';
import { proveResponse, type OwnershipEnv } from '../../app-logic/ownership.ts';
import type { ProverPort } from '../ports.ts';

export function ownershipProverPort(ctx: ReadContext, env: OwnershipEnv, account: Address): ProverPort {
  return {
    async proveOwnership({ challengeId, key }) {
      const { proof } = await proveResponse(ctx, env, { challengeId, account, key });
      return proof.calldata;
    },
  };
}
