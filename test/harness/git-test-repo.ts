// One bare repository of the test Git server, changed the way a push would change it:
// commits, tags, branches, force-pushes (rewritten history) and deleted refs. Writes go
// straight into the bare repository with `git fast-import`, so thousands of files and
// commits take a second, not a minute.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Path → content; `null` deletes the file. */
export type FileChanges = Record<string, string | null>;

export interface CommitOptions {
  /** @default 'main' */
  readonly branch?: string;
  /** Start from no parent and drop every file first: a force-push that rewrites history. @default false */
  readonly orphan?: boolean;
}

export interface HistoryOptions {
  readonly commits: number;
  readonly files: number;
  /** @default 'main' */
  readonly branch?: string;
}

let clock = 1_700_000_000;

export class GitTestRepo {
  readonly name: string;
  readonly gitDir: string;
  readonly url: string;

  constructor(name: string, gitDir: string, url: string) {
    this.name = name;
    this.gitDir = gitDir;
    this.url = url;
  }

  /** Commits `files` on top of `branch` (created when missing); returns the commit id. */
  async commit(files: FileChanges, message = 'change', options: CommitOptions = {}): Promise<string> {
    const branch = options.branch ?? 'main';
    const parent = options.orphan ? undefined : await this.head(branch);
    const stream: string[] = [commitHeader(branch, message, parent)];
    if (options.orphan) stream.push('deleteall\n');
    for (const [path, content] of Object.entries(files)) stream.push(fileCommand(path, content));
    await this.#fastImport(stream.join('') + '\n');
    return (await this.head(branch))!;
  }

  /** Rewrites `branch` to a single new commit with only `files`: what a force-push does. */
  rewrite(files: FileChanges, message = 'rewritten', branch = 'main'): Promise<string> {
    return this.commit(files, message, { branch, orphan: true });
  }

  /** Writes `commits` commits touching `files` files in all (each commit changes a few). */
  async generateHistory(options: HistoryOptions): Promise<string> {
    const branch = options.branch ?? 'main';
    let parent = await this.head(branch);
    const chunks: string[] = [];
    const perCommit = Math.max(1, Math.ceil(options.files / options.commits));
    let next = 0;
    for (let c = 0; c < options.commits; c++) {
      chunks.push(commitHeader(branch, `commit ${c}`, parent));
      parent = undefined;
      const count = c === options.commits - 1 ? Math.max(perCommit, options.files - next) : perCommit;
      for (let i = 0; i < count; i++) {
        const n = next < options.files ? next++ : (c * 7 + i) % options.files;
        chunks.push(fileCommand(`dir-${n % 50}/file-${n}.txt`, `file ${n} at commit ${c}\n${'x'.repeat(200)}\n`));
      }
      chunks.push('\n');
    }
    await this.#fastImport(chunks.join(''));
    return (await this.head(branch))!;
  }

  /** Creates a tag at `target` (a commit id or branch; default main). Annotated unless `lightweight`. */
  async tag(name: string, target = 'main', lightweight = false): Promise<string> {
    const args = lightweight ? ['tag', name, target] : ['tag', '-a', '-m', name, name, target];
    await run('git', ['--git-dir', this.gitDir, ...args], { env: gitEnv() });
    return this.resolve(`${target}^{commit}`);
  }

  /** Points `branch` at `target`, creating it when missing. */
  async branch(name: string, target = 'main'): Promise<string> {
    await run('git', ['--git-dir', this.gitDir, 'branch', '--force', name, target]);
    return this.resolve(name);
  }

  /** Deletes a ref: `refs/heads/x` or `refs/tags/v1`. */
  async deleteRef(ref: string): Promise<void> {
    await run('git', ['--git-dir', this.gitDir, 'update-ref', '-d', ref]);
  }

  /** The commit `branch` points at, or undefined when there is no such branch. */
  async head(branch = 'main'): Promise<string | undefined> {
    try {
      return await this.resolve(`refs/heads/${branch}`);
    } catch {
      return undefined;
    }
  }

  async resolve(rev: string): Promise<string> {
    const { stdout } = await run('git', ['--git-dir', this.gitDir, 'rev-parse', '--verify', '--quiet', rev]);
    return stdout.trim();
  }

  async #fastImport(input: string): Promise<void> {
    const child = spawn('git', ['--git-dir', this.gitDir, 'fast-import', '--quiet', '--force'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(input);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`git fast-import failed (${code}): ${stderr}`);
  }
}

function commitHeader(branch: string, message: string, parent: string | undefined): string {
  const when = clock++;
  const msg = Buffer.from(message);
  return (
    `commit refs/heads/${branch}\ncommitter Keelson Test <test@keelson.dev> ${when} +0000\ndata ${msg.length}\n${message}\n` +
    (parent ? `from ${parent}\n` : '')
  );
}

function fileCommand(path: string, content: string | null): string {
  if (content === null) return `D ${path}\n`;
  return `M 100644 inline ${path}\ndata ${Buffer.byteLength(content)}\n${content}\n`;
}

function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_COMMITTER_NAME: 'Keelson Test',
    GIT_COMMITTER_EMAIL: 'test@keelson.dev',
    GIT_AUTHOR_NAME: 'Keelson Test',
    GIT_AUTHOR_EMAIL: 'test@keelson.dev',
  };
}
