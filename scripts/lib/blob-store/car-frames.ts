// CAR v1 written a block at a time, so a 96 MiB file streams through a few MiB of memory: the
// header (from @ipld/car, exact length), then each block as varint(length) + CID + bytes.
import { CarBufferWriter } from '@ipld/car';
import { varint } from 'multiformats';
import type { CID } from 'multiformats/cid';

export function carHeader(root: CID): Uint8Array {
  const roots = [root];
  const writer = CarBufferWriter.createWriter(new ArrayBuffer(CarBufferWriter.headerLength({ roots })), { roots });
  return writer.close();
}

/** The frame that precedes a block's bytes in the CAR. */
export function carBlockPrefix(cid: CID, blockLength: number): Uint8Array {
  const length = cid.bytes.length + blockLength;
  const out = new Uint8Array(varint.encodingLength(length) + cid.bytes.length);
  varint.encodeTo(length, out, 0);
  out.set(cid.bytes, varint.encodingLength(length));
  return out;
}

/** The CAR's length: header plus every block's frame and bytes. */
export function carLength(root: CID, blocks: readonly { cid: CID; size: number }[]): number {
  return blocks.reduce((n, b) => n + carBlockPrefix(b.cid, b.size).length + b.size, carHeader(root).length);
}
