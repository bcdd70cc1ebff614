// End-to-end: sensor-mode capture. The capture intake runs tcpdump (through a
// wrapper that enters the namespace) on the namespace's loopback and must
// deliver one decoded event per datagram sent, with its payload.
//
//   host (vitest, root)
//     │  createCaptureIntake({ iface: 'lo', filter: 'udp port 9' })
//     │  tcpdump → wrapper → ip netns exec pk-t-XXXXXX tcpdump -i lo -w - …
//     ▼
//   ┌──────────── netns pk-t-XXXXXX ────────────┐
//   │ lo 127.0.0.1                              │
//   │ node: K UDP 127.0.0.1:40009 → 127.0.0.1:9 │
//   └───────────────────────────────────────────┘
//
// Needs root and tcpdump; run `npm run build` first.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Intake } from '../../src/sense/intake.js';
import type { PacketEvent } from '../../src/sense/packet-event.js';

const root = join(import.meta.dirname, '..', '..');
const ns = `pk-t-${randomBytes(3).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'picket-e2e-capture-'));
const K = 40;

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(() => {
  spawnSync('ip', ['netns', 'add', ns]);
  spawnSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
});

afterAll(() => {
  spawnSync('ip', ['netns', 'del', ns]);
  rmSync(work, { recursive: true, force: true });
});

describe('capture intake', () => {
  it('delivers every datagram on the wire, decoded, with its payload', async () => {
    const { createCaptureIntake } = (await import(
      join(root, 'dist', 'sense', 'capture.js')
    )) as typeof import('../../src/sense/capture.js');
    const wrapper = join(work, 'tcpdump-in-ns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} tcpdump "$@"\n`);
    chmodSync(wrapper, 0o755);
    const events: PacketEvent[] = [];
    const intake: Intake = await createCaptureIntake({
      iface: 'lo',
      filter: 'udp port 9',
      tcpdump: wrapper,
      onEvents: (batch) => events.push(...batch),
    });
    try {
      const script = `const s = require('node:dgram').createSocket('udp4');
s.bind(40009, () => { let n = 0; const next = () => n++ < ${K} ? s.send('picket', 9, '127.0.0.1', next) : s.close(); next(); });`;
      expect(spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script]).status).toBe(0);
      await until(`${K} events`, () => events.length >= K);
      expect(events).toHaveLength(K);
      for (const e of events) {
        expect(e).toMatchObject({
          origin: 'capture',
          etherType: 0x0800,
          srcIp: '127.0.0.1',
          srcPort: 40009,
          dstPort: 9,
          length: 34,
        });
        expect(Buffer.from(e.payload ?? []).toString()).toBe('picket');
      }
      expect(intake.stats()).toMatchObject({ received: K, decoded: K, malformed: 0 });
    } finally {
      await intake.close();
    }
  });

  it('says why when tcpdump cannot open the interface', async () => {
    const { createCaptureIntake, CaptureError } = (await import(
      join(root, 'dist', 'sense', 'capture.js')
    )) as typeof import('../../src/sense/capture.js');
    await expect(createCaptureIntake({ iface: 'pk-no-such-if', onEvents: () => {} })).rejects.toBeInstanceOf(
      CaptureError,
    );
  });
});
