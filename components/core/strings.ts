/**
 * The words the elements show, per language. English is built in; French ships as an example of
 * another language; `registerStrings()` adds or changes any. An element speaks the language of the
 * nearest `lang` attribute around it (crossing shadow roots), else the page's, else English (see
 * `LocalizeController`). Attributes, slots and properties of each element still win over these.
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
  /** `<rtc-chat>`, when a member sends faster than the chat shows: `{count}` lines from `{name}` left out. */
  chatDropped: string;
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
  /** Between a verdict or a label and what follows (`': '`; French puts a space before the colon). */
  separator: string;
  /**
   * `<rtc-preflight>`'s findings (its result also carries them in English as `message`). `{ms}`,
   * `{label}`, `{error}` and `{paths}` are filled in; `{error}` is the browser's or server's own words.
   */
  preflightAllOk: string;
  preflightOkDevicesUnchecked: string;
  preflightOkCameraUnchecked: string;
  preflightOkMicrophoneUnchecked: string;
  preflightCameraOk: string;
  preflightCameraOkNamed: string;
  preflightCameraSkipped: string;
  preflightCameraDenied: string;
  preflightCameraMissing: string;
  preflightCameraFailed: string;
  preflightMicrophoneOk: string;
  preflightMicrophoneOkNamed: string;
  preflightMicrophoneSkipped: string;
  preflightMicrophoneDenied: string;
  preflightMicrophoneMissing: string;
  preflightMicrophoneFailed: string;
  preflightInsecureContext: string;
  preflightServerOk: string;
  preflightServerUnreachable: string;
  preflightServerUnauthorized: string;
  preflightServerTimeout: string;
  preflightServerError: string;
  preflightNetworkSkipped: string;
  preflightNetworkOk: string;
  preflightNetworkOkNoTurn: string;
  preflightPathDirect: string;
  preflightNoPath: string;
  preflightIceServersRejected: string;
  preflightTurnRefused: string;
  preflightTurnUnreachable: string;
  preflightStunUnreachable: string;
  /** The muted-microphone badge of a tile (`{name}`: the member's name, or `member`). */
  microphoneMuted: string;
  member: string;
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

