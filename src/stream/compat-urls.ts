import type { NextFunction, Request, RequestHandler, Response } from 'express';

/*
 * The URLs other MJPEG servers use, so that set-up guides and clients written for them work
 * unchanged: mjpg-streamer's `/?action=stream` and `/?action=snapshot` (OctoPrint, Moonraker,
 * Home Assistant guides) and µStreamer's `/stream` and `/snapshot`. They are rewritten to
 * camfeed's own URLs before anything else sees the request, so they get exactly the same
 * handler, auth, limits, headers, logs and metrics.
 */

const STREAM_PATH = '/video_feed';
const SNAPSHOT_PATH = '/snapshot.jpg';

const ALIASES: Readonly<Record<string, string>> = {
  '/stream': STREAM_PATH,
  '/snapshot': SNAPSHOT_PATH,
};

const ACTIONS: Readonly<Record<string, string>> = {
  stream: STREAM_PATH,
  snapshot: SNAPSHOT_PATH,
};

export type CompatRewrite =
  | { readonly kind: 'none' }
  | { readonly kind: 'rewrite'; readonly url: string }
  | { readonly kind: 'unknown-action'; readonly action: string }
  | { readonly kind: 'unknown-camera'; readonly index: number };

/** The id of the camera at `index` in file order, if there is one. */
export type CameraAtIndex = (index: number) => string | undefined;

/**
 * Where `url` (path and query, as the client sent it) really goes. `/` without `action` stays
 * the page. The query is kept, minus `action`, so `?action=stream&token=…` still authenticates.
 * mjpg-streamer's multi-input forms `stream_N` and `snapshot_N` reach camera N (0-based).
 */
export function rewriteCompatUrl(
  url: string,
  cameraAt: CameraAtIndex = () => undefined,
): CompatRewrite {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
  const alias = ALIASES[path];
  if (alias !== undefined) return { kind: 'rewrite', url: alias + (query ? `?${query}` : '') };
  if (path !== '/' || query === '') return { kind: 'none' };
  const params = new URLSearchParams(query);
  const action = params.get('action');
  if (action === null) return { kind: 'none' };
  const numbered = /^(stream|snapshot)_(\d{1,3})$/.exec(action);
  let target = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (numbered !== null) {
    const index = Number(numbered[2]);
    const id = cameraAt(index);
    if (id === undefined) return { kind: 'unknown-camera', index };
    target = `/cameras/${encodeURIComponent(id)}${ACTIONS[numbered[1]]}`;
  }
  if (target === undefined) return { kind: 'unknown-action', action };
  params.delete('action');
  const rest = params.toString();
  return { kind: 'rewrite', url: target + (rest ? `?${rest}` : '') };
}

/** Rewrites the other servers' URLs to camfeed's; an unknown `?action=` is a 404 naming the known. */
export function compatUrlMiddleware(
  cameraAt: CameraAtIndex,
  cameraIds: () => string[],
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const rewrite = rewriteCompatUrl(req.url, cameraAt);
    if (rewrite.kind === 'rewrite') req.url = rewrite.url;
    if (rewrite.kind === 'none' || rewrite.kind === 'rewrite') {
      next();
      return;
    }
    const ids = cameraIds();
    res.status(404).json({
      statusCode: 404,
      error: 'Not Found',
      message:
        rewrite.kind === 'unknown-action'
          ? `Unknown action ${JSON.stringify(rewrite.action)}: use ${Object.keys(ACTIONS).join(' or ')}, or stream_N and snapshot_N for camera N`
          : `No camera ${rewrite.index}: this server has ${ids.length} (0 to ${ids.length - 1}: ${ids.join(', ')})`,
      cameras: ids,
    });
  };
}
