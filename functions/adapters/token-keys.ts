import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError } from '../core/errors.ts';
import { generateSecret, parseKeyring, type TokenKey } from '../core/tokens.ts';

/**
 * Token keys: the keyring given inline when set; else the SSM SecureString named by
 * `parameter` (AWS); else, locally, a secret generated once in `localSecretFile`.
 */
export async function resolveTokenKeys(sources: {
  keyring?: string | undefined;
  parameter?: string | undefined;
  ssm?: SSMClient | undefined;
  localSecretFile?: string | undefined;
}): Promise<TokenKey[]> {
  if (sources.keyring) return parseKeyring(sources.keyring);
  if (sources.parameter && sources.ssm) {
    const out = await sources.ssm.send(
      new GetParameterCommand({ Name: sources.parameter, WithDecryption: true }),
    );
    const value = out.Parameter?.Value;
    if (!value)
      throw new ConfigError([`DIGEST_TOKEN_SECRETS_PARAMETER: parameter ${sources.parameter} is empty`]);
    return parseKeyring(value);
  }
  if (sources.localSecretFile) {
    let value: string;
    try {
      value = (await readFile(sources.localSecretFile, 'utf8')).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      value = `local:${generateSecret()}`;
      await mkdir(dirname(sources.localSecretFile), { recursive: true });
      await writeFile(sources.localSecretFile, `${value}\n`, { mode: 0o600 });
    }
    return parseKeyring(value);
  }
  throw new ConfigError(['DIGEST_TOKEN_SECRETS: not set (nor DIGEST_TOKEN_SECRETS_PARAMETER)']);
}
