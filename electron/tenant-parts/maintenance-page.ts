/** What a suspended tenant's visitors get (HTTP 503), from the maintenance container or the managed proxy alike. */
export const MAINTENANCE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Temporarily unavailable</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#333}h1{font-size:1.6rem}</style>
</head><body><h1>Temporarily unavailable</h1>
<p>This site is under maintenance. Please try again later.</p></body></html>
`;
/** Seconds a client is told to wait before trying a suspended tenant again (Retry-After). */
export const RETRY_AFTER_SECONDS = 300;
