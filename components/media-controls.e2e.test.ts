import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import './define.js';
import { MediaControls } from './core/media-controls.js';
import type { RtcLocalVideoElement } from './rtc-local-video/rtc-local-video.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';
import { controlledCall, countNegotiations, framesFlowing, members, peerIn } from './test-support/calls.js';
import { framesDecoded, uniqueRoom, videoOf } from './test-support/helpers.js';

/** Resolves when the video presents a new frame (rejects after `timeout` ms). */
function nextFrame(video: HTMLVideoElement, timeout = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no new frame presented')), timeout);
    video.requestVideoFrameCallback(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('mute and camera off through the real server', function () {
  this.timeout(30_000);

  it('tells the other member within a second, without renegotiating, and turns the camera light off', async () => {
    const { rooms } = await members(uniqueRoom('mute'), ['Ada', 'Bob']);
    const [a, b] = rooms as [RtcRoomElement, RtcRoomElement];
    const local = document.createElement('rtc-local-video') as RtcLocalVideoElement;
    a.append(local);
    await framesFlowing(b, a);
    await waitUntil(() => peerIn(b, a)?.media?.audio === true, 'initial state not heard');
    expect(peerIn(b, a).media).to.deep.equal({ audio: true, video: true, screen: false });
    const stream = a.localStream!;
    await local.updateComplete;
    const video = videoOf(local);
    expect(video.srcObject).to.equal(stream);
    const negotiations = countNegotiations();
    try {
      let started = performance.now();
      a.session!.media.setAudioEnabled(false);
      expect(a.localStream!.getAudioTracks()[0]!.enabled).to.be.false;
      // The same MediaStream: the local <video> is not handed a new srcObject (and does not reload).
      expect(a.localStream, 'a new stream on mute').to.equal(stream);
      await waitUntil(() => peerIn(b, a).media?.audio === false, 'mute not heard', { timeout: 1_000, interval: 20 });
      expect(performance.now() - started).to.be.below(1_000);
      await local.updateComplete;
      expect(video.srcObject).to.equal(stream);

      const camera = a.localStream!.getVideoTracks()[0]!;
      started = performance.now();
      await a.session!.media.setVideoEnabled(false);
      expect(camera.readyState, 'the camera was not stopped').to.equal('ended');
      expect(a.localStream!.getVideoTracks()).to.have.length(0);
      await waitUntil(() => peerIn(b, a).media?.video === false, 'camera off not heard', { timeout: 1_000, interval: 20 });

      await a.session!.media.setVideoEnabled(true);
      a.session!.media.setAudioEnabled(true);
      // The new camera track went into the same stream, and the local <video> shows it.
      expect(a.localStream, 'a new stream for the new camera').to.equal(stream);
      expect(stream.getVideoTracks()[0]!.readyState).to.equal('live');
      await local.updateComplete;
      expect(video.srcObject).to.equal(stream);
      await nextFrame(video);
      await waitUntil(() => peerIn(b, a).media?.video === true && peerIn(b, a).media?.audio === true, 'camera on not heard');
      await framesFlowing(b, a);
      expect(negotiations.count, 'offers/answers made').to.equal(0);
    } finally {
      negotiations.restore();
    }
  });

  it('hands the current state to a member who joins later', async () => {
    const name = uniqueRoom('late');
    const { rooms } = await members(name, ['Ada', 'Bob']);
    const [a, b] = rooms as [RtcRoomElement, RtcRoomElement];
    await waitUntil(() => !!a.localStream, 'no camera');
    a.session!.media.setAudioEnabled(false);
    await a.session!.media.setVideoEnabled(false);
    // Bob heard it, so the server has it; Cy must get it in the join answer, not a new announcement
    await waitUntil(() => peerIn(b, a)?.media?.video === false, 'Bob did not hear it');
    const { rooms: later } = await members(name, ['Cy']);
    const [c] = later as [RtcRoomElement];
    expect(peerIn(c, a).media).to.deep.equal({ audio: false, video: false, screen: false });
  });
});

describe('devices through the real server', function () {
  this.timeout(30_000);
  const forget = () => {
    for (const kind of ['videoinput', 'audioinput', 'audiooutput']) localStorage.removeItem(`rtc-room.device.${kind}`);
  };
  beforeEach(forget);
  afterEach(forget);

  const devicesOf = async (kind: MediaDeviceKind) =>
    (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === kind && d.deviceId !== 'default');

  it('switches between two cameras and two microphones mid-call: frames keep flowing, no renegotiation, remembered', async () => {
    const { rooms } = await members(uniqueRoom('switch'), ['Ada', 'Bob']);
    const [a, b] = rooms as [RtcRoomElement, RtcRoomElement];
    await framesFlowing(b, a);
    const cameras = await devicesOf('videoinput');
    const mics = await devicesOf('audioinput');
    // fake_device_1 is Chromium's fake depth camera (Y16), which no encoder takes: see web-test-runner.config.js
    expect(cameras.map((c) => c.label)).to.deep.equal(['fake_device_0', 'fake_device_1', 'fake_device_2']);
    expect(mics.length).to.be.at.least(2);
    const media = a.session!.media;
    expect(media.devices.filter((d) => d.kind === 'videoinput')).to.have.length(3);
    const before = a.localStream!.getVideoTracks()[0]!;
    expect(before.label).to.equal('fake_device_0');
    const negotiations = countNegotiations();
    try {
      await media.selectDevice('videoinput', cameras[2]!.deviceId);
      const after = a.localStream!.getVideoTracks()[0]!;
      expect(after.label).to.equal('fake_device_2');
      expect(before.readyState, 'the old camera is still running').to.equal('ended');
      await framesFlowing(b, a, 10);
      const otherMic = mics.find((m) => m.deviceId !== media.selected.audioinput)!;
      media.setAudioEnabled(false);
      await media.selectDevice('audioinput', otherMic.deviceId);
      const mic = a.localStream!.getAudioTracks()[0]!;
      expect(mic.getSettings().deviceId).to.equal(otherMic.deviceId);
      expect(mic.enabled, 'a muted microphone stays muted when switched').to.be.false;
      await media.selectDevice('videoinput', cameras[0]!.deviceId);
      expect(a.localStream!.getVideoTracks()[0]!.label).to.equal('fake_device_0');
      await framesFlowing(b, a, 10);
      expect(negotiations.count, 'offers/answers made').to.equal(0);
    } finally {
      negotiations.restore();
    }
    // remembered for this origin: the next call opens the chosen devices
    expect(localStorage.getItem('rtc-room.device.audioinput')).to.equal(otherMicId(a));
    await media.selectDevice('videoinput', cameras[2]!.deviceId);
    const { rooms: next } = await members(uniqueRoom('remembered'), ['Cy']);
    await waitUntil(() => !!next[0]!.localStream, 'no camera');
    expect(next[0]!.localStream!.getVideoTracks()[0]!.label).to.equal('fake_device_2');
  });

  it('skips a remembered camera that is gone; says no_device when asked for it and keeps the one in use', async () => {
    localStorage.setItem('rtc-room.device.videoinput', 'unplugged-camera');
    const { rooms } = await members(uniqueRoom('nodevice'), ['Ada']);
    const [a] = rooms as [RtcRoomElement];
    await waitUntil(() => !!a.localStream?.getVideoTracks().length, 'no camera');
    expect(a.session!.media.error).to.equal(null);
    const camera = a.localStream!.getVideoTracks()[0]!;
    const error = new Promise<string>((resolve) => a.addEventListener('rtc-error', (e) => resolve(e.detail.code), { once: true }));
    const rejected = await a.session!.media.selectDevice('videoinput', 'no-such-camera').then(
      () => null,
      (e: { code: string }) => e.code,
    );
    expect(rejected).to.equal('no_device');
    expect(await error).to.equal('no_device');
    expect(a.localStream!.getVideoTracks()[0]).to.equal(camera);
    expect(camera.readyState).to.equal('live');
  });

  it('takes up a remembered camera again on devicechange, and plays sound on the chosen speaker', async () => {
    const { rooms } = await members(uniqueRoom('devicechange'), ['Ada', 'Bob']);
    const [a] = rooms as [RtcRoomElement];
    await waitUntil(() => !!a.localStream?.getVideoTracks().length && !!a.session!.media.devices.length, 'no camera');
    const cameras = await devicesOf('videoinput');
    // As if fake_device_2 had been chosen earlier and just been plugged in again.
    localStorage.setItem('rtc-room.device.videoinput', cameras[2]!.deviceId);
    navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
    await waitUntil(() => a.localStream?.getVideoTracks()[0]?.label === 'fake_device_2', 'the remembered camera was not taken up');

    const speakers = await devicesOf('audiooutput');
    expect(speakers.length).to.be.at.least(1);
    await a.session!.media.selectDevice('audiooutput', speakers[0]!.deviceId);
    const audio = () => a.shadowRoot!.querySelector('audio')!;
    await waitUntil(() => audio()?.sinkId === speakers[0]!.deviceId, 'the room does not play on the chosen speaker');
    expect(localStorage.getItem('rtc-room.device.audiooutput')).to.equal(speakers[0]!.deviceId);
  });
});

/**
 * Ada joins, then Bob with `getUserMedia` replaced by `fake` while he joins (a machine with fewer
 * devices): resolves with both rooms and the code of the first rtc-error Bob fired.
 */
async function joinBobWith(prefix: string, fake: MediaDevices['getUserMedia']) {
  const room = uniqueRoom(prefix);
  const box = await fixture<HTMLDivElement>(
    html`<div>
      <rtc-room manual room=${room} name="Ada"></rtc-room>
      <rtc-room manual room=${room} name="Bob"></rtc-room>
    </div>`,
  );
  const [a, b] = [...box.querySelectorAll('rtc-room')] as [RtcRoomElement, RtcRoomElement];
  await a.join();
  await waitUntil(() => !!a.localStream, 'Ada has no camera');
  const getUserMedia = navigator.mediaDevices.getUserMedia;
  navigator.mediaDevices.getUserMedia = fake;
  const error = oneEvent(b, 'rtc-error');
  try {
    await b.join();
    // fired once opening has settled: no more getUserMedia calls from this join
    return { a, b, code: (await error).detail.code };
  } finally {
    navigator.mediaDevices.getUserMedia = getUserMedia;
  }
}

const notFound = () => new DOMException('Requested device not found', 'NotFoundError');

describe('cameras and microphones that come and go (devicechange, pulled out)', function () {
  this.timeout(30_000);

  it('replaces a camera that is pulled out (its track ends) with another, and frames keep flowing', async () => {
    const { rooms } = await members(uniqueRoom('pulled'), ['Ada', 'Bob']);
    const [a, b] = rooms as [RtcRoomElement, RtcRoomElement];
    await framesFlowing(b, a);
    const stream = a.localStream!;
    const camera = stream.getVideoTracks()[0]!;
    const errors: string[] = [];
    a.addEventListener('rtc-error', (e) => errors.push(e.detail.code));
    // What the browser does when a camera is unplugged: the track ends (a page's own stop() fires nothing).
    camera.stop();
    camera.dispatchEvent(new Event('ended'));
    await waitUntil(() => a.localStream?.getVideoTracks()[0] !== camera, 'no fallback camera', { timeout: 5_000 });
    const fallback = a.localStream!.getVideoTracks()[0]!;
    expect(fallback.readyState).to.equal('live');
    expect(fallback.label).to.match(/^fake_device_/);
    expect(a.localStream).to.equal(stream);
    expect(a.session!.media.state.video).to.be.true;
    await framesFlowing(b, a, 10);
    expect(errors).to.deep.equal([]);
  });

  it('a member who joined with no_device starts sending when a camera and microphone appear', async () => {
    // Bob's machine has no camera or microphone yet.
    const { a, b, code } = await joinBobWith('appears', () => Promise.reject(notFound()));
    expect(code).to.equal('no_device');
    expect(b.localStream).to.equal(null);
    await waitUntil(() => peerIn(a, b)?.connectionState === 'connected', 'not connected', { timeout: 10_000 });
    expect(await framesDecoded(a, b.session!.id!)).to.equal(0);

    // A headset with a camera is plugged in.
    navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
    await waitUntil(
      () => b.localStream?.getVideoTracks().length === 1 && b.localStream.getAudioTracks().length === 1,
      'Bob opened nothing',
      {
        timeout: 5_000,
      },
    );
    expect(b.session!.media.error, 'the start error is over').to.equal(null);
    await waitUntil(() => peerIn(a, b).media?.video === true && peerIn(a, b).media?.audio === true, 'Ada was not told');
    await framesFlowing(a, b);
  });

  it('a member without a camera goes on audio-only, says no_device, and the others hear it', async () => {
    // A machine with a microphone but no camera.
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    const { a, b, code } = await joinBobWith('nocamera', (constraints) =>
      constraints?.video ? Promise.reject(notFound()) : getUserMedia(constraints),
    );
    expect(code).to.equal('no_device');
    await waitUntil(() => !!b.localStream, 'Bob opened nothing');
    expect(b.localStream!.getVideoTracks()).to.have.length(0);
    expect(b.localStream!.getAudioTracks()[0]!.readyState).to.equal('live');
    await waitUntil(() => peerIn(a, b)?.media?.audio === true, 'Ada was not told Bob sends sound');
    expect(peerIn(a, b).media).to.deep.equal({ audio: true, video: false, screen: false });
    await waitUntil(
      () =>
        peerIn(a, b)
          .stream.getAudioTracks()
          .some((t) => t.readyState === 'live' && !t.muted),
      'no sound from Bob arrives',
      {
        timeout: 10_000,
      },
    );
  });

  it('says nothing about devices after close(), even when a refresh was under way', async () => {
    const media = new MediaControls({ audio: false, video: false });
    await media.open();
    const enumerate = navigator.mediaDevices.enumerateDevices;
    let finish!: () => void;
    const pending = new Promise<void>((resolve) => (finish = resolve));
    navigator.mediaDevices.enumerateDevices = async () => {
      await pending;
      return enumerate.call(navigator.mediaDevices);
    };
    let told = 0;
    media.addEventListener('devices', () => told++);
    try {
      navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
      media.close();
      finish();
      // the refresh's enumerateDevices has answered (the second call queues behind it)
      await navigator.mediaDevices.enumerateDevices();
      await new Promise((r) => setTimeout(r));
    } finally {
      navigator.mediaDevices.enumerateDevices = enumerate;
    }
    expect(told, 'devices after close()').to.equal(0);
  });
});

function otherMicId(room: RtcRoomElement): string | null {
  return room.localStream!.getAudioTracks()[0]!.getSettings().deviceId ?? null;
}

describe('screen sharing through the real server', function () {
  this.timeout(30_000);

  it("replaces the camera for the others and brings it back when the browser's stop sharing ends it", async () => {
    const { a, b, controls, remote } = await controlledCall();
    const video = remote.shadowRoot!.querySelector('video')!;
    await waitUntil(() => video.videoWidth === 640, 'camera picture not shown', { timeout: 10_000 });
    const cameraTrack = a.localStream!.getVideoTracks()[0]!;
    const negotiations = countNegotiations();
    try {
      // getDisplayMedia needs a user gesture: press the toolbar's button with a real key press.
      controls.shadowRoot!.querySelector<HTMLButtonElement>('[part~="screen-button"]')!.focus();
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => a.session!.media.state.screen, 'screen share did not start', { timeout: 5_000 });
      const screen = a.localStream!.getVideoTracks()[0]!;
      expect(screen.getSettings().displaySurface).to.be.a('string');
      expect(screen).to.not.equal(cameraTrack);
      expect(cameraTrack.readyState, 'the camera keeps running underneath').to.equal('live');
      expect(a.session!.media.selected.videoinput).to.equal(cameraTrack.getSettings().deviceId);
      await waitUntil(() => remote.hasAttribute('screen-sharing'), 'Bob was not told', { timeout: 1_000 });
      // Chromium's fake screen is not 640 wide like the camera (800×450 here): Bob now decodes the screen.
      const width = screen.getSettings().width!;
      expect(width).to.not.equal(640);
      await waitUntil(() => video.videoWidth === width, `Bob does not see the ${width}-wide screen`, { timeout: 5_000 });
      await framesFlowing(b, a);
      expect(controls.shadowRoot!.querySelector('[part~="screen-button"]')!.getAttribute('aria-pressed')).to.equal('true');

      // The browser's own "stop sharing" ends the track (a page cannot press that button; the
      // event is what the browser fires then).
      screen.stop();
      screen.dispatchEvent(new Event('ended'));
      await waitUntil(() => !a.session!.media.state.screen, 'share did not end');
      expect(a.localStream!.getVideoTracks()[0], 'the same camera is back, not a new one').to.equal(cameraTrack);
      expect(cameraTrack.readyState).to.equal('live');
      await waitUntil(() => !remote.hasAttribute('screen-sharing'), 'Bob still sees a share', { timeout: 1_000 });
      // The camera's 640 wide, or less when WebRTC scales it down because this 2-core machine is busy;
      // never the screen's width again.
      await waitUntil(() => video.videoWidth > 0 && video.videoWidth <= 640, 'the camera did not come back', { timeout: 5_000 });
      await framesFlowing(b, a);
      expect(negotiations.count, 'offers/answers made').to.equal(0);
    } finally {
      negotiations.restore();
    }
  });
});
