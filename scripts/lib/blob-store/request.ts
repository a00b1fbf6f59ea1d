// Pure parsing of what a gateway request asks for: which CID (`/ipfs/<cid>`) and which
// representation (the `format` query parameter, else the Accept header). We only hold raw blocks,
// so the only representation is the block's bytes.
import { InvalidCidError } from '../../../src/lib/storage/cas/errors.ts';
import { parseRawCid, type RawCid } from '../../../src/lib/storage/cas/cid.ts';

export const RAW_BLOCK_TYPE = 'application/vnd.ipld.raw';
const OCTET_STREAM = 'application/octet-stream';

export type Rejection = { ok: false; status: 400 | 406; code: string; message: string };

export function parseIpfsPath(pathname: string): { ok: true; blob: RawCid } | Rejection {
  const rest = pathname.slice('/ipfs/'.length);
  const slash = rest.indexOf('/');
  const cidPart = slash === -1 ? rest : rest.slice(0, slash);
  if (slash !== -1 && rest.slice(slash + 1) !== '') {
    return {
      ok: false,
      status: 400,
      code: 'path_in_block',
      message: 'A raw block has no paths inside it: ask for /ipfs/<cid> alone.',
    };
  }
  if (cidPart === '')
    return { ok: false, status: 400, code: 'invalid_cid', message: 'The path has no CID: ask for /ipfs/<cid>.' };
  try {
    return { ok: true, blob: parseRawCid(decodeURIComponent(cidPart)) };
  } catch (e) {
    const message = e instanceof InvalidCidError || e instanceof URIError ? e.message : String(e);
    return { ok: false, status: 400, code: 'invalid_cid', message };
  }
}

/** `format` values of the trustless gateway spec that a fuller gateway could serve but we cannot. */
const OTHER_FORMATS = new Set(['car', 'tar', 'dag-json', 'dag-cbor', 'json', 'cbor', 'ipns-record']);

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const m = /^([a-z0-9!#$%&'*+.^_`|~-]+)\/([a-z0-9!#$%&'*+.^_`|~-]+)$/.exec(range);
    if (!m) continue;
    let q = 1;
    for (const p of params) {
      const qm = /^q=([01](?:\.\d{0,3})?)$/.exec(p);
      if (qm) q = Math.min(1, Number(qm[1]));
    }
    ranges.push({ type: m[1]!, subtype: m[2]!, q });
  }
  return ranges;
}

/** RFC 9110: the most specific range that matches a media type decides its quality. */
function qualityOf(mediaType: string, ranges: MediaRange[]): number {
  const [type, subtype] = mediaType.split('/') as [string, string];
  let best = -1;
  let q = 0;
  for (const r of ranges) {
    const specificity =
      r.type === type && r.subtype === subtype
        ? 2
        : r.type === type && r.subtype === '*'
          ? 1
          : r.type === '*' && r.subtype === '*'
            ? 0
            : -1;
    if (specificity > best) {
      best = specificity;
      q = r.q;
    }
  }
  return q;
}

/**
 * The Content-Type to answer with. `?format=raw` wins over Accept (as in the trustless gateway
 * spec). No Accept, or one that allows anything, gets the raw block too, so a browser tab or a
 * plain `curl` can fetch content as well.
 */
export function negotiateRaw(
  accept: string | undefined,
  format: string | null,
): { ok: true; contentType: string } | Rejection {
  if (format !== null) {
    if (format === 'raw') return { ok: true, contentType: RAW_BLOCK_TYPE };
    if (OTHER_FORMATS.has(format)) {
      return {
        ok: false,
        status: 406,
        code: 'not_acceptable',
        message: `This store only serves raw blocks (format=raw), not format=${format}.`,
      };
    }
    return { ok: false, status: 400, code: 'bad_format', message: `Unknown format "${format}"; use format=raw.` };
  }
  if (accept === undefined || accept.trim() === '') return { ok: true, contentType: RAW_BLOCK_TYPE };
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return { ok: true, contentType: RAW_BLOCK_TYPE };
  const raw = qualityOf(RAW_BLOCK_TYPE, ranges);
  const octets = qualityOf(OCTET_STREAM, ranges);
  if (raw > 0 && raw >= octets) return { ok: true, contentType: RAW_BLOCK_TYPE };
  if (octets > 0) return { ok: true, contentType: OCTET_STREAM };
  return {
    ok: false,
    status: 406,
    code: 'not_acceptable',
    message: `This store only serves raw blocks (${RAW_BLOCK_TYPE}); the request accepts only: ${accept.slice(0, 200)}.`,
  };
}

/** True when an If-None-Match header names this ETag (or is `*`). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
