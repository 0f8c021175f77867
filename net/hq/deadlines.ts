// The breach watcher's deadlines: per person, the next instant their findings can change with time alone. A pass
// takes the ones due and sets new ones at O(log n) each: scanning every person in every pass cost 2.2 ms a pass
// for the 87,500 people of the scale bench's fleets (bench/README.md, Province scale), at a peak's passes a second,
// and grows with the people (a nation's 700,000).

interface Item {
  readonly time: number;
  readonly order: number;
  readonly subject: string;
}

/** Negative when `a` comes first: the earlier time, then the one set first. */
function before(a: Item, b: Item): number {
  return a.time - b.time || a.order - b.order;
}

export class Deadlines {
  /** Each person's deadline. */
  private readonly at = new Map<string, number>();
  /**
   * A binary min-heap on time, then on the order the deadlines were set in (a pass judges people due at one
   * instant in that order); an item whose time is no longer its person's is stale.
   */
  private heap: Item[] = [];
  private sets = 0;

  /** Sets `subject`'s deadline (replacing the one before). */
  set(subject: string, at: number): void {
    if (this.at.get(subject) === at) return;
    this.at.set(subject, at);
    this.push({ time: at, order: this.sets++, subject });
    // Each replaced deadline leaves a stale item: rebuilt from the live ones before they outnumber them.
    if (this.heap.length > 2 * this.at.size + 1024) this.rebuild();
  }

  /** The people whose deadline is at or before `now`, earliest first; their deadlines are removed. */
  takeDue(now: number): string[] {
    const due: string[] = [];
    for (let top = this.heap[0]; top !== undefined && top.time <= now; top = this.heap[0]) {
      this.pop();
      const { time, subject } = top;
      if (this.at.get(subject) !== time) continue;
      this.at.delete(subject);
      due.push(subject);
    }
    return due;
  }

  /** The earliest deadline, if any. */
  next(): number | undefined {
    for (let top = this.heap[0]; top !== undefined; top = this.heap[0]) {
      if (this.at.get(top.subject) === top.time) return top.time;
      this.pop();
    }
    return undefined;
  }

  private rebuild(): void {
    const live = this.heap.filter((item) => this.at.get(item.subject) === item.time).sort(before);
    // A sorted array is a heap.
    this.heap = live;
  }

  private push(item: Item): void {
    const heap = this.heap;
    let i = heap.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent] as Item;
      if (before(above, item) <= 0) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = item;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as Item, heap[left] as Item) < 0 ? right : left;
      const below = heap[child] as Item;
      if (before(below, last) >= 0) break;
      heap[i] = below;
      i = child;
    }
    heap[i] = last;
  }
}
