// Paths of the deploy repository as synthesis code names them: relative to the deploy
// repository's folder (as under `cdk8s synth`, run in that folder), or absolute under the
// root where the worker shows the tree (`path.join(__dirname, 'x.yaml')`). Either way one
// tree path, or an error when the path climbs out of the repository.

/** Where the worker shows the repository's tree. */
export const REPOSITORY_ROOT = '/keelson/repo';

export class OutsideRepositoryError extends Error {
  override readonly name = 'OutsideRepositoryError';
  constructor(path: string) {
    super(`"${path}" is outside the repository: synthesis reads only the deploy repository's own files`);
  }
}

/** The tree path `path` names from the folder `cwd` (a tree path); throws OutsideRepositoryError. */
export function resolveRepositoryPath(path: string, cwd: string): string {
  let rest: string;
  if (path.startsWith('/')) {
    if (path !== REPOSITORY_ROOT && !path.startsWith(`${REPOSITORY_ROOT}/`)) throw new OutsideRepositoryError(path);
    rest = path.slice(REPOSITORY_ROOT.length);
  } else {
    rest = `${cwd}/${path}`;
  }
  const parts: string[] = [];
  for (const part of rest.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) throw new OutsideRepositoryError(path);
  }
  return parts.join('/');
}
