// Strict readers for JSON documents (model specs, dataset manifests). Each reader either returns a
// value of the right type and range or calls `fail(field, message)`, which throws the caller's
// error class; so a parser built from them can never hand out a half-checked document, and every
// message names the field path (`layers[3].units: must be an integer in 1..4096`).

export type Fail = (field: string, message: string) => never;

export type JsonObject = Record<string, unknown>;

/** `child('layers[3]', 'units')` -> `layers[3].units`; the root path is ''. */
export function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function item(path: string, index: number): string {
  return `${path}[${index}]`;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  return `${typeof value} ${String(value)}`;
}

export class FieldReader {
  constructor(private readonly fail: Fail) {}

  /** A plain JSON object, keys unchecked (for reading a discriminator before the key list). */
  record(value: unknown, path: string): JsonObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(path, `must be an object, got ${describe(value)}`);
    }
    return value as JsonObject;
  }

  /** A plain JSON object with no keys outside `allowed`. */
  object(value: unknown, path: string, allowed: readonly string[]): JsonObject {
    const obj = this.record(value, path);
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.fail(child(path, key), `unknown field (allowed: ${allowed.join(', ')})`);
    }
    return obj;
  }

  array(value: unknown, path: string, minLength: number, maxLength: number): unknown[] {
    if (!Array.isArray(value)) this.fail(path, `must be an array, got ${describe(value)}`);
    if (value.length < minLength || value.length > maxLength) {
      const want = minLength === maxLength ? `exactly ${minLength}` : `${minLength}..${maxLength}`;
      this.fail(path, `must have ${want} entries, got ${value.length}`);
    }
    return value;
  }

  private required(value: unknown, path: string, what: string): void {
    if (value === undefined) this.fail(path, `missing, must be ${what}`);
  }

  integer(value: unknown, path: string, min: number, max: number): number {
    const what = `an integer in ${min}..${max}`;
    this.required(value, path, what);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, `must be ${what}, got ${describe(value)}`);
    }
    return value;
  }

  /**
   * A finite number in a range; `open` excludes the bounds it names. The message spells the
   * interval the way docs/ml.md does: (0, 1], [0, 0.9).
   */
  number(value: unknown, path: string, min: number, max: number, open: { min?: boolean; max?: boolean } = {}): number {
    const what =
      max === Number.MAX_VALUE
        ? `a finite number ${open.min ? '>' : '>='} ${min}`
        : `a number in ${open.min ? '(' : '['}${min}, ${max}${open.max ? ')' : ']'}`;
    this.required(value, path, what);
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      (open.min ? value <= min : value < min) ||
      (open.max ? value >= max : value > max)
    ) {
      this.fail(path, `must be ${what}, got ${describe(value)}`);
    }
    return value;
  }

  string(
    value: unknown,
    path: string,
    opts: { min?: number; max: number; pattern?: RegExp; patternText?: string },
  ): string {
    const min = opts.min ?? 0;
    const what = opts.patternText ?? `a string of ${min}..${opts.max} characters`;
    this.required(value, path, what);
    if (typeof value !== 'string') this.fail(path, `must be ${what}, got ${describe(value)}`);
    if (value.length < min || value.length > opts.max)
      this.fail(path, `must be ${what}, got ${value.length} characters`);
    if (opts.pattern && !opts.pattern.test(value)) this.fail(path, `must be ${what}, got ${describe(value)}`);
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    this.required(value, path, 'true or false');
    if (typeof value !== 'boolean') this.fail(path, `must be true or false, got ${describe(value)}`);
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T {
    const what = `one of ${options.map((o) => `"${o}"`).join(', ')}`;
    this.required(value, path, what);
    if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
      this.fail(path, `must be ${what}, got ${describe(value)}`);
    }
    return value as T;
  }

  /** The exact constant (format ids, versions). */
  constant<T extends string | number>(value: unknown, path: string, expected: T): T {
    if (value !== expected) this.fail(path, `must be ${JSON.stringify(expected)}, got ${describe(value)}`);
    return expected;
  }
}

/** A shape: 1..maxRank dims, each an integer in 1..4096, at most 1,048,576 values in all. */
export function readShape(r: FieldReader, fail: Fail, value: unknown, path: string, maxRank: number): number[] {
  const dims = r.array(value, path, 1, maxRank).map((d, i) => r.integer(d, item(path, i), 1, MAX_DIM));
  const size = dims.reduce((a, b) => a * b, 1);
  if (size > MAX_SAMPLE_VALUES) fail(path, `must hold at most ${MAX_SAMPLE_VALUES} values per sample, got ${size}`);
  return dims;
}

export const MAX_DIM = 4096;
export const MAX_SAMPLE_VALUES = 1_048_576;

/** UTF-8 bytes to a JSON value; `fail` on invalid UTF-8 or JSON. */
export function parseJsonBytes(bytes: Uint8Array, fail: Fail): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail('', 'is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    fail('', `is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}
