import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import './define.js';
import type { RtcChatElement } from './rtc-chat/rtc-chat.js';
import type { RtcMessageEvent } from './events.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';
import { uniqueRoom } from './test-support/helpers.js';

function member(box: HTMLElement, room: string, name: string, inner = ''): RtcRoomElement {
  const el = document.createElement('rtc-room');
  Object.assign(el, { room, name, noVideo: true });
  el.innerHTML = inner;
  box.append(el);
  return el;
}

/** Collects the rtc-message events a room receives. */
function inbox(el: RtcRoomElement) {
  const got: { from: string; data: unknown }[] = [];
  el.addEventListener('rtc-message', (e: RtcMessageEvent) => got.push({ from: e.detail.peer.id, data: e.detail.data }));
  return got;
}

describe('messages over the data channels', () => {
  it('send() reaches everyone, or exactly the one member named', async function () {
    this.timeout(30_000);
    const box = await fixture<HTMLDivElement>(html`<div></div>`);
    const room = uniqueRoom('chat');
    const [a, b, c] = ['Ada', 'Bob', 'Cy'].map((n) => member(box, room, n));
    await waitUntil(
      () =>
        [a, b, c].every((el) => el.state === 'joined' && el.peers.length === 2 && el.peers.every((p) => p.connectionState === 'connected')),
      'no mesh',
      {
        timeout: 15_000,
      },
    );
    const [inA, inB, inC] = [a, b, c].map(inbox);
    const idA = a.session!.id!;
    const idB = b.session!.id!;
    expect(a.send({ hello: 'all', n: 1 }).sort()).to.deep.equal([idB, c.session!.id!].sort());
    await waitUntil(() => inB.length === 1 && inC.length === 1, 'not delivered to both');
    expect(inB[0]).to.deep.equal({ from: idA, data: { hello: 'all', n: 1 } });
    expect(inC[0]).to.deep.equal({ from: idA, data: { hello: 'all', n: 1 } });
    expect(a.send('just Bob', idB)).to.deep.equal([idB]);
    await waitUntil(() => inB.length === 2, 'not delivered to Bob');
    expect(inB[1]).to.deep.equal({ from: idA, data: 'just Bob' });
    // Then one to everyone: on Cy's ordered channel from Ada it comes after anything sent before it.
    a.send('to all again');
    await waitUntil(() => inB.length === 3 && inC.length === 2, 'not delivered to both');
    expect(inC.map((m) => m.data)).to.deep.equal([{ hello: 'all', n: 1 }, 'to all again'], 'Cy got only what was for everyone');
    expect(inA).to.have.length(0);
  });

  it('send() refuses with a typed error what it cannot send: nothing, too many bytes, an unknown member, before joining', async function () {
    this.timeout(30_000);
    const box = await fixture<HTMLDivElement>(html`<div></div>`);
    const room = uniqueRoom('chat-refused');
    const [a, b] = ['Ada', 'Bob'].map((n) => member(box, room, n));
    await waitUntil(() => [a, b].every((el) => el.state === 'joined' && el.peers[0]?.connectionState === 'connected'), 'no call', {
      timeout: 15_000,
    });
    expect(() => a.send(undefined)).to.throw(TypeError);
    expect(() => a.send('x'.repeat(70_000))).to.throw(RangeError);
    // 40,000 characters, 80,000 bytes: the limit counts what the data channel carries.
    expect(() => a.send('é'.repeat(40_000))).to.throw(RangeError, /80011 bytes/);
    expect(a.send('é'.repeat(30_000)), 'just under the limit in bytes').to.deep.equal([b.session!.id!]);
    expect(() => a.send('x', 'nobody'))
      .to.throw()
      .with.property('code', 'unknown_peer');
    const idle = document.createElement('rtc-room');
    expect(() => idle.send('x'))
      .to.throw()
      .with.property('code', 'not_joined');
  });

  it('queues what is sent while a member is still connecting, and delivers it once the channel opens', async function () {
    this.timeout(20_000);
    const box = await fixture<HTMLDivElement>(html`<div></div>`);
    const room = uniqueRoom('early');
    const a = member(box, room, 'Ada');
    await waitUntil(() => a.state === 'joined');
    let stateAtSend = '';
    a.addEventListener('rtc-peer-joined', (e) => {
      stateAtSend = a.peers.find((p) => p.id === e.detail.peer.id)?.connectionState ?? 'unknown';
      a.send(['early', 1], e.detail.peer.id);
    });
    const b = member(box, room, 'Bob');
    const first = (await oneEvent(b, 'rtc-message')) as RtcMessageEvent;
    expect(stateAtSend).to.not.equal('connected');
    expect(first.detail.data).to.deep.equal(['early', 1]);
    expect(first.detail.peer.name).to.equal('Ada');
  });

  it('<rtc-chat>: typed text appears on the others with the sender name, and as "You" here', async function () {
    this.timeout(20_000);
    const box = await fixture<HTMLDivElement>(html`<div></div>`);
    const room = uniqueRoom('rtc-chat');
    const a = member(box, room, 'Ada', '<rtc-chat></rtc-chat>');
    const b = member(box, room, 'Bob', '<rtc-chat you-label="Moi"></rtc-chat>');
    await waitUntil(() => [a, b].every((el) => el.peers[0]?.connectionState === 'connected'), 'no call', { timeout: 10_000 });
    const chatA = a.querySelector('rtc-chat') as RtcChatElement;
    const chatB = b.querySelector('rtc-chat') as RtcChatElement;
    await chatA.updateComplete;
    const input = chatA.shadowRoot!.querySelector('input')!;
    expect(input.disabled).to.be.false;
    input.focus();
    await sendKeys({ type: 'Hello <b>Bob</b>' });
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => chatB.messages.length === 1, 'Bob did not get the message');
    expect(input.value).to.equal('');
    expect(chatB.messages[0]!.text).to.equal('Hello <b>Bob</b>');
    expect(chatB.messages[0]!.from?.name).to.equal('Ada');
    await chatB.updateComplete;
    const line = chatB.shadowRoot!.querySelector('[part~=message]')!;
    expect(line.querySelector('[part=sender]')!.textContent).to.equal('Ada');
    expect(line.querySelector('[part=text]')!.textContent).to.equal('Hello <b>Bob</b>', 'text, never HTML');
    expect(line.querySelector('b')).to.equal(null);
    expect(chatA.shadowRoot!.querySelector('[part~=own] [part=sender]')!.textContent).to.equal('You');
    const log = chatB.shadowRoot!.querySelector('[part=log]')!;
    expect(log.getAttribute('role')).to.equal('log');
    expect(log.getAttribute('aria-label')).to.equal('Chat');
    // Bob answers through the method; his own line says "Moi".
    expect(chatB.sendMessage('Salut')).to.equal(true);
    await waitUntil(() => chatA.messages.length === 2);
    await chatB.updateComplete;
    expect(chatB.shadowRoot!.querySelector('[part~=own] [part=sender]')!.textContent).to.equal('Moi');
    // App messages sent with room.send() are not chat lines.
    a.send({ other: true });
    // a chat line sent after it arrives after it (one ordered channel)
    chatA.sendMessage('After');
    await waitUntil(() => chatB.messages.length === 3, 'the last chat line did not arrive');
    expect(chatB.messages.map((m) => m.text)).to.deep.equal(['Hello <b>Bob</b>', 'Salut', 'After']);
  });

  it('<rtc-chat>: a flood from one member is cut to a burst and a rate, with a notice of what was left out', async function () {
    this.timeout(30_000);
    const box = await fixture<HTMLDivElement>(html`<div></div>`);
    const room = uniqueRoom('rtc-chat-flood');
    const a = member(box, room, 'Ada');
    const b = member(box, room, 'Bob', '<rtc-chat max-messages="5000"></rtc-chat>');
    await waitUntil(() => [a, b].every((el) => el.peers[0]?.connectionState === 'connected'), 'no call', { timeout: 10_000 });
    const chatB = b.querySelector('rtc-chat') as RtcChatElement;
    const received = inbox(b);
    const FLOOD = 1_000;
    const started = performance.now();
    for (let i = 0; i < FLOOD; i++) a.send({ 'rtc-chat': `line ${i} ${'x'.repeat(500)}` });
    await waitUntil(() => received.length === FLOOD, 'the flood did not arrive whole', { timeout: 20_000 });
    const seconds = (performance.now() - started) / 1000;
    const notices = () => chatB.messages.filter((m) => m.notice);
    const left = () => notices().reduce((sum, m) => sum + Number(/^(\d+)/.exec(m.text)![1]), 0);
    const shown = chatB.messages.filter((m) => !m.notice);
    // Every line left out is counted in a notice, shortly after.
    await waitUntil(() => shown.length + left() === FLOOD, 'the notices do not count every line left out');
    // 30 at once, then 5 a second: never more, and in order.
    expect(shown.length)
      .to.be.at.least(30)
      .and.at.most(30 + Math.ceil(seconds * 5) + 1);
    expect(shown.map((m) => Number(m.text.split(' ')[1]))).to.deep.equal(
      [...shown.map((m) => Number(m.text.split(' ')[1]))].sort((x, y) => x - y),
    );
    expect(notices().every((m) => m.from?.name === 'Ada' && m.text.includes('Ada'))).to.equal(true);
    await chatB.updateComplete;
    expect(chatB.shadowRoot!.querySelector('[part~=notice]')!.textContent).to.match(/messages from Ada not shown/);
  });
});
