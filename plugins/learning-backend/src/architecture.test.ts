import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// The backend's layers (see README "Repository layout"): routes parse, authorise, call the domain and answer;
// domain/ holds the rules that need the store or the catalog; database/ is the only place that speaks SQL. These
// tests read the import statements of every source file and fail when a file reaches across a layer.

const src = __dirname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)
      ? [full]
      : [];
  });
}

/** Every module a file imports, re-exports or loads: relative ones resolved to paths under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/\b(?:from|import|require)\s*\(?\s*'([^']+)'/g),
  ].map(m => m[1]);
  return specifiers.map(spec =>
    spec.startsWith('.')
      ? path.relative(src, path.resolve(path.dirname(file), spec))
      : spec,
  );
}

const files = sourceFiles(src).map(file => ({
  name: path.relative(src, file),
  imports: importsOf(file),
}));
const layer = (name: string) => name.split(path.sep)[0];

/** The imports that break a rule, as "file → import". */
function violations(
  from: (layer: string) => boolean,
  forbidden: (imported: string) => boolean,
): string[] {
  return files
    .filter(f => from(layer(f.name)))
    .flatMap(f =>
      f.imports.filter(forbidden).map(imported => `${f.name} → ${imported}`),
    );
}

describe('the backend layers', () => {
  it('finds the files and their imports it judges', () => {
    const router = files.find(f => f.name === path.join('routes', 'router.ts'));
    expect(router?.imports).toContain(path.join('routes', 'incidents'));
    expect(files.some(f => layer(f.name) === 'database')).toBe(true);
  });

  it('keeps routes out of the domain, the database, the ingestion, the jobs and the helpers', () => {
    expect(
      violations(
        l =>
          ['domain', 'database', 'ingest', 'jobs', 'lib', 'reminders'].includes(
            l,
          ),
        imported => imported.split(path.sep)[0] === 'routes',
      ),
    ).toEqual([]);
  });

  it('keeps the domain out of the database layer', () => {
    expect(
      violations(
        l => l === 'database',
        imported => imported.split(path.sep)[0] === 'domain',
      ),
    ).toEqual([]);
  });

  it('lets only the database layer touch knex', () => {
    expect(
      violations(
        l => l !== 'database',
        imported => imported === 'knex' || imported.startsWith('knex/'),
      ),
    ).toEqual([]);
  });

  it('keeps HTTP out of the domain', () => {
    expect(
      violations(
        l => ['domain', 'database', 'jobs'].includes(l),
        imported =>
          imported === 'express' || imported === 'express-promise-router',
      ),
    ).toEqual([]);
  });
});
