// Deploy repositories written to temporary directories for the synthesis tests: a main.ts
// (and any other files) with the kit, cdk8s-plus-27 and an images file, read back through
// the same DirectoryTree the CLI uses.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DirectoryTree } from '../../../operator/src/adapters/source/directory-tree.ts';

const made: string[] = [];

/** Writes the files (path → contents) to a fresh directory and returns a tree over it. */
export function deployRepo(files: Readonly<Record<string, string>>): DirectoryTree {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-deploy-repo-'));
  made.push(dir);
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), contents);
  }
  return new DirectoryTree(dir);
}

export function removeDeployRepos(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A main.ts whose dev environment runs `body` inside an App named api (kit and kplus imported). */
export function mainWith(body: string, top = ''): Record<string, string> {
  return {
    'main.ts': [
      `import { App, defineEnvironments } from '@keelson/cdk8s-app';`,
      `import * as kplus from 'cdk8s-plus-27';`,
      top,
      `export default defineEnvironments({`,
      `  dev: (env) => {`,
      `    const app = new App(env, 'api');`,
      `    ${body}`,
      `  },`,
      `});`,
      '',
    ].join('\n'),
  };
}

/** A small valid deploy repository: one ConfigMap in dev. */
export const VALID = mainWith(`new kplus.ConfigMap(app, 'cm', { metadata: { name: 'settings' }, data: { a: 'b' } });`);
