// The HTML shell of each screen. It holds no inline script or style, as the Content-Security-Policy every
// response carries requires (access/security-headers.ts).
export const SCREENS = ['kiosk', 'staff', 'hq', 'demo'] as const;
export type Screen = (typeof SCREENS)[number];

const TITLES: { readonly [S in Screen]: string } = {
  kiosk: 'Muster kiosk',
  staff: 'Muster attendance',
  hq: 'Muster HQ',
  demo: 'Muster demo panel',
};

/** Where a screen's page loads its script from: each screen is a bundle of its own (main/web/bundle.ts). */
export function screenScript(screen: Screen): string {
  return `/assets/${screen}.js`;
}

export function screenPage(screen: Screen): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${TITLES[screen]}</title>
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="${screenScript(screen)}"></script>
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
