// Which URLs are a window's own page: the Electron mains let navigation, redirects and IPC through
// only for these. No 'electron' import, so plain Node tests check it.

/**
 * Whether `url` is `root` or under it by whole path segments: same scheme, host and port, no user
 * info, and the root's path segments followed by any others, compared once the URL parser has
 * normalized the path ('..', '%2e%2e'); a segment that decodes to a separator or a dot segment
 * ('..%2f', '%5c') is refused, as is anything that does not parse.
 */
export function isWithinPageRoot(url: string, root: string): boolean {
  const target = parseUrl(url);
  const base = parseUrl(root);
  if (!target || !base || target.username || target.password) return false;
  if (target.protocol !== base.protocol || target.host !== base.host) return false;
  const rootSegments = pathSegments(base.pathname);
  const segments = pathSegments(target.pathname);
  if (!rootSegments || !segments || segments.length < rootSegments.length) return false;
  return rootSegments.every((segment, i) => segments[i] === segment);
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** The decoded path segments, a trailing slash ignored; null when one could climb or split. */
function pathSegments(pathname: string): string[] | null {
  const raw = pathname.split('/').slice(1);
  if (raw.at(-1) === '') raw.pop();
  const decoded: string[] = [];
  for (const segment of raw) {
    let text: string;
    try {
      text = decodeURIComponent(segment);
    } catch {
      return null;
    }
    if (text === '.' || text === '..' || /[/\\\0]/.test(text)) return null;
    decoded.push(text);
  }
  return decoded;
}
