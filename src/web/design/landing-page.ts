// `/`: what Loupe is, in three steps, and the doors a visitor may take (the
// demo where it runs, the viewer's sign-in, the admin console; health for
// monitoring).
import { html } from '../html.js';
import { sitePage } from './site-page.js';

export interface LandingOptions {
  /** The demo runs on this server (`npm start` with nothing configured). */
  demo: boolean;
  /** A hospital sign-in is configured (the viewer and the console can be opened). */
  signIn: boolean;
}

export function landingHtml(o: LandingOptions): string {
  const doors = [
    o.demo
      ? html`<li><h2>Try the demo</h2><p>A chat with demo clinicians: drop a photo or a DICOM file and watch Loupe take it out of the chat.</p><a class="button" href="/demo">Open the demo</a></li>`
      : '',
    o.signIn
      ? html`<li><h2>Sign in</h2><p>Images open from their cards in the chat. Signing in here first saves a step.</p><a class="button secondary" href="/auth/login">Sign in with the hospital</a></li>`
      : html`<li><h2>Sign in</h2><p>No hospital sign-in is configured on this server yet, so images cannot be opened.</p></li>`,
    html`<li><h2>Admin console</h2><p>Channel policies, retention and legal holds, the audit trail, consent and patients' access.</p><a class="button secondary" href="/admin">Open the console</a></li>`,
  ];
  const body = html`<section class="hero">
  <h1>Clinical images out of chat, encrypted and linked to the patient</h1>
  <p>Loupe is a bot for Slack and Microsoft Teams. When a clinician shares a clinical photo or a medical image in a consult chat, Loupe takes it out of the chat, stores it encrypted and linked to the patient, and leaves a card that opens it only for the people in the consult, after hospital sign-in, until it expires.</p>
</section>
<ol class="steps">
  <li><h2>Share as usual</h2><p>Drop the photo or DICOM file in the consult thread, with your question.</p></li>
  <li><h2>Loupe secures it</h2><p>The file leaves the chat; Loupe keeps it encrypted, strips what identifies the patient from copies, and records everything in an audit trail.</p></li>
  <li><h2>Colleagues open the card</h2><p>Invited specialists sign in and read the image in the viewer; the card expires or is revoked on time.</p></li>
</ol>
<ul class="doors">${doors}</ul>
<p class="monitoring">For monitoring: <a href="/healthz">health</a> and <a href="/readyz">readiness</a> of this server.</p>`;
  return sitePage({ title: 'Clinical images out of chat', body, mainClass: 'landing' });
}
