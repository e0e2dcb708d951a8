/*
 * The URLs of the media, in one place, for the middleware that must know them before routing
 * (viewer auth, CORS, security headers, the request log). Each exists for a camera
 * (/cameras/:id/video_feed) and, for the first camera, without one (/video_feed).
 */

const CAMERA = '(?:/cameras/[^/]+)?';
const path = (rest: string): RegExp => new RegExp(`^${CAMERA}${rest}$`);

export const STREAM_PATH = path('/video_feed');
export const SNAPSHOT_PATH = path('/snapshot\\.jpg');
export const SESSION_PATH = path('/video_feed/sessions/[^/]+');
export const TOKEN_PATH = path('/video_feed/token');
/** WHEP (WebRTC playback): the endpoint a viewer posts its offer to, and its session's resource. */
export const WHEP_PATH = path('/whep');
export const WHEP_SESSION_PATH = path('/whep/[^/]+');
export const isWhepPath = (url: string): boolean =>
  WHEP_PATH.test(url) || WHEP_SESSION_PATH.test(url);
/** What a camera's page polls and shows, for reading only. */
export const STATUS_PATHS = [path('/camera/status'), path('/status')];

export const isStreamPath = (url: string): boolean => STREAM_PATH.test(url);

/** The stream and snapshots: embedded anywhere (an <img>, a dashboard). */
export const isMediaPath = (url: string): boolean =>
  STREAM_PATH.test(url) || SNAPSHOT_PATH.test(url);
