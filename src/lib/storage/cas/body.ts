// Request bodies from byte views. TypeScript's DOM types only take views over a plain
// ArrayBuffer; a view over a SharedArrayBuffer (rare here) is copied once.
export function bodyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
