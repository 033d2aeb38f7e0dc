import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { TemplateError } from '../core/errors.ts';
import type { TemplateSet } from '../core/render/compile.ts';

const LAYOUT = 'digest.mjml';
const TEXT = 'digest.txt.hbs';
const PARTIALS = 'partials';

async function read(dir: string, file: string): Promise<{ file: string; source: string }> {
  try {
    return { file, source: await readFile(join(dir, file), 'utf8') };
  } catch (error) {
    throw new TemplateError(file, `cannot read ${join(dir, file)}: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
}

/** Loads the digest templates from a folder: the MJML layout, its partials and the text version. */
export async function loadTemplatesFromDir(dir: string): Promise<TemplateSet> {
  const [layout, text] = await Promise.all([read(dir, LAYOUT), read(dir, TEXT)]);
  const partials: TemplateSet['partials'] = {};
  let names: string[] = [];
  try {
    names = (await readdir(join(dir, PARTIALS))).filter((n) => n.endsWith('.mjml')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  for (const name of names) {
    partials[basename(name, '.mjml')] = await read(dir, `${PARTIALS}/${name}`);
  }
  return { layout, partials, text };
}
