// What the import of one Application did with each field: converted (and to what), or not
// carried over (and why, with what to do instead). The report lists both.

/** A field of the Application and what it became. */
export interface ConvertedField {
  /** Path in the Application, e.g. `spec.syncPolicy.automated`. */
  readonly field: string;
  readonly to: string;
}

/** A field Keelson has no equivalent for: it is listed, never dropped silently. */
export interface NotCarriedField {
  readonly field: string;
  /** What it was and what to do instead. */
  readonly reason: string;
}

export class ImportNotes {
  readonly converted: ConvertedField[] = [];
  readonly notCarried: NotCarriedField[] = [];

  convert(field: string, to: string): void {
    this.converted.push({ field, to });
  }

  skip(field: string, reason: string): void {
    this.notCarried.push({ field, reason });
  }

  /** Puts both lists in the order their fields appear in `manifest`; others (options) last. */
  sortLike(manifest: unknown): void {
    const order = fieldOrder(manifest);
    const rank = (field: string) => {
      for (let f = field.replace(/\["([^"]*)"\]/g, '.$1'); f !== ''; f = f.replace(LAST_SEGMENT, '')) {
        const i = order.get(f);
        if (i !== undefined) return i;
      }
      return Number.MAX_SAFE_INTEGER;
    };
    const byRank = <T extends { field: string }>(a: T, b: T) => rank(a.field) - rank(b.field);
    this.converted.sort(byRank);
    this.notCarried.sort(byRank);
  }
}

/** The last segment of a field path (`.key` or `[0]`), or the whole path when it has one. */
const LAST_SEGMENT = /(\.[^.[]*|\[[0-9]+\])$|^[^.[]*$/;

/** Every field path of a manifest (`spec.source.helm.parameters[0].name`) → its position. */
function fieldOrder(manifest: unknown): Map<string, number> {
  const order = new Map<string, number>();
  const walk = (value: unknown, path: string) => {
    if (path !== '') order.set(path, order.size);
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) walk(v, path === '' ? k : `${path}.${k}`);
    }
  };
  walk(manifest, '');
  return order;
}
