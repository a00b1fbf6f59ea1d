// `aiarena <command>`: each command is an entry in COMMANDS, so adding one is adding a row.
// Exit codes: 0 success, 2 bad usage or bad input; anything else thrown is a bug and crashes.

import { InputError } from '../lib/protocol/errors.ts';
import { runScenario } from '../lib/protocol/scenario.ts';

interface Io {
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
}

interface Command {
  summary: string;
  usage: string;
  run(args: string[], io: Io): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  rewards: {
    summary: "compute one scoring epoch's rewards from a scenario JSON on stdin",
    usage: [
      'usage: aiarena rewards < scenario.json',
      '',
      'Reads {"params":{"R0","gamma","q","alphaT","alphaV","lambdaV","minScore","tolV","floorBps","minValidators"},',
      '"trainers":[{"id","stake","delegated","sigma","sealTime","duplicate"?,"canary"?}],',
      '"validators":[{"id","stake","delegated","sigma"}], "scores":[[...]]}',
      'with every number a decimal string (scores[j][i]: validator j scores trainer i; floorBps',
      'and minValidators whole numbers). The validators are the ones that revealed. Every param',
      'is required (defaults: README, "The reward calculator").',
      '',
      'Prints the epoch as JSON (docs/reward-math.md): R_T, R_V, booked, rollover (to the next',
      'scoring epoch), dust, the number of qualified submissions, zeroColumns; per trainer its',
      'rank (null: did not qualify, or a canary), qualified, canary, aggregate and pool; per',
      'validator failedCanary, pool and distance; per canary its agreeing stake and validity.',
    ].join('\n'),
    async run(args, io) {
      if (args.length > 0) throw new UsageError(`rewards: unexpected argument ${JSON.stringify(args[0])}`);
      const text = await io.readStdin();
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (err) {
        throw new InputError('stdin', `not valid JSON (${(err as Error).message})`);
      }
      io.stdout(`${JSON.stringify(runScenario(raw), null, 2)}\n`);
      return 0;
    },
  },
};

class UsageError extends Error {}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, cmd]) => `  ${name.padEnd(width)}  ${cmd.summary}`);
  return ['usage: aiarena <command> [--help]', '', 'commands:', ...lines].join('\n');
}

const processIo: Io = {
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr(`${usage()}\n`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${usage()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`error: unknown command ${JSON.stringify(name)}\n${usage()}\n`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof InputError || err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
