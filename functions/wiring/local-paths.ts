import { join } from 'node:path';

/** Where local state lives under DIGEST_DATA_DIR (no engine code here: Lambda bundles import it). */
export const localPaths = (dataDir: string) => ({
  dynamo: join(dataDir, 'dynamodb'),
  blobs: join(dataDir, 'blobs'),
  secret: join(dataDir, 'token-secret'),
});
