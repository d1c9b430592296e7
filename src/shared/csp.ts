/**
 * The renderer's Content Security Policy, one string for both runtimes: Electron sends it as a header,
 * web mode as a header, and `index.html` carries it as a meta tag for good measure.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ')
