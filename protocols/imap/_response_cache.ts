// The answers a server parses a message for (ENVELOPE, BODY, BODYSTRUCTURE),
// shared by its sessions, by file path: a maildir file never changes once
// delivered (its flags live in its name, and the path is only used while
// the name holds).
//
// The texts are kept as UTF-8 in chunks of 1 MiB outside V8's heap, and an
// entry holds only their numbers. As strings, the 10,000 ENVELOPEs a first
// FETCH makes were each copied by two scavenges on their way to the old
// generation, and V8 grows its young generation by what survives
// scavenges: to 32 MiB semi-spaces in bench/imap_bench.ts. Bytes are also
// what a FETCH sends: they are copied out, not encoded again.

/** A message's cached answers: numbers of texts in the cache, -1 for none. */
export interface CachedResponses {
  envelope: number;
  body: number;
  bodyStructure: number;
}

const CHUNK_SIZE = 1 << 20;
// Each text is stored after its length in 4 bytes.
const LENGTH_BYTES = 4;

const encoder = new TextEncoder();

/** The cached answers of up to `maxEntries` messages, oldest dropped first. */
export class ResponseCache {
  readonly #maxEntries: number;
  readonly #entries = new Map<string, CachedResponses>();
  // A freed chunk leaves an undefined slot that the next chunk takes, so
  // text numbers stay small.
  readonly #chunks: (Uint8Array | undefined)[] = [];
  // How many cached texts each chunk holds.
  readonly #live: number[] = [];
  #current = -1;
  #used = 0;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** The entry of the message at `path`, made (empty) when there is none. */
  entry(path: string): CachedResponses {
    let entry = this.#entries.get(path);
    if (entry === undefined) {
      if (this.#entries.size >= this.#maxEntries) {
        const [oldest, old] = this.#entries.entries().next().value!;
        this.#entries.delete(oldest);
        this.#drop(old.envelope);
        this.#drop(old.body);
        this.#drop(old.bodyStructure);
        // A session that still holds it sees nothing cached.
        old.envelope = old.body = old.bodyStructure = -1;
      }
      entry = { envelope: -1, body: -1, bodyStructure: -1 };
      this.#entries.set(path, entry);
    }
    return entry;
  }

  /** Stores `text`; returns its number. */
  store(text: string): number {
    const most = LENGTH_BYTES + text.length * 3;
    // Every text starts below CHUNK_SIZE in its chunk, so that its number
    // tells chunk and place; one longer than that gets a chunk its size.
    if (this.#current < 0 || this.#used + most > CHUNK_SIZE) {
      this.#newChunk(Math.max(most, CHUNK_SIZE));
    }
    const chunk = this.#chunks[this.#current]!;
    const at = this.#used;
    const { written } = encoder.encodeInto(
      text,
      chunk.subarray(at + LENGTH_BYTES),
    );
    chunk[at] = written & 0xff;
    chunk[at + 1] = (written >>> 8) & 0xff;
    chunk[at + 2] = (written >>> 16) & 0xff;
    chunk[at + 3] = written >>> 24;
    this.#used = at + LENGTH_BYTES + written;
    this.#live[this.#current]!++;
    return this.#current * CHUNK_SIZE + at;
  }

  /** The bytes of text `id`: a view, to be copied before the cache changes. */
  bytes(id: number): Uint8Array {
    const chunk = this.#chunks[Math.floor(id / CHUNK_SIZE)]!;
    const at = id % CHUNK_SIZE;
    const length = (chunk[at]! | chunk[at + 1]! << 8 | chunk[at + 2]! << 16 |
      chunk[at + 3]! << 24) >>> 0;
    return chunk.subarray(at + LENGTH_BYTES, at + LENGTH_BYTES + length);
  }

  #newChunk(size: number): void {
    const previous = this.#current;
    let index = this.#chunks.indexOf(undefined);
    if (index < 0) index = this.#chunks.length;
    this.#chunks[index] = new Uint8Array(size);
    this.#live[index] = 0;
    this.#current = index;
    this.#used = 0;
    if (previous >= 0 && this.#live[previous] === 0) {
      this.#chunks[previous] = undefined;
    }
  }

  #drop(id: number): void {
    if (id < 0) return;
    const index = Math.floor(id / CHUNK_SIZE);
    if (--this.#live[index]! === 0 && index !== this.#current) {
      this.#chunks[index] = undefined;
    }
  }
}
