// Generation names (sidecar/publish/generations.ts): their format, their time, their order and the
// counter a clock that does not move forward gets. Written to kill its mutants (docs/testing.md,
// "Mutation score").
import { describe, expect, it } from 'vitest';
import {
  ANY_GEN,
  GEN,
  compareGenerations,
  generationTime,
  nextGeneration,
} from '../../../sidecar/publish/generations.js';

const t = new Date('2026-01-02T03:04:05.678Z');
const NAME = '..2026_01_02_03_04_05.678000';

describe('generation names', () => {
  it('are the UTC time, zero-padded, with microseconds', () => {
    expect(nextGeneration(t, undefined)).toBe(NAME);
    expect(nextGeneration(new Date('2026-11-26T12:00:00.007Z'), undefined)).toBe('..2026_11_26_12_00_00.007000');
    expect(GEN.test(NAME)).toBe(true);
    expect(ANY_GEN.test(`${NAME}_000001_000002`)).toBe(true);
    expect(GEN.test(`${NAME}_000001_000002`)).toBe(false);
  });

  it('carry their time, with or without a counter, stacked counters too', () => {
    expect(generationTime(NAME)).toBe(t.getTime());
    expect(generationTime(`${NAME}_000003`)).toBe(t.getTime());
    expect(generationTime(`${NAME}_000003_000004`)).toBe(t.getTime());
    expect(generationTime('..data')).toBeNaN();
  });

  it('sort by time, then by counter as a number', () => {
    const later = '..2026_01_02_03_04_05.679000';
    expect(compareGenerations(NAME, later)).toBeLessThan(0);
    expect(compareGenerations(later, NAME)).toBeGreaterThan(0);
    expect(compareGenerations(NAME, NAME)).toBe(0);
    expect(compareGenerations(NAME, `${NAME}_000001`)).toBeLessThan(0);
    expect(compareGenerations(`${NAME}_9`, `${NAME}_10`)).toBeLessThan(0);
    expect(compareGenerations(`${NAME}_10`, `${NAME}_9`)).toBeGreaterThan(0);
    expect(compareGenerations(`${NAME}_000001_000002`, `${NAME}_000003`)).toBeLessThan(0);
    expect(compareGenerations(`${NAME}_000001`, later)).toBeLessThan(0);
  });

  it('take the next counter when the clock did not move forward', () => {
    expect(nextGeneration(new Date(t.getTime() + 1), NAME)).toBe('..2026_01_02_03_04_05.679000');
    expect(nextGeneration(t, NAME)).toBe(`${NAME}_000001`);
    expect(nextGeneration(new Date(t.getTime() - 5000), `${NAME}_000009`)).toBe(`${NAME}_000010`);
    expect(nextGeneration(t, `${NAME}_000001_000002`)).toBe(`${NAME}_000001_000002_000001`);
  });
});
