// The kiosk window's preload (sandboxed, so CommonJS and only `electron` may be required). It exposes exactly
// the MusterApi surface, call and on, to the page through the context bridge; never ipcRenderer itself.
// Main checks the sender and validates every message; the page validates every answer (renderer/api-client.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS
import electron = require('electron');

const CALL_CHANNEL = 'muster:call';
const EVENT_CHANNEL = 'muster:event';

interface Answer {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
}

electron.contextBridge.exposeInMainWorld('musterApi', {
  call: async (method: unknown, params: unknown): Promise<unknown> => {
    const answer = (await electron.ipcRenderer.invoke(CALL_CHANNEL, { method, params })) as Answer;
    if (answer.ok) return answer.result;
    const error = new Error(answer.error?.message ?? 'the kiosk refused the call');
    (error as Error & { code?: string }).code = answer.error?.code ?? 'internal';
    throw error;
  },
  on: (event: unknown, listener: (data: unknown) => void): (() => void) => {
    const forward = (_e: unknown, message: { readonly event: unknown; readonly data: unknown }): void => {
      if (message.event === event) listener(message.data);
    };
    electron.ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      electron.ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
});
