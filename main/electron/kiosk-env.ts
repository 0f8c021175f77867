// The Electron kiosk's settings from its environment (the service unit sets them), read by a schema: a typo stops
// the kiosk at start naming the variable, never a NaN port or a kiosk left windowed by a value it did not expect.
//   MUSTER_KIOSK_CONFIG    the configuration file, when --config is not given
//   MUSTER_WEB_PORT        the staff screen's loopback port (default 8080)
//   MUSTER_KIOSK_WINDOWED  1: a normal window instead of kiosk mode (development)
import { Type } from '@sinclair/typebox';
import { SchemaMismatch, decodedAs, schemaParser } from '../../core/schema.ts';

const DEFAULT_WEB_PORT = 8080;

const KIOSK_ENV = decodedAs(
  // Every other variable of the environment is let through.
  Type.Object({
    MUSTER_KIOSK_CONFIG: Type.Optional(Type.String({ minLength: 1, errorMessage: 'expected a file name' })),
    MUSTER_WEB_PORT: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$', errorMessage: 'expected a port number' })),
    MUSTER_KIOSK_WINDOWED: Type.Optional(
      Type.Union([Type.Literal('0'), Type.Literal('1')], { errorMessage: 'expected 0 or 1' }),
    ),
  }),
  (env) => {
    const webPort = env.MUSTER_WEB_PORT === undefined ? DEFAULT_WEB_PORT : Number(env.MUSTER_WEB_PORT);
    if (webPort > 65535)
      throw new SchemaMismatch('.MUSTER_WEB_PORT', `expected a port from 0 to 65535, got ${webPort}`);
    return {
      ...(env.MUSTER_KIOSK_CONFIG === undefined ? {} : { configFile: env.MUSTER_KIOSK_CONFIG }),
      webPort,
      windowed: env.MUSTER_KIOSK_WINDOWED === '1',
    };
  },
);

/** The kiosk's settings from `env` (process.env); a bad value is MusterError('bad-config') naming the variable. */
export const kioskEnv = schemaParser(KIOSK_ENV, 'bad-config', 'environment');
