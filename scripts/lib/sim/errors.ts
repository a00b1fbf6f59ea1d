// The network simulation's errors, on the project's one error base (src/lib/errors.ts): a
// configuration the run cannot play, and a run that did not go as the protocol says it must.
import { ArenaError } from '../../../src/lib/errors.ts';

export class SimError extends ArenaError<'sim-config' | 'sim-run'> {
  constructor(code: 'sim-config' | 'sim-run', message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'SimError';
  }
}
