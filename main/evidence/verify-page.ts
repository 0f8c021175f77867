// `muster evidence page`: the static verifier as one HTML file. The page's script (renderer/evidence/verify-page.ts
// and the pure core/evidence code it runs) comes with the renderer's bundle (main/web/bundle.ts: built once by
// `npm run build`, in memory from the sources) and is inlined; the Content-Security-Policy allows that one
// script, by hash, and no network at all.
import { createHash } from 'node:crypto';
import { rendererBundle } from '../web/bundle.ts';

export async function buildVerifyPage(): Promise<string> {
  const script = (await rendererBundle()).verifyPage.replace(/<\/script/gi, '<\\/script');
  const hash = createHash('sha256').update(script).digest('base64');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Muster evidence verifier</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #111; }
textarea { width: 100%; font: 13px monospace; }
label { display: block; margin-top: 1rem; font-weight: 600; }
button { margin-top: .5rem; font-size: 1rem; padding: .4rem 1rem; }
#result { margin-top: 1.5rem; padding: 1rem; border: 2px solid #888; border-radius: 6px; }
#result[data-outcome="valid"] { border-color: #176b2c; background: #eaf6ec; }
#result[data-outcome="self-consistent"] { border-color: #8a5a00; background: #fff5e0; }
#result[data-outcome="invalid"] { border-color: #a11; background: #fdecec; }
.time { color: #555; font-size: .85rem; }
</style>
</head>
<body>
<main>
<h1>Muster evidence verifier</h1>
<p>Checks an evidence bundle (<code>muster evidence export</code>) or a check-in receipt on this computer, with no server and no network: every signature, audit path, checkpoint, cosignature and key binding, then the breach rules again on the evidence.</p>
<label for="file">Bundle or receipt file</label>
<input id="file" type="file" accept=".json,.txt,application/json,text/plain">
<label for="paste">Or paste a bundle, a receipt, or a receipt's QR text (MR1:...)</label>
<textarea id="paste" rows="5"></textarea>
<button id="check" type="button">Check</button>
<label for="trust">Trusted keys (one per line: HQ's registry key, a kiosk's key or a witness's key)</label>
<textarea id="trust" rows="3"></textarea>
<label for="lang">Summary language</label>
<select id="lang"><option value="en">English</option><option value="zh">中文</option></select>
<section id="result" role="status" aria-live="polite"><p>No file checked yet.</p></section>
</main>
<script type="module">${script}</script>
</body>
</html>
`;
}
