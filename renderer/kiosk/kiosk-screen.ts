// The parolee's screen, for a 1080x1920 portrait touch screen first: one large centred action per step, a
// pictogram of where the finger goes or where to look, guidance with the icon of what to do now, "try n of m",
// a countdown on every wait with Cancel and Call staff, the receipt that closes by itself, and a start screen
// with the centre, date, local time and today's window (or out of service). Main owns the session and every
// countdown; this screen shows main's view, and when a call fails it says so and fetches the view again by
// itself. Language: the kiosk's own, switchable per person, back to the kiosk's own for the next person.
import type { MusterApi } from '../../core/api/api.ts';
import {
  KIOSK_LANGUAGES,
  KIOSK_STEPS,
  type KioskInfo,
  type KioskLanguage,
  type KioskView,
  type TaskView,
} from '../../core/api/kiosk-api.ts';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import type { TaskCompletion } from '../../core/records/checkin.ts';
import { ApiError } from '../api-client.ts';
import { type Child, button, h, render } from '../dom.ts';
import { LANGUAGE_NAMES, guidanceIcon, guidanceText, stepWord, t } from './kiosk-text.ts';
import { badgePictogram, faceOval, facePictogram, fingerPictogram } from './pictograms.ts';
import { speak } from './kiosk-voice.ts';

/** Seconds an error shows before the screen asks main for its view again. */
const RETRY_SECONDS = 3;
/** Calls that try to hand main one webcam frame. */
const FRAME_SENDS = 3;
const LOCALES: { readonly [L in KioskLanguage]: string } = { 'zh-CN': 'zh-CN', 'en': 'en-GB' };

