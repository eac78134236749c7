/**
 * The daemon's logger: one line per event, on a stream (stderr by default), as
 *
 *   2026-11-25T21:55:00.123Z info  br0: port veth-a up (ofport 1, afpacket)
 *
 * Invariants
 *  - A line is written whole with one write() call, so lines from different sources never
 *    interleave mid-line and a reader (the demo, the integration tests) can match on lines.
 *  - Messages below the configured level cost one comparison and nothing else.
 *  - It is Sluice's one `Logger` (src/pipeline/logger.ts), the shape the Bridge and the
 *    OpenFlow agent take.
 */
import type { Logger } from '../pipeline/logger.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

interface LineSink {
  write(line: string): unknown;
}

export function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}

/** A logger writing lines at or above `level` to `sink`; `now` gives the timestamp (tests). */
export function createLogger(level: LogLevel, sink: LineSink = process.stderr, now: () => Date = () => new Date()): Logger {
  const min = LOG_LEVELS.indexOf(level);
  const emit = (lv: LogLevel) => {
    const rank = LOG_LEVELS.indexOf(lv);
    const tag = lv.padEnd(5);
    return (msg: string): void => {
      if (rank < min) return;
      sink.write(`${now().toISOString()} ${tag} ${msg}\n`);
    };
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A logger that prefixes every message with a scope (e.g. the bridge name). */
export function scoped(log: Logger, scope: string): Logger {
  return {
    debug: (m) => log.debug(`${scope}: ${m}`),
    info: (m) => log.info(`${scope}: ${m}`),
    warn: (m) => log.warn(`${scope}: ${m}`),
    error: (m) => log.error(`${scope}: ${m}`),
  };
}