/** The English words (the built-in default; also the language of preflight results' `message`). */
export const englishStrings: Readonly<RtcStrings> = {
  waitingForOne: 'Waiting for someone to join…',
  waitingForOthers: 'Waiting for others to join…',
  startAudio: 'Start audio',
  chat: 'Chat',
  message: 'Message',
  send: 'Send',
  you: 'You',
  guest: 'Guest',
  chatDropped: '{count} messages from {name} not shown: sent too fast',
  checkSetup: 'Check my setup',
  checking: 'Checking…',
  camera: 'Camera',
  microphone: 'Microphone',
  callServer: 'Call server',
  network: 'Network',
  verdictOk: 'Ready for a call',
  verdictWarning: 'A call should work, with a caveat',
  verdictFailed: 'A call will not work',
  separator: ': ',
  preflightAllOk: 'Everything a call needs works.',
  preflightOkDevicesUnchecked: 'The call server and the network work; the camera and microphone were not checked.',
  preflightOkCameraUnchecked: 'Everything checked works; the camera was not checked.',
  preflightOkMicrophoneUnchecked: 'Everything checked works; the microphone was not checked.',
  preflightCameraOk: 'The camera works.',
  preflightCameraOkNamed: 'The camera works ({label}).',
  preflightCameraSkipped: 'The camera was not checked.',
  preflightCameraDenied: "The camera is blocked: allow it in the browser's address bar.",
  preflightCameraMissing: 'No camera was found.',
  preflightCameraFailed: 'The camera could not be started: {error}',
  preflightMicrophoneOk: 'The microphone works.',
  preflightMicrophoneOkNamed: 'The microphone works ({label}).',
  preflightMicrophoneSkipped: 'The microphone was not checked.',
  preflightMicrophoneDenied: "The microphone is blocked: allow it in the browser's address bar.",
  preflightMicrophoneMissing: 'No microphone was found.',
  preflightMicrophoneFailed: 'The microphone could not be started: {error}',
  preflightInsecureContext: 'This page cannot use a camera or microphone (it needs https:// or localhost).',
  preflightServerOk: 'The call server answers ({ms} ms).',
  preflightServerUnreachable: 'The call server cannot be reached ({error}).',
  preflightServerUnauthorized: 'The call server refused the access token: it is missing, invalid, expired or for another room.',
  preflightServerTimeout: 'The call server did not answer in time.',
  preflightServerError: 'The call server refused the check ({error}).',
  preflightNetworkSkipped: 'Not checked: the call server could not be asked for the STUN/TURN servers.',
  preflightNetworkOk: 'Network paths: {paths}.',
  preflightNetworkOkNoTurn: 'Network paths: {paths}. No TURN server is configured: calls across strict firewalls may fail.',
  preflightPathDirect: 'direct',
  preflightNoPath: 'No network path was found: is this device offline?',
  preflightIceServersRejected: "The browser refused the room's STUN/TURN servers ({error}): calls will fail.",
  preflightTurnRefused: 'The TURN server refused the credentials: calls through strict firewalls will fail.',
  preflightTurnUnreachable: 'The TURN server could not be reached: calls through strict firewalls will fail.',
  preflightStunUnreachable: 'The STUN server could not be reached: calls between different networks may fail or need TURN.',
  microphoneMuted: '{name}: microphone muted',
  member: 'Member',
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
  chatDropped: '{count} messages de {name} non affichés\u00a0: envoyés trop vite',
  checkSetup: 'Vérifier mon installation',
  checking: 'Vérification…',
  camera: 'Caméra',
  microphone: 'Micro',
  callServer: 'Serveur d’appel',
  network: 'Réseau',
  verdictOk: 'Prêt pour un appel',
  verdictWarning: 'Un appel devrait fonctionner, avec une réserve',
  verdictFailed: 'Un appel ne fonctionnera pas',
  separator: '\u00a0: ',
  preflightAllOk: 'Tout ce dont un appel a besoin fonctionne.',
  preflightOkDevicesUnchecked: 'Le serveur d’appel et le réseau fonctionnent\u00a0; la caméra et le micro n’ont pas été vérifiés.',
  preflightOkCameraUnchecked: 'Tout ce qui a été vérifié fonctionne\u00a0; la caméra n’a pas été vérifiée.',
  preflightOkMicrophoneUnchecked: 'Tout ce qui a été vérifié fonctionne\u00a0; le micro n’a pas été vérifié.',
  preflightCameraOk: 'La caméra fonctionne.',
  preflightCameraOkNamed: 'La caméra fonctionne ({label}).',
  preflightCameraSkipped: 'La caméra n’a pas été vérifiée.',
  preflightCameraDenied: 'La caméra est bloquée\u00a0: autorisez-la dans la barre d’adresse du navigateur.',
  preflightCameraMissing: 'Aucune caméra n’a été trouvée.',
  preflightCameraFailed: 'La caméra n’a pas pu démarrer\u00a0: {error}',
  preflightMicrophoneOk: 'Le micro fonctionne.',
  preflightMicrophoneOkNamed: 'Le micro fonctionne ({label}).',
  preflightMicrophoneSkipped: 'Le micro n’a pas été vérifié.',
  preflightMicrophoneDenied: 'Le micro est bloqué\u00a0: autorisez-le dans la barre d’adresse du navigateur.',
  preflightMicrophoneMissing: 'Aucun micro n’a été trouvé.',
  preflightMicrophoneFailed: 'Le micro n’a pas pu démarrer\u00a0: {error}',
  preflightInsecureContext: 'Cette page ne peut pas utiliser de caméra ni de micro (il lui faut https:// ou localhost).',
  preflightServerOk: 'Le serveur d’appel répond ({ms} ms).',
  preflightServerUnreachable: 'Le serveur d’appel est injoignable ({error}).',
  preflightServerUnauthorized: 'Le serveur d’appel a refusé le jeton d’accès\u00a0: absent, invalide, expiré ou pour une autre salle.',
  preflightServerTimeout: 'Le serveur d’appel n’a pas répondu à temps.',
  preflightServerError: 'Le serveur d’appel a refusé la vérification ({error}).',
  preflightNetworkSkipped: 'Non vérifié\u00a0: les serveurs STUN/TURN n’ont pas pu être demandés au serveur d’appel.',
  preflightNetworkOk: 'Chemins réseau\u00a0: {paths}.',
  preflightNetworkOkNoTurn:
    'Chemins réseau\u00a0: {paths}. Aucun serveur TURN n’est configuré\u00a0: les appels à travers des pare-feu stricts peuvent échouer.',
  preflightPathDirect: 'direct',
  preflightNoPath: 'Aucun chemin réseau n’a été trouvé\u00a0: cet appareil est-il hors ligne\u00a0?',
  preflightIceServersRejected: 'Le navigateur a refusé les serveurs STUN/TURN de la salle ({error})\u00a0: les appels échoueront.',
  preflightTurnRefused: 'Le serveur TURN a refusé les identifiants\u00a0: les appels à travers des pare-feu stricts échoueront.',
  preflightTurnUnreachable: 'Le serveur TURN est injoignable\u00a0: les appels à travers des pare-feu stricts échoueront.',
  preflightStunUnreachable:
    'Le serveur STUN est injoignable\u00a0: les appels entre réseaux différents peuvent échouer ou passer par TURN.',
  microphoneMuted: '{name}\u00a0: micro coupé',
  member: 'Participant',
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
  ['en', englishStrings],
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

/** The words for a BCP 47 `lang`: the tag's own, else its language's, else English, word by word. */
export function wordsFor(lang: string): RtcStrings {
  const tag = lang.toLowerCase();
  return { ...englishStrings, ...dictionaries.get(tag.split('-')[0]!), ...dictionaries.get(tag) };
}

/** `template` with each `{name}` replaced by `params[name]` (unknown names are left as they are). */
export function fillIn(template: string, params: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
