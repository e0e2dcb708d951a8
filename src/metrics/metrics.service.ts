import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Camera } from '../cameras/camera';
import { CameraRegistry } from '../cameras/camera-registry.service';
import { MjpegStreamService } from '../stream/mjpeg-stream.service';
import { WebRtcService } from '../webrtc/webrtc.service';

type CameraLabel = 'camera';

/**
 * Prometheus metrics, per camera (label `camera`). Nothing here runs per frame: the stream and
 * the producers keep plain counters, and each metric reads them when Prometheus scrapes. Each
 * app instance has its own registry, so several can run in one process (tests) without clashing.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;

  constructor(cameras: CameraRegistry, streams: MjpegStreamService, webrtc: WebRtcService) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const streamOf = (id: string) => streams.cameraCounters().find((entry) => entry.camera === id);

    /** A per-camera value read at scrape time; counters whose totals are kept elsewhere. */
    const perCamera = (
      kind: 'counter' | 'gauge',
      name: string,
      help: string,
      read: (camera: Camera) => number,
    ): void => {
      const collect = function (this: Gauge<CameraLabel> | Counter<CameraLabel>): void {
        this.reset();
        for (const camera of cameras.served()) {
          const value = read(camera);
          if (this instanceof Gauge) this.set({ camera: camera.id }, value);
          else this.inc({ camera: camera.id }, value);
        }
      };
      const options = { name, help, registers, labelNames: ['camera'] as const, collect };
      if (kind === 'gauge') new Gauge<CameraLabel>(options);
      else new Counter<CameraLabel>(options);
    };

    perCamera(
      'gauge',
      'camfeed_stream_clients',
      'Viewers connected to the camera’s stream on this node.',
      (camera) => streams.clientCountOf(camera.id),
    );
    // Server-wide: MAX_CLIENTS bounds all cameras together, so a refusal is the server's.
    new Counter({
      name: 'camfeed_stream_refused_total',
      help: 'Viewers refused because MAX_CLIENTS (or a camera’s maxClients) were watching.',
      registers,
      collect() {
        this.reset();
        this.inc(streams.refusedCount);
      },
    });
    perCamera(
      'counter',
      'camfeed_frames_captured_total',
      'Frames captured from the camera.',
      (camera) => camera.producer.counters.framesCaptured,
    );
    perCamera(
      'counter',
      'camfeed_frames_sent_total',
      'Frames written to viewers.',
      (camera) => streamOf(camera.id)?.counters.framesSent ?? 0,
    );
    perCamera(
      'counter',
      'camfeed_frames_dropped_total',
      'Frames skipped for viewers whose connection had not taken the previous one yet.',
      (camera) => streamOf(camera.id)?.framesDropped ?? 0,
    );
    perCamera(
      'counter',
      'camfeed_stream_bytes_sent_total',
      'Bytes of stream parts written to viewers.',
      (camera) => streamOf(camera.id)?.counters.bytesSent ?? 0,
    );
    perCamera(
      'gauge',
      'camfeed_capture_fps',
      'Frame rate measured from the camera over the last frames.',
      (camera) => camera.producer.counters.fps,
    );
    perCamera(
      'counter',
      'camfeed_camera_restarts_total',
      'Times the camera driver failed and was restarted.',
      (camera) => camera.producer.counters.restarts,
    );
    perCamera(
      'gauge',
      'camfeed_camera_running',
      '1 while the camera runs (someone watches), else 0.',
      (camera) => (camera.producer.isRunning ? 1 : 0),
    );
    perCamera(
      'gauge',
      'camfeed_last_frame_age_seconds',
      'Seconds since the last camera frame (NaN before the first).',
      (camera) => {
        const last = camera.producer.counters.lastFrameAt;
        return last > 0 ? (Date.now() - last) / 1000 : Number.NaN;
      },
    );
    perCamera(
      'gauge',
      'camfeed_webrtc_viewers',
      'WebRTC (WHEP) viewers of the camera.',
      (camera) => webrtc.totalsOf(camera.id).sessions,
    );
    new Counter({
      name: 'camfeed_webrtc_refused_total',
      help: 'WebRTC viewers refused because MAX_CLIENTS (or a camera’s maxClients) were watching.',
      registers,
      collect() {
        this.reset();
        this.inc(webrtc.refused);
      },
    });
    perCamera(
      'counter',
      'camfeed_webrtc_bytes_sent_total',
      'H.264 bytes sent to WebRTC viewers (before RTP and SRTP overhead).',
      (camera) => webrtc.totalsOf(camera.id).bytesSent,
    );
    perCamera(
      'counter',
      'camfeed_webrtc_pictures_sent_total',
      'H.264 pictures sent to WebRTC viewers.',
      (camera) => webrtc.totalsOf(camera.id).picturesSent,
    );
    perCamera(
      'counter',
      'camfeed_webrtc_pictures_skipped_total',
      'Pictures a WebRTC viewer skipped while waiting for a keyframe.',
      (camera) => webrtc.totalsOf(camera.id).picturesSkipped,
    );
    perCamera(
      'counter',
      'camfeed_webrtc_keyframe_requests_total',
      'Keyframe requests (PLI, FIR) from WebRTC viewers.',
      (camera) => webrtc.totalsOf(camera.id).keyframeRequests,
    );
    perCamera(
      'counter',
      'camfeed_webrtc_nacked_packets_total',
      'RTP packets WebRTC viewers asked to be sent again (NACK).',
      (camera) => webrtc.totalsOf(camera.id).nackedPackets,
    );
    perCamera(
      'counter',
      'camfeed_h264_restarts_total',
      'Times the camera’s H.264 encoder failed and was started again.',
      (camera) => camera.h264.status().restarts,
    );
    perCamera(
      'counter',
      'camfeed_h264_keyframes_total',
      'Keyframes in the camera’s H.264 stream.',
      (camera) => camera.h264.status().keyframes,
    );
    perCamera(
      'gauge',
      'camfeed_h264_running',
      '1 while the camera’s H.264 stream runs (a WebRTC viewer watches), else 0.',
      (camera) => (camera.h264.status().state === 'running' ? 1 : 0),
    );
    this.httpRequests = new Counter({
      name: 'camfeed_http_requests_total',
      help: 'HTTP requests by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
  }
}
