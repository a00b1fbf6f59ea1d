// Pure parsing of what a request asks the store for: which CID (`/ipfs/<cid>`), which
// representation (`?format=`, else Accept: a raw block, a CAR of the DAG, or the file's bytes),
// which part (`dag-scope`, `Range`), under which name (`Content-Disposition`), and what an upload's
// body is (Content-Type). No I/O here; server.ts and gateway.ts act on the answers.
import { CID } from 'multiformats/cid';
import { DAG_PB_CODEC, RAW_CODEC, SHA2_256 } from '../../../src/lib/storage/unixfs/ref.ts';

export const RAW_BLOCK_TYPE = 'application/vnd.ipld.raw';
export const CAR_TYPE = 'application/vnd.ipld.car';
/** What a CAR answer says it is: CARv1, depth-first, no block twice (trustless gateway spec). */
export const CAR_RESPONSE_TYPE = `${CAR_TYPE}; version=1; order=dfs; dups=n`;
export const FILE_TYPE = 'application/octet-stream';
export const IDENTITY = 0x00;

export type Rejection = { ok: false; status: 400 | 406; code: string; message: string };

/** Longer than any CID we accept; keeps hostile input out of the parser and the messages. */
const MAX_CID_LENGTH = 256;
/** Identity CIDs carry their bytes inline; beyond this they are not what identity is for. */
export const MAX_IDENTITY_BYTES = 128;

function invalidCid(message: string): Rejection {
  return { ok: false, status: 400, code: 'invalid_cid', message };
}

/**
 * A CID the store can answer for: raw or dag-pb, sha2-256 (stored blocks) or identity (bytes
 * inline, such as the spec's probe `bafkqaaa`). CIDv0 names a dag-pb block and is read as its
 * CIDv1; the canonical name (base32 CIDv1) is what files, ETags and headers use.
 */
export function parseCid(input: string): { ok: true; cid: CID } | Rejection {
  if (input === '') return invalidCid('The path has no CID: ask for /ipfs/<cid>.');
  if (input.length > MAX_CID_LENGTH) return invalidCid(`"${input.slice(0, 20)}..." is too long to be a CID.`);
  let cid: CID;
  try {
    cid = CID.parse(input);
  } catch (e) {
    return invalidCid(`"${input.slice(0, 80)}" is not a CID: ${(e as Error).message}`);
  }
  if (cid.version === 0) cid = cid.toV1();
  if (cid.code !== RAW_CODEC && cid.code !== DAG_PB_CODEC) {
    return invalidCid(
      `${cid.toString()} has codec 0x${cid.code.toString(16)}; this store holds raw (0x55) and dag-pb (0x70) blocks.`,
    );
  }
  const mh = cid.multihash;
  const sha = mh.code === SHA2_256 && mh.digest.length === 32;
  const identity = mh.code === IDENTITY && mh.digest.length <= MAX_IDENTITY_BYTES;
  if (!sha && !identity) {
    return invalidCid(
      `${cid.toString()} uses multihash 0x${mh.code.toString(16)} (${mh.digest.length} bytes); this store uses sha2-256.`,
    );
  }
  return { ok: true, cid: CID.createV1(cid.code, mh) };
}

export function parseIpfsPath(pathname: string): { ok: true; cid: CID } | Rejection {
  const rest = pathname.slice('/ipfs/'.length);
  const slash = rest.indexOf('/');
  const cidPart = slash === -1 ? rest : rest.slice(0, slash);
  if (slash !== -1 && rest.slice(slash + 1) !== '') {
    return {
      ok: false,
      status: 400,
      code: 'path_in_block',
      message: 'This store holds files, not directories: ask for /ipfs/<cid> alone.',
    };
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(cidPart);
  } catch (e) {
    return invalidCid((e as Error).message);
  }
  return parseCid(decoded);
}

export type Representation = 'raw' | 'car' | 'file';

/** `format` values of the gateway specs that a fuller gateway could serve but this store does not. */
const OTHER_FORMATS = new Set(['tar', 'dag-json', 'dag-cbor', 'json', 'cbor', 'ipns-record']);
/** Accept types that ask for one of those. */
const OTHER_TYPES = new Set([
  'application/x-tar',
  'application/vnd.ipld.dag-json',
  'application/vnd.ipld.dag-cbor',
  'application/json',
  'application/cbor',
  'application/vnd.ipfs.ipns-record',
]);
const SERVED = `${RAW_BLOCK_TYPE} (format=raw), ${CAR_TYPE} (format=car) or the file's bytes (${FILE_TYPE}, */*)`;

interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...rawParams] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!/^[a-z0-9!#$%&'*+.^_`|~-]+\/[a-z0-9!#$%&'*+.^_`|~-]+$/.test(range)) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq === -1) continue;
      const name = p.slice(0, eq).trim();
      const value = p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      if (name === 'q') q = /^[01](?:\.\d{0,3})?$/.test(value) ? Math.min(1, Number(value)) : 0;
      else params[name] = value;
    }
    ranges.push({ type: range, params, q });
  }
  return ranges;
}

/** A CAR range we cannot answer: another CAR version, or an order other than depth-first. */
function carParamsServable(params: Record<string, string>): boolean {
  if (params.version !== undefined && params.version !== '1') return false;
  if (params.order !== undefined && params.order !== 'dfs' && params.order !== 'unk') return false;
  return true;
}

/**
 * Which representation to answer with. `?format=` wins over Accept (trustless gateway spec).
 * Accept is read as a path gateway does: the raw and CAR types count when named, the file's bytes
 * when named as octet-stream or reached by a wildcard or any type we do not serve as such
 * (text/html...), so a browser tab or `curl` gets the file. The highest q wins (raw, then CAR, then
 * the file on a tie); 406 only when nothing we serve is acceptable.
 */
