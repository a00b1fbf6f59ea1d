// Command-line options of the benchmark scripts: `--name value` pairs and bare flags, unknown
// options refused, values checked as they are read.
export interface OptionReader {
  /** The value after `--name`, or undefined when the option is absent. */
  get(name: string): string | undefined;
  /** An integer of at least `min`, or `fallback` when absent. */
  int(name: string, fallback: number, min: number): number;
  /** Whether `--name` appears. */
  flag(name: string): boolean;
}

export function optionReader(argv: readonly string[], known: readonly string[]): OptionReader {
  const names = new Set(known);
  for (const a of argv) if (a.startsWith('--') && !names.has(a.slice(2))) throw new Error(`unknown option ${a}`);
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
    return v;
  };
  return {
    get,
    int(name, fallback, min) {
      const v = get(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${v}`);
      return n;
    },
    flag: (name) => argv.includes(`--${name}`),
  };
}
