import { BadRequestException } from '@nestjs/common';
import { GENERIC_CAPABILITIES } from '../camera/settings/camera-settings.model';
import { UnsupportedSettingsError } from '../camera/settings/unsupported-settings.error';
import { IrLedUnavailableError } from '../ir-led/errors/ir-led-unavailable.error';
import { parseControlRequest, RelayedError, replyForError } from './control-messages';
import { parseDemand } from './demand';

describe(parseControlRequest.name, () => {
  it.each([
    [{ op: 'status' }, { op: 'status' }],
    [
      { op: 'updateSettings', body: { width: 'x' } },
      { op: 'updateSettings', body: { width: 'x' } },
    ],
    [
      { op: 'changeIrLed', change: { toggle: true } },
      { op: 'changeIrLed', change: { toggle: true } },
    ],
    [
      { op: 'changeIrLed', change: { mode: 'auto' } },
      { op: 'changeIrLed', change: { mode: 'auto' } },
    ],
    [
      { op: 'snapshot', timeoutMs: 5000 },
      { op: 'snapshot', timeoutMs: 5000 },
    ],
  ])('should take %j', (data, request) => {
    expect(parseControlRequest(data)).toEqual(request);
  });

  it.each([
    [{ op: 'reboot' }],
    [{ op: 'changeIrLed', change: { mode: 'dim' } }],
    [{ op: 'snapshot', timeoutMs: 10 ** 9 }],
    ['status'],
    [null],
  ])('should refuse %j', (data) => {
    expect(parseControlRequest(data)).toBeUndefined();
  });
});

describe(replyForError.name, () => {
  it('should answer a domain error as the HTTP API does, with its details and headers', () => {
    const reply = replyForError(
      new UnsupportedSettingsError(['width too big'], GENERIC_CAPABILITIES),
    );
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'width too big',
      problems: ['width too big'],
      capabilities: GENERIC_CAPABILITIES,
    });
  });

  it('should answer a validation failure with its list of messages', () => {
    const reply = replyForError(new BadRequestException(['width must be an integer']));
    expect(reply).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: ['width must be an integer'] },
    });
  });

  it('should answer anything else as a bare 500 that tells nothing of the machine', () => {
    const reply = replyForError(new Error('ENOENT: /home/pi/secret/path'));
    expect(reply).toEqual({
      status: 500,
      body: { statusCode: 500, message: 'Internal server error' },
    });
  });
});

describe(RelayedError.name, () => {
  it.each([
    new UnsupportedSettingsError(['width too big', 'height too small'], GENERIC_CAPABILITIES),
    new BadRequestException(['framerate must be a number from 0.1 to 120']),
    new IrLedUnavailableError('IR_LED_GPIO is not set'),
  ])('should give the camera node’s answer back unchanged (%s)', (error) => {
    const reply = replyForError(error);
    const relayed = new RelayedError(JSON.parse(JSON.stringify(reply)) as typeof reply);
    // As DomainErrorFilter writes it on this node.
    const written = {
      statusCode: relayed.status,
      error: (reply.body as { error?: string }).error,
      message: relayed.message,
      ...relayed.details,
    };
    expect(relayed.status).toBe(reply.status);
    expect(written).toEqual(reply.body);
    expect(relayed.headers).toEqual(reply.headers ?? {});
  });

  it('should keep Retry-After and no other header from the bus', () => {
    const headers = { 'Retry-After': '5', 'Bad Name': 'x\n', 'Set-Cookie': 'a=b' };
    expect(new RelayedError({ status: 503, body: {}, headers }).headers).toEqual({
      'Retry-After': '5',
    });
    expect(
      new RelayedError({ status: 503, body: {}, headers: { 'Retry-After': '5\r\nX: y' } }).headers,
    ).toEqual({});
  });
});

describe(parseDemand.name, () => {
  it('should take a demand and refuse what is not one', () => {
    const demand = {
      node: 'edge-1',
      instance: 'a1',
      mjpeg: true,
      h264: false,
      viewers: 4,
      heartbeatMs: 1000,
    };
    expect(parseDemand(demand)).toEqual(demand);
    expect(parseDemand({ ...demand, node: 'edge.1' })).toBeUndefined();
    expect(parseDemand({ ...demand, mjpeg: 'yes' })).toBeUndefined();
    expect(parseDemand({ ...demand, heartbeatMs: 0 })).toBeUndefined();
    // A lease no longer than a node's longest heartbeat allows.
    expect(parseDemand({ ...demand, heartbeatMs: 60_000 })).toBeDefined();
    expect(parseDemand({ ...demand, heartbeatMs: 60_001 })).toBeUndefined();
  });

  it('should take the sender’s viewers, as none from a node that does not say them', () => {
    const demand = { node: 'edge-1', instance: 'a1', mjpeg: true, h264: false, heartbeatMs: 1000 };
    expect(parseDemand({ ...demand, viewers: 12 })?.viewers).toBe(12);
    expect(parseDemand(demand)?.viewers).toBe(0);
    for (const viewers of [-1, 1.5, '3', 2_000_000]) {
      expect(parseDemand({ ...demand, viewers })).toBeUndefined();
    }
  });
});
