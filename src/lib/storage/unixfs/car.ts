// CAR v1 (the trustless gateway's `application/vnd.ipld.car`) for one file's DAG, with
// @ipld/car: written for uploads, read back with every block checked against its CID.
import { CarBufferWriter, CarReader } from '@ipld/car';
import type { CID } from 'multiformats/cid';
import { verifyBlock, BlockError } from './block.ts';
import type { DagBlock, FileDag } from './dag.ts';

export const CAR_TYPE = 'application/vnd.ipld.car';

/** The DAG as one CAR, the root as its only root and first block. */
export function carOfDag(dag: FileDag): Uint8Array {
  const header = CarBufferWriter.headerLength({ roots: [dag.root] });
  const length = dag.blocks.reduce((n, b) => n + CarBufferWriter.blockLength(b), header);
  const writer = CarBufferWriter.createWriter(new ArrayBuffer(length), { roots: [dag.root] });
  for (const block of dag.blocks) writer.write(block);
  return writer.close();
}

export interface ReadCar {
  roots: CID[];
  /** Every block, each checked against its CID. */
  blocks: DagBlock[];
}

/** Parses a CAR and verifies every block; throws BlockError or a parse error. */
export async function readCar(bytes: Uint8Array): Promise<ReadCar> {
  const reader = await CarReader.fromBytes(bytes);
  const roots = await reader.getRoots();
  const blocks: DagBlock[] = [];
  for await (const { cid, bytes: block } of reader.blocks()) {
    await verifyBlock(cid, block);
    blocks.push({ cid, bytes: block });
  }
  return { roots, blocks };
}

export { BlockError };
