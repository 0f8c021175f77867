// Device health of every kiosk of the centre: this kiosk's devices live, the others as their last device-health
// entries on the log report them. Polled in the background (the poll never keeps the session alive), so a
// replugged device shows as working within seconds.
import type { MusterApi } from '../../core/api/api.ts';
import type { DeviceView } from '../../core/api/staff-api.ts';
import { h, render } from '../dom.ts';
import { data, logText } from '../findings.ts';
import { stamp, zoneLabel } from '../local-time.ts';
import { w } from '../screen-words.ts';
import { type StaffWord, s } from './staff-strings.ts';

const KINDS = new Set(['fingerprint', 'camera', 'badge', 'kiosk']);

function kindText(kind: string): string {
  return s((KINDS.has(kind) ? `kind_${kind}` : 'kind_other') as StaffWord);
}

function table(kiosk: string, devices: readonly DeviceView[], zone: string): HTMLElement {
  return h(
    'table',
    { 'data-kiosk': kiosk },
    h('caption', {}, '🖥️ ', data(kiosk)),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [s('colDevice'), s('colKind'), s('colState'), s('colSince'), s('colLastError')].map((c) =>
          h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      devices.map((d) =>
        h(
          'tr',
          { 'data-device': d.id, 'data-state': d.state },
          h('td', {}, data(d.id)),
          h('td', {}, kindText(d.kind)),
          h('td', {}, `${d.state === 'ok' ? '✅' : '⚠️'} ${s(`dev_${d.state}`)}`),
          h('td', {}, stamp(d.since, zone)),
          h('td', {}, d.lastError === null ? '' : logText(d.lastError)),
        ),
      ),
    ),
  );
}

export async function drawDevices(box: HTMLElement, api: MusterApi, zone: string): Promise<void> {
  const { kiosk, devices, peers } = await api.call('staff.devices', {});
  const kiosks = [{ kiosk, devices }, ...peers];
  render(
    box,
    h('h2', { id: 'devices-title' }, '🛠️ ', s('devices')),
    h('p', {}, w('timesIn', { zone: zoneLabel(zone, Date.now()) })),
    kiosks.every((k) => k.devices.length === 0)
      ? h('p', {}, s('noDevices'))
      : kiosks.map((k) => table(k.kiosk, k.devices, zone)),
  );
}
