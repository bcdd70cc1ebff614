// Micro-benchmark of decide(): events per second in four traffic shapes, on the
// compiled code. Run: npm run build && node scripts/bench-decide.mjs
// Not a test: numbers depend on the machine; the target is 150k events/s.

import { createDecideState, decide } from '../dist/decide/decide.js';
import { packet, plantContext } from '../dist/decide/plant.fixture.js';

const N = 300_000;
const T0 = 1_700_000_000_000;

function xorshift(seed) {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4_294_967_296;
  };
}

const next = xorshift(1);
const pick = (n) => Math.floor(next() * n);
const shapes = {
  'one quarantined source knocking': (i) => packet('10.20.0.66', '10.20.1.10', 502 + (i % 3), { origin: 'quarantined' }),
  'port scans from 20 sources (block)': (i) =>
    packet(`10.20.0.${100 + (i % 20)}`, `10.20.1.${10 + pick(4)}`, 1 + (i % 65_535), { origin: 'block' }),
  'mixed: 1000 sources, 50 hosts, random ports': () =>
    packet(`10.30.${pick(4)}.${pick(250)}`, `10.20.1.${pick(50)}`, pick(65_536), {
      origin: next() < 0.5 ? 'block' : 'quarantined',
    }),
  'random sources (hping3 --rand-source)': () =>
    packet(`${pick(256)}.${pick(256)}.${pick(256)}.${pick(256)}`, '10.20.1.10', 502, { origin: 'quarantine' }),
};

for (const [name, make] of Object.entries(shapes)) {
  const events = Array.from({ length: N }, (_, i) => make(i));
  const state = createDecideState();
  const ctx = plantContext();
  let actions = 0;
  const started = performance.now();
  for (let i = 0; i < N; i++) actions += decide(state, events[i], T0 + i / 150, ctx).length;
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${name.padEnd(46)} ${Math.round(N / seconds)
      .toLocaleString('en')
      .padStart(10)} events/s  ${actions.toLocaleString('en')} actions`,
  );
}
