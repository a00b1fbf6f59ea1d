// `aiarena <command> [<subcommand>] [options]`: each command is a row in COMMANDS (a group of
// subcommands is a row with its own table), with its options in one table that both parses and
// documents them, so `--help` works on every command and subcommand. Implementations load on
// use: `aiarena tasks` does not load the ML engine.
//
// Exit codes: 0 success; 1 a failure the message says how to fix (no RPC, wrong network, no
// deployment, no key, unknown task, a refused transaction) or a declined confirmation; 2 bad
// usage or bad input; 130 a second Ctrl-C stopped an agent without waiting. Anything else thrown
// is a bug and crashes with its stack.
import { InputError } from '../lib/protocol/errors.ts';
import { runScenario } from '../lib/protocol/scenario.ts';
import { isArenaError } from '../lib/errors.ts';
import { UsageError, helpText, parseOptions, type OptionSpecs, type Parsed } from './args.ts';
import { CliError } from './errors.ts';
import { processIo, type Io } from './io.ts';
import { CONTENT_OPTIONS, KEY_OPTIONS, NETWORK_OPTIONS, OUTPUT_OPTIONS, STATE_OPTIONS } from './option-specs.ts';

export type { Io } from './io.ts';

interface Command {
  summary: string;
  /** The help text. */
  usage: string;
  run?(args: string[], io: Io): Promise<number>;
  subcommands?: Record<string, Command>;
}

/** A command whose arguments are options of `specs` (no positionals). */
function optionsCommand(
  name: string,
  summary: string,
  synopsis: string,
  description: string[],
  specs: OptionSpecs,
  run: (p: Parsed, io: Io) => Promise<number>,
): Command {
  return {
    summary,
    usage: helpText(synopsis, description, specs),
    async run(args, io) {
      const p = parseOptions(args, specs, name);
      if (p.positionals.length > 0)
        throw new UsageError(
          `${name}: unexpected argument ${JSON.stringify(p.positionals[0])} (see aiarena ${name} --help)`,
        );
      return run(p, io);
    },
  };
}

const TASK_MANY = { kind: 'value', value: '<id>', multiple: true } as const;
const POLL: OptionSpecs = {
  poll: { kind: 'value', value: '<ms>', help: 'milliseconds between steps (default 2000)' },
};
const JOIN: OptionSpecs = {
  stake: { kind: 'value', value: '<ARENA>', help: 'own stake to join with, if this account has not joined the task' },
  sigma: { kind: 'value', value: '<percent>', help: 'own share of the pool rewards when joining (default 50)' },
};
const AGENT_COMMON: OptionSpecs = {
  ...POLL,
  ...NETWORK_OPTIONS,
  ...CONTENT_OPTIONS,
  ...KEY_OPTIONS,
  ...STATE_OPTIONS,
  ...OUTPUT_OPTIONS,
};
const TRAIN: OptionSpecs = {
  epochs: { kind: 'value', value: '<n>', help: "training epochs of a run (default: the model spec's)" },
  'train-more': { kind: 'flag', help: 'start another run even though a sealable model exists' },
};
const STOPPING = [
  'Runs until Ctrl-C or SIGTERM: the step under way finishes (a transaction sent is waited',
  'for), the state is saved under --state, and it exits 0; Ctrl-C again quits at once. Started',
  'again with the same options it carries on and sends nothing the chain already has.',
];

const agent = (name: string) => async (p: Parsed, io: Io) => {
  const plan = plans[name]!(p);
  return (await import('./commands/agent.ts')).runAgents(plan, p, io, `agent ${name}`);
};
const plans: Record<string, (p: Parsed) => import('./commands/agent.ts').AgentPlan> = {
  train: (p) => ({ train: needTasks(p, 'agent train'), validate: [], keep: null }),
  validate: (p) => ({ train: [], validate: needTasks(p, 'agent validate'), keep: null }),
  keep: (p) => ({ train: [], validate: [], keep: ids(p.values.task ?? []) }),
  run: (p) => {
    const plan = {
      train: ids(p.values.train ?? []),
      validate: ids(p.values.validate ?? []),
      keep: p.flags.has('keep') ? [] : null,
    };
    if (plan.train.length + plan.validate.length === 0 && plan.keep === null)
      throw new UsageError('agent run: give at least one of --train <id>, --validate <id>, --keep');
    const both = plan.train.filter((t) => plan.validate.includes(t));
    if (both.length > 0)
      throw new UsageError(`agent run: one account cannot train and validate the same task (task ${both.join(', ')})`);
    return plan;
  },
};

function ids(values: readonly string[]): bigint[] {
  return [
    ...new Set(
      values.map((v) => {
        if (!/^\d+$/.test(v.trim()) || BigInt(v.trim()) < 1n)
          throw new UsageError(`a task id is a whole number from 1 (see aiarena tasks), got ${JSON.stringify(v)}`);
        return BigInt(v.trim());
      }),
    ),
  ];
}

