// The UIs' Content-Security-Policy: sent as a header by the web server and written as a <meta>
// tag into the built index.html (Electron loads it from file://, where no headers exist).
export const CSP_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
] as const;

/** For the <meta> tag: frame-ancestors is ignored there, so only the header adds it. */
export const CSP_META = CSP_DIRECTIVES.join('; ');
export const CSP_HEADER = [...CSP_DIRECTIVES, "frame-ancestors 'none'"].join('; ');
