// The renderer's entry: the page says which screen it is (body data-screen); each screen gets the typed API.
import { connectApi } from './api-client.ts';
import { startDemoPanel } from './demo/demo-panel.ts';
import { startHqDashboard } from './hq/hq-dashboard.ts';
import { startKioskScreen } from './kiosk/kiosk-screen.ts';
import { startStaffScreen } from './staff/staff-screen.ts';

const root = document.getElementById('app');
if (root) {
  const api = connectApi();
  switch (document.body.dataset.screen) {
    case 'kiosk':
      startKioskScreen(root, api);
      break;
    case 'staff':
      startStaffScreen(root, api);
      break;
    case 'hq':
      startHqDashboard(root, api);
      break;
    case 'demo':
      startDemoPanel(root, api);
      break;
    default:
      break;
  }
}
