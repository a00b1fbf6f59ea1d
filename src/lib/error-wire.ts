// Errors across a worker boundary. Structured clone (what postMessage and Comlink use) keeps an
// Error's name and message and drops its class and fields, so `instanceof` and `code` /
// `retryable` would be lost on the page. The worker sends an error as a plain object instead
// (errorToJson: name, code, shortMessage, details, retryable, the class's own data fields and
// the cause, as far as they are data); the page rebuilds an instance of the class registered
// under that name (errorFromJson, with src/lib/error-registry.ts's classes). Each side only
// needs this module: the registry is passed in, so a worker does not load every error class.
import { ArenaError } from './errors.ts';

/** The marker that tells the page a rejection is an error sent by errorToJson. */
export const ERROR_WIRE = 'arena-error';
/** Marks a field that points back at an error being sent (CidMismatchError.failures holds itself). */
const REF_WIRE = 'arena-error-ref';

/** An error as it crosses the boundary: structured-clonable, and JSON-safe when its fields are. */
export interface ErrorJson {
  wire: typeof ERROR_WIRE;
  name: string;
  message: string;
  /** These four are present for an ArenaError only. */
  code?: string;
  shortMessage?: string;
  details?: string;
  retryable?: boolean;
  /** The class's own enumerable fields that are data (SpecError.field, IntegrityError.expected...). */
  fields?: Record<string, unknown>;
  cause?: unknown;
  stack?: string;
}

/** Classes rebuilt by name (the name an instance sets, not the class's, which minifying renames). */
export type ErrorRegistry = Readonly<Record<string, abstract new (...args: never[]) => ArenaError>>;

// What an ArenaError (or an Error) carries itself; everything else own and enumerable is a field.
const BASE_KEYS = new Set(['name', 'message', 'stack', 'cause', 'code', 'shortMessage', 'details', 'retryable']);
// Deep enough for a failure list of errors with causes; deeper data is dropped, not sent.
const MAX_DEPTH = 8;
const OMIT = Symbol('omit');

export const isErrorJson = (v: unknown): v is ErrorJson =>
  typeof v === 'object' && v !== null && (v as { wire?: unknown }).wire === ERROR_WIRE;

const isRef = (v: unknown): v is { wire: typeof REF_WIRE; up: number } =>
  typeof v === 'object' && v !== null && (v as { wire?: unknown }).wire === REF_WIRE;

const isPlainObject = (v: object) => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** A thrown value as it can cross the boundary; a value that is not an Error becomes one. */
export function errorToJson(e: unknown): ErrorJson {
  return encodeError(e instanceof Error ? e : new Error(String(e)), [], 0);
}

function encodeError(e: Error, path: Error[], depth: number): ErrorJson {
  path.push(e);
  const j: ErrorJson = { wire: ERROR_WIRE, name: e.name, message: e.message };
  if (e instanceof ArenaError) {
    j.code = e.code;
    j.shortMessage = e.shortMessage;
    if (e.details !== undefined) j.details = e.details;
    j.retryable = e.retryable;
  }
  if (typeof e.stack === 'string') j.stack = e.stack;
  if ('cause' in e) {
    const cause = encode(e.cause, path, depth + 1);
    if (cause !== OMIT) j.cause = cause;
  }
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(e)) {
    if (BASE_KEYS.has(key)) continue;
    const v = encode((e as unknown as Record<string, unknown>)[key], path, depth + 1);
    if (v !== OMIT) fields[key] = v;
  }
  if (Object.keys(fields).length > 0) j.fields = fields;
  path.pop();
  return j;
}

// Only what structured clone copies faithfully: functions, class instances (a client, a tensor)
// and symbols are left out rather than making postMessage throw.
function encode(v: unknown, path: Error[], depth: number): unknown {
  if (v === null || v === undefined) return v;
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint') return v;
  if (t !== 'object' || depth > MAX_DEPTH) return OMIT;
  const o = v as object;
  if (o instanceof Error) {
    const at = path.indexOf(o);
    return at >= 0 ? { wire: REF_WIRE, up: path.length - 1 - at } : encodeError(o, path, depth);
  }
  if (Array.isArray(o)) return o.map((x) => encode(x, path, depth + 1)).map((x) => (x === OMIT ? undefined : x));
  if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer || o instanceof Date) return o;
  if (!isPlainObject(o)) return OMIT;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) {
    const y = encode(x, path, depth + 1);
    if (y !== OMIT) out[k] = y;
  }
  return out;
}

// Errors of the language itself keep their class too (a RangeError from a data check).
const BUILTIN: Readonly<Record<string, new (message?: string) => Error>> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * The error back from its sent form: an instance of the class `registry` names (ArenaError itself
 * for a name it does not know, so code and retryable survive), or of the built-in Error class.
 * The class's constructor is not run (each takes other arguments): ArenaError's is, with the sent
 * code, message, details and retryable, and the fields are set on the result.
 */
export function errorFromJson(j: ErrorJson, registry: ErrorRegistry): Error {
  return decodeError(j, registry, []);
}

function decodeError(j: ErrorJson, registry: ErrorRegistry, path: Error[]): Error {
  let e: Error;
  if (j.code !== undefined) {
    const cls = Object.hasOwn(registry, j.name) ? registry[j.name]! : ArenaError;
    e = Reflect.construct(
      ArenaError,
      [j.code, j.shortMessage ?? j.message, { details: j.details, retryable: j.retryable === true }],
      cls,
    ) as ArenaError;
  } else {
    e = new (Object.hasOwn(BUILTIN, j.name) ? BUILTIN[j.name]! : Error)(j.message);
  }
  // A built-in's name comes from its prototype; an own one would show up as a field.
  if (e.name !== j.name) e.name = j.name;
  if (j.stack !== undefined) e.stack = j.stack;
  path.push(e);
  if ('cause' in j)
    Object.defineProperty(e, 'cause', {
      value: decode(j.cause, registry, path),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  if (j.fields) Object.assign(e, decode(j.fields, registry, path));
  path.pop();
  return e;
}

function decode(v: unknown, registry: ErrorRegistry, path: Error[]): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (isErrorJson(v)) return decodeError(v, registry, path);
  if (isRef(v)) return path[path.length - 1 - v.up];
  if (Array.isArray(v)) return v.map((x) => decode(x, registry, path));
  if (!isPlainObject(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x, registry, path)]));
}

/**
 * A worker's API whose methods throw (or reject with) their errors' sent form: Comlink passes a
 * thrown value that is not an Error through structured clone unchanged, so the page gets it whole.
 */
export function sendErrorsAsJson<T extends object>(api: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(api)) {
    if (typeof value !== 'function') {
      wrapped[key] = value;
      continue;
    }
    wrapped[key] = (...args: unknown[]) => {
      let result: unknown;
      try {
        result = (value as (...a: unknown[]) => unknown).apply(api, args);
      } catch (e) {
        throw errorToJson(e);
      }
      return result instanceof Promise
        ? result.catch((e: unknown) => {
            throw errorToJson(e);
          })
        : result;
    };
  }
  return wrapped as T;
}

/** A rejection from a worker with its error rebuilt (anything not sent by errorToJson unchanged). */
export function rebuildError(e: unknown, registry: ErrorRegistry): unknown {
  return isErrorJson(e) ? errorFromJson(e, registry) : e;
}
