// Pictograms of what to do at each step, drawn as SVG (no image files, nothing for the CSP to allow): a finger
// laid flat on the sensor, a card on the reader, a face inside the camera's oval. Each is decorative: the
// guidance text beside it says the same in words.
const SVG = 'http://www.w3.org/2000/svg';

type Shape = readonly [tag: string, attrs: Readonly<Record<string, string | number>>];

function svg(label: string, shapes: readonly Shape[]): SVGSVGElement {
  const root = document.createElementNS(SVG, 'svg');
  root.setAttribute('viewBox', '0 0 200 200');
  root.setAttribute('class', 'pictogram');
  root.setAttribute('aria-hidden', 'true');
  root.dataset.pictogram = label;
  for (const [tag, attrs] of shapes) {
    const el = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
    root.append(el);
  }
  return root;
}

const INK = {
  'fill': 'none',
  'stroke': 'currentColor',
  'stroke-width': 6,
  'stroke-linecap': 'round',
  'stroke-linejoin': 'round',
};

/** The sensor (a square window) with a fingertip laid flat across it, an arrow pressing down. */
export function fingerPictogram(): SVGSVGElement {
  return svg('finger', [
    ['rect', { x: 40, y: 110, width: 120, height: 70, rx: 12, ...INK }],
    ['rect', { x: 70, y: 125, width: 60, height: 40, rx: 6, fill: 'currentColor', opacity: 0.25 }],
    ['path', { d: 'M78 150 V60 a22 22 0 0 1 44 0 V150', ...INK }],
    ['path', { d: 'M100 20 V42 M90 32 L100 42 L110 32', ...INK }],
  ]);
}

/** A card held flat over the reader. */
export function badgePictogram(): SVGSVGElement {
  return svg('badge', [
    ['rect', { x: 30, y: 130, width: 140, height: 50, rx: 10, ...INK }],
    ['rect', { x: 55, y: 40, width: 90, height: 60, rx: 8, ...INK }],
    ['path', { d: 'M70 60 H110 M70 78 H95', ...INK }],
    ['path', { d: 'M100 106 V124 M90 114 L100 124 L110 114', ...INK }],
  ]);
}

/** The camera above the screen and a face inside an oval, looking up at it. */
export function facePictogram(): SVGSVGElement {
  return svg('face', [
    ['circle', { cx: 100, cy: 18, r: 10, ...INK }],
    ['ellipse', { 'cx': 100, 'cy': 115, 'rx': 55, 'ry': 72, ...INK, 'stroke-dasharray': '14 10' }],
    ['circle', { cx: 80, cy: 105, r: 6, fill: 'currentColor' }],
    ['circle', { cx: 120, cy: 105, r: 6, fill: 'currentColor' }],
    ['path', { d: 'M80 145 Q100 160 120 145', ...INK }],
    ['path', { d: 'M100 36 V52', ...INK }],
  ]);
}

/** The oval over the live webcam preview: where the face should be. */
export function faceOval(): SVGSVGElement {
  const oval = svg('oval', [
    ['ellipse', { 'cx': 100, 'cy': 100, 'rx': 58, 'ry': 78, ...INK, 'stroke-dasharray': '14 10' }],
  ]);
  oval.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  return oval;
}
