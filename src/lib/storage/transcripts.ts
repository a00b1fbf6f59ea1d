// Transcripts in IndexedDB (SPEC 8.2: kept until rewards vest), in a database of their own so
// the checkpoint database's schema is untouched. One record per transcript, one entry per
// rounded state keyed `<id>/<index>`; a state and the record that lists its leaf are written in
// one transaction, so a tab closed at any moment leaves a consistent transcript to resume.
import type { TranscriptMeta, TranscriptStore } from '../ml/transcript/store.ts';
import { defaultFactory, openDatabase, requestResult, transact } from './idb.ts';

export const TRANSCRIPT_DB_NAME = 'aiarena-transcripts';
export const TRANSCRIPT_DB_VERSION = 1;
const META = 'transcripts';
const STATES = 'states';

const stateKey = (id: string, index: number) => `${id}/${index}`;

function upgrade(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore(META, { keyPath: 'id' });
    db.createObjectStore(STATES);
  }
}

export async function openTranscriptStore(
  factory: IDBFactory = defaultFactory(),
  name = TRANSCRIPT_DB_NAME,
): Promise<TranscriptStore> {
  const db = await openDatabase(factory, name, TRANSCRIPT_DB_VERSION, upgrade);
  return {
    meta: (id) =>
      transact(
        db,
        [META],
        'readonly',
        (tx) => requestResult(tx.objectStore(META).get(id)) as Promise<TranscriptMeta | undefined>,
      ),
    async save(meta, index, state) {
      await transact(db, [META, STATES], 'readwrite', (tx) => {
        // A copy: the caller may transfer or reuse its buffer.
        tx.objectStore(STATES).put(state.slice(), stateKey(meta.id, index));
        tx.objectStore(META).put(meta);
      });
    },
    async state(id, index) {
      const v = await transact(db, [STATES], 'readonly', (tx) =>
        requestResult(tx.objectStore(STATES).get(stateKey(id, index))),
      );
      return v === undefined ? undefined : new Uint8Array(v as Uint8Array);
    },
    async list() {
      const all = await transact(
        db,
        [META],
        'readonly',
        (tx) => requestResult(tx.objectStore(META).getAll()) as Promise<TranscriptMeta[]>,
      );
      return all.sort((a, b) => b.updatedAt - a.updatedAt);
    },
    async delete(id) {
      await transact(db, [META, STATES], 'readwrite', async (tx) => {
        const meta = (await requestResult(tx.objectStore(META).get(id))) as TranscriptMeta | undefined;
        // States are written one past the listed leaves at most (none is: save writes both).
        const count = (meta?.leaves.length ?? 0) + 1;
        for (let i = 0; i < count; i++) tx.objectStore(STATES).delete(stateKey(id, i));
        tx.objectStore(META).delete(id);
      });
    },
    close() {
      db.close();
    },
  };
}
