// Argo CD's health scripts where Argo CD users keep them, as LuaHealthRules scripts:
//  - a resource_customizations tree: `<group>/<Kind>/health.lua`, and `<Kind>/health.lua` for the core
//    group (Argo CD looks a core kind up as the bare kind, so its folder sits at the top); `_/<Kind>/`
//    is accepted for the core group too (no API group is named `_`). Other files (actions/, testdata/,
//    health_test.yaml) are not health scripts and are skipped.
//  - argocd-cm data: `resource.customizations.health.<group>_<Kind>` (a bare `<Kind>` is the core group,
//    `all` is every kind), and the older `resource.customizations` key, a YAML map of `group/Kind` (or
//    `Kind`) to `{ health.lua: ... }`. A ConfigMap mounted as a directory gives the same data as one
//    file per key. Keys may hold Argo CD's wildcards: `*.example.com_*` becomes `*.example.com/*`.
// As in Argo CD, a ConfigMap script replaces the tree's script for the same kind.
// `resource.customizations.useOpenLibs.*` is ignored: every script gets the same safe library set.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { LuaHealthScript } from './lua-health.ts';

const HEALTH_FILE = 'health.lua';
const CORE_GROUP_FOLDER = '_';
const SPLIT_KEY_PREFIX = 'resource.customizations.health.';
const LEGACY_KEY = 'resource.customizations';

export interface ArgoCdHealthSources {
  /** A resource_customizations tree. */
  readonly directory?: string;
  /** argocd-cm's data. */
  readonly configMapData?: Readonly<Record<string, string>>;
  /** A ConfigMap mounted as a directory: one file per key. */
  readonly configMapDirectory?: string;
  /** The ConfigMap's name, in origins; default argocd-cm. */
  readonly configMapName?: string;
}

/** The health scripts of all the sources, ConfigMap entries over tree entries of the same key. */
export async function loadArgoCdHealthScripts(sources: ArgoCdHealthSources): Promise<LuaHealthScript[]> {
  const byKey = new Map<string, LuaHealthScript>();
  const add = (scripts: readonly LuaHealthScript[]): void => {
    for (const script of scripts) byKey.set(script.key, script);
  };
  if (sources.directory !== undefined) add(await healthScriptsFromDirectory(sources.directory));
  const name = sources.configMapName ?? 'argocd-cm';
  if (sources.configMapDirectory !== undefined) {
    add(healthScriptsFromConfigMap(await readMountedConfigMap(sources.configMapDirectory), sources.configMapDirectory));
  }
  if (sources.configMapData !== undefined) add(healthScriptsFromConfigMap(sources.configMapData, name));
  return [...byKey.values()];
}

/** `<group>/<Kind>/health.lua`, `<Kind>/health.lua` and `_/<Kind>/health.lua` under `root`, in name order. */
export async function healthScriptsFromDirectory(root: string): Promise<LuaHealthScript[]> {
  const scripts: LuaHealthScript[] = [];
  for (const top of await directoriesIn(root)) {
    const topPath = join(root, top);
    const coreScript = join(topPath, HEALTH_FILE);
    if (top !== CORE_GROUP_FOLDER && (await isFile(coreScript))) scripts.push(await readScript(`/${top}`, coreScript));
    for (const kind of await directoriesIn(topPath)) {
      const file = join(topPath, kind, HEALTH_FILE);
      if (await isFile(file)) scripts.push(await readScript(`${top === CORE_GROUP_FOLDER ? '' : top}/${kind}`, file));
    }
  }
  return scripts;
}

/**
 * The health scripts in ConfigMap data; `origin` prefixes each key in messages (the ConfigMap's name, or
 * the directory it is mounted at). Throws, naming the key, for a malformed group_kind or legacy YAML.
 */
export function healthScriptsFromConfigMap(data: Readonly<Record<string, string>>, origin: string): LuaHealthScript[] {
  // as in Argo CD, a resource.customizations.health.* key replaces the legacy key's script for its kind
  const byKey = new Map<string, LuaHealthScript>();
  const legacy = data[LEGACY_KEY];
  if (legacy !== undefined) {
    for (const script of legacyScripts(legacy, `${origin}/${LEGACY_KEY}`)) byKey.set(script.key, script);
  }
  for (const [key, source] of Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!key.startsWith(SPLIT_KEY_PREFIX)) continue;
    const where = `${origin}/${key}`;
    const script = { key: groupKindKey(key.slice(SPLIT_KEY_PREFIX.length), where), source, origin: where };
    byKey.set(script.key, script);
  }
  return [...byKey.values()];
}

/** Argo CD's `<group>_<Kind>` (or `<Kind>`, or `all`) as `group/Kind`. */
function groupKindKey(groupKind: string, where: string): string {
  if (groupKind === 'all') return '*/*';
  const parts = groupKind.split('_');
  if (parts.length === 1 && parts[0]) return `/${parts[0]}`;
  if (parts.length === 2 && parts[1]) return `${parts[0]}/${parts[1]}`;
  throw new Error(
    `${where}: "${groupKind}" is not <group>_<Kind> or <Kind>` + " (Argo CD's resource.customizations.health key)",
  );
}

/** The older single key: YAML `group/Kind: { health.lua: <script> }`, `Kind` alone for the core group. */
function legacyScripts(yaml: string, where: string): LuaHealthScript[] {
  let customizations: unknown;
  try {
    customizations = parse(yaml);
  } catch (err) {
    throw new Error(`${where}: not YAML: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (customizations == null) return [];
  if (typeof customizations !== 'object' || Array.isArray(customizations)) {
    throw new Error(`${where}: expected a map of group/Kind to customizations`);
  }
  const scripts: LuaHealthScript[] = [];
  for (const [groupKind, customization] of Object.entries(customizations)) {
    const source = (customization as Record<string, unknown> | null)?.[HEALTH_FILE];
    if (source === undefined) continue;
    if (typeof source !== 'string') throw new Error(`${where}: ${groupKind}.${HEALTH_FILE} is not a string`);
    const key = groupKind === 'all' ? '*/*' : groupKind.includes('/') ? groupKind : `/${groupKind}`;
    scripts.push({ key, source, origin: `${where} (${groupKind})` });
  }
  return scripts;
}

/** A mounted ConfigMap's data: each file is a key. Kubelet's `..data` links and other dot entries are not. */
export async function readMountedConfigMap(dir: string): Promise<Record<string, string>> {
  const data: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (await isFile(path)) data[name] = await readFile(path, 'utf8');
  }
  return data;
}

async function readScript(key: string, file: string): Promise<LuaHealthScript> {
  return { key, source: await readFile(file, 'utf8'), origin: file };
}

/** Subdirectories by name (following links, as a mounted volume has them), dot entries skipped. */
async function directoriesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (name.startsWith('.')) continue;
    if ((await stat(join(dir, name))).isDirectory()) names.push(name);
  }
  return names;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
