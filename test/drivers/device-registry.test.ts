// Device health from real driver events: an R30x over the in-process emulator goes ok -> degraded -> failing on
// faults, disconnected on unplug, ok again after replug; a declared device with no source is disconnected.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceHealth } from '../../core/device-health.ts';
import { deviceState, deviceUsable } from '../../core/device-health.ts';
import { DeviceRegistry } from '../../drivers/device-registry.ts';
import { BadgeReader } from '../../drivers/badge/badge-reader.ts';
import { KeyboardWedge } from '../../hardware/keyboard-wedge.ts';
import { type R30xRig, mockR30xRig } from './support/r30x-rig.ts';

let rig: R30xRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('device health rule (core)', () => {
  it('maps link state and failures in a row to a state', () => {
    expect(deviceState(false, 0)).toBe('disconnected');
    expect(deviceState(true, 0)).toBe('ok');
    expect(deviceState(true, 2)).toBe('degraded');
    expect(deviceState(true, 3)).toBe('failing');
    expect(
      ['ok', 'degraded', 'failing', 'disconnected'].filter((s) => deviceUsable(s as DeviceHealth['state'])),
    ).toEqual(['ok', 'degraded']);
  });
});

describe('DeviceRegistry', () => {
  it('tracks a fingerprint sensor through faults, unplug and replug', async () => {
    rig = await mockR30xRig({}, 100);
    let clock = 1000;
    const registry = new DeviceRegistry({ now: () => clock++ });
    const states: string[] = [];
    registry.on('health', (h) => {
      if (states.at(-1) !== h.state) states.push(h.state);
    });
    registry.track('fp-1', 'fingerprint', rig.channel);
    await rig.sensor.templateCount();
    for (let i = 0; i < 3; i++) {
      rig.emulator.inject('silence');
      await expect(rig.sensor.templateCount()).rejects.toMatchObject({ code: 'device.timeout' });
    }
    expect(registry.health('fp-1')).toMatchObject({
      state: 'failing',
      lastError: { code: 'device.timeout' },
      counters: { requests: 4, failures: 3, timeouts: 3 },
    });
    await rig.sensor.templateCount();
    const down = once(rig.channel, 'disconnected');
    rig.emulator.unplug();
    await down;
    expect(registry.health('fp-1')).toMatchObject({ state: 'disconnected', counters: { disconnects: 1 } });
    const up = once(rig.channel, 'connected');
    rig.emulator.replug();
    await up;
    expect(states).toEqual(['ok', 'degraded', 'failing', 'ok', 'disconnected', 'ok']);
  });

  it('does not count a negative answer (no finger) against the device', async () => {
    rig = await mockR30xRig();
    const registry = new DeviceRegistry();
    registry.track('fp-1', 'fingerprint', rig.channel);
    await expect(rig.sensor.identify({ fingerTimeoutMs: 0 })).rejects.toMatchObject({ code: 'fingerprint.no-finger' });
    expect(registry.health('fp-1')).toMatchObject({ state: 'ok', counters: { failures: 0 } });
  });

  it('lists declared devices, disconnected until attached, and refuses duplicates', async () => {
    const registry = new DeviceRegistry();
    registry.declare('cam-1', 'camera');
    const wedge = new KeyboardWedge();
    const reader = new BadgeReader({ open: () => wedge.open() });
    registry.declare('badge-1', 'badge');
    registry.attach('badge-1', reader);
    await reader.open();
    expect(registry.all().map((h) => [h.id, h.kind, h.state])).toEqual([
      ['cam-1', 'camera', 'disconnected'],
      ['badge-1', 'badge', 'ok'],
    ]);
    expect(() => {
      registry.declare('cam-1', 'camera');
    }).toThrow(TypeError);
    expect(() => {
      registry.attach('nope', reader);
    }).toThrow(TypeError);
    await reader.close();
  });
});
