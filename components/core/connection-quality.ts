/** How well one peer's connection carries the call, summarised for people. */
export type QualityRating = 'good' | 'fair' | 'poor';

/** The measurements behind a rating; null where the browser has not reported one yet. */
export interface ConnectionQuality {
  rating: QualityRating;
  /** Round-trip time of the selected candidate pair, in seconds. */
  roundTripTime: number | null;
  /** Share of inbound packets lost since the previous sample, 0 to 1. */
  packetLoss: number | null;
  /** Inbound bits per second (audio and video) since the previous sample. */
  bitrate: number | null;
}

/** Thresholds (the ITU-T G.114 / common WebRTC dashboards' ballpark): past "fair" it is "poor". */
export const QUALITY_THRESHOLDS = {
  fair: { roundTripTime: 0.25, packetLoss: 0.02, videoBitrate: 150_000 },
  poor: { roundTripTime: 0.5, packetLoss: 0.08, videoBitrate: 50_000 },
} as const;

/**
 * good / fair / poor from round-trip time, loss and (when the peer sends video) bitrate: the worst
 * of the three wins. Unknown measurements do not count against the connection.
 */
export function rateQuality(m: Omit<ConnectionQuality, 'rating'>, expectsVideo: boolean): QualityRating {
  const worse = (t: (typeof QUALITY_THRESHOLDS)['fair' | 'poor']) =>
    (m.roundTripTime ?? 0) > t.roundTripTime ||
    (m.packetLoss ?? 0) > t.packetLoss ||
    (expectsVideo && m.bitrate !== null && m.bitrate < t.videoBitrate);
  if (worse(QUALITY_THRESHOLDS.poor)) return 'poor';
  if (worse(QUALITY_THRESHOLDS.fair)) return 'fair';
  return 'good';
}

/** Cumulative counters from one getStats report, to difference against the next. */
export interface StatsSample {
  at: number;
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
  /** inbound-rtp audio `totalAudioEnergy` and `totalSamplesDuration` (for the level between samples). */
  audioEnergy: number;
  audioDuration: number;
  roundTripTime: number | null;
}

/** Reads the counters this module needs from a report. */
export function sampleStats(report: RTCStatsReport, at: number): StatsSample {
  const sample: StatsSample = {
    at,
    bytesReceived: 0,
    packetsReceived: 0,
    packetsLost: 0,
    audioEnergy: 0,
    audioDuration: 0,
    roundTripTime: null,
  };
  report.forEach((s) => {
    if (s.type === 'inbound-rtp') {
      sample.bytesReceived += s.bytesReceived ?? 0;
      sample.packetsReceived += s.packetsReceived ?? 0;
      sample.packetsLost += Math.max(0, s.packetsLost ?? 0);
      if (s.kind === 'audio') {
        sample.audioEnergy += s.totalAudioEnergy ?? 0;
        sample.audioDuration += s.totalSamplesDuration ?? 0;
      }
    } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && typeof s.currentRoundTripTime === 'number') {
      sample.roundTripTime = s.currentRoundTripTime;
    }
  });
  return sample;
}

/**
 * The audio level between two samples, 0 to 1: the RMS of the received audio, from the energy the
 * browser integrated (`totalAudioEnergy` is the sum of level² × duration), so short sounds between
 * two polls still count.
 */
export function audioLevelBetween(previous: StatsSample, next: StatsSample): number {
  const duration = next.audioDuration - previous.audioDuration;
  if (duration <= 0) return 0;
  return Math.sqrt(Math.max(0, next.audioEnergy - previous.audioEnergy) / duration);
}

/** Quality measured between two samples. */
export function qualityBetween(previous: StatsSample, next: StatsSample, expectsVideo: boolean): ConnectionQuality {
  const seconds = (next.at - previous.at) / 1000;
  const received = next.packetsReceived - previous.packetsReceived;
  const lost = next.packetsLost - previous.packetsLost;
  const m = {
    roundTripTime: next.roundTripTime,
    packetLoss: received + lost > 0 ? Math.max(0, lost) / (received + lost) : null,
    bitrate: seconds > 0 ? (Math.max(0, next.bytesReceived - previous.bytesReceived) * 8) / seconds : null,
  };
  return { rating: rateQuality(m, expectsVideo), ...m };
}
