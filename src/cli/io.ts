// What a command may touch of the outside world, passed in so tests run commands in-process
// (`main(argv, io)`) with their own environment, terminal and Ctrl-C. The process's own Io is
// processIo.
import { createInterface } from 'node:readline';

export interface Io {
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Environment variables (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Working directory relative paths are resolved against (default: process.cwd()). */
  cwd?: string;
  /** Whether stdout is a terminal: a progress line that updates in place (default: false). */
  isTTY?: boolean;
  /** Terminal width for the progress line. */
  columns?: number;
  /**
   * Asks the person at the terminal; absent where there is none (a service, a pipe), and then a
   * command that needs an answer says which option or variable gives it.
   */
  prompt?(question: string, options?: { secret?: boolean }): Promise<string>;
  /** Calls `handler` on Ctrl-C (SIGINT) and SIGTERM; returns the unsubscribe. */
  onInterrupt?(handler: () => void): () => void;
}

/** Reads one line from the terminal; with `secret` nothing typed is echoed. */
function ask(question: string, secret: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    if (secret) {
      // Echo nothing of what is typed (readline writes each key through _writeToOutput).
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.includes(question)) process.stderr.write(s);
      };
    }
    rl.question(question, (answer) => {
      rl.close();
      if (secret) process.stderr.write('\n');
      resolve(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      reject(new Error('cancelled at the prompt'));
    });
  });
}

export const processIo: Io = {
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
  get columns() {
    return process.stdout.columns;
  },
  ...(process.stdin.isTTY ? { prompt: (q: string, o?: { secret?: boolean }) => ask(q, o?.secret === true) } : {}),
  onInterrupt(handler) {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
};

/** Asks a yes/no question; anything but y or yes is no. */
export async function confirm(io: Io, question: string): Promise<boolean> {
  const answer = await io.prompt!(`${question} [y/N] `);
  return /^(y|yes)$/i.test(answer.trim());
}
