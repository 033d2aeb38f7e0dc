/**
 * The same story told by two sources: word 5-gram shingles, a 128-value MinHash signature per
 * story, and locality-sensitive hashing (32 bands of 4 rows) so that only stories sharing a band
 * are compared: the cost grows with the number of stories, not with its square. Written here
 * because it is small and ours (the npm MinHash packages are unmaintained toys); the constants
 * are part of the stored signatures, so changing them makes old prints incomparable.
 *
 * Two versions with different wording around the same core text share most shingles of the
 * shorter one, so the match is on containment (shared / smaller set), estimated from the MinHash
 * Jaccard and the two set sizes; two different stories on one topic share a few phrases only.
 */

const SHINGLE = 5;
const HASHES = 128;
const BANDS = 32;
const ROWS = HASHES / BANDS;
/** Containment above which two texts are one story. */
export const SAME_STORY = 0.6;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A 32-bit mix (murmur3's finalizer) of a shingle hash with a per-function seed. */
function mix(x: number, seed: number): number {
  let h = (x ^ seed) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEEDS = Array.from({ length: HASHES }, (_, i) => mix(i + 1, 0x9e3779b9));

export function words(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019']/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

export function shingles(text: string): Set<number> {
  const w = words(text);
  const set = new Set<number>();
  if (w.length < SHINGLE) {
    if (w.length > 0) set.add(fnv1a(w.join(' ')));
    return set;
  }
  for (let i = 0; i + SHINGLE <= w.length; i++) set.add(fnv1a(w.slice(i, i + SHINGLE).join(' ')));
  return set;
}

export interface Fingerprint {
  signature: Uint32Array;
  /** Number of distinct shingles (for the containment estimate). */
  size: number;
}

export function fingerprint(text: string): Fingerprint {
  const set = shingles(text);
  const signature = new Uint32Array(HASHES).fill(0xffffffff);
  for (const s of set) {
    for (let i = 0; i < HASHES; i++) {
      const h = mix(s, SEEDS[i] as number);
      if (h < (signature[i] as number)) signature[i] = h;
    }
  }
  return { signature, size: set.size };
}

export function similarity(a: Fingerprint, b: Fingerprint): { jaccard: number; containment: number } {
  let same = 0;
  for (let i = 0; i < HASHES; i++) if (a.signature[i] === b.signature[i]) same++;
  const jaccard = same / HASHES;
  const smaller = Math.min(a.size, b.size);
  if (smaller === 0) return { jaccard: 0, containment: 0 };
  // |A∩B| = J·|A∪B| and |A∪B| = (|A|+|B|)/(1+J).
  const shared = (jaccard * (a.size + b.size)) / (1 + jaccard);
  return { jaccard, containment: Math.min(1, shared / smaller) };
}

/** Serialized form for the store: the size, then the signature, base64. */
export function encodeFingerprint(fp: Fingerprint): string {
  const bytes = new Uint8Array(4 + HASHES * 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, fp.size);
  fp.signature.forEach((v, i) => {
    view.setUint32(4 + i * 4, v);
  });
  return Buffer.from(bytes).toString('base64');
}

export function decodeFingerprint(text: string): Fingerprint | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== 4 + HASHES * 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const signature = new Uint32Array(HASHES);
  for (let i = 0; i < HASHES; i++) signature[i] = view.getUint32(4 + i * 4);
  return { signature, size: view.getUint32(0) };
}

/**
 * An index of stories: `add` returns the earlier story this one duplicates (or undefined, and
 * keeps it). Candidates come only from shared LSH bands.
 */
export class StoryIndex<T> {
  private readonly bands = new Map<string, number[]>();
  private readonly entries: { fp: Fingerprint; value: T }[] = [];

  match(fp: Fingerprint): T | undefined {
    const seen = new Set<number>();
    let best: { value: T; score: number } | undefined;
    for (const key of this.bandKeys(fp)) {
      for (const index of this.bands.get(key) ?? []) {
        if (seen.has(index)) continue;
        seen.add(index);
        const entry = this.entries[index];
        if (!entry) continue;
        const { containment } = similarity(fp, entry.fp);
        if (containment >= SAME_STORY && (!best || containment > best.score))
          best = { value: entry.value, score: containment };
      }
    }
    return best?.value;
  }

  add(fp: Fingerprint, value: T): T | undefined {
    const existing = this.match(fp);
    if (existing !== undefined) return existing;
    const index = this.entries.push({ fp, value }) - 1;
    for (const key of this.bandKeys(fp)) {
      const list = this.bands.get(key);
      if (list) list.push(index);
      else this.bands.set(key, [index]);
    }
    return undefined;
  }

  private bandKeys(fp: Fingerprint): string[] {
    const keys: string[] = [];
    for (let b = 0; b < BANDS; b++) {
      keys.push(`${b}:${Array.from(fp.signature.subarray(b * ROWS, (b + 1) * ROWS)).join(',')}`);
    }
    return keys;
  }
}
