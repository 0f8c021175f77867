// Device health of every kiosk of the centre: this kiosk's devices live, the others as their last signed heartbeat
// reported them (or, with none, as their last device-health entries on the log), each labelled with when it was
// last heard from and marked stale when that is too long ago. Polled in the background (the poll never keeps the
// session alive), and a kiosk publishes a heartbeat as soon as a device changes, so a replug shows within seconds.
import type { MusterApi } from '../../core/api/api.ts';
import type { DeviceView } from '../../core/api/staff-api.ts';
import { columnHeads, h, render } from '../dom.ts';
import { data, logText } from '../findings.ts';
import { stamp, zoneLabel } from '../local-time.ts';
import { w } from '../screen-words.ts';
import { type StaffWord, s } from './staff-strings.ts';

const KINDS = new Set(['fingerprint', 'camera', 'badge', 'kiosk', 'face']);

interface KioskHealth {
  readonly kiosk: string;
  readonly devices: readonly DeviceView[];
  /** Undefined for this kiosk (live). */
  readonly lastSeen?: number | null;
  readonly stale?: boolean;
}

function kindText(kind: string): string {
  return s((KINDS.has(kind) ? `kind_${kind}` : 'kind_other') as StaffWord);
}

function heard(k: KioskHealth, zone: string): string {
  if (k.lastSeen === undefined) return s('thisKiosk');
  if (k.lastSeen === null) return `⚠️ ${s('peerNever')}`;
  const time = stamp(k.lastSeen, zone);
  return k.stale === true ? `⚠️ ${s('peerStale', { time })}` : s('peerLastSeen', { time });
}

function table(k: KioskHealth, zone: string): HTMLElement {
  const { kiosk, devices } = k;
  return h(
    'table',
    { 'data-kiosk': kiosk, 'data-stale': String(k.stale === true) },
    h('caption', {}, '🖥️ ', data(kiosk), ' · ', h('span', { class: 'heard' }, heard(k, zone))),
    columnHeads([s('colDevice'), s('colKind'), s('colState'), s('colSince'), s('colLastError')]),
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
  const kiosks: KioskHealth[] = [{ kiosk, devices }, ...peers];
  render(
    box,
    h('h2', { id: 'devices-title' }, '🛠️ ', s('devices')),
    h('p', {}, w('timesIn', { zone: zoneLabel(zone, Date.now()) })),
    peers.length === 0 && devices.length === 0 ? h('p', {}, s('noDevices')) : kiosks.map((k) => table(k, zone)),
  );
}
