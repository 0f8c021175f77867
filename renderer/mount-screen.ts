// Mounts one screen in its page's #app with the typed API. Each screen is its own bundle (renderer/entries/), so a
// page loads only its screen's code: the kiosk's start screen does not wait for HQ's charts.
import type { MusterApi } from '../core/api/api.ts';
import { connectApi } from './api-client.ts';

export function mountScreen(start: (root: HTMLElement, api: MusterApi) => void): void {
  const root = document.getElementById('app');
  if (root) start(root, connectApi());
}