function needTasks(p: Parsed, command: string): bigint[] {
  const list = ids(p.values.task ?? []);
  if (list.length === 0) throw new UsageError(`${command}: --task <id> is required (see aiarena tasks)`);
  return list;
}

const AGENT: Record<string, Command> = {
  train: optionsCommand(
    'agent train',
    'stake, train, seal and reveal in a task, every epoch',
    'aiarena agent train --task <id> [--stake <ARENA>] [--epochs <n>] [options]',
    [
      'The Train page without the page: joins with --stake and the watermark key it makes (kept',
      'encrypted under --state/keys), trains the task model with a transcript on the wasm',
      'backend, seals the best model in each seal window, uploads it and reveals it, and answers',
      'challenges of its submissions (ownership proof and disclosure). Several --task run in one',
      'process.',
      '',
      ...STOPPING,
    ],
    { task: { ...TASK_MANY, help: 'task to train in' }, ...JOIN, ...TRAIN, ...AGENT_COMMON },
    agent('train'),
  ),
  validate: optionsCommand(
    'agent validate',
    'stake, evaluate, commit and reveal scores in a task, every epoch',
    'aiarena agent validate --task <id> [--stake <ARENA>] [options]',
    [
      'The Validate page without the page: joins with --stake, fetches each revealed model by',
      'its root, checks and evaluates it once on the eval set, draws the epoch seed, commits and',
      'reveals the subset scores, and takes part in challenges as the app does. Several --task',
      'run in one process and take turns on the ML engine.',
      '',
      ...STOPPING,
    ],
    { task: { ...TASK_MANY, help: 'task to validate in' }, ...JOIN, ...AGENT_COMMON },
    agent('validate'),
  ),
  keep: optionsCommand(
    'agent keep',
    "finalize every task's ended scoring epochs (the keeper)",
    'aiarena agent keep [--task <id>]... [--once] [options]',
    [
      'Calls RewardEngine.finalize for every task (or those given) whose scoring epoch has',
      'ended, until each is booked; anyone may. Costs gas, earns nothing: run one where nobody',
      'else does (npm start runs one for the local stack).',
      '',
      ...STOPPING.slice(0, 1),
    ],
    {
      task: { ...TASK_MANY, help: 'only this task (default: all)' },
      once: { kind: 'flag', help: 'one pass, then exit (for cron)' },
      ...POLL,
      ...NETWORK_OPTIONS,
      ...KEY_OPTIONS,
      ...OUTPUT_OPTIONS,
    },
    agent('keep'),
  ),
  run: optionsCommand(
    'agent run',
    'several roles in one process (one RPC client, one ML engine)',
    'aiarena agent run [--train <id>]... [--validate <id>]... [--keep] [options]',
    ['Runs the trainer, validator and keeper agents named, as the commands above do.', '', ...STOPPING],
    {
      train: { ...TASK_MANY, help: 'train in this task' },
      validate: { ...TASK_MANY, help: 'validate in this task' },
      keep: { kind: 'flag', help: 'also keep (finalize) every task' },
      ...JOIN,
      ...TRAIN,
      ...AGENT_COMMON,
    },
    agent('run'),
  ),
  delegate: optionsCommand(
    'agent delegate',
    "delegate tokens to a task's trainer or validator (one transaction, confirmed)",
    'aiarena agent delegate --task <id> --to <address> --amount <ARENA> [--yes] [options]',
    [
      'Backs a participant of the task with tokens; they count from the next epoch, and their',
      'share of its pool rewards is claimed with `aiarena claim`. Asks before sending unless',
      '--yes (required where there is no terminal).',
    ],
    {
      task: { kind: 'value', value: '<id>', help: 'the task' },
      to: { kind: 'value', value: '<address>', help: 'the trainer or validator to back' },
      amount: { kind: 'value', value: '<ARENA>', help: 'tokens to delegate' },
      yes: { kind: 'flag', help: 'send without asking' },
      ...NETWORK_OPTIONS,
      ...KEY_OPTIONS,
      ...OUTPUT_OPTIONS,
    },
    (p, io) => import('./commands/delegate.ts').then((m) => m.delegateCommand(p, io)),
  ),
};

const KEY: Record<string, Command> = {
  new: optionsCommand(
    'key new',
    'make a new account key in an encrypted file',
    'aiarena key new --key-file <path>',
    ['The passphrase comes from AIARENA_KEY_PASSPHRASE or is asked twice at the terminal.'],
    { ...KEY_OPTIONS, ...OUTPUT_OPTIONS },
    (p, io) => import('./commands/key.ts').then((m) => m.keyNewCommand(p, io)),
  ),
  import: optionsCommand(
    'key import',
    'encrypt an existing private key into a file',
    'aiarena key import --key-file <path>',
    [
      'The key is read from AIARENA_PRIVATE_KEY, typed at the terminal, or read from stdin',
      '(never from the command line); the passphrase as for key new.',
    ],
    { ...KEY_OPTIONS, ...OUTPUT_OPTIONS },
    (p, io) => import('./commands/key.ts').then((m) => m.keyImportCommand(p, io)),
  ),
  address: optionsCommand(
    'key address',
    "print a key file's address (no passphrase needed)",
    'aiarena key address --key-file <path>',
    [],
    { ...KEY_OPTIONS, ...OUTPUT_OPTIONS },
    (p, io) => import('./commands/key.ts').then((m) => m.keyAddressCommand(p, io)),
  ),
};

