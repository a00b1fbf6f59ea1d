// Every custom error of every contract has a plain sentence with its arguments filled in, and
// whatever a wallet, RPC or viem throws is decoded to one. A new contract error without a
// sentence fails here (and in tsc, through the table's type).
import {
  BaseError,
  ChainMismatchError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  HttpRequestError,
  InsufficientFundsError,
  NonceTooLowError,
  TimeoutError,
  UserRejectedRequestError,
  type Abi,
  type AbiParameter,
  type Hex,
} from 'viem';
import { mainnet } from 'viem/chains';
import { describe, expect, it } from 'vitest';
import * as abis from '../../../src/lib/chain/abi.generated.ts';
import { decodeContractError, PROTOCOL_ERRORS_ABI, toTxError } from '../../../src/lib/chain/tx/decode.ts';
import { TxError } from '../../../src/lib/chain/tx/errors.ts';
import { ERROR_SENTENCES, formatChainTime, protocolErrorSentence } from '../../../src/lib/chain/tx/sentences.ts';

type AbiError = Extract<Abi[number], { type: 'error' }>;

const allErrors = Object.values(abis)
  .flat()
  .filter((item) => item.type === 'error') as unknown as AbiError[];
const errorNames = [...new Set(allErrors.map((e) => e.name))].sort();

function sample(p: AbiParameter, variant: 0 | 1): unknown {
  switch (p.type) {
    case 'address':
      return variant ? '0x2222222222222222222222222222222222222222' : '0x1111111111111111111111111111111111111111';
    case 'uint8':
      return variant ? 2 : 1;
    case 'bytes32':
      return (variant ? `0x${'bb'.repeat(32)}` : `0x${'aa'.repeat(32)}`) as Hex;
    case 'string':
      return variant ? 'beta' : 'alpha';
    default:
      if (p.type.startsWith('uint')) return variant ? 3n * 10n ** 18n + 1_700_000_000n : 1_700_000_000n;
      throw new Error(`no sample for ${p.type}`);
  }
}

