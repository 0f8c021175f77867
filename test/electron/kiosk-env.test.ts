// The Electron kiosk reads its environment by a schema (main/electron/kiosk-env.ts): defaults when nothing is
// set, and a bad value stops the kiosk naming the variable (bad-config), never a NaN port or a windowed kiosk.
import { describe, expect, it } from 'vitest';
import { kioskEnv } from '../../main/electron/kiosk-env.ts';

describe('the kiosk environment', () => {
  it('defaults to kiosk mode on port 8080, and lets every other variable be', () => {
    expect(kioskEnv({ PATH: '/usr/bin', HOME: '/home/kiosk' })).toEqual({ webPort: 8080, windowed: false });
    expect(
      kioskEnv({ MUSTER_KIOSK_CONFIG: '/etc/muster/kiosk.json', MUSTER_WEB_PORT: '0', MUSTER_KIOSK_WINDOWED: '1' }),
    ).toEqual({ configFile: '/etc/muster/kiosk.json', webPort: 0, windowed: true });
  });

  it.each([
    ['a port that is no number', { MUSTER_WEB_PORT: 'eighty' }, 'environment.MUSTER_WEB_PORT: expected a port number'],
    [
      'a port past 65535',
      { MUSTER_WEB_PORT: '70000' },
      'environment.MUSTER_WEB_PORT: expected a port from 0 to 65535, got 70000',
    ],
    ['windowed as yes', { MUSTER_KIOSK_WINDOWED: 'yes' }, 'environment.MUSTER_KIOSK_WINDOWED: expected 0 or 1'],
    [
      'an empty configuration file',
      { MUSTER_KIOSK_CONFIG: '' },
      'environment.MUSTER_KIOSK_CONFIG: expected a file name',
    ],
  ])('refuses %s, naming the variable', (_name, env, message) => {
    expect(() => kioskEnv(env)).toThrow(expect.objectContaining({ code: 'bad-config', message }));
  });
});
