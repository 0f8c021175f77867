// The staff page's script (served as /assets/staff.js): its screen's code and nothing else.
import { mountScreen } from '../mount-screen.ts';
import { startStaffScreen } from '../staff/staff-screen.ts';

mountScreen(startStaffScreen);
