// Live updates merge into the page instead of redrawing it: a list's children are matched to the new items by
// key, kept nodes are updated in place (only the parts that show data), new ones are created, gone ones removed.
// A node is moved only when the order really changed, so what a person is typing, and the focus, survive.
export function reconcile<T>(
  list: Element,
  items: readonly T[],
  key: (item: T) => string,
  create: (item: T) => HTMLElement,
  update: (el: HTMLElement, item: T) => void,
): void {
  const wanted = new Map(items.map((item) => [key(item), item]));
  const kept = new Map<string, HTMLElement>();
  for (const child of [...list.children]) {
    const k = child instanceof HTMLElement ? child.dataset.key : undefined;
    if (k !== undefined && wanted.has(k) && !kept.has(k)) kept.set(k, child as HTMLElement);
    else child.remove();
  }
  let cursor = list.firstElementChild;
  for (const [k, item] of wanted) {
    let el = kept.get(k);
    if (el) update(el, item);
    else {
      el = create(item);
      el.dataset.key = k;
    }
    if (el === cursor) cursor = cursor.nextElementSibling;
    else list.insertBefore(el, cursor);
  }
}

/** Replaces an element's text only when it differs (a screen reader then announces only real changes). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
