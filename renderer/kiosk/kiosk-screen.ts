// The parolee's screen: one large action at a time, guidance with an icon at each step, a progress bar, a
// clear outcome and the receipt with its QR code. It shows only the view main sends for the current session
// and returns to the start (forgetting the person) after the idle timeout.
import type { MusterApi } from '../../core/api/api.ts';
import { KIOSK_STEPS, type KioskView, type TaskView } from '../../core/api/kiosk-api.ts';
import type { TaskCompletion } from '../../core/records/checkin.ts';
import { button, dateTime, h, render } from '../dom.ts';
import { type Language, LANGUAGES, guidanceIcon, guidanceText, stepWord, t } from '../i18n.ts';

const LANGUAGE_NAMES: { readonly [L in Language]: string } = { en: 'English', 'zh-CN': '中文' };

export function startKioskScreen(root: HTMLElement, api: MusterApi): void {
  let language: Language = 'en';
  let view: KioskView | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const ticked = new Set<string>();

  const call = (promise: Promise<unknown>): void => {
    promise.catch(() => {
      render(root, h('section', { class: 'outcome failed', role: 'alert' }, h('p', { class: 'big' }, '⚠️ ', t(language, 'error'))));
    });
  };

  const armIdle = (): void => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
    if (!view || view.phase === 'idle' || view.phase === 'active') return;
    idleTimer = setTimeout(() => {
      // Nobody is there any more: unanswered tasks count as not done; the check-in itself stands.
      if (view?.phase === 'tasks') call(api.call('kiosk.submitTasks', { completions: [] }));
      else call(api.call('kiosk.reset', {}));
    }, view.idleSeconds * 1000);
  };

  const show = (next: KioskView): void => {
    if (next.phase === 'idle' && view && view.phase !== 'idle') {
      language = 'en';
      ticked.clear();
    }
    view = next;
    document.documentElement.lang = language;
    render(root, header(), body(next));
    armIdle();
    root.querySelector<HTMLElement>('[data-focus]')?.focus();
  };

  const header = (): HTMLElement =>
    h(
      'header',
      { class: 'kiosk-header' },
      h('h1', {}, '🏛️ ', t(language, 'title')),
      h(
        'nav',
        { class: 'languages', 'aria-label': t(language, 'language') },
        LANGUAGES.map((l) =>
          button(LANGUAGE_NAMES[l], '🌐', () => {
            language = l;
            if (view) show(view);
          }, { lang: l, 'aria-pressed': String(l === language), class: 'lang' }),
        ),
      ),
    );

  const body = (v: KioskView): HTMLElement => {
    switch (v.phase) {
      case 'idle':
        return h(
          'section',
          { class: 'start' },
          h('p', { class: 'big' }, t(language, 'startHint')),
          button(t(language, 'start'), '👆', () => { call(api.call('kiosk.begin', {})); }, { class: 'primary huge', 'data-focus': true }),
          h('p', { class: 'hint' }, t(language, 'idleWarning')),
        );
      case 'active':
        return h('section', { class: 'step' }, progress(v), guidance(v, t(language, 'waiting')));
      case 'tasks':
        return h('section', { class: 'step' }, progress(v), guidance(v, ''), tasks(v.tasks));
      case 'done':
        return h('section', { class: 'step' }, progress(v), receipt(v));
      case 'failed':
        return h(
          'section',
          { class: 'outcome failed', role: 'alert' },
          h('p', { class: 'icon-big', 'aria-hidden': 'true' }, v.guidance ? guidanceIcon(v.guidance) : '⚠️'),
          h('p', { class: 'big' }, v.guidance ? guidanceText(language, v.guidance) : t(language, 'error')),
          v.guidance === 'cancelled' ? null : h('p', { class: 'big strong' }, t(language, 'notBreach'), ' ', t(language, 'seeStaff')),
          button(t(language, 'backToStart'), '↩️', () => { call(api.call('kiosk.reset', {})); }, { class: 'primary', 'data-focus': true }),
        );
    }
  };

  const progress = (v: KioskView): HTMLElement => {
    const at = v.step === null ? -1 : KIOSK_STEPS.indexOf(v.step);
    return h(
      'ol',
      { class: 'progress', 'aria-label': t(language, 'progress') },
      KIOSK_STEPS.map((step, i) =>
        h('li', { class: i < at ? 'past' : i === at ? 'current' : 'future', 'aria-current': i === at ? 'step' : undefined }, h('span', { class: 'dot', 'aria-hidden': 'true' }, i < at ? '✓' : String(i + 1)), t(language, stepWord(step))),
      ),
    );
  };

  const guidance = (v: KioskView, fallback: string): HTMLElement =>
    h('div', { class: 'guidance', role: 'status' }, h('span', { class: 'icon-big', 'aria-hidden': 'true' }, v.guidance ? guidanceIcon(v.guidance) : '⏳'), h('p', { class: 'big' }, v.guidance ? guidanceText(language, v.guidance) : fallback));

  const taskLabel = (task: TaskView): string => {
    switch (task.kind) {
      case 'study':
        return `${t(language, 'taskStudy')}: ${task.module ?? task.id}`;
      case 'service':
        return `${t(language, 'taskService')}: ${task.minutes ?? ''} ${t(language, 'minutes')}`;
      case 'questionnaire':
        return `${t(language, 'taskQuestionnaire')}: ${task.questionnaire ?? task.id}`;
    }
  };

  const tasks = (list: readonly TaskView[]): HTMLElement => {
    const submit = (): void => {
      const completions: TaskCompletion[] = list.filter((task) => ticked.has(task.id)).map((task) => (task.kind === 'service' && task.minutes !== undefined ? { task: task.id, minutes: task.minutes } : { task: task.id }));
      call(api.call('kiosk.submitTasks', { completions }));
    };
    return h(
      'form',
      { class: 'tasks', onsubmit: (e: Event) => { e.preventDefault(); submit(); } },
      h('h2', {}, '📋 ', t(language, 'tasksTitle')),
      h(
        'ul',
        {},
        list.map((task, i) =>
          h(
            'li',
            {},
            h(
              'label',
              { class: 'task' },
              h('input', {
                type: 'checkbox',
                name: task.id,
                checked: ticked.has(task.id),
                'data-focus': i === 0 ? true : undefined,
                onchange: (e: Event) => {
                  if ((e.target as HTMLInputElement).checked) ticked.add(task.id);
                  else ticked.delete(task.id);
                },
              }),
              h('span', { class: 'icon', 'aria-hidden': 'true' }, task.kind === 'study' ? '📖' : task.kind === 'service' ? '🧹' : '📝'),
              h('span', {}, taskLabel(task)),
            ),
          ),
        ),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '✅'), h('span', {}, t(language, 'saveTasks'))), button(t(language, 'skip'), '⏭️', () => { call(api.call('kiosk.submitTasks', { completions: [] })); })),
    );
  };

  const receipt = (v: KioskView): HTMLElement => {
    const r = v.receipt;
    if (!r) return h('p', {}, t(language, 'waiting'));
    return h(
      'div',
      { class: 'outcome done' },
      h('p', { class: 'big strong', role: 'status' }, '✅ ', t(language, 'checkedIn')),
      h(
        'figure',
        { class: 'receipt' },
        h('img', { src: `data:image/svg+xml,${encodeURIComponent(r.qrSvg)}`, alt: t(language, 'qrAlt'), width: 240, height: 240 }),
        h(
          'figcaption',
          {},
          h('h2', {}, '🧾 ', t(language, 'receipt')),
          h(
            'dl',
            {},
            h('dt', {}, t(language, 'person')),
            h('dd', {}, r.subject),
            h('dt', {}, t(language, 'time')),
            h('dd', {}, dateTime(r.at, undefined, language)),
            h('dt', {}, t(language, 'place')),
            h('dd', {}, `${r.centre} · ${r.kiosk}`),
            h('dt', {}, t(language, 'entry')),
            h('dd', {}, `#${r.seq}`),
          ),
        ),
      ),
      h('div', { class: 'actions no-print' }, button(t(language, 'print'), '🖨️', () => { window.print(); }), button(t(language, 'finish'), '🏁', () => { call(api.call('kiosk.reset', {})); }, { class: 'primary', 'data-focus': true })),
    );
  };

  // Main may ask for webcam frames (a kiosk whose camera is this screen's webcam); the stream opens on the
  // first request and stays open, so later frames come at once.
  let video: Promise<HTMLVideoElement> | undefined;
  const openCamera = async (): Promise<HTMLVideoElement> => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    const el = h('video', { muted: true, playsinline: true, class: 'webcam', 'aria-hidden': 'true' });
    el.srcObject = stream;
    document.body.append(el);
    await el.play();
    return el;
  };
  api.on('kiosk.capture', ({ id }) => {
    video ??= openCamera();
    video
      .then((el) => {
        const canvas = h('canvas', { width: el.videoWidth, height: el.videoHeight });
        canvas.getContext('2d')?.drawImage(el, 0, 0);
        const jpeg = canvas.toDataURL('image/jpeg', 0.92).replace(/^data:image\/jpeg;base64,/, '');
        return api.call('kiosk.frame', { id, jpeg });
      })
      .catch(() => {
        // No webcam or no permission: main's wait times out and counts it as the camera being down.
        video = undefined;
      });
  });

  // Any touch or key restarts the idle countdown.
  for (const type of ['pointerdown', 'keydown'] as const) document.addEventListener(type, armIdle, { passive: true });
  api.on('kiosk.view', show);
  call(api.call('kiosk.view', {}).then(show));
}