export function startKioskScreen(root: HTMLElement, api: MusterApi): void {
  let view: KioskView | undefined;
  /** This screen's webcam, once main asked it for a frame: the face step shows it live, inside the oval. */
  let webcam: HTMLVideoElement | undefined;
  const livePreview = (el: HTMLVideoElement): HTMLElement => {
    el.className = 'preview-video';
    const preview = h(
      'div',
      { 'class': 'preview', 'data-pictogram': 'face', 'data-preview': 'webcam', 'aria-hidden': 'true' },
      el,
      faceOval(),
    );
    // Moving the video into the new screen took it out of the page for a moment, which pauses it.
    queueMicrotask(() => void el.play().catch(() => undefined));
    return preview;
  };
  /** A serial camera's last frame, in the same oval: what the camera saw. */
  const stillPreview = (src: string): HTMLElement =>
    h(
      'div',
      { 'class': 'preview', 'data-pictogram': 'face', 'data-preview': 'still', 'aria-hidden': 'true' },
      h('img', { src, alt: '', class: 'preview-video' }),
      faceOval(),
    );
  let language: KioskLanguage | undefined;
  /** The kiosk's clock minus this screen's, from the last view. */
  let offset = 0;
  /** When the current countdown reaches zero, on this screen's clock. */
  let countdownEnds: number | null = null;
  /** When to ask main for the view again: a countdown main should have ended, or after an error. */
  let retryAt: number | null = null;
  /** The view on screen now (undefined: the error screen, or a language change to draw). */
  let painted: KioskView | undefined;
  let languageTimer: ReturnType<typeof setTimeout> | undefined;
  let lastTouch = 0;
  /** What the screen on display undoes when the next one replaces it: observers of its own elements. */
  const leaving: (() => void)[] = [];
  const ticked = new Set<string>();
  const inFlight = new Set<string>();

  const lang = (): KioskLanguage => language ?? view?.kiosk.language ?? 'zh-CN';
  const tr = (word: Parameters<typeof t>[1], values?: Readonly<Record<string, number | string>>): string =>
    t(lang(), word, values);

  /** One action at a time per button: a double tap sends one call. A failed call shows the error screen. */
  const act = (key: string, call: () => Promise<unknown>): void => {
    if (inFlight.has(key)) return;
    inFlight.add(key);
    call()
      .catch(() => {
        showError();
      })
      .finally(() => inFlight.delete(key));
  };

  const refetch = (): void => {
    api.call('kiosk.view', {}).then(show, () => {
      showError();
    });
  };

  const show = (next: KioskView): void => {
    const previous = view;
    // A new person (or the first view): the kiosk's own language, nothing ticked.
    if (!previous || (next.phase === 'idle' && previous.phase !== 'idle')) {
      language = undefined;
      ticked.clear();
    }
    view = next;
    offset = next.now - Date.now();
    countdownEnds = next.countdown === null ? null : Date.now() + next.countdown * 1000;
    retryAt = countdownEnds === null ? null : countdownEnds + RETRY_SECONDS * 1000;
    // Only the countdown restarted (a touch on the tasks): the screen stays as it is, focus and ticks included.
    if (painted && sameScreen(painted, next)) {
      tick();
      return;
    }
    painted = next;
    paint(() => h('section', { class: `kiosk-body phase-${next.phase}` }, body(next)));
    if (next.kiosk.voice && (previous?.guidance !== next.guidance || previous.phase !== next.phase))
      speak(next, lang());
  };

  const showError = (): void => {
    const languages = view ? [lang()] : KIOSK_LANGUAGES;
    painted = undefined;
    countdownEnds = Date.now() + RETRY_SECONDS * 1000;
    retryAt = countdownEnds;
    paint(() =>
      h(
        'section',
        { class: 'kiosk-body phase-error', role: 'alert' },
        h('p', { 'class': 'icon-big', 'aria-hidden': 'true' }, '⚠️'),
        // Before the first view the kiosk's language is not known yet: every language says it, the countdown
        // and the way back too.
        languages.map((l) =>
          h(
            'div',
            { lang: l },
            h('p', { class: 'big' }, t(l, 'error')),
            h('p', {}, t(l, 'errorHelp')),
            countdown('closesIn'),
          ),
        ),
        actions(
          button(
            languages.map((l, i) => [i > 0 ? ' / ' : null, h('span', { lang: l }, t(l, 'backToStart'))]),
            '↩️',
            () => {
              // A session may still be running behind the error: the way back ends it (a reset alone would
              // bring it back, and later drop its receipt at once).
              act('reset', () =>
                api
                  .call('kiosk.cancel', { staff: false })
                  .then(() => api.call('kiosk.reset', {}))
                  .then(refetch),
              );
            },
            { 'class': 'primary', 'data-focus': true },
          ),
        ),
      ),
    );
  };

  /**
   * Draws a screen: the one it replaces is undone first (a kiosk draws one per step for months without a reload),
   * then `content` is built.
   */
  const paint = (content: () => HTMLElement): void => {
    for (const undo of leaving.splice(0)) undo();
    document.documentElement.lang = lang();
    document.title = tr('title');
    render(root, header(), content());
    tick();
    root.querySelector<HTMLElement>('[data-focus]')?.focus();
  };

  const header = (): HTMLElement =>
    h(
      'header',
      { class: 'kiosk-header' },
      h(
        'h1',
        {},
        view
          ? view.kiosk.centre[lang()]
          : KIOSK_LANGUAGES.map((l) => h('span', { lang: l, class: 'title' }, t(l, 'title'))),
      ),
      h(
        'nav',
        { 'class': 'languages', 'aria-label': tr('language') },
        KIOSK_LANGUAGES.map((l) =>
          button(
            LANGUAGE_NAMES[l],
            '🌐',
            () => {
              language = l;
              armLanguageReset();
              painted = undefined;
              if (view) show(view);
            },
            { 'lang': l, 'translate': 'no', 'aria-pressed': String(l === lang()), 'class': 'lang' },
          ),
        ),
      ),
    );

  /** On the start screen a language chosen by someone who then walked away goes back to the kiosk's own. */
  const armLanguageReset = (): void => {
    if (languageTimer) clearTimeout(languageTimer);
    languageTimer = setTimeout(
      () => {
        if (view?.phase === 'idle' && language !== undefined) {
          language = undefined;
          painted = undefined;
          show(view);
        }
      },
      (view?.idleSeconds ?? 60) * 1000,
    );
  };

  const body = (v: KioskView): Child => {
    switch (v.phase) {
      case 'idle':
        return start(v.kiosk);
      case 'active':
        return [progress(v), guidance(v), v.step === 'saving' ? null : actions(waitButtons())];
      case 'tasks':
        return [progress(v), tasks(v.tasks)];
      case 'done':
        return [progress(v), receipt(v)];
      case 'failed':
        return failure(v);
    }
  };

  const start = (info: KioskInfo): Child => {
    const a = info.available;
    // The same rule as the check-in: a fingerprint (then face or staff), or a card and the camera.
    const methods = a.fingerprint
      ? [['👆', tr('useFinger')], a.camera ? ['📷', tr('useCamera')] : ['🧑‍💼', tr('useStaff')]]
      : a.badge && a.camera
        ? [
            ['💳', tr('useBadge')],
            ['📷', tr('useCamera')],
          ]
        : [];
    const all = a.fingerprint && a.camera && a.badge;
    return [
      h(
        'div',
        { class: 'today' },
        h('p', { 'class': 'date', 'data-clock': 'date' }),
        h('p', { 'class': 'clock', 'data-clock': 'time' }),
        h(
          'p',
          { class: 'window' },
          info.window ? `${tr('window')}: ${minutes(info.window.open)}–${minutes(info.window.close)}` : tr('noWindow'),
        ),
      ),
      methods.length === 0
        ? h(
            'div',
            { class: 'out-of-service', role: 'alert' },
            h('p', { 'class': 'icon-big', 'aria-hidden': 'true' }, '🛠️'),
            h('p', { class: 'big strong' }, tr('outOfService')),
            h('p', {}, tr('outOfServiceHelp')),
          )
        : [
            all ? null : h('p', { class: 'notice' }, '⚠️ ', tr('onlyOne')),
            h('p', {}, tr('youWillUse')),
            h(
              'ul',
              { class: 'methods' },
              methods.map(([icon, text]) =>
                h('li', {}, h('span', { 'class': 'icon', 'aria-hidden': 'true' }, icon), h('span', {}, text)),
              ),
            ),
            actions(
              button(
                tr('start'),
                '👆',
                () => {
                  act('begin', () => api.call('kiosk.begin', {}));
                },
                { 'class': 'primary huge', 'data-focus': true },
              ),
            ),
          ],
    ];
  };

  const progress = (v: KioskView): HTMLElement => {
    const at = v.step === null ? -1 : KIOSK_STEPS.indexOf(v.step);
    return h(
      'ol',
      { 'class': 'progress', 'aria-label': tr('progress') },
      KIOSK_STEPS.map((step, i) =>
        h(
          'li',
          { 'class': i < at ? 'past' : i === at ? 'current' : 'future', 'aria-current': i === at ? 'step' : undefined },
          h('span', { 'class': 'dot', 'aria-hidden': 'true' }, i < at ? '✓' : String(i + 1)),
          h('span', { class: 'step-name' }, tr(stepWord(step))),
        ),
      ),
    );
  };

  const pictogram = (code: GuidanceCode | null): Child => {
    switch (code) {
      case 'place-finger':
      case 'finger-again':
      case 'finger-still':
        return fingerPictogram();
      case 'tap-badge':
      case 'finger-badge-instead':
      case 'finger-unread-badge':
      case 'badge-unknown':
        return badgePictogram();
      case 'look-at-camera':
      case 'face-starting':
      case 'face-light':
      case 'face-move':
      case 'face-turn':
      case 'face-blink':
      case 'face-again':
        return webcam ? livePreview(webcam) : facePictogram();
      default:
        return null;
    }
  };

  const guidance = (v: KioskView): HTMLElement =>
    h(
      'div',
      { class: 'guidance' },
      v.still !== null && !webcam ? stillPreview(v.still) : pictogram(v.guidance),
      h(
        'p',
        { class: 'big', role: 'status' },
        h(
          'span',
          { 'class': 'icon', 'aria-hidden': 'true', 'data-icon': v.guidance ? guidanceIcon(v.guidance) : '⏳' },
          v.guidance ? guidanceIcon(v.guidance) : '⏳',
        ),
        ' ',
        v.guidance ? guidanceText(lang(), v.guidance) : tr('waiting'),
      ),
      v.try ? h('p', { class: 'try' }, tr('tryOf', { n: v.try.n, of: v.try.of })) : null,
      v.countdown === null ? null : countdown('timeLeft'),
      // Staff may take minutes; the presence cue ends the wait sooner unless the person shows they are there.
      v.guidance === 'staff-confirm' && v.countdown !== null
        ? h('p', { 'data-hint': 'touch' }, tr('touchToWait'))
        : null,
    );

  const countdown = (word: 'timeLeft' | 'closesIn'): HTMLElement =>
    h('p', { 'class': 'countdown', 'data-countdown': word }, '⏱️ ');

  const waitButtons = (): HTMLButtonElement[] => [
    button(
      tr('cancel'),
      '✖️',
      () => {
        act('cancel', () => api.call('kiosk.cancel', { staff: false }));
      },
      { class: 'secondary' },
    ),
    button(
      tr('callStaff'),
      '🔔',
      () => {
        act('cancel', () => api.call('kiosk.cancel', { staff: true }));
      },
      { class: 'secondary' },
    ),
  ];

  const taskLabel = (task: TaskView): string => {
    const kind =
      task.kind === 'study' ? tr('taskStudy') : task.kind === 'service' ? tr('taskService') : tr('taskQuestionnaire');
    const name = task.names?.[lang()];
    const minutesText = task.kind === 'service' && task.minutes !== undefined ? `${task.minutes} ${tr('minutes')}` : '';
    return [kind, name, minutesText].filter((s) => s !== undefined && s !== '').join(' · ');
  };

  const tasks = (items: readonly TaskView[]): Child => {
    const submit = (completions: TaskCompletion[]): void => {
      act('tasks', () => api.call('kiosk.submitTasks', { completions }));
    };
    const ticks = (): TaskCompletion[] =>
      items
        .filter((task) => ticked.has(task.id))
        .map((task) =>
          task.kind === 'service' && task.minutes !== undefined
            ? { task: task.id, minutes: task.minutes }
            : { task: task.id },
        );
    // A plan longer than the screen scrolls inside its list: the cue says so while tasks are below its edge.
    const more = h('p', { class: 'more-tasks', hidden: true }, tr('moreTasks'));
    const list = h(
      'ul',
      {
        onscroll: () => {
          moreBelow(list, more);
        },
      },
      items.map((task, i) =>
        h(
          'li',
          {},
          h(
            'label',
            { class: 'task' },
            h('input', {
              'type': 'checkbox',
              'name': task.id,
              'checked': ticked.has(task.id),
              'data-focus': i === 0 ? true : undefined,
              'onchange': (e: Event) => {
                if ((e.target as HTMLInputElement).checked) ticked.add(task.id);
                else ticked.delete(task.id);
              },
            }),
            h(
              'span',
              { 'class': 'icon', 'aria-hidden': 'true' },
              task.kind === 'study' ? '📖' : task.kind === 'service' ? '🧹' : '📝',
            ),
            h('span', {}, taskLabel(task)),
          ),
        ),
      ),
    );
    // The list's height changes as it is laid out, with the window, and with the cue itself.
    const resized = new ResizeObserver(() => {
      moreBelow(list, more);
    });
    resized.observe(list);
    leaving.push(() => {
      resized.disconnect();
    });
    return [
      h(
        'form',
        {
          class: 'tasks',
          onsubmit: (e: Event) => {
            e.preventDefault();
            submit(ticks());
          },
        },
        // One line in landscape, where the height is short.
        h(
          'div',
          { class: 'tasks-head' },
          h('h2', {}, '📋 ', tr('tasksTitle')),
          h('p', {}, guidanceText(lang(), 'tasks')),
        ),
        list,
        more,
        countdown('timeLeft'),
        actions(
          h(
            'button',
            { type: 'submit', class: 'primary' },
            h('span', { 'class': 'icon', 'aria-hidden': 'true' }, '✅'),
            h('span', { class: 'label' }, tr('saveTasks')),
          ),
          button(tr('noneDone'), '⏭️', () => {
            submit([]);
          }),
          waitButtons(),
        ),
      ),
    ];
  };

  const receipt = (v: KioskView): Child => {
    const r = v.receipt;
    if (!r) return h('p', {}, tr('waiting'));
    return h(
      'div',
      { class: 'outcome done' },
      h(
        'p',
        { class: 'big strong', role: 'status' },
        h('span', { 'class': 'icon', 'aria-hidden': 'true', 'data-icon': '✅' }, '✅'),
        ' ',
        tr('checkedIn'),
      ),
      h(
        'figure',
        { class: 'receipt' },
        h('img', {
          src: `data:image/svg+xml,${encodeURIComponent(r.qrSvg)}`,
          alt: tr('qrAlt'),
          width: 360,
          height: 360,
        }),
        h(
          'figcaption',
          {},
          h('h2', {}, '🧾 ', tr('receipt')),
          h(
            'dl',
            {},
            h('dt', {}, tr('person')),
            h('dd', { translate: 'no', class: 'ident' }, r.subject),
            h('dt', {}, tr('time')),
            h('dd', {}, when(r.at, v.kiosk.zone)),
            h('dt', {}, tr('place')),
            h('dd', {}, v.kiosk.centre[lang()]),
            h('dt', {}, tr('entry')),
            h('dd', { translate: 'no', class: 'ident' }, `#${r.seq}`),
          ),
        ),
      ),
      countdown('closesIn'),
      actions(
        button(
          tr('finish'),
          '🏁',
          () => {
            act('reset', () => api.call('kiosk.reset', {}));
          },
          { 'class': 'primary', 'data-focus': true },
        ),
        button(
          tr('print'),
          '🖨️',
          () => {
            window.print();
          },
          { class: 'no-print' },
        ),
      ),
    );
  };

  const failure = (v: KioskView): HTMLElement =>
    h(
      'div',
      { class: 'outcome failed', role: 'alert' },
      h(
        'p',
        { 'class': 'icon-big', 'aria-hidden': 'true', 'data-icon': v.guidance ? guidanceIcon(v.guidance) : '⚠️' },
        v.guidance ? guidanceIcon(v.guidance) : '⚠️',
      ),
      h('p', { class: 'big' }, v.guidance ? guidanceText(lang(), v.guidance) : tr('error')),
      v.reference
        ? h(
            'p',
            { class: 'reference' },
            `${tr('reference')}: `,
            h('strong', { translate: 'no', class: 'ident' }, v.reference),
          )
        : null,
      countdown('closesIn'),
      actions(
        button(
          tr('backToStart'),
          '↩️',
          () => {
            act('reset', () => api.call('kiosk.reset', {}));
          },
          { 'class': 'primary', 'data-focus': true },
        ),
      ),
    );

  const actions = (...buttons: Child[]): HTMLElement => h('div', { class: 'actions' }, buttons);

  const minutes = (m: number): string =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

  /** A time in the centre's zone, with the zone's name. */
  const when = (ms: number, zone: string): string => {
    const format = new Intl.DateTimeFormat(LOCALES[lang()], { dateStyle: 'long', timeStyle: 'short', timeZone: zone });
    return `${format.format(ms)} ${zoneName(ms, zone)}`;
  };
  const zoneName = (ms: number, zone: string): string =>
    new Intl.DateTimeFormat(LOCALES[lang()], { timeZone: zone, timeZoneName: 'long' })
      .formatToParts(ms)
      .find((p) => p.type === 'timeZoneName')?.value ?? zone;

  /** Once a second: the start screen's clock and the countdown; a countdown past zero with no new view fetches it. */
  const tick = (): void => {
    const now = Date.now() + offset;
    const zone = view?.kiosk.zone;
    for (const el of root.querySelectorAll<HTMLElement>('[data-clock]')) {
      if (!zone) continue;
      el.textContent =
        el.dataset.clock === 'date'
          ? new Intl.DateTimeFormat(LOCALES[lang()], { dateStyle: 'full', timeZone: zone }).format(now)
          : `${new Intl.DateTimeFormat(LOCALES[lang()], { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(now)} ${zoneName(now, zone)}`;
    }
    if (countdownEnds !== null) {
      const left = Math.max(0, Math.ceil((countdownEnds - Date.now()) / 1000));
      for (const el of root.querySelectorAll<HTMLElement>('[data-countdown]')) {
        // In the language of the part of the screen it is in (the error screen before the first view has each).
        const l = KIOSK_LANGUAGES.find((k) => k === el.closest('[lang]')?.getAttribute('lang')) ?? lang();
        el.textContent = `⏱️ ${t(l, el.dataset.countdown === 'closesIn' ? 'closesIn' : 'timeLeft', { s: left })}`;
      }
    }
    if (retryAt !== null && Date.now() >= retryAt) {
      retryAt = null;
      refetch();
    }
  };
  setInterval(tick, 1000);

  // A touch during a session tells main the person is still there (at most once a second): the tasks' idle
  // countdown and the waits' presence cue; on the start screen it keeps a chosen language.
  const touched = (): void => {
    if (view?.phase === 'idle' && language !== undefined) armLanguageReset();
    if ((view?.phase !== 'tasks' && view?.phase !== 'active') || Date.now() - lastTouch < 1000) return;
    lastTouch = Date.now();
    // A lost touch may end the session of someone still there: like every failed call, it says so.
    act('touch', () => api.call('kiosk.touch', {}));
  };
  for (const type of ['pointerdown', 'keydown'] as const) document.addEventListener(type, touched, { passive: true });

  // Main may ask for webcam frames (a kiosk whose camera is this screen's webcam); the stream opens on the
  // first request and stays open, so later frames come at once.
  let video: Promise<HTMLVideoElement> | undefined;
  const openCamera = async (): Promise<HTMLVideoElement> => {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 } },
      audio: false,
    });
    const el = h('video', { 'muted': true, 'playsinline': true, 'class': 'webcam', 'aria-hidden': 'true' });
    el.srcObject = stream;
    document.body.append(el);
    await el.play();
    webcam = el;
    // The face step may already be up: it shows the preview from now on.
    if (painted && FACE_GUIDANCE.has(painted.guidance ?? 'receipt')) {
      const current = painted;
      painted = undefined;
      show(current);
    }
    return el;
  };
  /**
   * Sends a frame main asked for, again after a failed call (main still waits for it: one lost call must not read
   * as the camera down), never to a request main has given up on or already has.
   */
  const sendFrame = async (id: string, jpeg: string): Promise<void> => {
    for (let sent = 1; ; sent += 1) {
      try {
        await api.call('kiosk.frame', { id, jpeg });
        return;
      } catch (error) {
        if (sent >= FRAME_SENDS || (error instanceof ApiError && error.code === 'not-asked')) throw error;
      }
    }
  };
  api.on('kiosk.capture', ({ id }) => {
    video ??= openCamera().catch((error: unknown) => {
      // No webcam or no permission: the next request opens it again.
      video = undefined;
      throw error;
    });
    video
      .then(async (el) => {
        // A screen that left the face step took the preview out of the page, which pauses it.
        if (!el.isConnected) {
          el.className = 'webcam';
          document.body.append(el);
        }
        if (el.paused) await el.play();
        const canvas = h('canvas', { width: el.videoWidth, height: el.videoHeight });
        canvas.getContext('2d')?.drawImage(el, 0, 0);
        const jpeg = canvas.toDataURL('image/jpeg', 0.92).replace(/^data:image\/jpeg;base64,/, '');
        await sendFrame(id, jpeg);
      })
      .catch(() => {
        // No frame reached main: its wait times out and counts it as the camera being down.
      });
  });

  api.on('kiosk.view', show);
  refetch();
}

/** Whether two views show the same screen, apart from the countdown's seconds and the clock. */
function sameScreen(a: KioskView, b: KioskView): boolean {
  const { countdown: _a, now: _an, ...restA } = a;
  const { countdown: _b, now: _bn, ...restB } = b;
  return (a.countdown === null) === (b.countdown === null) && JSON.stringify(restA) === JSON.stringify(restB);
}

/** Shows the cue while part of the list is below its edge (a pixel of rounding is not a task). */
function moreBelow(list: HTMLElement, cue: HTMLElement): void {
  cue.hidden = list.scrollHeight - list.scrollTop - list.clientHeight <= 1;
}

/** The steps that ask the person to look at the camera. */
const FACE_GUIDANCE: ReadonlySet<GuidanceCode> = new Set([
  'look-at-camera',
  'face-starting',
  'face-light',
  'face-move',
  'face-turn',
  'face-blink',
  'face-again',
]);
