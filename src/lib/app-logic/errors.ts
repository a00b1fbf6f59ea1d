// One sentence for anything a page's action can throw: our own typed errors already speak in
// sentences (input checks, wrong network, the artifact store, spec and manifest fields); the
// rest (wallets, RPCs, viem, reverts) goes through the chain client's decoder.
import { decodeContractError } from '../chain/tx/decode.ts';
import { TxError } from '../chain/tx/errors.ts';

/** Our error classes carry a string `code` and a plain-sentence message; viem's carry `shortMessage`. */
function isOwnTypedError(e: unknown): e is Error {
  if (!(e instanceof Error)) return false;
  if ('shortMessage' in e) return false;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' || e.name === 'SpecError' || e.name === 'ManifestError' || e.name === 'IntegrityError';
}

export function errorSentence(error: unknown): string {
  if (error instanceof TxError) return error.message;
  if (isOwnTypedError(error)) return error.message;
  return decodeContractError(error).sentence;
}

/** Whether the user declined in the wallet (not worth an alarm, just a note). */
export function isRejection(error: unknown): boolean {
  if (error instanceof TxError) return error.code === 'rejected';
  if (isOwnTypedError(error)) return false;
  return decodeContractError(error).code === 'rejected';
}
