// `keelson set-image api=ghcr.io/acme/api:1.5.0 --repo https://…/deploy.git [--env prod]`:
// what CI runs after pushing an image. It fetches the deploy repository's branch over smart
// HTTP, sets the reference(s) in images.json (in one environment, or in every one that
// declares the name), commits naming the images and the CI run, and pushes, retrying on a
// new tip when another push landed first. A reference already set pushes nothing.
// Credentials: KEELSON_GIT_TOKEN (or GITHUB_TOKEN) as the Basic auth password, the user
// KEELSON_GIT_USERNAME or x-access-token; no output carries the token.
import { bumpFile, PushError } from '../adapters/git/image-bump.ts';
import { authorFrom, ciRunFrom, commitMessage, committerFrom, describeChanges } from '../core/images/commit-message.ts';
import { ImageReferenceError, parseImageAssignments, type ImageAssignment } from '../core/images/image-reference.ts';
import { ImagesFileError, setImages, type ImagesEdit } from '../core/images/images-file.ts';
import { scrubSecrets } from '../core/images/push-failure.ts';
import { parseCommandArgs, UsageError, type Command } from './command.ts';

export const setImageCommand: Command = {
  name: 'set-image',
  summary: "Set image references in a deploy repository's images.json, commit and push (for CI)",
  usage:
    'keelson set-image <name>=<image>:<tag>|<name>=<image>@<digest>... --repo <url> [--env <env>] [--branch <branch>] [--path <dir>] [--message <text>]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        repo: { type: 'string' },
        env: { type: 'string' },
        branch: { type: 'string', default: 'main' },
        path: { type: 'string', default: '' },
        message: { type: 'string' },
      },
      { min: 1, max: Number.POSITIVE_INFINITY },
    );
    const url = checkRepoUrl(values.repo);
    const file = imagesFilePath(values.path);
    const assignments = parseAssignments(positionals);
    const token = io.env.KEELSON_GIT_TOKEN || io.env.GITHUB_TOKEN || undefined;
    const secrets = token ? [token] : [];
    const credentials = token
      ? { username: io.env.KEELSON_GIT_USERNAME || 'x-access-token', password: token }
      : undefined;
    const ciRun = ciRunFrom(io.env);
    const say = (text: string) => io.stdout(scrubSecrets(text, secrets));
    const warn = (text: string) => io.stderr(scrubSecrets(text, secrets));
    let last: ImagesEdit | undefined;
    try {
      const result = await bumpFile({
        url,
        branch: values.branch,
        file,
        credentials,
        author: authorFrom(io.env),
        committer: committerFrom(io.env),
        edit: (text) => {
          last = setImages(text, assignments, values.env, file);
          if (last.changes.length === 0) return undefined;
          return { text: last.text, message: commitMessage(last, ciRun, values.message) };
        },
        onRetry: (attempt, tip) =>
          warn(
            `the push to "${values.branch}" was rejected: another push landed first; applying the change again on ${tip.slice(0, 12)} (attempt ${attempt})\n`,
          ),
      });
      const already = last && last.unchanged.length > 0 ? `; already set: ${describeChanges(last.unchanged)}` : '';
      if (!result.pushed) {
        say(`${file} on "${values.branch}" already has ${describeChanges(last?.unchanged ?? [])}: nothing to push\n`);
        return 0;
      }
      say(
        `pushed ${result.commit.slice(0, 12)} to "${values.branch}": ${describeChanges(last?.changes ?? [])}${already}\n`,
      );
      return 0;
    } catch (err) {
      if (err instanceof PushError || err instanceof ImagesFileError) {
        warn(`keelson set-image: ${err.message}\n`);
        return 1;
      }
      warn(`keelson set-image: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
  },
};

/** The deploy repository's URL: http(s), with no credentials in it (they belong in KEELSON_GIT_TOKEN). */
function checkRepoUrl(repo: string | undefined): string {
  if (!repo) throw new UsageError('--repo <url> is required: the HTTPS clone URL of the deploy repository');
  let parsed: URL;
  try {
    parsed = new URL(repo);
  } catch {
    throw new UsageError('--repo is not a URL: give the HTTPS clone URL of the deploy repository');
  }
  if (parsed.username || parsed.password) {
    throw new UsageError('--repo must not carry credentials: set KEELSON_GIT_TOKEN (and KEELSON_GIT_USERNAME) instead');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new UsageError(`--repo must be an http:// or https:// URL (smart HTTP), not ${parsed.protocol}`);
  }
  return repo;
}

/** `images.json` under `--path` (a folder of the repository; no `..`). */
function imagesFilePath(dir: string): string {
  const parts = dir.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new UsageError(`--path "${dir}" leaves the repository`);
  return [...parts, 'images.json'].join('/');
}

function parseAssignments(args: readonly string[]): ImageAssignment[] {
  try {
    return parseImageAssignments(args);
  } catch (err) {
    if (err instanceof ImageReferenceError) throw new UsageError(err.message);
    throw err;
  }
}
