// The FingerprintSensor contract against every backend: two families (R30x and GT-511C3), each on its emulator in
// process (binding-mock) and on a real PTY (native serialport binding through socat), plus the R503 with its LED.
import { fingerprintContract } from './support/fingerprint-contract.ts';
import { gt511Rig } from './support/gt511-rig.ts';
import { mockR30xRig, ptyR30xRig } from './support/r30x-rig.ts';

fingerprintContract('R307 emulator, in process', () => mockR30xRig());
fingerprintContract('R503 emulator (Aura LED), in process', () => mockR30xRig({ model: 'R503' }));
fingerprintContract('R307 emulator, PTY', () => ptyR30xRig());
fingerprintContract('GT-511C3 emulator (second family), in process', () => gt511Rig('mock'));
fingerprintContract('GT-511C3 emulator (second family), PTY', () => gt511Rig('pty'));
