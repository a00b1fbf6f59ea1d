import { ArenaError } from '../errors.ts';
/**
 * A problem with caller-supplied data (scenario JSON, epoch inputs). The message starts with
 * the offending field's path, so a CLI or form can show it as is; anything else thrown by the
 * protocol library is a bug.
 */
export class InputError extends ArenaError<'invalid-input'> {
  constructor(field: string, problem: string) {
    super('invalid-input', `${field}: ${problem}`);
    this.name = 'InputError';
  }
}
