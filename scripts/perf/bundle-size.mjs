// Production bundle size of the Learning Loop frontend plugin next to a peer Backstage frontend plugin installed
// from the registry (docs/performance.md). Both go through the same bundler (esbuild: ESM, minified, code
// splitting at their lazy imports, browser target); what every Backstage app already ships (React, the router,
// Material UI and everything @backstage/core-components, core-plugin-api, frontend-plugin-api and
// plugin-catalog-react pull in) stays outside, so the figure is what the plugin adds to an app. Reports the chunk
// loaded with the app (entry) and all chunks, minified and gzip.
//
// Usage: node scripts/perf/bundle-size.mjs   (prints the table; used by benchmark.mjs)
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const appRequire = createRequire(path.join(root, 'packages/app/package.json'));
const esbuild = createRequire(path.join(root, 'package.json'))('esbuild');

/** The peer: a frontend plugin that shows an external tool's issues on an entity page, from the registry (packages/perf-peers). */
export const PEER = '@backstage-community/plugin-sentry';

/** What an app ships anyway: the app shell's packages and everything they depend on. */
const SHELL = [
  'react',
  'react-dom',
  'react-router',
  'react-router-dom',
  '@backstage/core-components',
  '@backstage/core-plugin-api',
  '@backstage/frontend-plugin-api',
  '@backstage/plugin-catalog-react',
  '@material-ui/core',
  '@material-ui/icons',
  '@material-ui/lab',
];

function packageDir(name, from) {
  const require = createRequire(path.join(from, 'package.json'));
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    // packages whose exports hide package.json: walk up from the entry point
    let dir = path.dirname(require.resolve(name));
    while (!readdirSync(dir).includes('package.json')) dir = path.dirname(dir);
    return dir;
  }
}

function shellPackages() {
  const seen = new Set();
  const queue = SHELL.map(name => [name, path.join(root, 'packages/app')]);
  while (queue.length) {
    const [name, from] = queue.shift();
    if (seen.has(name)) continue;
    let dir;
    try {
      dir = packageDir(name, from);
    } catch {
      continue; // optional or platform-specific
    }
    seen.add(name);
    const pkg = JSON.parse(
      readFileSync(path.join(dir, 'package.json'), 'utf8'),
    );
    for (const dep of Object.keys({
      ...pkg.dependencies,
      ...pkg.peerDependencies,
    })) {
      queue.push([dep, dir]);
    }
  }
  return seen;
}

const kb = bytes => Math.round(bytes / 102.4) / 10;

async function measure(name, entry, shell) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'll-bundle-'));
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      splitting: true,
      format: 'esm',
      minify: true,
      platform: 'browser',
      target: 'es2022',
      outdir,
      metafile: true,
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
      loader: { '.svg': 'dataurl', '.png': 'dataurl', '.css': 'empty' },
      plugins: [
        {
          name: 'app-shell-external',
          setup(build) {
            build.onResolve({ filter: /^[^./]/ }, args => {
              const parts = args.path.split('/');
              const pkg = args.path.startsWith('@')
                ? parts.slice(0, 2).join('/')
                : parts[0];
              return shell.has(pkg)
                ? { path: args.path, external: true }
                : undefined;
            });
          },
        },
      ],
    });
    const outputs = result.metafile.outputs;
    // loaded with the app: the entry file and what it imports statically, not the chunks behind lazy imports
    const entryFile = Object.keys(outputs).find(
      file =>
        outputs[file].entryPoint &&
        path.resolve(outputs[file].entryPoint) === path.resolve(entry),
    );
    const eager = new Set();
    const visit = file => {
      if (eager.has(file) || !outputs[file]) return;
      eager.add(file);
      for (const i of outputs[file].imports)
        if (i.kind === 'import-statement' && !i.external) visit(i.path);
    };
    visit(entryFile);
    const sizes = { entry: { min: 0, gzip: 0 }, all: { min: 0, gzip: 0 } };
    for (const file of Object.keys(outputs)) {
      if (!file.endsWith('.js')) continue;
      const content = readFileSync(path.resolve(file));
      const gzip = gzipSync(content, { level: 9 }).length;
      sizes.all.min += content.length;
      sizes.all.gzip += gzip;
      if (eager.has(file)) {
        sizes.entry.min += content.length;
        sizes.entry.gzip += gzip;
      }
    }
    return {
      name,
      entryKb: { min: kb(sizes.entry.min), gzip: kb(sizes.entry.gzip) },
      allKb: { min: kb(sizes.all.min), gzip: kb(sizes.all.gzip) },
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Bundle sizes of the Learning Loop frontend plugin and of the peer, in kB. */

export async function bundleSizes() {
  const shell = shellPackages();
  const peerRequire = createRequire(
    path.join(root, 'packages/perf-peers/package.json'),
  );
  const peerDir = packageDir(PEER, path.join(root, 'packages/perf-peers'));
  const peerVersion = JSON.parse(
    readFileSync(path.join(peerDir, 'package.json'), 'utf8'),
  ).version;
  return [
    await measure(
      '@learning-loop/plugin-learning',
      path.join(root, 'plugins/learning/src/index.ts'),
      shell,
    ),
    await measure(
      `${PEER} ${peerVersion} (peer)`,
      peerRequire.resolve(PEER),
      shell,
    ),
  ];
}

/** The sizes as markdown table rows. */
export function bundleRows(sizes) {
  return sizes.map(
    s =>
      `| production bundle of ${s.name}: loaded with the app / all chunks, gzip kB (minified kB) | ${s.entryKb.gzip} / ${s.allKb.gzip} (${s.entryKb.min} / ${s.allKb.min}) | reported |`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  appRequire.resolve('react');
  const sizes = await bundleSizes();
  console.log(
    [
      '| measure | value | target |',
      '| --- | ---: | --- |',
      ...bundleRows(sizes),
    ].join('\n'),
  );
}
