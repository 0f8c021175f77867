// `muster demo` control lines: each command parses to what it names, and a wrong line is refused with what was
// expected (the demo answers "error ..." and keeps running).
import { describe, expect, it } from 'vitest';
import { parseDemoControl } from '../../main/demo/demo-controls.ts';

const KIOSKS = ['centre-01/kiosk-1', 'centre-01/kiosk-2'];

describe('demo control lines', () => {
  it('name a kiosk by id or number, a person, a device, or minutes', () => {
    expect(parseDemoControl('finger 1 p-0007', KIOSKS)).toEqual({
      kind: 'finger',
      kiosk: 'centre-01/kiosk-1',
      subject: 'p-0007',
    });
    expect(parseDemoControl('  face centre-01/kiosk-2 impostor ', KIOSKS)).toEqual({
      kind: 'face',
      kiosk: 'centre-01/kiosk-2',
      subject: 'impostor',
    });
    expect(parseDemoControl('finger 2 none', KIOSKS)).toMatchObject({ subject: 'none' });
    expect(parseDemoControl('card 1 p-0003', KIOSKS)).toEqual({
      kind: 'card',
      kiosk: 'centre-01/kiosk-1',
      subject: 'p-0003',
    });
    expect(parseDemoControl('unplug 2 camera', KIOSKS)).toEqual({
      kind: 'unplug',
      kiosk: 'centre-01/kiosk-2',
      device: 'camera',
    });
    expect(parseDemoControl('replug 1 badge', KIOSKS)).toEqual({
      kind: 'replug',
      kiosk: 'centre-01/kiosk-1',
      device: 'badge',
    });
    expect(parseDemoControl('clock +45', KIOSKS)).toEqual({ kind: 'clock', minutes: 45 });
    expect(parseDemoControl('help', KIOSKS)).toEqual({ kind: 'help' });
  });

  it.each([
    ['', /unknown command/],
    ['dance 1', /unknown command "dance"/],
    ['finger 3 p-0007', /unknown kiosk "3"/],
    ['finger 1', /takes 2 arguments/],
    ['card 1 ../x', /expected a person id/],
    ['face 1 ../etc/passwd', /expected a person id or none or impostor/],
    ['unplug 1 printer', /expected fingerprint, camera or badge/],
    ['clock 45', /expected \+MINUTES/],
    ['clock +0', /expected \+MINUTES/],
    ['clock +9999', /expected \+MINUTES/],
  ])('refuses %j', (line, error) => {
    expect(() => parseDemoControl(line, KIOSKS)).toThrow(error);
  });
});