export function negotiate(
  accept: string | undefined,
  format: string | null,
): { ok: true; representation: Representation } | Rejection {
  if (format !== null) {
    if (format === 'raw' || format === 'car') return { ok: true, representation: format };
    if (OTHER_FORMATS.has(format)) {
      return {
        ok: false,
        status: 406,
        code: 'not_acceptable',
        message: `This store serves format=raw and format=car (and the file's bytes without format), not format=${format}.`,
      };
    }
    return {
      ok: false,
      status: 400,
      code: 'bad_format',
      message: `Unknown format "${format.slice(0, 40)}"; use format=raw or format=car.`,
    };
  }
  if (accept === undefined || accept.trim() === '') return { ok: true, representation: 'file' };
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return { ok: true, representation: 'file' };

  const exact = (type: string) => ranges.filter((r) => r.type === type);
  const rawQ = Math.max(0, ...exact(RAW_BLOCK_TYPE).map((r) => r.q));
  const carQ = Math.max(0, ...exact(CAR_TYPE).map((r) => (carParamsServable(r.params) ? r.q : 0)));
  const octets = exact(FILE_TYPE);
  // The file's bytes: asked for by name, or by a wildcard or a type we do not serve as such
  // (text/html...), unless octet-stream itself was refused with q=0.
  const fileQ =
    octets.length > 0
      ? Math.max(...octets.map((r) => r.q))
      : Math.max(
          0,
          ...ranges
            .filter((r) => r.type !== RAW_BLOCK_TYPE && r.type !== CAR_TYPE && !OTHER_TYPES.has(r.type))
            .map((r) => r.q),
        );
  const best = Math.max(rawQ, carQ, fileQ);
  if (best > 0) {
    if (rawQ === best) return { ok: true, representation: 'raw' };
    if (carQ === best) return { ok: true, representation: 'car' };
    return { ok: true, representation: 'file' };
  }
  return {
    ok: false,
    status: 406,
    code: 'not_acceptable',
    message: `This store serves ${SERVED}; the request accepts only: ${accept.slice(0, 200)}.`,
  };
}

export type DagScope = 'all' | 'entity' | 'block';

/** `dag-scope` of a CAR request (trustless gateway spec); `entity-bytes` is not served. */
export function parseCarParams(query: URLSearchParams): { ok: true; scope: DagScope } | Rejection {
  if (query.has('entity-bytes')) {
    return {
      ok: false,
      status: 400,
      code: 'bad_request',
      message: 'entity-bytes is not served here; ask for the whole file (dag-scope=all) or its root (dag-scope=block).',
    };
  }
  const scope = query.get('dag-scope') ?? 'all';
  if (scope === 'all' || scope === 'entity' || scope === 'block') return { ok: true, scope };
  return {
    ok: false,
    status: 400,
    code: 'bad_request',
    message: `Unknown dag-scope "${scope.slice(0, 40)}"; use all, entity or block.`,
  };
}

export type ByteRange = { kind: 'whole' } | { kind: 'part'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * A single `Range: bytes=a-b`, `a-` or `-n` over `size` bytes (RFC 9110 14.1.2). Anything else
 * (other units, several ranges, bad syntax) is ignored and gets the whole content, as the RFC
 * allows; a well-formed range entirely past the end is unsatisfiable (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return { kind: 'whole' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return { kind: 'whole' };
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    const n = Number(last);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return { kind: 'whole' };
  return { kind: 'part', start, end };
}

/** Printable ASCII a quoted filename may hold; everything else becomes `_`. */
function asciiFilename(name: string): string {
  return name.replace(/[^\x20-\x7e]|["\\/]/g, '_');
}

/**
 * `Content-Disposition` for an answer: `inline` for the file, `attachment` for blocks and CARs and
 * with `?download=true`. The name is `?filename=` when given (sanitized, at most 200 characters;
 * a non-ASCII name also travels as RFC 8187 `filename*`), else the CID with an extension.
 */
export function contentDisposition(representation: Representation, cid: string, query: URLSearchParams): string {
  const download = query.get('download') === 'true';
  const disposition = representation === 'file' && !download ? 'inline' : 'attachment';
  const fallback = representation === 'raw' ? `${cid}.bin` : representation === 'car' ? `${cid}.car` : cid;
  const given = (query.get('filename') ?? '')
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, 200);
  if (given === '' || given === '.' || given === '..') return `${disposition}; filename="${fallback}"`;
  const ascii = asciiFilename(given);
  if (/^[\x20-\x7e]*$/.test(given)) return `${disposition}; filename="${ascii}"`;
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(given.replace(/[/\\]/g, '_'))}`;
}

/** The ETag of an answer: `"<cid>.raw"`, `"<cid>.car.<scope>"`, or `"<cid>"` for the file. */
export function etagOf(representation: Representation, cid: string, scope: DagScope): string {
  if (representation === 'raw') return `"${cid}.raw"`;
  if (representation === 'car') return `"${cid}.car.${scope}"`;
  return `"${cid}"`;
}

/** True when an If-None-Match header names this ETag (or is `*`). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/** `Cache-Control: only-if-cached`: answer from what is held, 412 otherwise (gateway spec). */
export function onlyIfCached(cacheControl: string | undefined): boolean {
  return (cacheControl ?? '')
    .toLowerCase()
    .split(',')
    .some((d) => d.trim() === 'only-if-cached');
}

export type UploadForm = 'car' | 'bytes' | 'multipart';

/** What an upload's body is, by its Content-Type (the media type alone; parameters ignored). */
export function uploadForm(contentType: string | undefined): UploadForm {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === CAR_TYPE) return 'car';
  if (type.startsWith('multipart/')) return 'multipart';
  return 'bytes';
}
