/**
 * A problem with caller-supplied data (scenario JSON, epoch inputs). The message starts with
 * the offending field's path, so a CLI or form can show it as is; anything else thrown by the
 * protocol library is a bug.
 */
export class InputError extends Error {
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'InputError';
  }
}
