// Where an imported document came from, and the one error invalid input raises: it names the
// file, the document (and the item of a List) and, once known, the kind and name.

/** One document of an input file; `document` counts from 1, `item` indexes a List's items. */
export interface DocumentOrigin {
  readonly file: string;
  readonly document: number;
  readonly item?: number;
  readonly kind?: string;
  readonly name?: string;
}

/** `apps.yaml, document 2 (Application "guestbook")`. */
export function describeOrigin(origin: DocumentOrigin): string {
  const item = origin.item === undefined ? '' : `, items[${origin.item}]`;
  const name = origin.name === undefined ? '' : ` "${origin.name}"`;
  const what = origin.kind === undefined ? '' : ` (${origin.kind}${name})`;
  return `${origin.file}, document ${origin.document}${item}${what}`;
}

/** Input that cannot be imported: not YAML, not an Application, a required field missing, … */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  /** Absent when the error is about the input as a whole. */
  readonly origin?: DocumentOrigin;
  constructor(origin: DocumentOrigin | undefined, message: string) {
    super(origin ? `${describeOrigin(origin)}: ${message}` : message);
    this.origin = origin;
  }
}
