'use strict';
// camfeed page: live view, status, camera settings and IR LEDs. No framework, no build step.
// Everything here goes through the public REST API, so it shows exactly what the API answers.
(() => {
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = 'camfeed.apiToken';
  const PRESETS = [
    [320, 240],
    [640, 480],
    [800, 600],
    [1024, 768],
    [1280, 720],
    [1280, 960],
    [1600, 1200],
    [1920, 1080],
  ];
  const STATUS_EVERY_MS = 2000;

  let capabilities = null;
  let settings = null;
  /** The camera this view shows (its id), and every camera of the server. */
  let camera = null;
  let cameras = [];

  /** Where the current camera's API lives. */
  const base = () => `/cameras/${encodeURIComponent(camera)}`;

  // ---------------------------------------------------------------- messages

  const alertBox = $('alert');
  let alertTimer;

  function showMessage(text, { ok = false, details = [] } = {}) {
    clearTimeout(alertTimer);
    alertBox.className = ok ? 'alert ok' : 'alert';
    alertBox.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'close';
    close.setAttribute('aria-label', 'Close');
    close.textContent = '×';
    close.addEventListener('click', () => (alertBox.hidden = true));
    alertBox.append(close);
    if (details.length > 0) {
      const list = document.createElement('ul');
      for (const detail of details) {
        const item = document.createElement('li');
        item.textContent = detail;
        list.append(item);
      }
      alertBox.append(list);
    }
    alertBox.hidden = false;
    alertTimer = setTimeout(() => (alertBox.hidden = true), ok ? 4000 : 15000);
  }

  class ApiError extends Error {
    constructor(status, body) {
      const messages = [body && body.message].flat().filter(Boolean);
      super(messages.length === 1 ? messages[0] : `Request failed (${status})`);
      this.status = status;
      this.details = messages.length > 1 ? messages : [];
    }
  }

  function showError(error) {
    if (error instanceof ApiError && error.status === 401) {
      $('token-panel').open = true;
      $('token').focus();
      showMessage(`${error.message}. Enter the server's API token below.`);
      return;
    }
    showMessage(error.message, { details: error.details || [] });
  }

  /** The API token, if the user saved one: sent only on calls that change something. */
  function authHeaders() {
    const token = localStorage.getItem(TOKEN_KEY);
    return token ? { authorization: `Bearer ${token}` } : {};
  }

  async function api(method, path, body) {
    // Reads go without it, so the browser's own sign-in (STREAM_AUTH) applies to them.
    const headers = { accept: 'application/json', ...(method === 'GET' ? {} : authHeaders()) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, { message: 'The server cannot be reached' });
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  // ---------------------------------------------------------------- live view

  const img = $('live');
  const video = $('live-video');
  const note = $('stream-note');
  /** Browsers report no event when a multipart image stream ends, so the page asks the server. */
  const SESSION_CHECK_MS = 2000;
  const SESSION_GRACE_MS = 3000;
  let session = null;
  let sessionStartedAt = 0;
  let lastFramesSent = null;
  let lastCheckAt = 0;
  let retryMs = 1000;
  let retryTimer;

  function setNote(text) {
    note.textContent = text || '';
    note.hidden = !text;
  }

  function newSessionId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  /** Set by the server in the page: only then does the stream URL need a token. */
  const streamAuth = document.documentElement.dataset.streamAuth === 'true';

  /**
   * With STREAM_AUTH on, the stream URL carries a fresh token (the browser already holds the
   * credentials it signed in with, and sends them with this request).
   */
  async function streamToken(id = camera) {
    if (!streamAuth) return null;
    try {
      const response = await fetch(`/cameras/${encodeURIComponent(id)}/video_feed/token`, {
        method: 'POST',
        headers: authHeaders(),
      });
      if (!response.ok) return null;
      return (await response.json()).token;
    } catch {
      return null;
    }
  }

  // ---------------------------------------------------------------- which player

  const PLAYER_KEY = 'camfeed.player';
  const PLAYERS = ['webrtc', 'mjpeg'];
  /**
   * 'webrtc' plays WebRTC when this browser and the camera can, else MJPEG by itself; 'mjpeg'
   * only MJPEG. The switch's choice is kept in this browser; ?player= in the address overrides it
   * for one visit (a kiosk's bookmark).
   */
  const override = new URLSearchParams(location.search).get('player');
  let playerChoice = PLAYERS.includes(override)
    ? override
    : PLAYERS.includes(localStorage.getItem(PLAYER_KEY))
      ? localStorage.getItem(PLAYER_KEY)
      : 'webrtc';
  /** Why this camera plays MJPEG although WebRTC was wanted; null while it has not failed. */
  let fallbackReason = null;
  /** What plays now: 'webrtc', 'mjpeg', or null. */
  let liveKind = null;
  /** Bumped whenever the stream stops or starts: a start still on its way sees it and ends. */
  let streamGeneration = 0;

  function renderPlayerSwitch() {
    document.querySelectorAll('[data-player]').forEach((button) => {
      button.setAttribute('aria-pressed', String(button.dataset.player === playerChoice));
    });
  }

  function renderLive(kind, { latency = '—', bitrate = '—' } = {}) {
    $('st-kind').textContent = kind;
    $('st-latency').textContent = latency;
    $('st-bitrate').textContent = bitrate;
  }

  async function startStream() {
    clearTimeout(retryTimer);
    stopWebRtc();
    const generation = ++streamGeneration;
    if (camera === null) return;
    if (playerChoice === 'webrtc' && fallbackReason === null) {
      renderLive('WebRTC (connecting…)');
      const failure = await startWebRtc();
      if (generation !== streamGeneration) return;
      if (failure === null) return;
      // MJPEG would not get through either: tried again later, as the stream would be.
      if (typeof failure === 'object') {
        stopWebRtc();
        reconnect(failure.retry);
        return;
      }
      stopWebRtc();
      fallbackReason = failure;
    }
    startMjpeg(generation);
  }

  async function startMjpeg(generation) {
    const id = newSessionId();
    session = id;
    sessionStartedAt = Date.now();
    lastFramesSent = null;
    liveKind = 'mjpeg';
    video.hidden = true;
    img.hidden = false;
    renderLive(fallbackReason ? `MJPEG (WebRTC unavailable: ${fallbackReason})` : 'MJPEG');
    const token = await streamToken();
    if (session !== id || generation !== streamGeneration) return; // hidden or restarted meanwhile
    img.src = `${base()}/video_feed?session=${id}${token ? `&token=${encodeURIComponent(token)}` : ''}`;
  }

  function stopStream() {
    clearTimeout(retryTimer);
    streamGeneration += 1;
    stopWebRtc();
    liveKind = null;
    session = null;
    if (!img.hasAttribute('src')) return;
    img.removeAttribute('src');
    // WebKit (Safari, WebKitGTK) goes on reading a multipart image whose src was removed or
    // changed, even one whose element is gone, until the document's loads are stopped: the camera
    // kept a viewer, and the page one of its six connections, after every camera it showed.
    // window.stop() also aborts any request in flight; those of the camera left ignore that.
    window.stop();
  }

  // ---------------------------------------------------------------- WebRTC (WHEP)

  /**
   * The server answers without the browser's candidates (it connects to whoever checks it), so
   * the offer goes out when gathering ends or after this: Chromium hiding local addresses behind
   * mDNS never ends it.
   */
  const ICE_GATHER_MS = 500;
  /**
   * A connection not made by then is not coming (the server sends its candidates at once). Once
   * connected, the picture may take longer: a camera nobody watched starts first, then its encoder.
   */
  const CONNECT_MS = 4000;
  const FIRST_FRAME_MS = 10000;
  /** How long a connection may stay "disconnected" (it often recovers) before it is replaced. */
  const DISCONNECTED_MS = 5000;
  const STATS_EVERY_MS = 1000;
  /** The WebRTC player while it connects or plays: its peer connection and WHEP resource. */
  let rtc = null;

  const h264Codecs = () => {
    const capabilities =
      typeof RTCRtpReceiver !== 'undefined' && RTCRtpReceiver.getCapabilities
        ? RTCRtpReceiver.getCapabilities('video')
        : null;
    return capabilities ? capabilities.codecs : null;
  };

  function iceGathered(pc) {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ICE_GATHER_MS);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState !== 'complete') return;
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Resolves true at the first picture, false if none comes in time or the connection fails. */
  function firstFrame(player) {
    return new Promise((resolve) => {
      let done = false;
      const finish = (ok) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        if (ok && player.firstFrameAt === 0) player.firstFrameAt = performance.now();
        resolve(ok);
      };
      let timer = setTimeout(() => {
        if (player.pc.connectionState !== 'connected') finish(false);
        else timer = setTimeout(() => finish(false), FIRST_FRAME_MS - CONNECT_MS);
      }, CONNECT_MS);
      if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(() => finish(true));
      const poll = setInterval(() => {
        if (player !== rtc || player.pc.connectionState === 'failed') finish(false);
        else if (video.videoWidth > 0) finish(true);
      }, 20);
    });
  }

  /**
   * Why a WHEP answer other than 201 refused: a reason for MJPEG (WebRTC off at the server, an
   * offer it cannot use), or { retry } for what passes (a server shutting down or starting has
   * no cameras yet: 404; the viewer limit: 503 with Retry-After).
   */
  async function refusal(response) {
    const body = await response.json().catch(() => ({}));
    const message = [body.reason || body.message].flat().filter(Boolean)[0];
    const reason = message || `the server answered ${response.status}`;
    const passing =
      response.status === 404 ||
      response.status === 429 ||
      (response.status >= 500 && !(response.status === 503 && body.reason));
    return passing ? { retry: `The server refused WebRTC (${reason}).` } : reason;
  }

  /**
   * The STUN/TURN servers the server is configured with (WEBRTC_ICE_SERVERS), from the Link
   * headers of its WHEP endpoint (RFC 9725): a viewer outside the network needs them to reach it.
   * None when there are none or the question fails: on the same network, host candidates do.
   */
  async function configuredIceServers() {
    let link;
    try {
      const response = await fetch(`${base()}/whep`, { method: 'OPTIONS' });
      link = response.headers.get('link');
    } catch {
      return [];
    }
    if (!link) return [];
    const unquote = (text) => text.replace(/\\(.)/g, '$1');
    return link
      .split(/,\s*(?=<)/)
      .map((entry) => {
        const match = /^<([^>]+)>(.*)$/.exec(entry.trim());
        if (!match || !/;\s*rel="?ice-server"?/i.test(match[2])) return null;
        const server = { urls: match[1] };
        const username = /;\s*username="((?:[^"\\]|\\.)*)"/i.exec(match[2]);
        const credential = /;\s*credential="((?:[^"\\]|\\.)*)"/i.exec(match[2]);
        if (username) server.username = unquote(username[1]);
        if (credential) server.credential = unquote(credential[1]);
        return server;
      })
      .filter(Boolean);
  }

  /**
   * Starts WebRTC; resolves null once it shows a picture, else why it cannot (a string), or
   * { retry } for a failure that would stop MJPEG too.
   */
  async function startWebRtc() {
    if (typeof RTCPeerConnection !== 'function') return 'this browser has no WebRTC';
    const codecs = h264Codecs();
    const h264 = codecs && codecs.filter((codec) => codec.mimeType.toLowerCase() === 'video/h264');
    // Firefox offers H.264 only with its OpenH264 plugin, which it downloads by itself (not
    // offline, not everywhere): without it there is nothing to ask the server for.
    if (h264 && h264.length === 0) return 'this browser has no H.264 for WebRTC';
    const generation = streamGeneration;
    const iceServers = await configuredIceServers();
    // Stopped or restarted (another camera, the page hidden) while it asked.
    if (generation !== streamGeneration) return null;
    let pc;
    try {
      pc = new RTCPeerConnection({ iceServers });
    } catch (error) {
      return `this browser refused WebRTC (${error.message})`;
    }
    const player = {
      pc,
      resource: null,
      token: null,
      postedAt: 0,
      firstFrameAt: 0,
      playing: false,
      disconnectedAt: 0,
      last: null,
    };
    rtc = player;
    try {
      const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
      if (h264 && transceiver.setCodecPreferences) {
        try {
          transceiver.setCodecPreferences([...h264, ...codecs.filter((c) => !h264.includes(c))]);
        } catch {
          // The server picks H.264 out of the offer by itself.
        }
      }
      pc.addEventListener('track', (event) => {
        if (player !== rtc) return;
        video.srcObject = event.streams[0] || new MediaStream([event.track]);
        video.play().catch(() => {});
      });
      pc.addEventListener('connectionstatechange', () => watchConnection(player));
      await pc.setLocalDescription(await pc.createOffer());
      await iceGathered(pc);
      if (player !== rtc) return null;
      player.token = await streamToken();
      if (player !== rtc) return null;
      const query = player.token ? `?token=${encodeURIComponent(player.token)}` : '';
      player.postedAt = performance.now();
      let response;
      try {
        response = await fetch(`${base()}/whep${query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/sdp' },
          body: pc.localDescription.sdp,
        });
      } catch {
        return { retry: 'The server cannot be reached.' };
      }
      if (response.status === 201 && response.headers.get('location'))
        player.resource = new URL(response.headers.get('location'), location.href).href;
      // Left (another camera, the page hidden) while it was answered: its session is ended.
      if (player !== rtc) {
        endSession(player);
        return null;
      }
      if (response.status !== 201) return await refusal(response);
      await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
      if (player !== rtc) return null;
      // Shown before its first picture: a hidden <video> may never present one.
      img.hidden = true;
      video.hidden = false;
      if (!(await firstFrame(player))) {
        const state = player.pc.connectionState;
        return state === 'failed'
          ? 'the connection failed'
          : state === 'connected'
            ? `no picture within ${FIRST_FRAME_MS / 1000} s`
            : `not connected within ${CONNECT_MS / 1000} s`;
      }
      if (player !== rtc) return null;
      player.playing = true;
      // The server ending the session (shutting down, the camera removed) closes DTLS; the
      // connection's own state would still say "connected" until ICE consent runs out.
      const transport = pc.getReceivers()[0] && pc.getReceivers()[0].transport;
      if (transport)
        transport.addEventListener('statechange', () => {
          if (player === rtc && (transport.state === 'closed' || transport.state === 'failed'))
            lost('The WebRTC session ended.');
        });
      liveKind = 'webrtc';
      retryMs = 1000;
      renderLive('WebRTC');
      if (!note.hidden && /^The /.test(note.textContent)) setNote('');
      return null;
    } catch (error) {
      return error.message || String(error);
    }
  }

  /** DELETE of the session's resource: kept alive, so it also goes out as the page unloads. */
  function endSession(player) {
    if (player.resource === null) return;
    const query = player.token ? `?token=${encodeURIComponent(player.token)}` : '';
    fetch(`${player.resource}${query}`, { method: 'DELETE', keepalive: true }).catch(() => {});
    player.resource = null;
  }

  function stopWebRtc() {
    const player = rtc;
    if (player === null) return;
    rtc = null;
    endSession(player);
    player.pc.close();
    video.pause();
    video.srcObject = null;
    video.hidden = true;
    img.hidden = false;
    if (liveKind === 'webrtc') liveKind = null;
  }

  function watchConnection(player) {
    if (player !== rtc) return;
    const state = player.pc.connectionState;
    if (state === 'disconnected') player.disconnectedAt = player.disconnectedAt || Date.now();
    else player.disconnectedAt = 0;
    if (state === 'failed' && player.playing) lost('The WebRTC connection failed.');
  }

  /** A connection that played and broke: a new one, after the same back-off as the stream's. */
  function lost(reason) {
    stopWebRtc();
    reconnect(reason);
  }

  function formatBitrate(bitsPerSecond) {
    return bitsPerSecond >= 1e6
      ? `${(bitsPerSecond / 1e6).toFixed(1)} Mbit/s`
      : `${Math.round(bitsPerSecond / 1e3)} kbit/s`;
  }

  /**
   * What the browser measures of the WebRTC video, once a second: bitrate and decoded frame rate
   * from its counters; latency as half the round trip plus the jitter buffer's delay plus decoding
   * (the camera's and the encoder's time are not in it, hence "≈").
   */
  async function sampleWebRtc() {
    const player = rtc;
    if (player === null || !player.playing) return;
    if (player.disconnectedAt && Date.now() - player.disconnectedAt > DISCONNECTED_MS) {
      lost('The WebRTC connection was lost.');
      return;
    }
    let report;
    try {
      report = await player.pc.getStats();
    } catch {
      return;
    }
    if (player !== rtc) return;
    let inbound = null;
    let pairId = null;
    report.forEach((entry) => {
      if (entry.type === 'inbound-rtp' && entry.kind === 'video') inbound = entry;
      if (entry.type === 'transport' && entry.selectedCandidatePairId)
        pairId = entry.selectedCandidatePairId;
    });
    if (inbound === null) return;
    let pair = pairId ? report.get(pairId) : undefined;
    if (!pair)
      report.forEach((entry) => {
        if (entry.type === 'candidate-pair' && entry.nominated && entry.state === 'succeeded')
          pair = entry;
      });
    const codec = inbound.codecId ? report.get(inbound.codecId) : undefined;
    const now = {
      at: inbound.timestamp,
      bytes: inbound.bytesReceived || 0,
      frames: inbound.framesDecoded || 0,
      buffered: inbound.jitterBufferDelay || 0,
      emitted: inbound.jitterBufferEmittedCount || 0,
      decoding: inbound.totalDecodeTime || 0,
    };
    const last = player.last;
    player.last = now;
    if (last === null || now.at <= last.at) return;
    const seconds = (now.at - last.at) / 1000;
    const frames = now.frames - last.frames;
    const emitted = now.emitted - last.emitted;
    let latency = '—';
    if (emitted > 0) {
      const buffer = (now.buffered - last.buffered) / emitted;
      const decoding = frames > 0 ? (now.decoding - last.decoding) / frames : 0;
      const network = pair && pair.currentRoundTripTime ? pair.currentRoundTripTime / 2 : 0;
      latency = `≈ ${Math.round((buffer + decoding + network) * 1000)} ms`;
    }
    renderLive(`WebRTC (${codec ? codec.mimeType.replace(/^video\//, '') : 'video'})`, {
      latency,
      bitrate: formatBitrate(((now.bytes - last.bytes) * 8) / seconds),
    });
    $('st-view').textContent = `${(frames / seconds).toFixed(1)} fps decoded`;
  }

  document.querySelectorAll('[data-player]').forEach((button) => {
    button.addEventListener('click', () => {
      const wanted = button.dataset.player;
      localStorage.setItem(PLAYER_KEY, wanted);
      if (wanted === playerChoice && (liveKind === wanted || rtc !== null)) return;
      playerChoice = wanted;
      renderPlayerSwitch();
      // Asked for again by the user: WebRTC gets another try.
      fallbackReason = null;
      retryMs = 1000;
      if (camera === null || document.hidden) return;
      stopStream();
      setNote('');
      $('st-view').textContent = '…';
      startStream();
    });
  });
  renderPlayerSwitch();

  // For tests and the console: what plays, and the WebRTC connection with its timings.
  window.camfeedPlayer = Object.freeze({
    get kind() {
      return liveKind;
    },
    get fallbackReason() {
      return fallbackReason;
    },
    get pc() {
      return rtc && rtc.pc;
    },
    /** performance.now() as the WHEP offer was sent, and at the first picture. */
    get postedAt() {
      return rtc ? rtc.postedAt : 0;
    },
    get firstFrameAt() {
      return rtc ? rtc.firstFrameAt : 0;
    },
  });

  function reconnect(reason) {
    if (document.hidden) return;
    setNote(`${reason} Reconnecting in ${Math.round(retryMs / 1000)} s…`);
    clearTimeout(retryTimer);
    session = null;
    retryTimer = setTimeout(startStream, retryMs);
    retryMs = Math.min(retryMs * 2, 15000);
  }

  async function checkStream() {
    if (document.hidden || session === null || Date.now() - sessionStartedAt < SESSION_GRACE_MS)
      return;
    const current = session;
    let response;
    try {
      response = await fetch(`${base()}/video_feed/sessions/${current}`, { cache: 'no-store' });
    } catch {
      if (current !== session) return; // stopped meanwhile (window.stop() aborts this)
      setNote('The server cannot be reached.');
      return;
    }
    if (current !== session) return;
    if (response.status === 404) {
      reconnect('The stream ended.');
      return;
    }
    if (!response.ok) return;
    const info = await response.json();
    const now = Date.now();
    if (lastFramesSent !== null && now > lastCheckAt) {
      const fps = ((info.framesSent - lastFramesSent) * 1000) / (now - lastCheckAt);
      $('st-view').textContent =
        `${fps.toFixed(1)} fps${info.framesDropped ? `, ${info.framesDropped} dropped` : ''}`;
    }
    lastFramesSent = info.framesSent;
    lastCheckAt = now;
    retryMs = 1000;
    if (!note.hidden && note.textContent.startsWith('The')) setNote('');
  }

  img.addEventListener('error', () => {
    if (session !== null) reconnect('The stream could not be opened.');
  });

  // An <img> never lets go of its stream by itself: release it while the page is hidden.
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) {
      stopStream();
      stopWall();
    } else if (camera !== null) {
      startStream();
      refreshStatus();
    } else {
      startWall();
    }
  });

  // A WebRTC session lives on at the server until it is ended (or times out): leaving ends it.
  window.addEventListener('pagehide', () => stopStream());

  $('fullscreen').addEventListener('click', () => {
    const frame = $('frame');
    const request = frame.requestFullscreen || frame.webkitRequestFullscreen;
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (request) {
      request.call(frame).catch(() => showMessage('Fullscreen is not allowed here'));
    } else {
      // iOS Safari has no element fullscreen: open the stream on its own instead.
      window.open(`${base()}/video_feed`, '_blank');
    }
  });

  // ---------------------------------------------------------------- status

  const pill = $('state-pill');

  function renderStatus(status) {
    followSettings(status.settings);
    pill.textContent = status.state;
    pill.className = `pill ${status.lastError && status.state === 'retrying' ? 'error' : status.state}`;
    $('st-state').textContent = `${status.state} (${status.driver})`;
    $('st-fps').textContent = status.running ? `${status.measuredFps} fps` : '—';
    $('st-clients').textContent = String(status.clients);
    const size = status.frameSize || status.settings;
    $('st-size').textContent = `${size.width}×${size.height}`;
    $('st-error').textContent = status.lastError
      ? `${status.lastError} (${new Date(status.lastErrorAt).toLocaleTimeString()})`
      : 'none';
    if (status.state === 'retrying' && status.lastError)
      setNote(`Camera problem: ${status.lastError}`);
  }

  async function refreshStatus() {
    if (document.hidden || camera === null) return;
    const shown = camera;
    try {
      const status = await api('GET', `${base()}/status`);
      if (camera === shown) renderStatus(status);
    } catch (error) {
      if (camera !== shown) return;
      pill.textContent = 'offline';
      pill.className = 'pill error';
      $('st-state').textContent = error.message;
    }
  }

  // ---------------------------------------------------------------- settings

  const form = $('settings');
  /** The user is editing the form: changes made elsewhere must not overwrite what they typed. */
  let formDirty = false;
  form.addEventListener('input', () => (formDirty = true));
  form.addEventListener('change', () => (formDirty = true));

  const sameSettings = (a, b) =>
    ['width', 'height', 'framerate', 'quality', 'rotation', 'hflip', 'vflip'].every(
      (key) => a[key] === b[key],
    );

  /** Someone else (another page, the API) changed the settings: show them, unless mid-edit. */
  function followSettings(current) {
    if (!settings || !capabilities || !current || sameSettings(settings, current)) return;
    settings = current;
    if (formDirty || form.contains(document.activeElement)) return;
    renderForm();
  }

  /** The highest frame rate at the chosen size: a camera's fast modes are usually its small ones. */
  function maxFramerateAt(width, height) {
    let max = capabilities.framerate.max;
    const sizes = capabilities.sizes;
    if (sizes.kind === 'modes') {
      const mode = sizes.modes.find((m) => m.width === width && m.height === height);
      if (mode && mode.maxFramerate) max = Math.min(max, mode.maxFramerate);
    }
    for (const limit of capabilities.framerateBySize || []) {
      if (limit.width === width && limit.height === height) max = Math.min(max, limit.maxFramerate);
    }
    return max;
  }

  function selectedSize() {
    const preset = $('preset').value;
    return preset === 'custom' || preset === ''
      ? [Number($('width').value), Number($('height').value)]
      : preset.split('x').map(Number);
  }

  function renderFramerateLimits() {
    const [width, height] = selectedSize();
    const max = maxFramerateAt(width, height);
    $('framerate').min = capabilities.framerate.min;
    $('framerate').max = max;
    $('framerate-hint').textContent = `${capabilities.framerate.min} to ${max} fps`;
  }

  function sizeAllowed(width, height) {
    const sizes = capabilities.sizes;
    if (sizes.kind === 'modes')
      return sizes.modes.some((m) => m.width === width && m.height === height);
    return (
      width >= sizes.width.min &&
      width <= sizes.width.max &&
      height >= sizes.height.min &&
      height <= sizes.height.max
    );
  }

  function option(select, value, label) {
    const element = document.createElement('option');
    element.value = value;
    element.textContent = label;
    select.append(element);
  }

  function renderForm() {
    const preset = $('preset');
    preset.textContent = '';
    const sizes =
      capabilities.sizes.kind === 'modes'
        ? capabilities.sizes.modes.map((m) => [m.width, m.height])
        : PRESETS.filter(([w, h]) => sizeAllowed(w, h));
    const current = `${settings.width}x${settings.height}`;
    if (!sizes.some(([w, h]) => `${w}x${h}` === current))
      sizes.push([settings.width, settings.height]);
    sizes.sort((a, b) => a[0] * a[1] - b[0] * b[1]);
    for (const [w, h] of sizes) option(preset, `${w}x${h}`, `${w} × ${h}`);
    if (capabilities.sizes.kind === 'range') option(preset, 'custom', 'Custom…');
    preset.value = current;
    $('custom-size').hidden = true;
    $('width').value = settings.width;
    $('height').value = settings.height;

    $('framerate').value = settings.framerate;
    renderFramerateLimits();

    const quality = $('quality');
    quality.value = settings.quality;
    quality.disabled = capabilities.quality === null;
    $('quality-value').textContent =
      capabilities.quality === null ? 'fixed by the camera' : settings.quality;

    const rotation = $('rotation');
    rotation.textContent = '';
    for (const degrees of capabilities.rotations) option(rotation, degrees, `${degrees}°`);
    rotation.value = settings.rotation;
    for (const flip of ['hflip', 'vflip']) {
      $(flip).checked = settings[flip];
      $(flip).disabled = !capabilities.flips;
    }
    const range = capabilities.sizes;
    $('size-hint').textContent =
      range.kind === 'range'
        ? `${range.width.min}–${range.width.max} × ${range.height.min}–${range.height.max}`
        : `${range.modes.length} mode${range.modes.length === 1 ? '' : 's'} of this camera`;
    formDirty = false;
  }

  $('preset').addEventListener('change', (event) => {
    $('custom-size').hidden = event.target.value !== 'custom';
    renderFramerateLimits();
  });
  for (const id of ['width', 'height']) $(id).addEventListener('input', renderFramerateLimits);
  $('quality').addEventListener('input', (event) => {
    $('quality-value').textContent = event.target.value;
  });

  /** Only the fields that differ from the current settings: the API takes partial updates. */
  function changedFields() {
    const wanted = {};
    const preset = $('preset').value;
    const [width, height] =
      preset === 'custom'
        ? [Number($('width').value), Number($('height').value)]
        : preset.split('x').map(Number);
    if (width !== settings.width) wanted.width = width;
    if (height !== settings.height) wanted.height = height;
    const framerate = Number($('framerate').value);
    if ($('framerate').value !== '' && framerate !== settings.framerate)
      wanted.framerate = framerate;
    if ($('framerate').value === '') wanted.framerate = null;
    if (!$('quality').disabled && Number($('quality').value) !== settings.quality)
      wanted.quality = Number($('quality').value);
    const rotation = Number($('rotation').value);
    if (rotation !== settings.rotation) wanted.rotation = rotation;
    for (const flip of ['hflip', 'vflip'])
      if ($(flip).checked !== settings[flip]) wanted[flip] = $(flip).checked;
    return wanted;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const changes = changedFields();
    if (Object.keys(changes).length === 0) {
      showMessage('Nothing to change', { ok: true });
      return;
    }
    const button = $('apply');
    button.disabled = true;
    try {
      settings = await api('POST', `${base()}/settings`, changes);
      renderForm();
      showMessage(
        `Applied: ${settings.width} × ${settings.height}, ${settings.framerate} fps` +
          (settings.rotation ? `, rotated ${settings.rotation}°` : ''),
        { ok: true },
      );
      refreshStatus();
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
  });

  async function loadSettings() {
    const shown = camera;
    try {
      const [loadedCapabilities, loadedSettings] = await Promise.all([
        api('GET', `${base()}/capabilities`),
        api('GET', `${base()}/settings`),
      ]);
      if (camera !== shown) return; // another camera was opened meanwhile
      [capabilities, settings] = [loadedCapabilities, loadedSettings];
      renderForm();
    } catch (error) {
      if (camera === shown) showError(error);
    }
  }

  // ---------------------------------------------------------------- IR LEDs

  function renderIr(state) {
    const text = $('ir-state');
    const buttons = document.querySelectorAll('[data-ir-mode], #ir-toggle');
    if (!state.available) {
      text.textContent = `Unavailable: ${state.reason}`;
      buttons.forEach((button) => (button.disabled = true));
      return;
    }
    buttons.forEach((button) => (button.disabled = false));
    let description = `LEDs ${state.on ? 'on' : 'off'} · mode ${state.mode}`;
    if (state.mode === 'auto' && state.auto.luminance !== null) {
      description += ` · scene brightness ${state.auto.luminance} (on below ${state.auto.onBelow}, off above ${state.auto.offAbove})`;
    }
    text.textContent = description;
    document.querySelectorAll('[data-ir-mode]').forEach((button) => {
      button.setAttribute('aria-pressed', String(button.dataset.irMode === state.mode));
    });
  }

  async function irCall(method, path, body) {
    try {
      renderIr(await api(method, path, body));
    } catch (error) {
      showError(error);
    }
  }

  document.querySelectorAll('[data-ir-mode]').forEach((button) => {
    button.addEventListener('click', () =>
      irCall('PUT', `${base()}/ir-led`, { mode: button.dataset.irMode }),
    );
  });
  $('ir-toggle').addEventListener('click', () => irCall('POST', `${base()}/ir-led/toggle`));

  async function refreshIr() {
    if (document.hidden || camera === null) return;
    const shown = camera;
    try {
      const state = await api('GET', `${base()}/ir-led`);
      if (camera === shown) renderIr(state);
    } catch {
      // The status panel already says the server is unreachable.
    }
  }

  // ---------------------------------------------------------------- token

  $('token').value = localStorage.getItem(TOKEN_KEY) || '';
  $('token-save').addEventListener('click', () => {
    const token = $('token').value.trim();
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
    showMessage(token ? 'Token saved in this browser' : 'Token removed', { ok: true });
  });

  // ---------------------------------------------------------------- cameras and the wall

  const wall = $('wall');
  const view = $('camera-view');
  /** How often a wall thumbnail asks for a new snapshot: live enough, and one request each. */
  const THUMB_EVERY_MS = 400;
  let wallRunning = false;
  let wallToken = null;
  /**
   * Bumped whenever the wall stops or starts: a thumbnail's refresh still pending from an earlier
   * wall (its timer, the token request) sees it and ends, instead of running on beside the new one.
   */
  let wallGeneration = 0;

  async function loadCameras() {
    try {
      cameras = (await api('GET', '/cameras')).cameras;
    } catch (error) {
      showError(error);
      cameras = [];
    }
  }

  function tileState(tile, entry) {
    const pill = tile.querySelector('.pill');
    pill.textContent = entry.state;
    pill.className = `pill ${entry.lastError && entry.state === 'retrying' ? 'error' : entry.state}`;
    tile.querySelector('.error-text').textContent =
      entry.state === 'retrying' ? entry.lastError || '' : '';
  }

  function renderWall() {
    wall.textContent = '';
    for (const entry of cameras) {
      const tile = document.createElement('a');
      tile.className = 'tile';
      tile.href = `#/cameras/${encodeURIComponent(entry.id)}`;
      tile.dataset.camera = entry.id;
      const thumb = document.createElement('img');
      thumb.alt = entry.name;
      const caption = document.createElement('span');
      caption.className = 'caption';
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = entry.name;
      const pill = document.createElement('span');
      pill.className = 'pill';
      const error = document.createElement('span');
      error.className = 'error-text';
      caption.append(name, pill);
      tile.append(thumb, caption, error);
      tileState(tile, entry);
      wall.append(tile);
    }
  }

  /** Each thumbnail reloads its snapshot once the last one arrived: no pile-up on slow links. */
  function refreshThumb(tile, generation) {
    if (generation !== wallGeneration) return;
    const thumb = tile.querySelector('img');
    const id = tile.dataset.camera;
    const after = (ms) => () => setTimeout(() => refreshThumb(tile, generation), ms);
    thumb.onload = after(THUMB_EVERY_MS);
    thumb.onerror = after(2000);
    const token = wallToken ? `&token=${encodeURIComponent(wallToken)}` : '';
    thumb.src = `/cameras/${encodeURIComponent(id)}/snapshot.jpg?t=${Date.now()}${token}`;
  }

  async function refreshWallStates() {
    if (!wallRunning || document.hidden) return;
    await loadCameras();
    if (!wallRunning) return; // a camera was opened meanwhile: the wall must stay stopped
    for (const entry of cameras) {
      const tile = wall.querySelector(`[data-camera="${CSS.escape(entry.id)}"]`);
      if (tile) tileState(tile, entry);
    }
    if (wall.children.length !== cameras.length) startWall();
  }

  async function startWall() {
    stopWall();
    wallRunning = true;
    const generation = wallGeneration;
    // Asked for by id, not by setting `camera`: a camera opened while the token is on its way
    // keeps its id.
    if (streamAuth && cameras[0]) wallToken = await streamToken(cameras[0].id);
    if (generation !== wallGeneration) return; // stopped or restarted meanwhile
    renderWall();
    for (const tile of wall.children) refreshThumb(tile, generation);
  }

  function stopWall() {
    wallRunning = false;
    wallGeneration += 1;
    for (const thumb of wall.querySelectorAll('img')) {
      thumb.onload = null;
      thumb.onerror = null;
      thumb.removeAttribute('src');
    }
  }

  /** Shows one camera: its stream, status, settings and LEDs; everything else is released. */
  function showCamera(id) {
    stopWall();
    wall.hidden = true;
    view.hidden = false;
    $('back').hidden = cameras.length < 2;
    pill.hidden = false;
    if (camera === id) return;
    stopStream();
    camera = id;
    // What the view shows is the camera's before: its problem, state and back-off must not
    // show as this one's until this one's answers come.
    setNote('');
    retryMs = 1000;
    fallbackReason = null;
    pill.textContent = '…';
    pill.className = 'pill';
    for (const field of [
      'st-state',
      'st-fps',
      'st-clients',
      'st-view',
      'st-kind',
      'st-latency',
      'st-bitrate',
      'st-size',
      'st-error',
    ])
      $(field).textContent = '…';
    $('ir-state').textContent = '…';
    const entry = cameras.find((candidate) => candidate.id === id);
    $('camera-name').textContent = entry ? entry.name : id;
    $('snapshot').href = `${base()}/snapshot.jpg`;
    $('snapshot').download = `${id}.jpg`;
    document.title = entry && cameras.length > 1 ? `${entry.name} · camfeed` : 'camfeed';
    settings = null;
    capabilities = null;
    formDirty = false;
    if (!document.hidden) startStream();
    loadSettings();
    refreshStatus();
    refreshIr();
  }

  function showWall() {
    stopStream();
    camera = null;
    view.hidden = true;
    wall.hidden = false;
    // "All cameras" is where the wall already is, and the header's pill is one camera's state
    // (each tile has its own).
    $('back').hidden = true;
    pill.hidden = true;
    document.title = 'camfeed';
    $('camera-name').textContent = 'All cameras';
    startWall();
  }

  /** The URL says what is shown, so a camera's view can be bookmarked: #/cameras/<id>. */
  function route() {
    const match = /^#\/cameras\/([^/?#]+)/.exec(location.hash);
    const wanted = match ? decodeURIComponent(match[1]) : null;
    if (wanted !== null && cameras.some((entry) => entry.id === wanted)) {
      showCamera(wanted);
    } else if (wanted !== null) {
      showMessage(`No camera "${wanted}" on this server`);
      showWall();
    } else if (cameras.length === 1) {
      showCamera(cameras[0].id);
    } else {
      showWall();
    }
  }

  window.addEventListener('hashchange', route);

  // ---------------------------------------------------------------- start

  loadCameras().then(route);
  setInterval(refreshStatus, STATUS_EVERY_MS);
  setInterval(checkStream, SESSION_CHECK_MS);
  setInterval(sampleWebRtc, STATS_EVERY_MS);
  setInterval(refreshIr, STATUS_EVERY_MS * 2);
  setInterval(refreshWallStates, STATUS_EVERY_MS);
})();