function group(name: string, summary: string, subcommands: Record<string, Command>): Command {
  const width = Math.max(...Object.keys(subcommands).map((n) => n.length));
  return {
    summary,
    usage: [
      `usage: aiarena ${name} <subcommand> [options]`,
      '',
      'subcommands:',
      ...Object.entries(subcommands).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`),
      '',
      `\`aiarena ${name} <subcommand> --help\` shows its options.`,
    ].join('\n'),
    subcommands,
  };
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
  tasks: optionsCommand(
    'tasks',
    "list the deployment's tasks with phase, epoch, stakes and reward",
    'aiarena tasks [--limit <n>] [options]',
    ['Newest first. Stakes are own plus delegated, counting changes not yet in effect.'],
    {
      limit: { kind: 'value', value: '<n>', help: 'at most this many tasks (default 50)' },
      ...NETWORK_OPTIONS,
      ...OUTPUT_OPTIONS,
    },
    (p, io) => import('./commands/tasks.ts').then((m) => m.tasksCommand(p, io)),
  ),
  status: optionsCommand(
    'status',
    "an account's role, stake, rewards and agent in a task",
    'aiarena status --task <id> [--account <address>] [options]',
    [
      'The account is --account, else the key file address, else AIARENA_PRIVATE_KEY. Shows',
      'the window by chain time, the role, stake and sigma, rewards (claimable now or when),',
      "delegations, and the agent's stored state under --state: its phase, last notes and what",
      'it would do next.',
    ],
    {
      task: { kind: 'value', value: '<id>', help: 'the task' },
      account: { kind: 'value', value: '<address>', help: 'report on this address (no key needed)' },
      ...NETWORK_OPTIONS,
      ...KEY_OPTIONS,
      ...STATE_OPTIONS,
      ...OUTPUT_OPTIONS,
    },
    (p, io) => import('./commands/status.ts').then((m) => m.statusCommand(p, io)),
  ),
  claim: optionsCommand(
    'claim',
    'claim the rewards this account can take now (asks first)',
    'aiarena claim [--task <id>]... [--withdraw] [--yes] [options]',
    [
      'Own rewards and delegation rewards that are claimable now, in every task or those given;',
      'with --withdraw also stakes and delegations that are free to withdraw. Lists what is',
      'not claimable yet and when it will be. Asks before sending unless --yes.',
    ],
    {
      task: { ...TASK_MANY, help: 'only this task' },
      withdraw: { kind: 'flag', help: 'also withdraw free stakes and delegations' },
      yes: { kind: 'flag', help: 'send without asking' },
      ...NETWORK_OPTIONS,
      ...KEY_OPTIONS,
      ...OUTPUT_OPTIONS,
    },
    (p, io) => import('./commands/claim.ts').then((m) => m.claimCommand(p, io)),
  ),
  agent: group('agent', 'run the app agents headless: train, validate, keep, delegate', AGENT),
  key: group('key', 'account key files: new, import, address', KEY),
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, cmd]) => `  ${name.padEnd(width)}  ${cmd.summary}`);
  return [
    'usage: aiarena <command> [--help]',
    '',
    'commands:',
    ...lines,
    '',
    'Operators: README, "Operators", and docs/operators.md.',
  ].join('\n');
}

const isHelp = (a: string) => a === '--help' || a === '-h';

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(`${usage()}\n`);
    return 2;
  }
  if (isHelp(name) || name === 'help') {
    io.stdout(`${usage()}\n`);
    return 0;
  }
  let command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`error: unknown command ${JSON.stringify(name)}\n${usage()}\n`);
    return 2;
  }
  let path = name;
  let args = rest;
  while (command.subcommands) {
    const [sub, ...more] = args;
    if (sub === undefined) {
      io.stderr(`${command.usage}\n`);
      return 2;
    }
    if (isHelp(sub)) {
      io.stdout(`${command.usage}\n`);
      return 0;
    }
    const next: Command | undefined = command.subcommands[sub];
    if (next === undefined) {
      io.stderr(`error: unknown subcommand ${JSON.stringify(`${path} ${sub}`)}\n${command.usage}\n`);
      return 2;
    }
    command = next;
    path = `${path} ${sub}`;
    args = more;
  }
  if (args.some(isHelp)) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run!(args, io);
  } catch (err) {
    if (err instanceof InputError || err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n`);
      return 2;
    }
    if (err instanceof CliError || isArenaError(err)) {
      io.stderr(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
