// Errors the blob store answers with: each carries the HTTP status and a code the client can test.
export class BlobStoreError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra JSON fields of the error response (e.g. expected and actual CIDs). */
    readonly details: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'BlobStoreError';
  }
}
