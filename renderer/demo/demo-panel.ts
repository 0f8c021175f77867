// The demo panel: anyone can play a parolee on the demo's emulated kiosks with buttons. Each button sends one
// `muster demo` control line (main/demo/demo-controls.ts) through the typed API; the panel says what was done in
// the page's language and keeps the demo clock in the centre's zone. Only the demo serves it (core/api/demo-api.ts).
import type { MusterApi } from '../../core/api/api.ts';
import type { DemoSetup } from '../../core/api/demo-api.ts';
import { sentenceOf, settleLanguage, wordsOf } from '../catalogue.ts';
import { type Child, button, h, render } from '../dom.ts';
import { stamp } from '../local-time.ts';
import { languageSwitch } from '../sign-in.ts';
import { DEMO_STRINGS } from './demo-strings.ts';

const w = wordsOf(DEMO_STRINGS);
const say = sentenceOf(DEMO_STRINGS);
const DEVICES = ['fingerprint', 'camera', 'badge'] as const;
const MINUTES = [5, 30, 60] as const;
/** The person a newcomer plays first, when the demo has them. */
const FIRST_PERSON = 'p-0007';

export function startDemoPanel(root: HTMLElement, api: MusterApi): void {
  api.call('demo.setup', {}).then(
    (setup) => {
      settleLanguage(setup.zone);
      draw(root, api, setup);
    },
    () => {
      render(root, h('p', { role: 'alert' }, w('unreachable')));
    },
  );
}

function draw(root: HTMLElement, api: MusterApi, setup: DemoSetup): void {
  document.title = w('title');
  let kiosk = 1;
  const people = h(
    'select',
    { id: 'demo-person', translate: 'no' },
    setup.people.map((p) => h('option', { value: p, selected: p === FIRST_PERSON }, p)),
  );
  const person = (): string => people.value;
  const clock = h('p', { 'class': 'demo-clock', 'data-now': setup.now });
  const showClock = (now: number): void => {
    clock.dataset.now = String(now);
    render(clock, '🕘 ', w('clock', { time: stamp(now, setup.zone) }));
  };
  showClock(setup.now);
  const log = h('ol', { class: 'demo-log' });

  /** Sends one control line; `action` says in words what it does. */
  const send = (line: string, action: Child): void => {
    api.call('demo.control', { line }).then(
      (answer) => {
        showClock(answer.now);
        log.prepend(
          h(
            'li',
            { 'data-ok': String(answer.ok) },
            answer.ok ? '✅ ' : '⚠️ ',
            say(answer.ok ? 'done' : 'refused', { action: h('span', {}, action) }),
            answer.ok ? null : [' ', h('code', { class: 'demo-reply', translate: 'no', lang: 'en' }, answer.reply)],
          ),
        );
      },
      () => {
        log.prepend(h('li', { 'data-ok': 'false' }, '⚠️ ', w('unreachable')));
      },
    );
  };
  const act = (label: string, icon: string, line: () => string): HTMLButtonElement =>
    button(label, icon, () => {
      send(line(), label);
    });

  const kiosks = h(
    'fieldset',
    {},
    h('legend', {}, w('kiosk')),
    setup.kiosks.map((id, i) =>
      h(
        'label',
        {},
        h('input', {
          type: 'radio',
          name: 'demo-kiosk',
          value: String(i + 1),
          checked: i === 0,
          onchange: () => {
            kiosk = i + 1;
          },
        }),
        ` ${w('kioskN', { n: i + 1 })} `,
        h('span', { translate: 'no' }, id),
        i === 0 ? ` ${w('hasScreen')}` : null,
      ),
    ),
  );
  const line = h('input', { id: 'demo-line', type: 'text', maxlength: 200, translate: 'no', autocomplete: 'off' });
  const section = (title: string, ...children: Child[]): HTMLElement =>
    h('section', { 'class': 'demo-group', 'aria-label': title }, h('h2', {}, title), h('div', {}, ...children));

  render(
    root,
    h('header', {}, languageSwitch()),
    h('h1', {}, '🎭 ', w('title')),
    h('p', {}, w('intro')),
    clock,
    kiosks,
    h('p', {}, h('label', { for: 'demo-person' }, w('person'), ' '), people),
    section(
      w('fingerprint'),
      act(w('fingerOn'), '👆', () => `finger ${kiosk} ${person()}`),
      act(w('fingerOff'), '✋', () => `finger ${kiosk} none`),
    ),
    section(
      w('face'),
      act(w('faceOwn'), '🙂', () => `face ${kiosk} ${person()}`),
      act(w('faceImpostor'), '🥸', () => `face ${kiosk} impostor`),
      act(w('faceNone'), '🚫', () => `face ${kiosk} none`),
    ),
    section(
      w('card'),
      act(w('cardTap'), '💳', () => `card ${kiosk} ${person()}`),
    ),
    section(
      w('devices'),
      DEVICES.map((d) =>
        h(
          'div',
          { class: 'demo-device' },
          act(w('unplug', { device: w(`device_${d}`) }), '🔌', () => `unplug ${kiosk} ${d}`),
          act(w('replug', { device: w(`device_${d}`) }), '🔋', () => `replug ${kiosk} ${d}`),
        ),
      ),
    ),
    section(
      w('clockForward'),
      MINUTES.map((n) => act(w('plusMinutes', { n }), '⏩', () => `clock +${n}`)),
    ),
    h(
      'form',
      {
        class: 'demo-line',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const text = line.value.trim();
          if (text !== '') send(text, say('sent', { line: h('code', { translate: 'no' }, text) }));
        },
      },
      h('label', { for: 'demo-line' }, w('line')),
      line,
      h(
        'button',
        { type: 'submit' },
        h('span', { 'class': 'icon', 'aria-hidden': 'true' }, '➡️'),
        h('span', { class: 'label' }, w('send')),
      ),
    ),
    h('h2', { id: 'demo-results' }, w('results')),
    h('div', { 'role': 'log', 'aria-live': 'polite', 'aria-labelledby': 'demo-results' }, log),
  );
}
