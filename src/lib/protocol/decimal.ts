// Exact conversion between decimal strings and 18-decimal fixed-point bigints. Amounts travel
// as strings because a JSON number (float64) cannot carry 18 decimals of a large token amount.

import { InputError } from './errors.ts';
import { WAD } from './wad.ts';

const DECIMALS = 18;
const DECIMAL_SYNTAX = /^(-?)(\d+)(?:\.(\d+))?$/;

export interface ParseOptions {
  /** Accept a leading '-' (no field of the reward scenario does). */
  signed?: boolean;
}

/** "1000.5" -> 1000500000000000000000n. `field` names the input in error messages. */
export function parseWad(text: unknown, field: string, options: ParseOptions = {}): bigint {
  if (typeof text !== 'string') {
    throw new InputError(field, `must be a decimal string like "1000.5", got ${describe(text)}`);
  }
  if (text === '') throw new InputError(field, 'must not be empty');
  const match = DECIMAL_SYNTAX.exec(text);
  if (match === null) {
    throw new InputError(field, `"${text}" is not a plain decimal number (digits, optional fraction)`);
  }
  const [, sign = '', whole = '', fraction = ''] = match;
  if (sign === '-' && !options.signed) throw new InputError(field, 'must not be negative');
  if (fraction.length > DECIMALS) {
    throw new InputError(field, `has more than ${DECIMALS} fractional digits`);
  }
  const magnitude = BigInt(whole) * WAD + BigInt(fraction.padEnd(DECIMALS, '0'));
  return sign === '-' ? -magnitude : magnitude;
}

/** 1000500000000000000000n -> "1000.500000000000000000" (always 18 decimals). */
export function formatWad(value: bigint): string {
  const magnitude = value < 0n ? -value : value;
  const fraction = (magnitude % WAD).toString().padStart(DECIMALS, '0');
  return `${value < 0n ? '-' : ''}${magnitude / WAD}.${fraction}`;
}

/** Shortest exact form for messages: 50000000000000000000n -> "50", 5e17 -> "0.5". */
export function formatWadCompact(value: bigint): string {
  return formatWad(value).replace(/\.?0+$/, '');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
