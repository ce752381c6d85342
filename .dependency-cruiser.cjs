/**
 * The layering, checked in CI (`npm run lint:deps`). Folders from the top down; a module may
 * import only from its own folder or from a folder lower in this list. Folders on one line are
 * peers and may not import each other. `dev/` is development tooling: `bin/` and the tests use
 * it, the hub itself (runtime/ and below) never does. Tests sit above everything.
 */
const LAYERS = [
  ['bin', 'bench'],
  ['dev'],
  ['runtime'],
  ['gateway', 'workers'],
  ['services'],
  ['adapters', 'store'],
  ['consent'],
  ['domain'],
  ['schemas'],
  ['crypto'],
  ['db'],
  ['lib'],
  ['config'],
];

const rank = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i])));
const folders = [...rank.keys()];
const forbidden = [];
for (const from of folders) {
  // Same line or higher up (a smaller index): not importable from `from`.
  const notBelow = folders.filter((to) => to !== from && rank.get(to) <= rank.get(from));
  if (notBelow.length === 0) continue;
  forbidden.push({
    name: `no-upward-from-${from}`,
    comment: `${from}/ may import only folders below it: ${folders.filter((to) => rank.get(to) > rank.get(from)).join(', ')}`,
    severity: 'error',
    from: { path: `^${from}/` },
    to: { path: `^(${notBelow.join('|')})/` },
  });
}

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'No import cycles, inside a folder or across folders.', severity: 'error', from: {}, to: { circular: true } },
    ...forbidden,
    {
      name: 'production-code-never-imports-tests',
      severity: 'error',
      from: { pathNot: '^(test|bench)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // swc, as dependency-cruiser calls it, cannot parse JSX: the console's .tsx pages are checked
    // against these same rules by test/unit/tsx-layering.test.ts instead.
    exclude: { path: '^(node_modules|dist|coverage|\\.hub)/|\\.tsx$' },
    tsPreCompilationDeps: true,
    // TypeScript 7 (the native compiler) has no JavaScript API for dependency-cruiser to parse with: swc parses instead.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
