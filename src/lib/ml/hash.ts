// SHA-256 over WebCrypto, the same in browsers, workers and Node 20 (globalThis.crypto), so
// content hashes of specs, datasets and artifacts need no bundled hash code.

export async function sha256Bytes(bytes: Uint8Array): Promise<Uint8Array> {
  // WebCrypto refuses views on a SharedArrayBuffer; copy only in that rare case.
  const input = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input));
}

/** Lowercase hex, 64 characters, no 0x prefix. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await sha256Bytes(bytes);
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
