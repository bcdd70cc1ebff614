// Modbus/TCP client for the lab HMI: one Read Holding Registers (FC3) round
// trip per poll with a timeout, over a new TCP connection each time (the
// ruleset's new-connection path) or one kept open. Poll → result. Shell (TCP).

import { createConnection, type Socket } from 'node:net';
import { decodeReadHolding, encodeReadHolding, splitAdus } from './modbus.js';

/** Outcome of one poll: the registers read, or why not. */
export type PollResult = { ok: true; registers: readonly number[] } | { ok: false; error: string };

/** A Modbus/TCP FC3 client: a new connection per poll, or one kept open (`persistent`). */
export class ModbusClient {
  private socket: Socket | null = null;
  private transactionId = 0;
  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly persistent: boolean,
    private readonly request: { unitId: number; address: number; quantity: number },
  ) {}

  /** One FC3 round trip within `timeoutMs`; never throws. */
  poll(timeoutMs: number): Promise<PollResult> {
    this.transactionId = (this.transactionId + 1) & 0xffff;
    const transactionId = this.transactionId;
    return new Promise((resolve) => {
      const socket = this.socket && !this.socket.destroyed ? this.socket : this.connect();
      let buffer: Uint8Array = new Uint8Array(0);
      const finish = (result: PollResult) => {
        clearTimeout(timer);
        socket.off('data', onData).off('error', onError).off('close', onClose);
        if (!this.persistent || !result.ok) {
          socket.destroy();
          this.socket = null;
        }
        resolve(result);
      };
      const onData = (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        const split = splitAdus(buffer);
        if ('error' in split) return finish({ ok: false, error: split.error });
        buffer = split.rest;
        for (const adu of split.adus) {
          const r = decodeReadHolding(adu, this.request.quantity);
          if (r.transactionId !== transactionId) continue; // a late answer to a timed-out poll
          if (r.kind === 'registers') return finish({ ok: true, registers: r.registers });
          if (r.kind === 'exception')
            return finish({ ok: false, error: `modbus exception ${r.exceptionCode}` });
          return finish({ ok: false, error: r.reason });
        }
      };
      const onError = (e: NodeJS.ErrnoException) => finish({ ok: false, error: e.code ?? e.message });
      const onClose = () => finish({ ok: false, error: 'connection closed' });
      const timer = setTimeout(() => finish({ ok: false, error: `timeout ${timeoutMs} ms` }), timeoutMs);
      socket.on('data', onData).on('error', onError).on('close', onClose);
      socket.write(encodeReadHolding({ transactionId, ...this.request }));
    });
  }

  private connect(): Socket {
    const socket = createConnection({ host: this.host, port: this.port, noDelay: true });
    // A kept-open socket can fail between polls (RST); without a listener that would crash the process.
    socket.on('error', () => {});
    this.socket = this.persistent ? socket : null;
    return socket;
  }

  /** Closes a kept-open connection. */
  close(): void {
    this.socket?.destroy();
  }
}
