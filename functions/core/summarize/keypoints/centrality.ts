/**
 * Sentence centrality in linear time: the cosine between a sentence's sparse BM25-weighted term vector
 * and the article's centroid (the sum of all sentence vectors), as in MEAD (Radev et al., 2004).
 *
 * It stands in for LexRank/TextRank, which compare every sentence with every other (quadratic, and a
 * 1 MB article has thousands of sentences). A bounded-neighbourhood PageRank (each sentence linked to
 * its eight neighbours and the lead) was tried as well: it cost more and moved no figure on either
 * evaluation set once the centroid was in, so it was left out. The centroid costs one pass to build
 * and one dot product per sentence, each over that sentence's own terms only.
 */
type Vector = Map<string, number>;

export function bm25Vectors(tokenLists: string[][]): Vector[] {
  const n = tokenLists.length;
  const df = new Map<string, number>();
  for (const tokens of tokenLists) for (const t of new Set(tokens)) df.set(t, (df.get(t) ?? 0) + 1);
  const avg = tokenLists.reduce((s, t) => s + t.length, 0) / Math.max(1, n) || 1;
  const k1 = 1.2;
  const b = 0.75;
  return tokenLists.map((tokens) => {
    const tf = new Map<string, number>();
    for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
    const v: Vector = new Map();
    for (const [t, f] of tf) {
      const d = df.get(t) ?? 0;
      const idf = Math.log(1 + (n - d + 0.5) / (d + 0.5));
      v.set(t, (idf * (f * (k1 + 1))) / (f + k1 * (1 - b + (b * tokens.length) / avg)));
    }
    return v;
  });
}

function norm(v: Vector): number {
  let sum = 0;
  for (const x of v.values()) sum += x * x;
  return Math.sqrt(sum);
}

/** Dot product, iterating over the smaller vector. */
function dot(a: Vector, b: Vector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [t, x] of small) {
    const y = large.get(t);
    if (y !== undefined) sum += x * y;
  }
  return sum;
}

/** Cosine similarity (0–1) of each sentence's term list with the article's centroid. */
export function centroidSimilarity(termLists: string[][]): number[] {
  const vectors = bm25Vectors(termLists);
  const centroid: Vector = new Map();
  for (const v of vectors) for (const [t, x] of v) centroid.set(t, (centroid.get(t) ?? 0) + x);
  const nc = norm(centroid) || 1;
  return vectors.map((v) => {
    const nv = norm(v);
    return nv > 0 ? dot(v, centroid) / (nv * nc) : 0;
  });
}
