/** How a deprecated API version is announced (RFC 9745 Deprecation, RFC 8594 Sunset). */
export interface VersionDeprecation {
  /** ISO date after which the version may stop answering; sent as `Sunset`. */
  sunset: string;
  /** Human-readable migration notes; sent as `Link: <link>; rel="deprecation"`. */
  link: string;
  /** ISO date the version was deprecated; sent as `Deprecation: @<unix-seconds>`, else `Deprecation: true`. */
  since?: string;
  /** The version that replaces it (a URI); sent as `Link: <...>; rel="successor-version"`. */
  successor?: string;
}

/** One API version of a service: `{ v1: { deprecated: {...} }, v2: {} }`. */
export interface VersionSpec {
  deprecated?: VersionDeprecation;
}

/** Headers every answer of a deprecated version carries. */
export type DeprecationHeaders = Readonly<Record<string, string>>;

const VERSION_NAME = /^v\d+$/;
const VERSION_PREFIX = /^\/(v\d+)(?:\/|$)/;

/**
 * Checks the `versions` option and precomputes the headers of each deprecated version, so the
 * request path only does a Map lookup. Throws a TypeError naming the bad entry.
 */
export function compileVersions(
  versions: Readonly<Record<string, VersionSpec>> | undefined,
): ReadonlyMap<string, DeprecationHeaders> {
  const deprecated = new Map<string, DeprecationHeaders>();
  if (versions === undefined) return deprecated;
  for (const [name, spec] of Object.entries(versions)) {
    if (!VERSION_NAME.test(name)) throw new TypeError(`versions: name must look like v1, got ${name}`);
    const d = spec?.deprecated;
    if (d === undefined) continue;
    const sunset = Date.parse(d.sunset);
    if (Number.isNaN(sunset))
      throw new TypeError(`versions.${name}.deprecated.sunset: not a date: ${d.sunset}`);
    checkLinkTarget(`versions.${name}.deprecated.link`, d.link);
    const headers: Record<string, string> = { sunset: new Date(sunset).toUTCString() };
    if (d.since !== undefined) {
      const since = Date.parse(d.since);
      if (Number.isNaN(since))
        throw new TypeError(`versions.${name}.deprecated.since: not a date: ${d.since}`);
      headers.deprecation = `@${Math.floor(since / 1000)}`;
    } else {
      headers.deprecation = 'true';
    }
    let link = `<${d.link}>; rel="deprecation"`;
    if (d.successor !== undefined) {
      checkLinkTarget(`versions.${name}.deprecated.successor`, d.successor);
      link += `, <${d.successor}>; rel="successor-version"`;
    }
    headers.link = link;
    deprecated.set(name, Object.freeze(headers));
  }
  return deprecated;
}

function checkLinkTarget(option: string, value: unknown): void {
  if (typeof value !== 'string' || value === '' || /[<>\s"]/.test(value)) {
    throw new TypeError(
      `${option}: must be a URI without spaces, quotes or angle brackets, got ${String(value)}`,
    );
  }
}

/** The version a route or URL path belongs to (`/v1/users` → `v1`), or undefined. */
export function versionOf(path: string): string | undefined {
  return VERSION_PREFIX.exec(path)?.[1];
}

/** The deprecation headers for a raw request URL, by its first path segment; cheap on the hot path. */
export function deprecationFor(
  url: string,
  deprecated: ReadonlyMap<string, DeprecationHeaders>,
): DeprecationHeaders | undefined {
  if (url.charCodeAt(1) !== 118 /* v */) return undefined;
  let end = url.indexOf('/', 2);
  if (end === -1) {
    end = url.indexOf('?', 2);
    if (end === -1) end = url.length;
  }
  return deprecated.get(url.slice(1, end));
}
