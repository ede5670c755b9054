// Image references kept as data in the deploy repository (`images.json`), so CI bumps a tag
// by editing one string instead of code. The file maps environment → image name → reference:
//
//   { "dev": { "api": "ghcr.io/acme/shop-api:1.5.0" }, "prod": { "api": "ghcr.io/acme/shop-api:1.4.2" } }

/** The parsed contents of an images file: environment → image name → image reference. */
export type ImagesFileContent = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Raised when the images file is malformed or lacks an image an app asks for. */
export class ImageReferenceError extends Error {
  override readonly name = 'ImageReferenceError';
}

const REFERENCE = /^[a-z0-9][a-z0-9._\-/:@]*$/i;

/** Checks the shape of an images file and returns it typed; throws ImageReferenceError naming the bad entry. */
export function parseImagesFile(content: unknown, file = 'images.json'): ImagesFileContent {
  if (!isRecord(content))
    throw new ImageReferenceError(`${file}: expected an object of environment → { image name → reference }`);
  for (const [environment, images] of Object.entries(content)) {
    if (!isRecord(images))
      throw new ImageReferenceError(`${file}: "${environment}" must be an object of image name → reference`);
    for (const [name, ref] of Object.entries(images)) {
      if (typeof ref !== 'string' || !REFERENCE.test(ref)) {
        throw new ImageReferenceError(
          `${file}: ${environment}.${name} is not an image reference: ${JSON.stringify(ref)}`,
        );
      }
    }
  }
  return content as ImagesFileContent;
}

/** The images of one environment, read from the images file. */
export class Images {
  /** The environment whose images these are. */
  readonly environment: string;
  private readonly refs: Readonly<Record<string, string>>;
  private readonly file: string;

  /**
   * @param content the parsed images file (all environments)
   * @param environment the environment to read
   * @param file the file's name, for messages. @default 'images.json'
   */
  constructor(content: ImagesFileContent, environment: string, file = 'images.json') {
    this.environment = environment;
    this.refs = content[environment] ?? {};
    this.file = file;
  }

  /** The reference of image `name` in this environment; throws ImageReferenceError when the file has none. */
  ref(name: string): string {
    const ref = this.refs[name];
    if (ref === undefined) {
      const known = Object.keys(this.refs);
      const hint = known.length > 0 ? ` (it has: ${known.join(', ')})` : '';
      throw new ImageReferenceError(`${this.file} has no image "${name}" for environment "${this.environment}"${hint}`);
    }
    return ref;
  }

  /** The image names this environment defines. */
  get names(): readonly string[] {
    return Object.keys(this.refs);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
