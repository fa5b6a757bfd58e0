/**
 * The words the elements show, per language. English is built in; French ships as an example of
 * another language; `registerStrings()` adds or changes any. An element speaks the language of the
 * nearest `lang` attribute around it (crossing shadow roots), else the page's, else English.
 * Attributes and slots of each element still win over these.
 */
export interface RtcStrings {
  /** `<rtc-remote-video>` while nobody is shown. */
  waitingForOne: string;
  /** `<rtc-remote-videos>` while nobody else is in the room. */
  waitingForOthers: string;
  /** `<rtc-room>`'s button while the browser blocks sound. */
  startAudio: string;
  /** `<rtc-chat>`: the message list's name, the input's placeholder, the button, you, a nameless member. */
  chat: string;
  message: string;
  send: string;
  you: string;
  guest: string;
  /** `<rtc-preflight>`: its button, while it runs, the four checks, and the three verdicts. */
  checkSetup: string;
  checking: string;
  camera: string;
  microphone: string;
  callServer: string;
  network: string;
  verdictOk: string;
  verdictWarning: string;
  verdictFailed: string;
  /** `<rtc-controls>`: the toolbar's name, its buttons, the speaker menu and a device without a name. */
  controls: string;
  muteMicrophone: string;
  turnOffCamera: string;
  shareScreen: string;
  devices: string;
  leaveCall: string;
  speaker: string;
  device: string;
}

const en: RtcStrings = {
  waitingForOne: 'Waiting for someone to join…',
  waitingForOthers: 'Waiting for others to join…',
  startAudio: 'Start audio',
  chat: 'Chat',
  message: 'Message',
  send: 'Send',
  you: 'You',
  guest: 'Guest',
  checkSetup: 'Check my setup',
  checking: 'Checking…',
  camera: 'Camera',
  microphone: 'Microphone',
  callServer: 'Call server',
  network: 'Network',
  verdictOk: 'Ready for a call',
  verdictWarning: 'A call should work, with a caveat',
  verdictFailed: 'A call will not work',
  controls: 'Call controls',
  muteMicrophone: 'Mute microphone',
  turnOffCamera: 'Turn off camera',
  shareScreen: 'Share screen',
  devices: 'Devices',
  leaveCall: 'Leave call',
  speaker: 'Speaker',
  device: 'Device',
};

const fr: RtcStrings = {
  waitingForOne: 'En attente d’un participant…',
  waitingForOthers: 'En attente des autres participants…',
  startAudio: 'Activer le son',
  chat: 'Discussion',
  message: 'Message',
  send: 'Envoyer',
  you: 'Vous',
  guest: 'Invité',
  checkSetup: 'Vérifier mon installation',
  checking: 'Vérification…',
  camera: 'Caméra',
  microphone: 'Micro',
  callServer: 'Serveur d’appel',
  network: 'Réseau',
  verdictOk: 'Prêt pour un appel',
  verdictWarning: 'Un appel devrait fonctionner, avec une réserve',
  verdictFailed: 'Un appel ne fonctionnera pas',
  controls: 'Commandes de l’appel',
  muteMicrophone: 'Couper le micro',
  turnOffCamera: 'Couper la caméra',
  shareScreen: 'Partager l’écran',
  devices: 'Appareils',
  leaveCall: 'Quitter l’appel',
  speaker: 'Haut-parleur',
  device: 'Appareil',
};

const dictionaries = new Map<string, Partial<RtcStrings>>([
  ['en', en],
  ['fr', fr],
]);

/**
 * Adds a language, or changes words of one (`registerStrings('fr', { send: 'Go' })`). `lang` is a
 * BCP 47 tag; `de-CH` falls back to `de`, then to English, word by word. Elements rendered before
 * the call pick the words up at their next render.
 */
export function registerStrings(lang: string, strings: Partial<RtcStrings>): void {
  const key = lang.toLowerCase();
  dictionaries.set(key, { ...dictionaries.get(key), ...strings });
}

/** The nearest `lang` around `el`, crossing shadow roots; the page's otherwise. */
export function langOf(el: Element): string {
  let node: Node | null = el;
  while (node) {
    if (node instanceof Element && node.hasAttribute('lang')) return node.getAttribute('lang')!;
    node = node.parentNode ?? (node instanceof ShadowRoot ? node.host : null);
  }
  return '';
}

/** The words for `el`'s language. */
export function stringsFor(el: Element): RtcStrings {
  const lang = langOf(el).toLowerCase();
  const base = lang.split('-')[0]!;
  return { ...en, ...dictionaries.get(base), ...dictionaries.get(lang) };
}
