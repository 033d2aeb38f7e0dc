import { join } from 'node:path';

/** Where local state lives under DIGEST_DATA_DIR (no engine code here: Lambda bundles import it). */
export const localPaths = (dataDir: string) => ({
  dynamo: join(dataDir, 'dynamodb'),
  blobs: join(dataDir, 'blobs'),
  /** Articles the fetch run extracted from sources (read beside DIGEST_SEEDS_DIR). */
  articles: join(dataDir, 'articles'),
  secret: join(dataDir, 'token-secret'),
});
