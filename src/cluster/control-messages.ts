import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { DomainError } from '../common/errors/domain.error';
import { IR_LED_MODES, type IrLedMode } from '../ir-led/ir-led.constants';
import type { IrLedChange } from '../cameras/camera';

/*
 * The control of a camera across the bus: a node that takes an API call for another node's camera
 * sends it there as a request, and answers with what that node answered: the same status, the same
 * JSON, the same messages.
 */

export type ControlRequest =
  | { readonly op: 'status' | 'settings' | 'capabilities' | 'irLed' }
  | { readonly op: 'updateSettings'; readonly body: unknown }
  | { readonly op: 'changeIrLed'; readonly change: IrLedChange }
  | { readonly op: 'snapshot'; readonly timeoutMs: number };

/** What a node answers: a JSON body with its HTTP status (and headers such as Retry-After). */
export interface ControlReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseIrLedChange(value: unknown): IrLedChange | undefined {
  if (!isObject(value)) return undefined;
  if (value.toggle === true) return { toggle: true };
  if (typeof value.on === 'boolean') return { on: value.on };
  if ((IR_LED_MODES as readonly unknown[]).includes(value.mode))
    return { mode: value.mode as IrLedMode };
  return undefined;
}

/** The request in `data`, or undefined if it is none (the bus carries what anyone publishes). */
export function parseControlRequest(data: unknown): ControlRequest | undefined {
  if (!isObject(data)) return undefined;
  switch (data.op) {
    case 'status':
    case 'settings':
    case 'capabilities':
    case 'irLed':
      return { op: data.op };
    case 'updateSettings':
      return { op: 'updateSettings', body: data.body };
    case 'changeIrLed': {
      const change = parseIrLedChange(data.change);
      return change === undefined ? undefined : { op: 'changeIrLed', change };
    }
    case 'snapshot':
      return typeof data.timeoutMs === 'number' && data.timeoutMs > 0 && data.timeoutMs <= 60_000
        ? { op: 'snapshot', timeoutMs: data.timeoutMs }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * An error as the HTTP API would answer it: a DomainError as DomainErrorFilter writes it, an
 * HttpException (a validation failure) as Nest writes it, anything else as Nest's bare 500.
 */
export function replyForError(error: unknown): ControlReply {
  if (error instanceof DomainError) {
    return {
      status: error.status,
      headers: error.headers,
      body: {
        statusCode: error.status,
        error: STATUS_CODES[error.status] ?? 'Error',
        message: error.message,
        ...error.details,
      },
    };
  }
  if (error instanceof HttpException) {
    const response = error.getResponse();
    return {
      status: error.getStatus(),
      body:
        typeof response === 'string'
          ? { statusCode: error.getStatus(), message: response }
          : response,
    };
  }
  return { status: 500, body: { statusCode: 500, message: 'Internal server error' } };
}

/**
 * The owner's error answer, given on this node as it was given there: DomainErrorFilter writes
 * `{statusCode, error, message, ...details}`, and the details here are the whole body, so the JSON
 * is the owner's own (a validation failure's list of messages included).
 */
export class RelayedError extends DomainError {
  readonly status: number;
  override readonly headers: Readonly<Record<string, string>>;

  constructor(reply: ControlReply) {
    const body = isObject(reply.body) ? reply.body : { message: String(reply.body) };
    const { statusCode: _statusCode, error: _error, ...details } = body;
    const given = details.message;
    const message = Array.isArray(given)
      ? given.join('; ')
      : typeof given === 'string'
        ? given
        : (STATUS_CODES[reply.status] ?? 'Error');
    super(message, details);
    this.status = reply.status;
    // Only the header a camera's errors carry, and only as one: a header from the bus goes into
    // this node's answer, where a malformed one would make it fail.
    const retryAfter = reply.headers?.['Retry-After'];
    this.headers =
      typeof retryAfter === 'string' && /^\d{1,6}$/.test(retryAfter)
        ? { 'Retry-After': retryAfter }
        : {};
  }
}

/** The owner of a camera cannot be asked (gone, not answering, or this node is off the bus). */
export class OwnerUnreachableError extends DomainError {
  readonly status = 503;
  override readonly headers = { 'Retry-After': '5' };

  constructor(camera: string, node: string, why: string) {
    super(`Camera ${camera} is on node ${node}, which cannot be reached: ${why}`, {
      camera,
      node,
    });
  }
}

/** Two nodes announce a camera of this id: neither is served from here until one is renamed. */
export class CameraConflictError extends DomainError {
  readonly status = 409;

  constructor(camera: string, nodes: readonly string[]) {
    super(
      `Camera id ${JSON.stringify(camera)} is announced by nodes ${nodes.join(' and ')}: give one of them another id (its cameras file's id, or CAMERA_ID)`,
      { camera, nodes: [...nodes] },
    );
  }
}
