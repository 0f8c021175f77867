// The HQ dashboard page's script (served as /assets/hq.js): its screen's code and nothing else.
import { mountScreen } from '../mount-screen.ts';
import { startHqDashboard } from '../hq/hq-dashboard.ts';

mountScreen(startHqDashboard);
