// A tiny DOM builder: elements from tag, attributes and children, text always as text nodes (never HTML), so
// nothing the API sends can become markup or script.
export type Child = Node | string | number | null | undefined | false | readonly Child[];
type Attrs = Readonly<Record<string, string | number | boolean | EventListener | undefined>>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child as readonly Child[]);
    else if (child instanceof Node) el.append(child);
    else el.append(typeof child === 'number' ? String(child) : (child as string));
  }
}

/** A table's head: one row naming its columns. */
export function columnHeads(columns: readonly Child[]): HTMLTableSectionElement {
  return h(
    'thead',
    {},
    h(
      'tr',
      {},
      columns.map((c) => h('th', { scope: 'col' }, c)),
    ),
  );
}

/** Replaces an element's content. */
export function render(target: Element, ...children: Child[]): void {
  target.replaceChildren();
  append(target, children);
}

/** A button with an icon and a text label (icons never stand alone: low literacy, screen readers). */
export function button(label: Child, icon: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      ...attrs,
      onclick: () => {
        onClick();
      },
    },
    h('span', { 'class': 'icon', 'aria-hidden': 'true' }, icon),
    h('span', { class: 'label' }, label),
  );
}

/** Times in the given zone (the centre's), else the machine's own (a kiosk runs in its centre's zone). */
export function time(ms: number | null, zone?: string, locale = 'en-GB'): string {
  if (ms === null) return '';
  return new Intl.DateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    ...(zone ? { timeZone: zone } : {}),
  }).format(ms);
}

/** Offers text as a file download (CSV export, receipt file). */
export function download(filename: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
}
