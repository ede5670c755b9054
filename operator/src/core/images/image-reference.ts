// Image references as CI hands them to `keelson set-image`: `<name>=<image>:<tag>` or
// `<name>=<image>@<digest>`, checked against the grammar of the OCI distribution spec and
// Docker's reference package: an optional registry (`host[:port]`, recognized by a dot, a
// colon or `localhost`), repository path components of lowercase letters and digits joined
// by `.`, `_`, `__` or dashes, a tag of at most 128 word characters, dots and dashes (not
// starting with either), and a digest `sha256:<64 hex>` or `sha512:<128 hex>`, lowercase.

export type ImageReferenceProblem =
  | 'Empty'
  | 'Whitespace'
  | 'InvalidRegistry'
  | 'InvalidPathComponent'
  | 'UppercasePathComponent'
  | 'NameTooLong'
  | 'InvalidTag'
  | 'TagTooLong'
  | 'InvalidDigest'
  | 'NoTagOrDigest'
  | 'InvalidAssignment';

/** An image reference (or a `name=reference` argument) that is not valid; `code` says which rule it breaks. */
export class ImageReferenceError extends Error {
  override readonly name = 'ImageReferenceError';
  readonly code: ImageReferenceProblem;
  constructor(code: ImageReferenceProblem, message: string) {
    super(message);
    this.code = code;
  }
}

export interface ImageReference {
  /** `ghcr.io`, `localhost:5000`; undefined for a Docker Hub short name (`nginx:1.27`). */
  readonly registry?: string;
  /** The path in the registry: `acme/shop-api`. */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:…` */
  readonly digest?: string;
}

/** One `name=reference` argument. */
export interface ImageAssignment {
  /** The image's name in images.json (`api`). */
  readonly name: string;
  readonly reference: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6 = /^\[[0-9a-fA-F:.]+\]$/;
const TAG = /^\w[\w.-]*$/;
const TAG_MAX = 128;
/** Registry and repository together, as Docker's reference package limits them. */
const NAME_MAX = 255;
const DIGESTS: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

/** Parses and checks an image reference; throws ImageReferenceError saying what is wrong. */
export function parseImageReference(text: string): ImageReference {
  if (text === '') throw new ImageReferenceError('Empty', 'the image reference is empty');
  if (/\s/.test(text))
    throw new ImageReferenceError('Whitespace', `image reference ${JSON.stringify(text)} contains whitespace`);
  const at = text.indexOf('@');
  const digest = at >= 0 ? text.slice(at + 1) : undefined;
  const nameAndTag = at >= 0 ? text.slice(0, at) : text;
  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > nameAndTag.lastIndexOf('/');
  const tag = hasTag ? nameAndTag.slice(colon + 1) : undefined;
  const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
  const where = `image reference "${text}"`;

  const components = name.split('/');
  const first = components[0]!;
  const registry =
    components.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : undefined;
  if (registry !== undefined) {
    checkRegistry(registry, where);
    components.shift();
  }
  for (const component of components) checkPathComponent(component, where);
  if (name.length > NAME_MAX) {
    throw new ImageReferenceError(
      'NameTooLong',
      `${where}: the name is ${name.length} characters long; at most ${NAME_MAX} are allowed`,
    );
  }
  if (tag !== undefined) checkTag(tag, where);
  if (digest !== undefined) checkDigest(digest, where);
  if (tag === undefined && digest === undefined) {
    throw new ImageReferenceError(
      'NoTagOrDigest',
      `${where} has neither a tag nor a digest: add ":<tag>" or "@sha256:<64 hex digits>"`,
    );
  }
  return {
    ...(registry !== undefined ? { registry } : {}),
    repository: components.join('/'),
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** Parses `name=reference` (the reference checked); throws ImageReferenceError. */
export function parseImageAssignment(arg: string): ImageAssignment {
  const eq = arg.indexOf('=');
  if (eq <= 0) {
    throw new ImageReferenceError(
      'InvalidAssignment',
      `"${arg}" is not <name>=<image>:<tag> or <name>=<image>@<digest> (the name in images.json, "=", the reference)`,
    );
  }
  const name = arg.slice(0, eq);
  const reference = arg.slice(eq + 1);
  parseImageReference(reference);
  return { name, reference };
}

/**
 * Parses every argument; a name given twice is refused, since which reference should win is
 * not clear.
 */
export function parseImageAssignments(args: readonly string[]): ImageAssignment[] {
  const out: ImageAssignment[] = [];
  for (const arg of args) {
    const assignment = parseImageAssignment(arg);
    if (out.some((a) => a.name === assignment.name)) {
      throw new ImageReferenceError('InvalidAssignment', `image "${assignment.name}" is given more than once`);
    }
    out.push(assignment);
  }
  return out;
}

function checkRegistry(registry: string, where: string): void {
  const colon = registry.lastIndexOf(':');
  const hasPort = colon >= 0 && !registry.endsWith(']');
  const host = hasPort ? registry.slice(0, colon) : registry;
  const port = hasPort ? registry.slice(colon + 1) : undefined;
  const hostOk = IPV6.test(host) || (host !== '' && host.split('.').every((c) => DOMAIN_COMPONENT.test(c)));
  if (!hostOk || (port !== undefined && !/^\d{1,5}$/.test(port))) {
    throw new ImageReferenceError(
      'InvalidRegistry',
      `${where}: registry "${registry}" is not a host name with an optional :port (ghcr.io, localhost:5000)`,
    );
  }
}

function checkPathComponent(component: string, where: string): void {
  if (PATH_COMPONENT.test(component)) return;
  if (PATH_COMPONENT.test(component.toLowerCase())) {
    throw new ImageReferenceError(
      'UppercasePathComponent',
      `${where}: repository path component "${component}" must be lowercase`,
    );
  }
  const what = component === '' ? 'an empty repository path component' : `repository path component "${component}"`;
  throw new ImageReferenceError(
    'InvalidPathComponent',
    `${where} has ${what}: components are lowercase letters and digits, joined by ".", "_", "__" or dashes`,
  );
}

function checkTag(tag: string, where: string): void {
  if (tag.length > TAG_MAX) {
    throw new ImageReferenceError(
      'TagTooLong',
      `${where}: the tag is ${tag.length} characters long; at most ${TAG_MAX} are allowed`,
    );
  }
  if (!TAG.test(tag)) {
    const bad = tag === '' ? undefined : [...tag].find((c, i) => !(i === 0 ? /\w/ : /[\w.-]/).test(c));
    const detail = tag === '' ? 'is empty' : `has "${bad}" where it may not`;
    throw new ImageReferenceError(
      'InvalidTag',
      `${where}: tag "${tag}" ${detail} (letters, digits, "_", "." and "-", not starting with "." or "-")`,
    );
  }
}

function checkDigest(digest: string, where: string): void {
  const colon = digest.indexOf(':');
  const algorithm = colon >= 0 ? digest.slice(0, colon) : digest;
  const hex = colon >= 0 ? digest.slice(colon + 1) : '';
  const length = DIGESTS[algorithm];
  if (length === undefined) {
    throw new ImageReferenceError(
      'InvalidDigest',
      `${where}: digest "${digest}" is not sha256:<64 hex digits> (or sha512:<128 hex digits>)`,
    );
  }
  if (hex.length !== length || !/^[0-9a-f]+$/.test(hex)) {
    throw new ImageReferenceError(
      'InvalidDigest',
      `${where}: a ${algorithm} digest is ${length} lowercase hex digits; "${hex}" is ${hex.length} characters${/^[0-9a-f]*$/.test(hex) ? '' : ' and not all lowercase hex'}`,
    );
  }
}
