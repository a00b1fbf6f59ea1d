// Fetching the circuit's artifacts named by a manifest, with byte progress and the sha256 check
// every download gets (SPEC section 5). A worker keeps them in memory between proofs.
import { verifySha256, IntegrityError } from '../ml/integrity.ts';
import type { CircuitShape } from './circuit.ts';
import { ZkArtifactError } from './errors.ts';
import { circuitEntry, parseZkManifest, type ArtifactFile, type CircuitEntry, type ZkManifest } from './manifest.ts';
import type { ProverArtifacts } from './prove.ts';

export type Fetch = typeof fetch;

export interface LoadProgress {
  loadedBytes: number;
  totalBytes: number;
}

export interface LoadedCircuit {
  name: string;
  entry: CircuitEntry;
  shape: CircuitShape;
  artifacts: ProverArtifacts;
}

async function fetchOk(fetchFn: Fetch, url: string, what: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (e) {
    throw new ZkArtifactError(`could not download ${what} from ${url}: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new ZkArtifactError(`could not download ${what} from ${url}: HTTP ${res.status}`);
  return res;
}

/** Reads a body while reporting bytes; refuses more bytes than the manifest announced. */
async function readBody(
  res: Response,
  expected: number,
  what: string,
  onBytes: (n: number) => void,
): Promise<Uint8Array> {
  if (!res.body) {
    const b = new Uint8Array(await res.arrayBuffer());
    onBytes(b.length);
    return b;
  }
  const out = new Uint8Array(expected);
  let at = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > expected) {
      await reader.cancel();
      throw new ZkArtifactError(`${what} is larger than the ${expected} bytes the manifest announces`);
    }
    out.set(value, at);
    at += value.length;
    onBytes(value.length);
  }
  if (at !== expected) throw new ZkArtifactError(`${what} has ${at} bytes, the manifest announces ${expected}`);
  return out;
}

export async function fetchZkManifest(manifestUrl: string, fetchFn: Fetch = fetch): Promise<ZkManifest> {
  const res = await fetchOk(fetchFn, manifestUrl, 'the zk manifest');
  return parseZkManifest(await res.text());
}

/**
 * Downloads and checks the wasm, zkey and verification key of a manifest entry (file paths are
 * relative to the manifest's URL).
 */
export async function loadArtifacts(
  manifestUrl: string,
  entry: CircuitEntry,
  options: { fetch?: Fetch; onProgress?: (p: LoadProgress) => void } = {},
): Promise<ProverArtifacts> {
  const fetchFn = options.fetch ?? fetch;
  const files: [string, ArtifactFile][] = [
    ['the verification key', entry.files.vkey],
    ['the witness calculator', entry.files.wasm],
    ['the proving key', entry.files.zkey],
  ];
  const totalBytes = files.reduce((a, [, f]) => a + f.bytes, 0);
  let loadedBytes = 0;
  options.onProgress?.({ loadedBytes, totalBytes });
  const get = async ([what, f]: [string, ArtifactFile]) => {
    // The version in the URL lets the service worker cache these large fixed-name files safely
    // (scripts/lib/vite-pwa.ts caches /zk/*.wasm|zkey only with ?sha256=).
    const url = new URL(`${f.path}?sha256=${f.sha256}`, manifestUrl).href;
    const res = await fetchOk(fetchFn, url, what);
    const bytes = await readBody(res, f.bytes, `${what} (${f.path})`, (n) => {
      loadedBytes += n;
      options.onProgress?.({ loadedBytes, totalBytes });
    });
    try {
      return await verifySha256(bytes, f.sha256, `${what} (${f.path})`);
    } catch (e) {
      if (e instanceof IntegrityError) throw new ZkArtifactError(e.message, { cause: e });
      throw e;
    }
  };
  const [vkeyBytes, wasm, zkey] = await Promise.all(files.map(get));
  let vkey: unknown;
  try {
    vkey = JSON.parse(new TextDecoder().decode(vkeyBytes));
  } catch {
    throw new ZkArtifactError(`the verification key (${entry.files.vkey.path}) is not JSON`);
  }
  return { wasm: wasm!, zkey: zkey!, vkey };
}

/** Manifest and artifacts of circuit `name` in one call. */
export async function loadCircuit(
  manifestUrl: string,
  name: string,
  options: { fetch?: Fetch; onProgress?: (p: LoadProgress) => void } = {},
): Promise<LoadedCircuit> {
  const entry = circuitEntry(await fetchZkManifest(manifestUrl, options.fetch), name);
  return { name, entry, shape: shapeOf(entry), artifacts: await loadArtifacts(manifestUrl, entry, options) };
}

export const shapeOf = (entry: CircuitEntry): CircuitShape => ({ T: entry.T, N: entry.N, WB: entry.WB });
