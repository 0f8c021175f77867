// The breach watcher's deadlines (net/hq/deadlines.ts): those due come out earliest first (at one instant in the
// order set) and only once, a replaced deadline counts at its new time only, and many replacements (each pass sets
// again the deadlines of the people its new entries touch) leave the answers right.
import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../net/hq/deadlines.ts';

describe('Deadlines', () => {
  it('gives the people due at a time, earliest first, once each', () => {
    const d = new Deadlines();
    d.set('c', 30);
    d.set('a', 10);
    d.set('b', 20);
    d.set('d', 40);
    expect(d.next()).toBe(10);
    expect(d.takeDue(25)).toEqual(['a', 'b']);
    expect(d.takeDue(25)).toEqual([]);
    expect(d.next()).toBe(30);
    expect(d.takeDue(40)).toEqual(['c', 'd']);
    expect(d.next()).toBeUndefined();
  });

  it('gives people due at one instant in the order their deadlines were set', () => {
    const d = new Deadlines();
    for (const subject of ['p-3', 'p-1', 'p-2']) d.set(subject, 100);
    expect(d.takeDue(100)).toEqual(['p-3', 'p-1', 'p-2']);
  });

  it('counts a replaced deadline at its new time only, earlier or later', () => {
    const d = new Deadlines();
    d.set('a', 10);
    d.set('b', 50);
    d.set('a', 60);
    d.set('b', 5);
    expect(d.next()).toBe(5);
    expect(d.takeDue(10)).toEqual(['b']);
    expect(d.next()).toBe(60);
    expect(d.takeDue(59)).toEqual([]);
    expect(d.takeDue(60)).toEqual(['a']);
  });

  it('stays right through many replacements', () => {
    const d = new Deadlines();
    const people = 500;
    for (let round = 0; round < 40; round++)
      for (let i = 0; i < people; i++) d.set(`p-${i}`, 1000 + round * 10 + ((i * 7919) % people));
    // The last round's times: 1390 + (i * 7919 mod 500), every person once.
    expect(d.next()).toBe(1390);
    const due = d.takeDue(1390 + 249);
    expect(due).toHaveLength(250);
    expect(new Set(due).size).toBe(250);
    expect(d.takeDue(Number.MAX_SAFE_INTEGER)).toHaveLength(250);
    expect(d.next()).toBeUndefined();
  });
});
