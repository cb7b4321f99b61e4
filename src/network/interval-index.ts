// An ordered set of items keyed by a bigint `start`, stored as a list of small sorted chunks
// (a "sorted list of blocks"). Lookups are O(log n); inserts and deletes move at most one chunk
// (≤ 2·CHUNK items) plus the chunk list (n / CHUNK entries), so filling or draining a /16 one
// address at a time stays linear overall instead of memmoving one huge array per operation.
// Callers may change an item's `start` in place as long as the order of items does not change.

const CHUNK = 256;

export interface Keyed {
  start: bigint;
}

export class IntervalIndex<T extends Keyed> {
  private chunks: T[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Index of the last chunk whose first key is ≤ key (0 when key precedes everything, -1 when empty). */
  private chunkFor(key: bigint): number {
    const chunks = this.chunks;
    if (chunks.length === 0) return -1;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (chunks[mid]![0]!.start <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Number of items in `chunk` with start ≤ key. */
  private static rank<T extends Keyed>(chunk: T[], key: bigint): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (chunk[mid]!.start <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The item with the greatest start ≤ key. */
  floor(key: bigint): T | undefined {
    const c = this.chunkFor(key);
    if (c === -1) return undefined;
    const chunk = this.chunks[c]!;
    const r = IntervalIndex.rank(chunk, key);
    return r === 0 ? undefined : chunk[r - 1];
  }

  /** The item with the smallest start ≥ key. */
  ceiling(key: bigint): T | undefined {
    const c = this.chunkFor(key);
    if (c === -1) return undefined;
    const chunk = this.chunks[c]!;
    const r = IntervalIndex.rank(chunk, key);
    if (r > 0 && chunk[r - 1]!.start === key) return chunk[r - 1];
    if (r < chunk.length) return chunk[r];
    return this.chunks[c + 1]?.[0];
  }

  /** Inserts an item whose start is not present yet. */
  insert(item: T): void {
    const chunks = this.chunks;
    this.count++;
    if (chunks.length === 0) {
      chunks.push([item]);
      return;
    }
    const c = this.chunkFor(item.start);
    const chunk = chunks[c]!;
    const r = IntervalIndex.rank(chunk, item.start);
    if (r === chunk.length) chunk.push(item); // the common case: filling from the bottom up
    else chunk.splice(r, 0, item);
    if (chunk.length > 2 * CHUNK) chunks.splice(c + 1, 0, chunk.splice(CHUNK));
  }

  /** Removes the item with this start; returns whether one was there. */
  delete(start: bigint): boolean {
    const c = this.chunkFor(start);
    if (c === -1) return false;
    const chunk = this.chunks[c]!;
    const r = IntervalIndex.rank(chunk, start);
    if (r === 0 || chunk[r - 1]!.start !== start) return false;
    chunk.splice(r - 1, 1);
    if (chunk.length === 0) this.chunks.splice(c, 1);
    this.count--;
    return true;
  }

  /** Items in order, starting with floor(key) when there is one (so an item covering key comes first). */
  *from(key: bigint): IterableIterator<T> {
    const chunks = this.chunks;
    let c = this.chunkFor(key);
    if (c === -1) return;
    let i = Math.max(0, IntervalIndex.rank(chunks[c]!, key) - 1);
    for (; c < chunks.length; c++, i = 0) {
      const chunk = chunks[c]!;
      for (; i < chunk.length; i++) yield chunk[i]!;
    }
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const chunk of this.chunks) yield* chunk;
  }
}
