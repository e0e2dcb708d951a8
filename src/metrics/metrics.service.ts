import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { FrameProducerService } from '../camera/frame-producer.service';
import { MjpegStreamService } from '../stream/mjpeg-stream.service';

/**
 * Prometheus metrics. Nothing here runs per frame: the stream and the producer keep plain
 * counters, and each metric reads them when Prometheus scrapes. Each app instance has its own
 * registry, so several can run in one process (tests) without clashing.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;

  constructor(producer: FrameProducerService, streams: MjpegStreamService) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    /** A counter whose total is kept elsewhere: it is read at scrape time. */
    const total = (name: string, help: string, read: () => number): void => {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    };
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    };

    gauge('camfeed_stream_clients', 'Viewers connected to /video_feed.', () => streams.clientCount);
    total(
      'camfeed_stream_refused_total',
      'Viewers refused because MAX_CLIENTS were watching.',
      () => streams.refusedCount,
    );
    total(
      'camfeed_frames_captured_total',
      'Frames captured from the camera.',
      () => producer.counters.framesCaptured,
    );
    total(
      'camfeed_frames_sent_total',
      'Frames written to viewers.',
      () => streams.counters.framesSent,
    );
    total(
      'camfeed_frames_dropped_total',
      'Frames skipped for viewers whose connection had not taken the previous one yet.',
      () => streams.framesDroppedTotal,
    );
    total(
      'camfeed_stream_bytes_sent_total',
      'Bytes of stream parts written to viewers.',
      () => streams.counters.bytesSent,
    );
    gauge(
      'camfeed_capture_fps',
      'Frame rate measured from the camera over the last frames.',
      () => producer.counters.fps,
    );
    total(
      'camfeed_camera_restarts_total',
      'Times the camera driver failed and was restarted.',
      () => producer.counters.restarts,
    );
    gauge('camfeed_camera_running', '1 while the camera runs (someone watches), else 0.', () =>
      producer.isRunning ? 1 : 0,
    );
    gauge(
      'camfeed_last_frame_age_seconds',
      'Seconds since the last camera frame (NaN before the first).',
      () => {
        const last = producer.counters.lastFrameAt;
        return last > 0 ? (Date.now() - last) / 1000 : Number.NaN;
      },
    );
    this.httpRequests = new Counter({
      name: 'camfeed_http_requests_total',
      help: 'HTTP requests by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
  }
}
