// The demo page's script (served as /assets/demo.js): its screen's code and nothing else.
import { mountScreen } from '../mount-screen.ts';
import { startDemoPanel } from '../demo/demo-panel.ts';

mountScreen(startDemoPanel);
