/**
 * The ports of the sources capability: where sources and their memory are kept (`SourceStore`)
 * and how one URL is fetched (`Fetcher`). Adapters implement them (DynamoDB, node:http with an
 * SSRF-checked lookup); the core never sees a socket or a table.
 */

/** What a source turned out to be, from the response it gave (never from its URL). */
export const SOURCE_KINDS = ['rss', 'rdf', 'atom', 'jsonfeed', 'html'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export type FetchStatus = 'new' | 'unchanged' | 'failed';

export interface LastFetch {
  at: string;
  status: FetchStatus;
  /** Articles written by that fetch. */
  itemsNew: number;
  /** Items the feed still carries that an earlier fetch already handled (0 on a 304). */
  itemsUnchanged: number;
  /** Why it failed (status `failed`), or what went wrong with single items. */
  reason?: string | undefined;
  httpStatus?: number | undefined;
}

export interface Source {
  /** Stable id derived from the URL (see `sourceId`). */
  id: string;
  url: string;
  name: string;
  kind: SourceKind;
  section?: string | undefined;
  addedAt: string;
  /** Validators the server gave on the last 200, sent back on revalidation. */
  etag?: string | undefined;
  lastModified?: string | undefined;
  lastFetch?: LastFetch | undefined;
  /** The first fetch that ingested items; the backlog window applies until it exists. */
  firstFetchedAt?: string | undefined;
  consecutiveFailures: number;
  /** Backoff: the source is skipped until then. */
  nextAttemptAt?: string | undefined;
}

export type NewSource = Pick<Source, 'url' | 'name' | 'kind' | 'section'>;

/** What a fetch run learned about one source, written back in one conditional update. */
export interface SourceUpdate {
  lastFetch: LastFetch;
  consecutiveFailures: number;
  nextAttemptAt?: string | undefined;
  /** The validators of a 200 (replacing the stored ones, absent ones removed); a 304 or a failure leaves them. */
  validators?: { etag?: string | undefined; lastModified?: string | undefined } | undefined;
  kind?: SourceKind | undefined;
  firstFetchedAt?: string | undefined;
}

/**
 * What became of one item. `keys` are its identities (GUID within its source, canonical URL,
 * text hash); any of them known means the item was handled already.
 */
export interface ItemMemory {
  keys: string[];
  sourceId: string;
  outcome: 'article' | 'skipped' | 'duplicate' | 'failed';
  /** The article file written (outcome `article`), or the one it duplicates. */
  article?: string | undefined;
  /** Page fetches that failed so far (outcome `failed`); the item is given up after a few. */
  attempts?: number | undefined;
  at: string;
}

/** A story's fingerprint, kept so that the same story from another source later is seen as known. */
export interface StoryPrint {
  article: string;
  source: string;
  url: string;
  title: string;
  /** MinHash signature (see near-duplicate.ts), base64. */
  signature: string;
  at: string;
}

export interface SourceStore {
  /** Adds a source; false (changing nothing) when its URL or its name is already taken. */
  add(
    source: NewSource,
    now: Date,
  ): Promise<{ added: true; source: Source } | { added: false; reason: string }>;
  get(id: string): Promise<Source | undefined>;
  /** Every source, by name. Sources are few (tens), so they are read whole. */
  list(): Promise<Source[]>;
  remove(id: string): Promise<boolean>;
  /**
   * Leases a source to one fetch run until `until`: false when another run holds an unexpired
   * lease, so two runs never fetch (and write back validators for) the same source at once.
   */
  lease(id: string, runId: string, now: Date, until: Date): Promise<boolean>;
  /** Writes a fetch's outcome and releases the lease; false when the lease was lost meanwhile. */
  record(id: string, runId: string, update: SourceUpdate): Promise<boolean>;
  /** Which of these identity keys are known, with what became of them. */
  recall(keys: string[]): Promise<Map<string, ItemMemory>>;
  /** Remembers items (every key of each); a failed item's memory can be overwritten later. */
  remember(items: ItemMemory[]): Promise<void>;
  /** Stories remembered since a time (for near-duplicates across runs). */
  recentStories(since: Date): Promise<StoryPrint[]>;
  rememberStories(prints: StoryPrint[]): Promise<void>;
}

// ── Fetching ─────────────────────────────────────────────────────────────────────────────────

export interface FetchRequest {
  url: string;
  etag?: string | undefined;
  lastModified?: string | undefined;
  /** What the caller wants (sent as Accept). */
  accept?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface FetchResponse {
  ok: true;
  status: number;
  /** After redirects. */
  url: string;
  redirects: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  contentType: string;
  /** The charset the body was decoded with. */
  charset: string;
  /** Decoded text (empty for 304 and error statuses: their bodies are not read). */
  body: string;
  /** Bytes of the (decompressed) body. */
  bytes: number;
}

export const FETCH_FAILURES = [
  'bad-url',
  'blocked-address',
  'dns',
  'network',
  'timeout',
  'too-large',
  'too-many-redirects',
  'decoding',
  'charset',
] as const;
export type FetchFailureReason = (typeof FETCH_FAILURES)[number];

export interface FetchFailure {
  ok: false;
  reason: FetchFailureReason;
  /** Plain words, naming the address, the limit or the charset. */
  message: string;
  url: string;
}

export interface Fetcher {
  /** One GET (following a bounded number of redirects); never throws for a network outcome. */
  get(request: FetchRequest): Promise<FetchResponse | FetchFailure>;
}
