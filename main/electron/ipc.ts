// The typed API over IPC: one channel for calls (invoke/handle) and one for events (main -> renderer). Every
// call's sender is validated first, as in VS Code's validatedIpcMain: it must come from the kiosk window's
// own top frame, showing the app's origin; anything else is refused before the message is even parsed. Then
// ApiService validates and authorises the message exactly as in browser mode.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Answer, Caller, EventMessage } from '../../core/api/api.ts';
import { MusterError } from '../../core/errors.ts';
import type { ApiService } from '../web/api-service.ts';
import { isAppUrl } from './security.ts';
import { componentLogger } from '../../runtime/logger.ts';

export const CALL_CHANNEL = 'muster:call';
export const EVENT_CHANNEL = 'muster:event';

/** The kiosk window is the kiosk's own screen; it has no signed-in user. */
const KIOSK_CALLER: Caller = { principal: undefined, kioskScreen: true };

export function checkSender(event: IpcMainInvokeEvent, kiosk: () => WebContents | undefined): void {
  const contents = kiosk();
  const frame = event.senderFrame;
  if (!contents || event.sender !== contents)
    throw new MusterError('forbidden', 'IPC from a window that is not the kiosk screen');
  if (!frame || frame !== contents.mainFrame)
    throw new MusterError('forbidden', "IPC from a frame that is not the kiosk screen's top frame");
  if (!isAppUrl(frame.url))
    throw new MusterError('forbidden', `IPC from ${frame.url.slice(0, 100)}, not the kiosk app`);
}

/** Serves calls from the kiosk window; returns a function that stops serving. */
export function serveApi(ipcMain: IpcMain, api: ApiService, kiosk: () => WebContents | undefined): () => void {
  ipcMain.handle(CALL_CHANNEL, async (event, message: unknown): Promise<Answer<unknown>> => {
    try {
      checkSender(event, kiosk);
      return { ok: true, result: await api.call(message, KIOSK_CALLER) };
    } catch (error) {
      if (!(error instanceof MusterError)) componentLogger('kiosk-ipc').error({ err: error }, 'kiosk call failed');
      return {
        ok: false,
        error:
          error instanceof MusterError
            ? { code: error.code, message: error.message }
            : { code: 'internal', message: 'internal error' },
      };
    }
  });
  const off = api.subscribe(KIOSK_CALLER, (message: EventMessage) => {
    const contents = kiosk();
    if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, message);
  });
  return () => {
    off();
    ipcMain.removeHandler(CALL_CHANNEL);
  };
}
