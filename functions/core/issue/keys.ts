/** Where an issue's stored documents live in the blob store (S3 on AWS, the data folder locally). */
export const compiledKey = (issueId: string) => `issues/${issueId}/compiled.json`;
export const viewKey = (issueId: string) => `issues/${issueId}/digest.json`;
export const archiveKey = (issueId: string) => `issues/${issueId}/index.html`;

/** Issue ids as `issueIdFor` makes them (`2026-11-28-3f9a1c2b`, `-2` for a second one that day). */
export const ISSUE_ID_PATTERN = /^\d{4}-\d{2}-\d{2}-[0-9a-f]{8}(?:-\d{1,6})?$/;
const MAX_ISSUE_ID = 26;

/** Why `value` cannot be an issue id (empty, too long, wrong form), or undefined when it can. */
export function issueIdProblem(value: string): string | undefined {
  if (value.trim() === '') return 'needs an issue id, like 2026-11-28-3f9a1c2b';
  if (value.length > MAX_ISSUE_ID) {
    return `is ${value.length} characters long; an issue id is at most ${MAX_ISSUE_ID}, like 2026-11-28-3f9a1c2b`;
  }
  if (!ISSUE_ID_PATTERN.test(value)) {
    return `${JSON.stringify(value)} is not an issue id (they look like 2026-11-28-3f9a1c2b; \`digest articles list\` shows them)`;
  }
  return undefined;
}
