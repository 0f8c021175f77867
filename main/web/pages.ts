// The HTML shell of each screen and the security headers every response carries. The page holds no inline
// script or style: the Content-Security-Policy allows only this origin's script and stylesheet, images from
// this origin or data: URLs (the receipt's QR code), and connections back to this origin.
export const SCREENS = ['kiosk', 'staff', 'hq'] as const;
export type Screen = (typeof SCREENS)[number];

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "media-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(self), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
};

const TITLES: { readonly [S in Screen]: string } = { kiosk: 'Muster kiosk', staff: 'Muster attendance', hq: 'Muster HQ' };

export function screenPage(screen: Screen): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${TITLES[screen]}</title>
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body data-screen="${screen}">
<main id="app" aria-live="polite"><p>Loading…</p></main>
</body>
</html>
`;
}

export function indexPage(screens: readonly Screen[]): string {
  const links = screens.map((s) => `<li><a href="/${s}">${TITLES[s]}</a></li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Muster</title><link rel="stylesheet" href="/assets/app.css"></head>
<body><main id="app"><h1>Muster</h1><ul>
${links}
</ul></main></body>
</html>
`;
}
