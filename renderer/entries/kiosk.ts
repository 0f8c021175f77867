// The kiosk page's script (served as /assets/kiosk.js): its screen's code and nothing else.
import { mountScreen } from '../mount-screen.ts';
import { startKioskScreen } from '../kiosk/kiosk-screen.ts';

mountScreen(startKioskScreen);
