// The kiosk screen takes its language, zone, names and timings from the kiosk configuration
// (main/kiosk/kiosk-screens.ts kioskScreenOptions): a kiosk configured in English with a 7 s receipt gets an
// English screen whose receipt closes after 7 s; one whose file says nothing starts in Chinese (a centre in China)
// with the receipt up for 10 s.
import { describe, expect, it } from 'vitest';
import { parseKioskConfig } from '../../main/kiosk/kiosk-config.ts';
import { kioskScreenOptions } from '../../main/kiosk/kiosk-screens.ts';
import { KioskScreen } from '../../main/web/kiosk-screen.ts';

const FILE = {
  centre: 'centre-01',
  kiosk: 'centre-01/kiosk-1',
  broker: { url: 'mqtt://hq.example:1883' },
  devices: { badge: { tty: 'badge.tty' } },
};
const CENTRE = { 'zh-CN': '东城区社区矫正中心', 'en': 'Dongcheng Community Corrections Centre' };

describe('the kiosk screen from the kiosk configuration', () => {
  it('takes the language, zone, names, voice and timings the file gives', () => {
    const config = parseKioskConfig(
      {
        ...FILE,
        language: 'en',
        zone: 'Asia/Shanghai',
        names: {
          centre: CENTRE,
          tasks: { 'law-basics-3': { 'zh-CN': '法律基础 第三课', 'en': 'Law basics, lesson 3' } },
        },
        screen: { receiptSeconds: 7, idleSeconds: 45, voice: true },
      },
      'kiosk.json',
      '/tmp',
    );
    const options = kioskScreenOptions(config);
    expect(options).toMatchObject({ receiptSeconds: 7, idleSeconds: 45 });
    const screen = new KioskScreen(options);
    expect(screen.current().kiosk).toMatchObject({
      language: 'en',
      zone: 'Asia/Shanghai',
      centre: CENTRE,
      voice: true,
    });
    expect(screen.current().idleSeconds).toBe(45);
    screen.close();
  });

  it('defaults to Chinese, silence and a 10 s receipt', () => {
    const options = kioskScreenOptions(parseKioskConfig(FILE, 'kiosk.json', '/tmp'));
    expect(options).toMatchObject({ language: 'zh-CN', receiptSeconds: 10, voice: false });
    const screen = new KioskScreen(options);
    expect(screen.current().kiosk).toMatchObject({ language: 'zh-CN', voice: false });
    screen.close();
  });
});
