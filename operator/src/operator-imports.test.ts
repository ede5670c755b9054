// The operator process never loads @kubernetes/client-node (ADR 0024): its KubeConfig alone
// pulls in the whole generated API and undici, about 100 MiB resident. This walks every
// module the operator can load from main.ts, static and dynamic imports alike, and fails
// on a value import of it. `import type` is erased when Node strips the types; an
// `import { type X }` is not (it stays as a bare import), so it counts as a load.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const IMPORT = /(?:(?:^|\n)\s*(?:import|export)\s+(?!type\s)(?:[^;'"]*?\sfrom\s+)?|\bimport\(\s*)['"]([^'"]+)['"]/g;

function loads(entry: string): { modules: Set<string>; packages: Map<string, string[]> } {
  const modules = new Set<string>();
  const packages = new Map<string, string[]>();
  const walk = (file: string) => {
    if (modules.has(file)) return;
    modules.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (spec!.startsWith('.')) {
        const target = resolve(dirname(file), spec!);
        assert.ok(existsSync(target), `${file} imports ${spec}, which does not exist`);
        walk(target);
      } else if (!spec!.startsWith('node:')) {
        const name = spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!;
        packages.set(name, [...(packages.get(name) ?? []), file]);
      }
    }
  };
  walk(entry);
  return { modules, packages };
}

const here = dirname(new URL(import.meta.url).pathname);

test('no module the operator loads imports a value of @kubernetes/client-node', () => {
  const { modules, packages } = loads(join(here, 'main.ts'));
  assert.ok(modules.size > 100, `the walk found the operator's modules (${modules.size})`);
  assert.ok(packages.has('yaml') && packages.has('prom-client'), 'the walk sees package imports');
  const culprits = (packages.get('@kubernetes/client-node') ?? []).map((f) => relative(here, f));
  assert.deepEqual(culprits, [], 'these modules would load client-node into the operator');
});

test('the walk catches a value import, a type-only specifier and a dynamic import, and skips import type', () => {
  const text = [
    "import type * as a from '@kubernetes/client-node';",
    "import type { B } from 'erased';",
    "import { type C } from 'kept-bare';",
    "import * as d from 'value';",
    "export { e } from 'reexported';",
    "const f = await import('dynamic');",
  ].join('\n');
  const found = [...text.matchAll(IMPORT)].map((m) => m[1]);
  assert.deepEqual(found, ['kept-bare', 'value', 'reexported', 'dynamic']);
});
