// The Solidity template (public/specs/solidity-gpt.json) made small enough to train in a test:
// one block of width 16, tied output, a transcript state every `interval` steps. Everything else
// (vocabulary, context, metric and cap, watermark on block1) is the template's.
import { publicFile } from './public-files.ts';

export function smallLmSpecText(o: {
  name: string;
  description?: string;
  batchSize: number;
  interval: number;
}): string {
  const doc = JSON.parse(new TextDecoder().decode(publicFile('specs/solidity-gpt.json'))) as Record<string, unknown>;
  doc.name = o.name;
  if (o.description !== undefined) doc.description = o.description;
  doc.layers = [
    { type: 'embedding', id: 'bytes', vocabSize: 256, dim: 16 },
    { type: 'positionEmbedding', kind: 'learned' },
    { type: 'transformerBlock', id: 'block1', heads: 2, dim: 16, mlpDim: 128 },
    { type: 'layerNorm' },
    { type: 'tiedOutput', embedding: 'bytes' },
  ];
  doc.optimizer = { name: 'adam', learningRate: 0.01, batchSize: o.batchSize, epochs: 1 };
  doc.transcript = { interval: o.interval };
  return JSON.stringify(doc, null, 2);
}
