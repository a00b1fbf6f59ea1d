// The events a transaction's receipt holds, decoded against one contract's ABI and typed by event
// name. An action whose transaction succeeded reads what it did from them; an event the contract
// always emits on success but that is absent means the app's ABI and the deployed contract
// disagree, which is worth a clear error rather than `undefined` further down.
import {
  parseEventLogs,
  type Abi,
  type ContractEventName,
  type Hex,
  type ParseEventLogsReturnType,
  type TransactionReceipt,
} from 'viem';
import { ArenaError } from '../errors.ts';

export class MissingEventError extends ArenaError<'missing-event'> {
  constructor(
    readonly eventName: string,
    readonly transactionHash: Hex,
  ) {
    super(
      'missing-event',
      `Transaction ${transactionHash} succeeded but emitted no ${eventName} event: the app's contract ABI and the deployed contract disagree.`,
    );
    this.name = 'MissingEventError';
  }
}

type Receipt = Pick<TransactionReceipt, 'logs' | 'transactionHash'>;

/** Every `eventName` event in the receipt, in log order (none is not an error). */
export function receiptEvents<const abi extends Abi, eventName extends ContractEventName<abi>>(
  receipt: Pick<TransactionReceipt, 'logs'>,
  abi: abi,
  eventName: eventName,
): ParseEventLogsReturnType<abi, eventName, true> {
  return parseEventLogs({ abi, eventName, logs: receipt.logs }) as ParseEventLogsReturnType<abi, eventName, true>;
}

/** The first `eventName` event in the receipt, or undefined (for events a call may or may not emit). */
export function findReceiptEvent<const abi extends Abi, eventName extends ContractEventName<abi>>(
  receipt: Pick<TransactionReceipt, 'logs'>,
  abi: abi,
  eventName: eventName,
): ParseEventLogsReturnType<abi, eventName, true>[number] | undefined {
  return receiptEvents(receipt, abi, eventName)[0];
}

/** The first `eventName` event the receipt must contain; MissingEventError when it does not. */
export function receiptEvent<const abi extends Abi, eventName extends ContractEventName<abi>>(
  receipt: Receipt,
  abi: abi,
  eventName: eventName,
): ParseEventLogsReturnType<abi, eventName, true>[number] {
  const event = findReceiptEvent(receipt, abi, eventName);
  if (event === undefined) throw new MissingEventError(eventName, receipt.transactionHash);
  return event;
}
