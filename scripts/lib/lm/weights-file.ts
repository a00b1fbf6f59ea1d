// Trained weights kept between benchmark runs (scripts/bench-lm.ts --save-weights writes them,
// scripts/bench-lm-similarity.ts reads them): the spec's parameters in specShapes order, float32
// little-endian, concatenated. The spec gives the shapes, so the file holds nothing else.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import type { ModelSpec } from '../../../src/lib/ml/spec/types.ts';

export function saveWeights(file: string, weights: readonly Float32Array[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const total = weights.reduce((n, w) => n + w.length, 0);
  const all = new Float32Array(total);
  let at = 0;
  for (const w of weights) {
    all.set(w, at);
    at += w.length;
  }
  writeFileSync(file, new Uint8Array(all.buffer));
}

export function loadWeights(file: string, spec: ModelSpec): Float32Array[] {
  const bytes = readFileSync(file);
  const sizes = specShapes(spec).params.map((p) => p.shape.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (bytes.length !== total * 4)
    throw new Error(`${file}: ${bytes.length} bytes, but ${spec.name} has ${total} parameters (${total * 4} bytes)`);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  let at = 0;
  return sizes.map((n) => all.slice(at, (at += n)));
}
