// The layout of a pass store: `<path>.gpg` files, and `.gpg-id` files naming the
// recipients of the folder they are in and of every folder below it that has none.

/** The recipients listed in a `.gpg-id`: one per line; `#` starts a comment, as in pass. */
export function parseGpgId(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '');
}

/** The folders whose `.gpg-id` may apply to an entry, nearest first: `a/b/c` → `a/b`, `a`, ``. */
export function gpgIdFolders(entryPath: string): string[] {
  const parts = entryPath.split('/').slice(0, -1);
  const folders: string[] = [];
  for (let n = parts.length; n >= 0; n--) folders.push(parts.slice(0, n).join('/'));
  return folders;
}

/** A tree path under the store root: `joinStorePath('secrets', 'prod/db.gpg')` → `secrets/prod/db.gpg`. */
export function joinStorePath(root: string, path: string): string {
  return root ? `${root}/${path}` : path;
}

/** The entry name of a `.gpg` file path relative to the store root, or undefined for other files. */
export function entryNameOf(filePath: string): string | undefined {
  return filePath.endsWith('.gpg') && !filePath.endsWith('/.gpg') && filePath !== '.gpg'
    ? filePath.slice(0, -'.gpg'.length)
    : undefined;
}
