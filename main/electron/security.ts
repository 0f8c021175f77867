// Every security setting of the kiosk window in one place (Electron's security checklist): an isolated,
// sandboxed renderer without Node, only this app's origin, no navigation away, no new windows, no webviews,
// and permissions granted only for what the kiosk screen needs (the camera, for webcam capture).
import type { PermissionRequest, Session, WebContents, WebPreferences } from 'electron';

/** The kiosk screen's origin: a privileged custom scheme served from main, never the network. */
export const APP_SCHEME = 'muster';
export const APP_ORIGIN = `${APP_SCHEME}://kiosk`;
export const KIOSK_URL = `${APP_ORIGIN}/kiosk`;

export function kioskWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: false,
  };
}

export function isAppUrl(url: string): boolean {
  const parsed = URL.parse(url);
  return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'kiosk';
}

/** No navigation outside the app, no popups, no webviews, no redirects away. */
export function lockNavigation(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The camera (video only) for the app's own origin; everything else is refused. */
export function permissionAllowed(
  permission: string,
  origin: string,
  details: Partial<Pick<PermissionRequest, 'requestingUrl'>> & { readonly mediaTypes?: readonly string[] },
): boolean {
  if (permission !== 'media' || !isAppUrl(origin)) return false;
  const types = details.mediaTypes ?? [];
  return types.length > 0 && types.every((t) => t === 'video');
}

export function lockPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const media = details as {
      readonly mediaTypes?: readonly string[];
      readonly requestingUrl?: string;
      readonly securityOrigin?: string;
    };
    callback(permissionAllowed(permission, media.securityOrigin ?? media.requestingUrl ?? '', media));
  });
  session.setPermissionCheckHandler((_contents, permission, origin, details) => {
    const media = details as { readonly mediaType?: string };
    return permissionAllowed(
      permission,
      origin,
      media.mediaType === undefined ? {} : { mediaTypes: [media.mediaType] },
    );
  });
}
