import { describe, expect, it } from 'vitest';
import { closest, editDistance } from './suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['networks', 'netwroks', 2],
    ['zone', 'zones', 1],
  ])('%j → %j is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closest', () => {
  it.each([
    ['scda', ['scada', 'cell-a'], 'scada'],
    ['modbsu', ['modbus', 's7'], 'modbus'],
    ['America/Chigaco', ['America/Chicago', 'America/Caracas'], 'America/Chicago'],
    ['Zones', ['zones'], 'zones'],
    ['x', ['modbus'], undefined],
    ['historian', ['hmi'], undefined],
  ])('%s among %j → %s', (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });
});
