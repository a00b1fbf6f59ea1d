// One account, several senders: the headless agents run a trainer, validators and a keeper of
// one account in one process, and two of them sending at once would both take the same pending
// nonce (the second replaces or is refused). This sender lets one request at a time through
// simulate and send, the part that picks the nonce, and waits for receipts concurrently.
import { genericSentence } from './decode.ts';
import { TxError } from './errors.ts';
import { explainRevert, sendCall, simulate, waitForOutcome, type ReadClient, type WaitOptions } from './send.ts';
import type { AccountWallet, Sender } from './types.ts';

export function serialSender(client: ReadClient, wallet: AccountWallet, wait: WaitOptions = {}): Sender {
  let turn: Promise<unknown> = Promise.resolve();
  return async (request) => {
    const sent = turn.then(async () => {
      await simulate(client, wallet, request.call);
      return sendCall(wallet, request.call, client);
    });
    turn = sent.catch(() => undefined);
    const hash = await sent;
    const outcome = await waitForOutcome(client, hash, wait);
    if (outcome.kind === 'replaced') throw new TxError('replaced', genericSentence('replaced'));
    if (outcome.receipt.status !== 'success')
      throw await explainRevert(client, outcome.receipt, request.call.functionName);
    return outcome.receipt;
  };
}
