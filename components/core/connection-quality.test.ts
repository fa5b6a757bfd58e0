import { expect } from '@open-wc/testing';
import { audioLevelBetween, qualityBetween, rateQuality, type StatsSample } from './connection-quality.js';

const sample = (over: Partial<StatsSample>): StatsSample => ({
  at: 0,
  bytesReceived: 0,
  packetsReceived: 0,
  packetsLost: 0,
  audioEnergy: 0,
  audioDuration: 0,
  roundTripTime: null,
  ...over,
});

describe('connection quality', () => {
  it('rates by the worst of round-trip time, loss and video bitrate', () => {
    const ok = { roundTripTime: 0.02, packetLoss: 0, bitrate: 800_000 };
    expect(rateQuality(ok, true)).to.equal('good');
    expect(rateQuality({ ...ok, roundTripTime: 0.3 }, true)).to.equal('fair');
    expect(rateQuality({ ...ok, roundTripTime: 0.6 }, true)).to.equal('poor');
    expect(rateQuality({ ...ok, packetLoss: 0.05 }, true)).to.equal('fair');
    expect(rateQuality({ ...ok, packetLoss: 0.2 }, true)).to.equal('poor');
    expect(rateQuality({ ...ok, bitrate: 100_000 }, true)).to.equal('fair');
    expect(rateQuality({ ...ok, bitrate: 20_000 }, true)).to.equal('poor');
    // audio only (camera off): a low bitrate is expected
    expect(rateQuality({ ...ok, bitrate: 20_000 }, false)).to.equal('good');
    expect(rateQuality({ roundTripTime: null, packetLoss: null, bitrate: null }, true)).to.equal('good');
  });

  it('measures loss, bitrate and audio level between two samples', () => {
    const a = sample({ at: 1_000, bytesReceived: 1_000, packetsReceived: 100, packetsLost: 0, audioEnergy: 1, audioDuration: 10 });
    const b = sample({
      at: 3_000,
      bytesReceived: 251_000,
      packetsReceived: 190,
      packetsLost: 10,
      audioEnergy: 1.25,
      audioDuration: 11,
      roundTripTime: 0.01,
    });
    const q = qualityBetween(a, b, true);
    expect(q.bitrate).to.equal(1_000_000);
    expect(q.packetLoss).to.equal(0.1);
    expect(q.roundTripTime).to.equal(0.01);
    expect(q.rating).to.equal('poor');
    expect(audioLevelBetween(a, b)).to.equal(0.5);
    expect(audioLevelBetween(b, b)).to.equal(0);
  });
});
