// The store's blocks on disk: one file per block (raw leaves, dag-pb nodes, and the whole-file raw
// blocks of stores written before files became DAGs), named by its CIDv1 in base32, written to a
// temporary file and renamed into place (so a block file is never partial), and hashed again on
// every read (so a file changed on disk is never served).
//
//   <root>/blocks/<cid>     stored blocks
//   <root>/tmp/             writes in progress (cleared at start)
//   <root>/corrupt/         blocks that failed their read check, kept for inspection
//
// Identity CIDs carry their bytes in the CID: they are answered from it and never stored.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CID } from 'multiformats/cid';
import { SHA2_256 } from '../../../src/lib/storage/unixfs/ref.ts';
import { BlobStoreError } from './errors.ts';
import { IDENTITY } from './request.ts';

export interface OpenBlock {
  size: number;
  /** Streams the verified block, or the bytes from `start` to `end` inclusive; consume or destroy it. */
  stream(range?: { start: number; end: number }): Readable;
  close(): Promise<void>;
}

export class BlockDisk {
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
    // Leftovers of writes cut off by a crash or Ctrl-C.
    for (const name of readdirSync(this.tmpDir)) rmSync(join(this.tmpDir, name), { force: true });
  }

  pathOf(cid: CID): string {
    return join(this.blocksDir, canonical(cid));
  }

  /**
   * Stores a block whose bytes the caller has checked against its CID. A block already stored is
   * kept when it still hashes right (no rewrite) and replaced when it does not (an upload repairs
   * a damaged store). Returns whether the block was written.
   */
  async putBlock(cid: CID, bytes: Uint8Array): Promise<boolean> {
    if (isIdentity(cid)) return false;
    assertSha256(cid);
    const target = this.pathOf(cid);
    const existing = await readFile(target).catch(() => undefined);
    if (existing && existing.length === bytes.length && sameDigest(sha256(existing), cid)) return false;
    const tmp = join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
      await fh.close();
      // rename() replaces atomically: a concurrent reader sees the old file or the new one.
      await rename(tmp, target);
      return true;
    } finally {
      await fh.close().catch(() => {});
      await unlink(tmp).catch(() => {});
    }
  }

  /** The block's length when it is stored (not checked: a presence test for leaves). */
  async sizeOf(cid: CID): Promise<number | undefined> {
    if (isIdentity(cid)) return cid.multihash.digest.length;
    return stat(this.pathOf(cid)).then(
      (s) => (s.isFile() ? s.size : undefined),
      () => undefined,
    );
  }

  async has(cid: CID): Promise<boolean> {
    return (await this.sizeOf(cid)) !== undefined;
  }

  /** The block's bytes once checked against its CID; undefined when not stored. */
  async readBlock(cid: CID): Promise<Uint8Array | undefined> {
    if (isIdentity(cid)) return cid.multihash.digest;
    assertSha256(cid);
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(cid));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const digest = sha256(bytes);
    if (!sameDigest(digest, cid)) await this.quarantine(cid, digest);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /**
   * The block, checked, as a stream (old stores hold whole files of up to the upload limit as one
   * raw block: those are not loaded into memory); undefined when not stored.
   */
  async openBlock(cid: CID): Promise<OpenBlock | undefined> {
    if (isIdentity(cid)) {
      const bytes = cid.multihash.digest;
      return {
        size: bytes.length,
        stream: (r) => Readable.from([Buffer.from(r ? bytes.subarray(r.start, r.end + 1) : bytes)]),
        close: async () => {},
      };
    }
    assertSha256(cid);
    let fh: FileHandle;
    try {
      fh = await open(this.pathOf(cid), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const { size } = await fh.stat();
      const hash = createHash('sha256');
      for await (const chunk of fh.createReadStream({ start: 0, autoClose: false })) hash.update(chunk as Buffer);
      const digest = new Uint8Array(hash.digest());
      if (!sameDigest(digest, cid)) {
        await fh.close();
        await this.quarantine(cid, digest);
      }
      return {
        size,
        // Reads through the same open file: a rename of the path meanwhile changes nothing.
        stream: (r) => fh.createReadStream({ start: r?.start ?? 0, ...(r ? { end: r.end } : {}), autoClose: true }),
        close: () => fh.close().catch(() => {}),
      };
    } catch (e) {
      await fh.close().catch(() => {});
      throw e;
    }
  }

  /**
   * A block that fails its check is moved to corrupt/ (an upload of the right bytes repairs the
   * store) and the request fails with 500: serving bytes we know are wrong is never an option.
   */
  private async quarantine(cid: CID, digest: Uint8Array): Promise<never> {
    const name = canonical(cid);
    const quarantined = join(this.corruptDir, `${name}.${Date.now()}`);
    await rename(this.pathOf(cid), quarantined).catch(() => {});
    const actual = Buffer.from(digest).toString('hex');
    this.log(`block ${name} failed its hash check on read (sha256 ${actual}); moved to ${quarantined}`);
    throw new BlobStoreError(
      500,
      'corrupt_block',
      `The stored copy of block ${name} is corrupt (its bytes hash to sha256 ${actual}); it was taken out of service. Upload the content again to repair it.`,
      { block: name },
    );
  }
}

export function isIdentity(cid: CID): boolean {
  return cid.multihash.code === IDENTITY;
}

/** Files are named by CIDv1 in base32 whatever form the CID came in. */
function canonical(cid: CID): string {
  return (cid.version === 0 ? cid.toV1() : cid).toString();
}

function assertSha256(cid: CID): void {
  if (cid.multihash.code !== SHA2_256 || cid.multihash.digest.length !== 32) {
    throw new BlobStoreError(400, 'invalid_cid', `${cid.toString()} is not a sha2-256 CID.`);
  }
}

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

function sameDigest(digest: Uint8Array, cid: CID): boolean {
  return Buffer.from(digest).equals(Buffer.from(cid.multihash.digest));
}
