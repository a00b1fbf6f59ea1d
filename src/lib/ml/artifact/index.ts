export { serializeArtifact } from './serialize.ts';
export { deserializeArtifact, type DeserializeOptions } from './deserialize.ts';
export { artifactHash } from './hash.ts';
export { cidFromBytes, cidFromDigest, digestFromCid, hashFromCid, CidError } from './cid.ts';
export {
  ArtifactError,
  type ArtifactErrorCode,
  ARTIFACT_FORMAT_ID,
  MAX_ARTIFACT_BYTES,
  MAX_PARAMETERS,
  artifactByteLength,
} from './format.ts';
