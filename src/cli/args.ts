// Command-line options: a small parser with one rule set for every command (`--name value`,
// `--name=value`, boolean flags, repeatable options), and the help text made from the same
// table, so an option cannot exist without being documented. Pure.

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface OptionSpec {
  /** 'flag': present or not; 'value': takes one value. */
  kind: 'flag' | 'value';
  /** May be given several times (values collect in order). */
  multiple?: boolean;
  /** Placeholder for the value in help: "<url>". */
  value?: string;
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface Parsed {
  values: Record<string, string[]>;
  flags: Set<string>;
  positionals: string[];
}

/**
 * Parses `args` against `specs`. Unknown options, a missing value and a repeated single option
 * are UsageErrors that name the option and point at `--help` (`command` names the command).
 */
export function parseOptions(args: readonly string[], specs: OptionSpecs, command: string): Parsed {
  const values: Record<string, string[]> = {};
  const flags = new Set<string>();
  const positionals: string[] = [];
  const help = `see \`aiarena ${command} --help\``;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg))
        throw new UsageError(`${command}: unknown option ${arg} (${help})`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = specs[name];
    if (spec === undefined) throw new UsageError(`${command}: unknown option --${name} (${help})`);
    if (spec.kind === 'flag') {
      if (eq !== -1) throw new UsageError(`${command}: --${name} takes no value`);
      flags.add(name);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2))
        throw new UsageError(`${command}: --${name} needs a value${spec.value ? ` ${spec.value}` : ''}`);
      i += 1;
    }
    const list = (values[name] ??= []);
    if (list.length > 0 && !spec.multiple) throw new UsageError(`${command}: --${name} is given twice`);
    list.push(value);
  }
  return { values, flags, positionals };
}

/** The one value of a single option, or undefined. */
export const single = (p: Parsed, name: string): string | undefined => p.values[name]?.[0];

/** The usage text: the synopsis, a description and every option of `specs`. */
export function helpText(synopsis: string, description: readonly string[], specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const left = `--${name}${s.kind === 'value' ? ` ${s.value ?? '<value>'}` : ''}`;
    return [left, `${s.help}${s.multiple ? ' (repeatable)' : ''}`] as const;
  });
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  const lines = [`usage: ${synopsis}`, ''];
  if (description.length > 0) lines.push(...description, '');
  if (rows.length > 0) lines.push('options:', ...rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`));
  return lines.join('\n').trimEnd();
}
