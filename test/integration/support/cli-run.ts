// `aiarena <argv>` run in-process for the CLI integration tests, as an operator runs it: its own
// environment, working folder and Ctrl-C; every JSON record it writes kept for the test to read.
import { main, type Io } from '../../../src/cli/main.ts';

export interface Run {
  io: Io;
  /** Every JSON record written so far. */
  records(): Record<string, unknown>[];
  stderr(): string;
  interrupt(): void;
  done: Promise<number>;
}

/** `aiarena <argv>` in-process, with its own environment and Ctrl-C. */
export function start(argv: string[], env: Record<string, string>, cwd: string): Run {
  const out: string[] = [];
  const err: string[] = [];
  let handler: (() => void) | null = null;
  const io: Io = {
    readStdin: async () => '',
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env,
    cwd,
    isTTY: false,
    onInterrupt: (h) => {
      handler = h;
      return () => (handler = null);
    },
  };
  return {
    io,
    records: () =>
      out
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    stderr: () => err.join(''),
    interrupt: () => handler?.(),
    done: main(argv, io),
  };
}

export async function until<T>(
  what: string,
  check: () => Promise<T | null | false> | T | null | false,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await check();
    if (got !== null && got !== false) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const has = (run: Run, match: Record<string, unknown>) =>
  run.records().some((r) => Object.entries(match).every(([k, v]) => JSON.stringify(r[k]) === JSON.stringify(v)));
