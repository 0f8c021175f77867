// Sound for people who do not look at the screen or cannot read it well: a short tone on each new step and,
// where the browser has a speech voice for the kiosk's language, the guidance read aloud. Off unless the kiosk
// configuration turns it on (`screen.voice`); a kiosk with no audio device simply stays silent.
import type { KioskLanguage, KioskView } from '../../core/api/kiosk-api.ts';
import { guidanceText } from './kiosk-text.ts';

let audio: AudioContext | undefined;

/** A rising tone for a step, a falling one for a failure. */
function tone(rising: boolean): void {
  audio ??= new AudioContext();
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  const now = audio.currentTime;
  oscillator.frequency.setValueAtTime(rising ? 660 : 520, now);
  oscillator.frequency.linearRampToValueAtTime(rising ? 880 : 390, now + 0.18);
  gain.gain.setValueAtTime(0.2, now);
  gain.gain.exponentialRampToValueAtTime(0.001, now + 0.25);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start(now);
  oscillator.stop(now + 0.25);
}

export function speak(view: KioskView, language: KioskLanguage): void {
  if (view.phase === 'idle') return;
  try {
    tone(view.phase !== 'failed');
  } catch {
    // No audio output: the screen still says everything.
  }
  if (!view.guidance || typeof speechSynthesis === 'undefined') return;
  const voice = speechSynthesis
    .getVoices()
    .find((v) => v.lang.replace('_', '-').startsWith(language === 'en' ? 'en' : 'zh'));
  if (!voice) return;
  speechSynthesis.cancel();
  const utterance = new SpeechSynthesisUtterance(guidanceText(language, view.guidance));
  utterance.voice = voice;
  utterance.lang = voice.lang;
  speechSynthesis.speak(utterance);
}
