// A guard in front of the embedded broker's MQTT parser. Aedes buffers a packet until its declared length has
// arrived (up to MQTT's 256 MB) before anything looks at it, and it checks credentials only once the CONNECT is
// whole: a client without a password could make the process hold a quarter gigabyte per connection. The gate
// reads each packet's fixed header as the bytes pass and closes the connection when a packet declares more than
// the limit, when the first packet is not a CONNECT, or when more than `preAuthBytes` arrive before the broker
// accepted the credentials. Bytes pass through unchanged; memory held per connection stays at one chunk.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export interface GateLimits {
  /** Largest packet an authenticated client may send (remaining length, bytes). */
  readonly maxPacketBytes: number;
  /** Bytes a client may send before its CONNECT is accepted (the CONNECT included). */
  readonly preAuthBytes: number;
}

const CONNECT = 1;

export class MqttGate extends Duplex {
  /** Set by the broker once the credentials are accepted. */
  authenticated = false;
  /** Why the gate closed the connection, if it did (for tests and logs). */
  refused: string | undefined;
  private received = 0;
  private packets = 0;
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private lengthBytes = 0;
  /** Bytes of the current packet's body still to pass. */
  private bodyLeft = 0;

  constructor(
    readonly socket: Socket,
    private readonly limits: GateLimits,
  ) {
    super();
    socket.on('data', (chunk: Buffer) => {
      const problem = this.inspect(chunk);
      if (problem !== undefined) {
        this.refused = problem;
        socket.destroy();
        return;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('close', () => this.destroy());
    socket.on('error', (error) => this.destroy(error));
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.socket.destroyed) {
      callback();
      return;
    }
    this.socket.write(chunk, encoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }

  /** Walks the fixed headers in a chunk; returns why the connection must close, or undefined. */
  private inspect(chunk: Buffer): string | undefined {
    if (!this.authenticated) {
      this.received += chunk.length;
      if (this.received > this.limits.preAuthBytes)
        return `over ${this.limits.preAuthBytes} bytes before authentication`;
    }
    let at = 0;
    while (at < chunk.length) {
      switch (this.state) {
        case 'type':
          if (this.packets === 0 && (chunk[at] as number) >> 4 !== CONNECT) return 'the first packet is not a CONNECT';
          at++;
          this.packets++;
          this.length = 0;
          this.lengthBytes = 0;
          this.state = 'length';
          break;
        case 'length': {
          // Remaining length: up to four bytes, seven bits each, low first.
          const byte = chunk[at++] as number;
          this.length += (byte & 0x7f) * 128 ** this.lengthBytes++;
          if (byte & 0x80) {
            if (this.lengthBytes === 4) return 'malformed remaining length';
            break;
          }
          const limit = this.authenticated ? this.limits.maxPacketBytes : this.limits.preAuthBytes;
          if (this.length > limit) return `a packet of ${this.length} bytes is over the limit of ${limit}`;
          this.bodyLeft = this.length;
          this.state = this.bodyLeft > 0 ? 'body' : 'type';
          break;
        }
        case 'body': {
          const take = Math.min(this.bodyLeft, chunk.length - at);
          this.bodyLeft -= take;
          at += take;
          if (this.bodyLeft === 0) this.state = 'type';
          break;
        }
      }
    }
    return undefined;
  }
}
