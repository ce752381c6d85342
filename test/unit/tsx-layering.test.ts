import { createRequire } from 'node:module';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import rules (`npm run lint:deps`) for the files dependency-cruiser cannot parse: the
 * console's JSX pages. The same `forbidden` rules, applied to each relative import they make.
 */
const root = path.resolve(import.meta.dirname, '../..');
const config = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs')) as {
  forbidden: { name: string; from: { path?: string }; to: { path?: string } }[];
};

async function tsxFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await tsxFiles(full)));
    else if (entry.name.endsWith('.tsx')) found.push(full);
  }
  return found;
}

async function resolveImport(from: string, specifier: string): Promise<string> {
  const base = path.resolve(path.dirname(from), specifier.replace(/\.js$/, ''));
  for (const ext of ['.ts', '.tsx']) {
    if (await stat(base + ext).then(() => true, () => false)) return path.relative(root, base + ext);
  }
  throw new Error(`${path.relative(root, from)} imports ${specifier}, which does not exist`);
}

describe('import rules for .tsx files', () => {
  it('finds the console pages, and none of their imports breaks a layering rule', async () => {
    const files = [...(await tsxFiles(path.join(root, 'gateway'))), ...(await tsxFiles(path.join(root, 'services')))];
    expect(files.length).toBeGreaterThan(3);
    const rules = config.forbidden.filter((r) => r.from.path && r.to.path);
    expect(rules.length).toBeGreaterThan(5);
    const broken: string[] = [];
    for (const file of files) {
      const source = await readFile(file, 'utf8');
      const from = path.relative(root, file);
      for (const [, specifier] of source.matchAll(/\b(?:from|import)\s+'(\.[^']+)'/g)) {
        const to = await resolveImport(file, specifier!);
        for (const rule of rules) {
          if (new RegExp(rule.from.path!).test(from) && new RegExp(rule.to.path!).test(to)) broken.push(`${from} -> ${to} (${rule.name})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
