// The store's files: one file per blob, named by its canonical CID, written to a temporary file
// while hashing and renamed into place only once the hash is known (so a blob file is never
// partial), and hashed again before every read (so a file changed on disk is never served).
//
//   <root>/blocks/<cid>     stored blobs
//   <root>/tmp/             uploads in progress (cleared at start)
//   <root>/corrupt/         blobs that failed their read check, kept for inspection
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { cidFromDigest } from '../../../src/lib/ml/artifact/cid.ts';
import type { RawCid } from '../../../src/lib/storage/cas/cid.ts';
import { BlobStoreError } from './errors.ts';

export interface PutResult {
  cid: string;
  size: number;
  /** False when the store already held these bytes. */
  created: boolean;
}

export interface StoredBlob {
  size: number;
  /** Streams the verified file; the caller must consume or destroy the stream. */
  stream(): Readable;
  close(): Promise<void>;
}

export class BlobDisk {
  readonly blocksDir: string;
  readonly tmpDir: string;
  readonly corruptDir: string;

  constructor(
    readonly root: string,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.blocksDir = join(root, 'blocks');
    this.tmpDir = join(root, 'tmp');
    this.corruptDir = join(root, 'corrupt');
    for (const dir of [this.blocksDir, this.tmpDir, this.corruptDir]) mkdirSync(dir, { recursive: true });
    // Leftovers of uploads cut off by a crash or Ctrl-C.
    for (const name of readdirSync(this.tmpDir)) rmSync(join(this.tmpDir, name), { force: true });
  }

  pathOf(cid: string): string {
    return join(this.blocksDir, cid);
  }

  /**
   * Streams `body` to disk, hashing as it writes; refuses it past `maxBytes` (413) or when its
   * CID is not `expectedCid` (422). Idempotent: the same bytes again leave one file.
   */
  async put(body: AsyncIterable<Uint8Array>, opts: { maxBytes: number; expectedCid?: string }): Promise<PutResult> {
    const tmp = join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    let fh: FileHandle | undefined = await open(tmp, 'wx', 0o644);
    try {
      for await (const chunk of body) {
        size += chunk.byteLength;
        if (size > opts.maxBytes) {
          throw new BlobStoreError(
            413,
            'too_large',
            `The upload is larger than this store's limit of ${opts.maxBytes} bytes.`,
            {
              limit: opts.maxBytes,
            },
          );
        }
        hash.update(chunk);
        await fh.write(chunk);
      }
      await fh.sync();
      await fh.close();
      fh = undefined;
      const cid = cidFromDigest(new Uint8Array(hash.digest()));
      if (opts.expectedCid !== undefined && cid !== opts.expectedCid) {
        throw new BlobStoreError(
          422,
          'cid_mismatch',
          `The uploaded bytes are ${cid}, not the expected ${opts.expectedCid}.`,
          {
            expected: opts.expectedCid,
            actual: cid,
            size,
          },
        );
      }
      const target = this.pathOf(cid);
      const existed = await stat(target).then(
        (s) => s.size === size,
        () => false,
      );
      // rename() replaces atomically: a concurrent reader sees the old file or the new one.
      await rename(tmp, target);
      return { cid, size, created: !existed };
    } finally {
      await fh?.close().catch(() => {});
      await unlink(tmp).catch(() => {});
    }
  }

  /**
   * The blob, once its bytes are checked against the CID; undefined when not stored. A file that
   * fails the check is moved to corrupt/ (a later upload of the right bytes repairs the store)
   * and the call throws a 500: serving bytes we know are wrong is never an option.
   */
  async get(blob: RawCid): Promise<StoredBlob | undefined> {
    const path = this.pathOf(blob.cid);
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const { size } = await fh.stat();
      const hash = createHash('sha256');
      for await (const chunk of fh.createReadStream({ start: 0, autoClose: false })) hash.update(chunk as Buffer);
      const actual = hash.digest('hex');
      if (actual !== blob.sha256) {
        await fh.close();
        const quarantined = join(this.corruptDir, `${blob.cid}.${Date.now()}`);
        await rename(path, quarantined).catch(() => {});
        this.log(`blob ${blob.cid} failed its hash check on read (sha256 ${actual}); moved to ${quarantined}`);
        throw new BlobStoreError(
          500,
          'corrupt_blob',
          `The stored copy of ${blob.cid} is corrupt (its bytes hash to ${cidFromDigest(Buffer.from(actual, 'hex'))}); it was taken out of service. Upload the content again to repair it.`,
        );
      }
      return {
        size,
        // Reads through the same open file: a rename of the path meanwhile changes nothing.
        stream: () => fh.createReadStream({ start: 0, autoClose: true }),
        close: () => fh.close().catch(() => {}),
      };
    } catch (e) {
      await fh.close().catch(() => {});
      throw e;
    }
  }

  async has(cid: string): Promise<boolean> {
    return stat(this.pathOf(cid)).then(
      () => true,
      () => false,
    );
  }
}
