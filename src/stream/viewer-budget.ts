import { Injectable } from '@nestjs/common';
import { StreamConfig } from './stream.config';

/** Someone who holds viewers: the MJPEG streams, the WebRTC sessions. */
export interface ViewerSource {
  readonly viewerCount: number;
  viewerCountOf(cameraId: string): number;
}

/**
 * MAX_CLIENTS, shared by every kind of viewer: an MJPEG stream and a WebRTC session each take
 * one place, and a camera's own maxClients bounds its viewers of both kinds together.
 */
@Injectable()
export class ViewerBudget {
  private readonly sources = new Set<ViewerSource>();

  constructor(private readonly config: StreamConfig) {}

  register(source: ViewerSource): void {
    this.sources.add(source);
  }

  get total(): number {
    let count = 0;
    for (const source of this.sources) count += source.viewerCount;
    return count;
  }

  totalOf(cameraId: string): number {
    let count = 0;
    for (const source of this.sources) count += source.viewerCountOf(cameraId);
    return count;
  }

  /** Why one more viewer of the camera would be too many, or undefined if it may come. */
  refusal(cameraId: string, cameraLimit: number | undefined): string | undefined {
    const limit = this.config.maxClients;
    if (limit > 0 && this.total >= limit)
      return `The stream has reached its limit of ${limit} viewers`;
    if (cameraLimit !== undefined && this.totalOf(cameraId) >= cameraLimit)
      return `Camera ${cameraId} has reached its limit of ${cameraLimit} viewers`;
    return undefined;
  }
}
