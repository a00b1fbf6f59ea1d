// One sentence for anything a page's action can throw: our own errors (every one an ArenaError:
// input checks, wrong network, the artifact store, spec and manifest fields, transactions
// already decoded) speak in sentences; the rest (wallets, RPCs, viem, reverts) goes through the
// chain client's decoder.
import { decodeContractError } from '../chain/tx/decode.ts';
import { ArenaError } from '../errors.ts';

export function errorSentence(error: unknown): string {
  if (error instanceof ArenaError) return error.shortMessage;
  return decodeContractError(error).sentence;
}

/** Whether the user declined in the wallet (not worth an alarm, just a note). */
export function isRejection(error: unknown): boolean {
  if (error instanceof ArenaError) return error.code === 'rejected';
  return decodeContractError(error).code === 'rejected';
}
