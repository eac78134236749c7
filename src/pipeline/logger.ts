/**
 * The one logger shape of Sluice: a message string per level. The datapath's Bridge, the
 * OpenFlow agent and the daemon's line logger (control/log.ts createLogger) all use it;
 * it lives here, the lowest layer both the datapath and openflow/ stand on.
 */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** A logger that drops everything. */
export const NO_LOG: Logger = { debug() {}, info() {}, warn() {}, error() {} };
