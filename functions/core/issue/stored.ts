import { ARCHIVE_READER, archiveUnsubscribeUrl, publicArchiveHtml } from '../archive/feeds.ts';
import type { IssueRecord } from '../model.ts';
import type { BlobStore } from '../ports.ts';
import type { Brand, DigestView } from '../render/compile.ts';
import type { CompiledIssue } from '../render/personalize.ts';
import {
  deserializeCompiled,
  personalize,
  StaleCompiledIssueError,
  serializeCompiled,
} from '../render/personalize.ts';
import { archiveKey, compiledKey, viewKey } from './keys.ts';

/**
 * An issue's stored documents: the compiled email (sent from anywhere without MJML), the view it
 * was rendered from (what it carried), and the public archive copy.
 */
export async function storeIssueDocuments(
  blobs: BlobStore,
  brand: Brand,
  view: DigestView,
  compiled: CompiledIssue,
): Promise<void> {
  await blobs.put(compiledKey(compiled.issueId), serializeCompiled(compiled), 'application/json');
  await blobs.put(viewKey(compiled.issueId), JSON.stringify(view), 'application/json');
  // The archive copy carries no recipient: no token, no address; unsubscribing is explained on a page.
  const archive = personalize(compiled, {
    email: ARCHIVE_READER,
    unsubscribeUrl: archiveUnsubscribeUrl(brand),
  });
  await blobs.put(
    archiveKey(compiled.issueId),
    publicArchiveHtml(archive.html, brand),
    'text/html; charset=utf-8',
  );
}

/**
 * The compiled issue and its view, or undefined when either is missing (a crash while building)
 * or the compiled copy is of an older format: either way the caller rebuilds it from its articles.
 */
export async function loadIssueDocuments(
  blobs: BlobStore,
  issue: IssueRecord,
): Promise<{ compiled: CompiledIssue; view: DigestView } | undefined> {
  const compiledBytes = await blobs.get(compiledKey(issue.issueId));
  const viewBytes = await blobs.get(viewKey(issue.issueId));
  if (!compiledBytes || !viewBytes) return undefined;
  let compiled: CompiledIssue;
  try {
    compiled = deserializeCompiled(Buffer.from(compiledBytes).toString('utf8'));
  } catch (error) {
    if (error instanceof StaleCompiledIssueError) return undefined;
    throw error;
  }
  return { compiled, view: JSON.parse(Buffer.from(viewBytes).toString('utf8')) as DigestView };
}

/**
 * The compiled issue alone (the send function needs nothing else). One of an older format throws
 * StaleCompiledIssueError: the send function cannot rebuild it, `digest send --issue ID` can.
 */
export async function loadCompiledIssue(
  blobs: BlobStore,
  issueId: string,
): Promise<CompiledIssue | undefined> {
  const bytes = await blobs.get(compiledKey(issueId));
  return bytes ? deserializeCompiled(Buffer.from(bytes).toString('utf8')) : undefined;
}
