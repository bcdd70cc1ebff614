// Names of the protocol functions a rule may allow (`modbus:`, `s7:`, `dnp3:`),
// shared by the policy reader and the protocol codecs. Pure data.

/** Policy names of the public function codes. */
export const MODBUS_FUNCTIONS: ReadonlyMap<string, number> = new Map([
  ['read-coils', 1],
  ['read-discrete-inputs', 2],
  ['read-holding-registers', 3],
  ['read-input-registers', 4],
  ['write-single-coil', 5],
  ['write-single-register', 6],
  ['read-exception-status', 7],
  ['diagnostics', 8],
  ['get-comm-event-counter', 11],
  ['get-comm-event-log', 12],
  ['write-multiple-coils', 15],
  ['write-multiple-registers', 16],
  ['report-server-id', 17],
  ['read-file-record', 20],
  ['write-file-record', 21],
  ['mask-write-register', 22],
  ['read-write-multiple-registers', 23],
  ['read-fifo-queue', 24],
  ['read-device-identification', 43],
]);

/** Function codes that change the device: coils, registers, files, or diagnostics restarts. */
export const MODBUS_WRITE_FUNCTIONS: ReadonlySet<number> = new Set([5, 6, 8, 15, 16, 21, 22, 23]);

/** Modbus functions allowed when a rule gives no `functions`: the reads. */
export const MODBUS_READ_FUNCTIONS: readonly number[] = [1, 2, 3, 4, 43];

/** Policy names of what an S7 client may ask for. */
export const S7_FUNCTIONS = [
  'setup',
  'read',
  'write',
  'szl',
  'userdata',
  'download',
  'upload',
  'pi-service',
  'plc-start',
  'plc-stop',
  'delete-block',
  'unknown',
] as const;
export type S7Function = (typeof S7_FUNCTIONS)[number];

/** Allowed when a rule says `s7:` without `allow`. */
export const S7_DEFAULT_ALLOW: readonly S7Function[] = ['setup', 'read', 'szl'];

/** Policy names of the application function codes. */
export const DNP3_FUNCTIONS: ReadonlyMap<string, number> = new Map([
  ['confirm', 0],
  ['read', 1],
  ['write', 2],
  ['select', 3],
  ['operate', 4],
  ['direct-operate', 5],
  ['direct-operate-no-ack', 6],
  ['immediate-freeze', 7],
  ['immediate-freeze-no-ack', 8],
  ['freeze-clear', 9],
  ['freeze-clear-no-ack', 10],
  ['freeze-at-time', 11],
  ['freeze-at-time-no-ack', 12],
  ['cold-restart', 13],
  ['warm-restart', 14],
  ['initialize-data', 15],
  ['initialize-application', 16],
  ['start-application', 17],
  ['stop-application', 18],
  ['save-configuration', 19],
  ['enable-unsolicited', 20],
  ['disable-unsolicited', 21],
  ['assign-class', 22],
  ['delay-measure', 23],
  ['record-current-time', 24],
  ['open-file', 25],
  ['close-file', 26],
  ['delete-file', 27],
  ['get-file-info', 28],
  ['authenticate-file', 29],
  ['abort-file', 30],
  ['activate-config', 31],
  ['authenticate-request', 32],
  ['authenticate-request-no-ack', 33],
  ['response', 129],
  ['unsolicited-response', 130],
  ['authenticate-response', 131],
]);

/** Allowed when a rule says `dnp3:` without `functions`. */
export const DNP3_DEFAULT_FUNCTIONS: readonly string[] = ['confirm', 'read', 'delay-measure'];
