// `muster demo` reads control lines on stdin while the centre runs (main/cli/demo-commands.ts readControls): each
// line goes to the demo centre and is answered with one line on stdout, "ok ..." or "error ..." (a refused line
// never stops the reading); blank lines are skipped. What each line does to the emulated devices is
// test/screens/demo-panel.test.ts's, against the real demo centre.
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readControls } from '../../main/cli/demo-commands.ts';

describe('muster demo control lines on stdin', () => {
  it('answers each line with one line, keeps reading after a refused one, and skips blank lines', async () => {
    const out: string[] = [];
    const sink = (): Writable =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          out.push(chunk.toString());
          done();
        },
      });
    const seen: string[] = [];
    const center = {
      control: (line: string): Promise<string> => {
        seen.push(line);
        return line.startsWith('dance')
          ? Promise.reject(new TypeError('unknown command "dance": help lists them'))
          : Promise.resolve(`ok ${line}`);
      },
    };
    const stdin = Readable.from([
      'finger 1 p-0007\n',
      '\n',
      '   \n',
      'dance 1\r\n',
      'unplug 1 cam',
      'era\n',
      'clock +30',
    ]);
    await readControls(center, { stdin, stdout: sink(), stderr: sink() });
    expect(seen).toEqual(['finger 1 p-0007', 'dance 1', 'unplug 1 camera', 'clock +30']);
    expect(out.join('')).toBe(
      'ok finger 1 p-0007\nerror unknown command "dance": help lists them\nok unplug 1 camera\nok clock +30\n',
    );
  });
});
