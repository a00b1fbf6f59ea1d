// One role list (src/lib/chain/roles.ts) checked against the contracts' enum, and the typed
// "event this receipt must contain" helper (src/lib/chain/receipt-events.ts) on encoded logs.
import { readFileSync } from 'node:fs';
import { encodeAbiParameters, encodeEventTopics, type Hex, type Log, type TransactionReceipt } from 'viem';
import { describe, expect, it } from 'vitest';
import { stakeManagerAbi, submissionBookAbi } from '../../../src/lib/chain/abi.generated.ts';
import { Role as ActionsRole, roleName as actionsRoleName } from '../../../src/lib/chain/actions/task-params.ts';
import { CHAIN_ROLES as AGENT_ROLES } from '../../../src/lib/agents/common.ts';
import {
  findReceiptEvent,
  MissingEventError,
  receiptEvent,
  receiptEvents,
} from '../../../src/lib/chain/receipt-events.ts';
import { CHAIN_ROLES, Role, chainRoleOf, roleName, roleNumber } from '../../../src/lib/chain/roles.ts';
import { ArenaError } from '../../../src/lib/errors.ts';

describe('roles', () => {
  it('are the contracts’ Role enum, in its order', () => {
    const source = readFileSync(new URL('../../../contracts/src/lib/TaskTypes.sol', import.meta.url), 'utf8');
    const body = /enum Role \{([^}]*)\}/.exec(source)![1]!;
    expect(body.split(',').map((s) => s.trim())).toEqual([...CHAIN_ROLES]);
    expect([CHAIN_ROLES[Role.Trainer], CHAIN_ROLES[Role.Validator]]).toEqual(['Trainer', 'Validator']);
  });

  it('have one definition that the actions and the agents re-export', () => {
    expect(ActionsRole).toBe(Role);
    expect(actionsRoleName).toBe(roleName);
    expect(AGENT_ROLES).toBe(CHAIN_ROLES);
  });

  it('map between enum values and names both ways', () => {
    expect([roleNumber('trainer'), roleNumber('validator')]).toEqual([1, 2]);
    expect([0, 1, 2, 3, 2n].map((v) => roleName(v))).toEqual([
      undefined,
      'trainer',
      'validator',
      undefined,
      'validator',
    ]);
    expect([0, 1, 2, 7].map((v) => chainRoleOf(v))).toEqual(['None', 'Trainer', 'Validator', 'None']);
  });
});

const BOOK = '0x00000000000000000000000000000000000000b0' as const;
const TX = `0x${'77'.repeat(32)}` as Hex;

function sealedLog(taskId: bigint, epoch: bigint, seq: bigint, trainer: Hex): Log {
  const topics = encodeEventTopics({
    abi: submissionBookAbi,
    eventName: 'SubmissionSealed',
    args: { taskId, epoch, trainer },
  });
  // The unindexed fields: commitment, seq.
  const data = encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint64' }], [`0x${'11'.repeat(32)}`, seq]);
  return {
    address: BOOK,
    topics: topics as Log['topics'],
    data,
    blockHash: null,
    blockNumber: null,
    logIndex: null,
    transactionHash: null,
    transactionIndex: null,
    removed: false,
  };
}

const receipt = (logs: Log[]) => ({ logs, transactionHash: TX }) as unknown as TransactionReceipt;

describe('receipt events', () => {
  const trainer = '0x00000000000000000000000000000000000000a1';

  it('decodes the event a receipt must contain, typed by its name', () => {
    const r = receipt([sealedLog(7n, 2n, 5n, trainer), sealedLog(7n, 2n, 6n, trainer)]);
    const ev = receiptEvent(r, submissionBookAbi, 'SubmissionSealed');
    expect([ev.eventName, ev.args.taskId, ev.args.epoch, ev.args.seq]).toEqual(['SubmissionSealed', 7n, 2n, 5n]);
    expect(receiptEvents(r, submissionBookAbi, 'SubmissionSealed').map((e) => e.args.seq)).toEqual([5n, 6n]);
  });

  it('an absent event: undefined where it is optional, a MissingEventError where it is required', () => {
    const r = receipt([sealedLog(7n, 2n, 5n, trainer)]);
    expect(findReceiptEvent(r, submissionBookAbi, 'SubmissionRevealed')).toBeUndefined();
    expect(receiptEvents(r, stakeManagerAbi, 'Joined')).toEqual([]);
    const e = (() => {
      try {
        receiptEvent(r, stakeManagerAbi, 'Joined');
      } catch (error) {
        return error;
      }
    })() as MissingEventError;
    expect(e).toBeInstanceOf(MissingEventError);
    expect(e).toBeInstanceOf(ArenaError);
    expect([e.code, e.eventName, e.transactionHash, e.retryable]).toEqual(['missing-event', 'Joined', TX, false]);
    expect(e.shortMessage).toMatch(/^Transaction 0x7{64} succeeded but emitted no Joined event/);
  });
});