describe('error sentences', () => {
  it('exist for exactly the custom errors of the contracts', () => {
    expect(errorNames.length).toBeGreaterThan(70);
    expect(Object.keys(ERROR_SENTENCES).sort()).toEqual(errorNames);
  });

  it('are plain sentences and change with their arguments', () => {
    // Arguments a sentence deliberately leaves out (nothing a user could act on).
    const ignoresArgs = new Set(['ECDSAInvalidSignatureS']);
    for (const error of allErrors) {
      const a = error.inputs.map((p) => sample(p, 0));
      const b = error.inputs.map((p) => sample(p, 1));
      const sa = protocolErrorSentence(error.name, a)!;
      expect(sa, error.name).toMatch(/^[A-Z0-9"].*[.]$/s);
      expect(sa, error.name).not.toMatch(/undefined|NaN|\[object|null/);
      if (error.inputs.length > 0 && !ignoresArgs.has(error.name)) {
        expect(protocolErrorSentence(error.name, b), `${error.name} interpolates its arguments`).not.toBe(sa);
      }
    }
  });

  it('fill in amounts, roles, windows and times', () => {
    const T = 10n ** 18n;
    expect(
      ERROR_SENTENCES.ERC20InsufficientBalance(['0x1111111111111111111111111111111111111111', 25n * T, 1_000n * T], {}),
    ).toBe('The account 0x1111…1111 holds 25 ARENA but this needs 1,000 ARENA.');
    expect(ERROR_SENTENCES.AlreadyJoined([2], {})).toBe('You already joined this task as a validator.');
    expect(ERROR_SENTENCES.WrongWindow([3, 1], {})).toBe(
      'This can be done only in the score commit window; the task is in the seal window now.',
    );
    expect(ERROR_SENTENCES.StakeLocked([1_767_225_600n], {})).toBe(
      'Your stake is locked until the task ends, at 2026-01-01 00:00:00 UTC.',
    );
    expect(ERROR_SENTENCES.OpenChallenges([1n], {})).toBe(
      '1 challenge is still open against this trainer; wait until it is settled.',
    );
    expect(ERROR_SENTENCES.OpenChallenges([2n], {})).toBe(
      '2 challenges are still open against this trainer; wait until they are settled.',
    );
    expect(ERROR_SENTENCES.NotJoined([], { functionName: 'delegateWithPermit' })).toBe(
      'The participant you chose has not joined this task.',
    );
    expect(ERROR_SENTENCES.NotJoined([], { functionName: 'claimOwnRewards' })).toBe('You have not joined this task.');
    expect(ERROR_SENTENCES.StakeBelowMinimum([10n * T], { functionName: 'join' })).toBe(
      "Joining this role takes a stake of at least 10 ARENA, the task's minimum for the role (a slot in the role's list is never held with less).",
    );
    expect(ERROR_SENTENCES.ChallengeAlreadyOpen([4n], {})).toBe(
      'Challenge 4 of this submission is still open; a submission has at most one open challenge at a time.',
    );
    expect(ERROR_SENTENCES.StakingClosed([], { functionName: 'setSigma' })).toMatch(
      /an increase applies only from the epoch after next/,
    );
    expect(ERROR_SENTENCES.FinalEvalUnsettled([], { functionName: 'drawEvalSeed' })).toMatch(
      /^A final-phase epoch's evaluation seed can be drawn only once/,
    );
    expect(ERROR_SENTENCES.ObjectionLocked([1_767_225_600n], {})).toMatch(
      /^Your objection stays locked until the review ends at 2026-01-01 00:00:00 UTC, also when the task was already rejected/,
    );
    expect(formatChainTime(10n ** 30n)).toBe(`time ${10n ** 30n}`);
  });
});

describe('decodeContractError', () => {
  it('decodes the raw revert data of every custom error, wherever in the cause chain it sits', () => {
    for (const error of allErrors) {
      const args = error.inputs.map((p) => sample(p, 1));
      const data = encodeErrorResult({ abi: [error] as Abi, errorName: error.name, args } as never);
      const wrapped = {
        name: 'CallExecutionError',
        message: 'execution reverted',
        cause: { code: 3, message: 'execution reverted', data },
      };
      const decoded = decodeContractError(wrapped);
      expect(decoded.code, error.name).toBe('reverted');
      expect(decoded.errorName).toBe(error.name);
      expect(decoded.sentence).toBe(protocolErrorSentence(error.name, decoded.args));
    }
  });

  it("uses viem's decoded error and the function it came from", () => {
    const data = encodeErrorResult({ abi: abis.submissionBookAbi, errorName: 'CommitmentMismatch' });
    const reverted = new ContractFunctionRevertedError({
      abi: abis.submissionBookAbi as Abi,
      data,
      functionName: 'revealScores',
    });
    const error = new ContractFunctionExecutionError(reverted, {
      abi: abis.submissionBookAbi as Abi,
      functionName: 'revealScores',
      args: [1n, [1n], `0x${'00'.repeat(32)}`],
      contractAddress: '0x1111111111111111111111111111111111111111',
    });
    expect(decodeContractError(error)).toEqual({
      code: 'reverted',
      sentence: 'These scores and salt do not match your score commitment.',
      errorName: 'CommitmentMismatch',
      args: [],
    });
    const sealing = new ContractFunctionExecutionError(
      new ContractFunctionRevertedError({ abi: abis.submissionBookAbi as Abi, data, functionName: 'revealSubmission' }),
      {
        abi: abis.submissionBookAbi as Abi,
        functionName: 'revealSubmission',
        args: [1n, `0x${'01'.repeat(32)}`, `0x${'02'.repeat(32)}`, `0x${'03'.repeat(32)}`],
      },
    );
    expect(decodeContractError(sealing).sentence).toBe(
      'The artifact hash, watermark commitment, transcript or salt does not match your seal.',
    );
  });

  it('tells reverts that are not the protocol’s', () => {
    const reason = encodeErrorResult({
      abi: [{ type: 'error', name: 'Error', inputs: [{ name: 'message', type: 'string' }] }],
      errorName: 'Error',
      args: ['boom'],
    });
    expect(decodeContractError({ data: reason })).toMatchObject({
      code: 'reverted-unknown',
      sentence: 'The contract refused: boom.',
    });
    const panic = encodeErrorResult({
      abi: [{ type: 'error', name: 'Panic', inputs: [{ name: 'code', type: 'uint256' }] }],
      errorName: 'Panic',
      args: [17n],
    });
    expect(decodeContractError({ data: panic }).sentence).toBe(
      'The contract failed an internal check (panic code 17).',
    );
    expect(decodeContractError({ data: '0xdeadbeef' }).code).toBe('unknown');
    expect(decodeContractError(new ContractFunctionRevertedError({ abi: [], functionName: 'f' }))).toEqual({
      code: 'reverted-unknown',
      sentence: 'The contract refused the transaction without saying why.',
    });
    expect(PROTOCOL_ERRORS_ABI.every((i) => i.type === 'error')).toBe(true);
  });

  it('gives the generic sentences for wallet and RPC failures', () => {
    const rejectedSentence = 'You declined the request in your wallet.';
    expect(decodeContractError(new UserRejectedRequestError(new Error('nope')))).toEqual({
      code: 'rejected',
      sentence: rejectedSentence,
    });
    expect(decodeContractError({ code: 4001, message: 'User rejected the request.' }).code).toBe('rejected');
    expect(decodeContractError({ code: 5000, message: 'User rejected.' }).code).toBe('rejected');
    // A wallet that attaches revert data to a rejection: the rejection is what happened.
    expect(
      decodeContractError({
        code: 4001,
        message: 'denied',
        data: encodeErrorResult({ abi: abis.stakeManagerAbi, errorName: 'ZeroAmount' }),
      }).code,
    ).toBe('rejected');
    expect(decodeContractError(new InsufficientFundsError())).toEqual({
      code: 'insufficient-funds',
      sentence: "Your account does not have enough of the chain's currency to pay for gas.",
    });
    expect(decodeContractError(new NonceTooLowError()).code).toBe('nonce');
    expect(decodeContractError(new HttpRequestError({ url: 'http://x', details: 'fetch failed' })).code).toBe(
      'rpc-unavailable',
    );
    expect(decodeContractError(new TimeoutError({ body: {}, url: 'http://x' })).code).toBe('rpc-unavailable');
    expect(decodeContractError({ message: 'TypeError: Failed to fetch' }).code).toBe('rpc-unavailable');
    expect(decodeContractError(new ChainMismatchError({ chain: mainnet, currentChainId: 5 })).code).toBe(
      'wrong-network',
    );
    expect(decodeContractError(new Error('weird thing\n  at stack'))).toEqual({
      code: 'unknown',
      sentence: 'The transaction failed: weird thing.',
    });
    expect(decodeContractError(new BaseError('short one', { details: 'x' })).sentence).toBe(
      'The transaction failed: short one.',
    );
    expect(decodeContractError(undefined).sentence).toBe('The transaction failed for an unexpected reason.');
  });

  it('passes TxErrors through and wraps the rest', () => {
    const e = new TxError('replaced', 'Another one.');
    expect(toTxError(e)).toBe(e);
    const wrapped = toTxError({ code: 4001 });
    expect(wrapped).toBeInstanceOf(TxError);
    expect([wrapped.code, wrapped.message]).toEqual(['rejected', 'You declined the request in your wallet.']);
  });
});
