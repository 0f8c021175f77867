// The FingerprintSensor contract against every backend: R30x emulator in process (binding-mock), R30x emulator on a
// real PTY (native serialport binding through socat), the Aura model, and a fake second family.
import { fingerprintContract } from './support/fingerprint-contract.ts';
import { FakeGt511 } from './support/fake-gt511.ts';
import { mockR30xRig, ptyR30xRig } from './support/r30x-rig.ts';

fingerprintContract('R307 emulator, in process', () => mockR30xRig());
fingerprintContract('R503 emulator (Aura LED), in process', () => mockR30xRig({ model: 'R503' }));
fingerprintContract('R307 emulator, PTY', () => ptyR30xRig());
fingerprintContract('fake GT-511C3 (second family)', () => Promise.resolve(FakeGt511.rig()));
