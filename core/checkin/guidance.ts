// What the kiosk says to the person after each step. Short, concrete, and never blaming: a failed reading is
// the device's problem to solve with them, and a final failure goes to staff, not to a breach.

export const GUIDANCE = {
  'place-finger': 'Place your finger flat on the sensor.',
  'tap-badge': 'Tap your badge on the reader.',
  'finger-again': 'Finger not recognised. Place the same finger flat on the sensor again.',
  'finger-still': 'Hold your finger still and flat, covering the whole sensor.',
  'finger-badge-instead': 'The fingerprint reader is not working. Tap your badge instead.',
  'finger-unread-badge': 'We could not read your fingerprint. Tap your badge instead.',
  'badge-unknown': 'This badge is not recognised. Try again or see a member of staff.',
  'look-at-camera': 'Look at the camera.',
  'face-starting': 'The camera check is getting ready. Please wait a moment and look at the camera.',
  'face-light': 'Look straight at the camera. Make sure your face is well lit and not covered.',
  'face-move': 'Follow the movement shown on the screen.',
  'face-turn': 'Keep looking at the camera and slowly turn your head to one side, then back.',
  'face-blink': 'Keep looking at the camera and blink slowly, once.',
  'face-again': 'Face not confirmed. Remove glasses or a hat and look at the camera again.',
  'staff-confirm': 'The camera is not working. A member of staff will confirm your identity.',
  'tasks': "Here are today's tasks. Mark the ones you have done.",
  'recording': 'Saving your check-in...',
  'receipt': 'Checked in. Take your receipt.',
  'see-staff':
    'We could not confirm your identity. Please see a member of staff. Staff will review this; it is not recorded as a breach.',
  'devices-down':
    'The kiosk cannot check you in right now. Please see a member of staff. This is recorded as a device fault, not a breach.',
  'cancelled': 'Check-in cancelled. You are not checked in.',
  'walked-away': 'Nobody was at the kiosk, so the check-in was ended. Nobody was checked in.',
  'staff-called': 'A member of staff has been called. Please wait here and show them this reference number.',
} as const;

export type GuidanceCode = keyof typeof GUIDANCE;
