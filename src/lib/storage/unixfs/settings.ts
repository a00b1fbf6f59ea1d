// How every file becomes an IPFS DAG (SPEC section 5, docs/app/artifact-store.md "Addresses").
// The settings are IPIP-499's `unixfs-v1-2025` profile, written out so that nothing depends on a
// library's or a node's defaults changing: CIDv1, sha2-256, raw leaves, fixed 1 MiB chunks, a
// balanced tree of at most 1,024 links, and a file of one chunk reduced to its raw leaf (so its CID
// is the raw CID of its sha-256, the bytes32 the chain holds).
//
// Kubo reproduces these CIDs with IPFS_ADD_COMMAND. Kubo's own default is 174 links a node; that
// only matters above 174 chunks (174 MiB), past the largest file this platform stores, so the
// command needs no config change. `ipfs config profile apply unixfs-v1-2025` sets the same.

export const CID_VERSION = 1;
/** 1 MiB: Kubo's largest chunk, half the 2 MiB block limit of Bitswap and Helia's gateway client. */
export const CHUNK_BYTES = 1_048_576;
export const MAX_LINKS_PER_NODE = 1_024;
/** Blocks larger than this are refused when read (the limit IPFS clients apply; ours are <= 1 MiB + a node). */
export const MAX_BLOCK_BYTES = 2_097_152;

/** What a user runs to get the same CID from their own IPFS node. */
export const IPFS_ADD_COMMAND = `ipfs add --cid-version=${CID_VERSION} --raw-leaves --chunker=size-${CHUNK_BYTES} <file>`;
