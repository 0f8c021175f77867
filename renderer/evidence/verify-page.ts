// The static evidence verifier (`muster evidence page`): one HTML file that opens from disk with no server and no
// network, reads an evidence bundle or a check-in receipt (a file, pasted text, or the receipt's QR payload in the
// address after '#'), and checks it with the same pure code as `muster evidence verify` and WebCrypto's Ed25519.
import { parseBundle } from '../../core/evidence/bundle.ts';
import { type NoteKey, parseNoteKey } from '../../core/evidence/note-keys.ts';
import { isReceiptText, parseReceiptText, verifyReceiptParts } from '../../core/evidence/receipt-check.ts';
import { type SummaryLanguage, isAnchored, summarise } from '../../core/evidence/summary.ts';
import { verifyBundle } from '../../core/evidence/verify-bundle.ts';
import { errorMessage } from '../../core/errors.ts';
import { h, render } from '../dom.ts';

type Outcome = 'valid' | 'self-consistent' | 'invalid';

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`the page has no #${id}`);
  return el;
}

const result = element('result', HTMLElement);
const file = element('file', HTMLInputElement);
const paste = element('paste', HTMLTextAreaElement);
const trust = element('trust', HTMLTextAreaElement);
const language = element('lang', HTMLSelectElement);

function trustedKeys(): NoteKey[] {
  return trust.value
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map(parseNoteKey);
}

function show(outcome: Outcome, lines: readonly string[], ms: number): void {
  const title = { 'valid': 'VALID', 'self-consistent': 'SELF-CONSISTENT ONLY', 'invalid': 'NOT VALID' }[outcome];
  result.dataset.outcome = outcome;
  render(
    result,
    h('h2', {}, title),
    ...lines.map((line) => h('p', {}, line)),
    h('p', { class: 'time' }, `checked in ${Math.round(ms)} ms`),
  );
}

async function check(text: string): Promise<void> {
  const started = performance.now();
  render(result, h('p', {}, 'checking...'));
  delete result.dataset.outcome;
  try {
    const trusted = trustedKeys();
    if (isReceiptText(text)) {
      const report = await verifyReceiptParts(parseReceiptText(text), trusted);
      if (!report.ok) show('invalid', [report.failure], performance.now() - started);
      else
        show(
          report.pinned ? 'valid' : 'self-consistent',
          [
            report.summary,
            ...(report.pinned
              ? []
              : ['The kiosk key is the receipt\'s own: paste the kiosk\'s public key under "Trusted keys" to pin it.']),
          ],
          performance.now() - started,
        );
      return;
    }
    const report = await verifyBundle(parseBundle(text), trusted);
    const lines = summarise(report, language.value as SummaryLanguage);
    show(!report.ok ? 'invalid' : isAnchored(report) ? 'valid' : 'self-consistent', lines, performance.now() - started);
  } catch (error) {
    show('invalid', [errorMessage(error)], performance.now() - started);
  }
}

file.addEventListener('change', () => {
  const chosen = file.files?.[0];
  if (chosen) void chosen.text().then(check);
});
element('check', HTMLButtonElement).addEventListener('click', () => {
  void check(paste.value);
});
// A receipt's QR code leads here with its payload after '#'.
if (location.hash.includes('MR1:')) void check(decodeURIComponent(location.hash.slice(1)));
