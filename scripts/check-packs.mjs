// Packs each plugin package as it would be published and checks the tarball holds what an adopter installs:
// built code, type declarations, and for the backend its migrations, config schema and OpenAPI file. Needs the
// declarations from `yarn tsc` (dist-types), which `npm test` runs first. Writes {passed, failed} to --results;
// keeps the tarballs in --out DIR (for the adopter test) or a temporary folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const expected = {
  'plugins/learning-common': [
    'dist/index.cjs.js',
    'dist/index.esm.js',
    'dist/index.d.ts',
  ],
  'plugins/learning-backend': [
    'dist/index.cjs.js',
    'dist/index.d.ts',
    // every migration the package has, read from the folder: a new one left out of the tarball fails here
    ...readdirSync(path.join(root, 'plugins/learning-backend/migrations'))
      .filter(name => !name.startsWith('.'))
      .map(name => `migrations/${name}`),
    'config.schema.json',
    'openapi.yaml',
  ],
  'plugins/learning-node': ['dist/index.cjs.js', 'dist/index.d.ts'],
  'plugins/learning-backend-module-pagerduty': [
    'dist/index.cjs.js',
    'dist/index.d.ts',
    'config.schema.json',
  ],
  'plugins/learning-backend-module-github': [
    'dist/index.cjs.js',
    'dist/index.d.ts',
    'dist/testUtils.cjs.js',
    'dist/testUtils.d.ts',
    'config.schema.json',
  ],
  'plugins/learning-backend-module-jira': [
    'dist/index.cjs.js',
    'dist/index.d.ts',
    'config.schema.json',
  ],
  'plugins/learning-backend-module-linear': [
    'dist/index.cjs.js',
    'dist/index.d.ts',
    'config.schema.json',
  ],
  'plugins/search-backend-module-learning': [
    'dist/index.cjs.js',
    'dist/index.d.ts',
    'config.schema.json',
  ],
  'plugins/learning': [
    'dist/index.esm.js',
    'dist/index.d.ts',
    'dist/alpha.d.ts',
  ],
};
const outArg = process.argv.indexOf('--out');
const out =
  outArg > 0
    ? path.resolve(process.argv[outArg + 1])
    : mkdtempSync(path.join(tmpdir(), 'learning-loop-packs-'));
mkdirSync(out, { recursive: true });
let passed = 0;
let failed = 0;
for (const [dir, files] of Object.entries(expected)) {
  const tarball = path.join(out, `${path.basename(dir)}.tgz`);
  try {
    execFileSync('yarn', ['pack', '--out', tarball], {
      cwd: path.join(root, dir),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const entries = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .map(e => e.replace(/^package\//, ''));
    const missing = files.filter(f => !entries.includes(f));
    if (missing.length) throw new Error(`missing ${missing.join(', ')}`);
    console.log(`packs: ✓ ${dir} (${entries.filter(Boolean).length} files)`);
    passed += 1;
  } catch (error) {
    console.log(
      `packs: ✗ ${dir}: ${String(error.message ?? error).split('\n')[0]}`,
    );
    failed += 1;
  }
}
const resultsArg = process.argv.indexOf('--results');
if (resultsArg > 0)
  writeFileSync(
    process.argv[resultsArg + 1],
    JSON.stringify({ passed, failed }),
  );
process.exit(failed ? 1 : 0);
