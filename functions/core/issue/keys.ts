/** Where an issue's stored documents live in the blob store (S3 on AWS, the data folder locally). */
export const compiledKey = (issueId: string) => `issues/${issueId}/compiled.json`;
export const viewKey = (issueId: string) => `issues/${issueId}/digest.json`;
export const archiveKey = (issueId: string) => `issues/${issueId}/index.html`;
