// The words of an image bump: the commit message (which images, where, and the CI run that
// made it), the author, the CLI's one-line report, and the jittered delay before another
// push attempt. The caller passes the environment variables in; nothing here reads them.
import type { ImageChange, ImagesEdit } from './images-file.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface CommitAuthor {
  readonly name: string;
  readonly email: string;
}

export const DEFAULT_AUTHOR: CommitAuthor = { name: 'keelson-ci', email: 'keelson-ci@users.noreply.keelson.dev' };

/** The CI run behind this change: a URL when the CI gives one, else GitHub's run id. */
export function ciRunFrom(env: Env): string | undefined {
  const set = (key: string) => (env[key] ? env[key] : undefined);
  const github =
    set('GITHUB_SERVER_URL') && set('GITHUB_REPOSITORY') && set('GITHUB_RUN_ID')
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  return (
    set('GITHUB_RUN_URL') ??
    github ??
    set('CI_PIPELINE_URL') ??
    (set('GITHUB_RUN_ID') ? `GitHub Actions run ${env.GITHUB_RUN_ID}` : undefined)
  );
}

/** GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL, else keelson-ci. */
export function authorFrom(env: Env): CommitAuthor {
  return { name: env.GIT_AUTHOR_NAME || DEFAULT_AUTHOR.name, email: env.GIT_AUTHOR_EMAIL || DEFAULT_AUTHOR.email };
}

/** GIT_COMMITTER_NAME / GIT_COMMITTER_EMAIL, else the author. */
export function committerFrom(env: Env): CommitAuthor {
  const author = authorFrom(env);
  return { name: env.GIT_COMMITTER_NAME || author.name, email: env.GIT_COMMITTER_EMAIL || author.email };
}

/** Changes grouped by image name and new reference, with the environments each applies to. */
function grouped(changes: readonly Omit<ImageChange, 'from'>[]): { name: string; to: string; envs: string[] }[] {
  const groups: { name: string; to: string; envs: string[] }[] = [];
  for (const c of changes) {
    const group = groups.find((g) => g.name === c.name && g.to === c.to);
    if (group) group.envs.push(c.environment);
    else groups.push({ name: c.name, to: c.to, envs: [c.environment] });
  }
  return groups;
}

/** `api=ghcr.io/acme/api:1.5.0 (dev, prod)` per image. */
export function describeChanges(changes: readonly Omit<ImageChange, 'from'>[]): string {
  return grouped(changes)
    .map((g) => `${g.name}=${g.to} (${g.envs.join(', ')})`)
    .join(', ');
}

/**
 * The commit message: a subject naming the image(s), a line per changed entry with the old
 * and new reference, and the CI run when there is one.
 *
 *   set-image api=ghcr.io/acme/shop-api:1.5.0 (dev, prod)
 *
 *   dev.api: ghcr.io/acme/shop-api:1.4.3 -> ghcr.io/acme/shop-api:1.5.0
 *   prod.api: ghcr.io/acme/shop-api:1.4.3 -> ghcr.io/acme/shop-api:1.5.0
 *
 *   CI run: https://github.com/acme/shop/actions/runs/42
 */
export function commitMessage(edit: Pick<ImagesEdit, 'changes'>, ciRun?: string, subject?: string): string {
  const groups = grouped(edit.changes);
  const defaultSubject =
    groups.length === 1
      ? `set-image ${describeChanges(edit.changes)}`
      : `set-image ${[...new Set(groups.map((g) => g.name))].join(', ')}`;
  const lines = [subject ?? defaultSubject, ''];
  for (const c of edit.changes) lines.push(`${c.environment}.${c.name}: ${c.from} -> ${c.to}`);
  if (ciRun !== undefined) lines.push('', `CI run: ${ciRun}`);
  return `${lines.join('\n')}\n`;
}

/**
 * How long to wait before push attempt `attempt + 1` after `attempt` (1-based) was rejected:
 * 100 ms doubling to at most 2 s, a random part of it (`random` in [0, 1)) so concurrent
 * runs do not retry in step.
 */
export function retryDelayMs(attempt: number, random: number): number {
  const ceiling = Math.min(2_000, 100 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
