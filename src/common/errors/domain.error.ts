/**
 * An expected failure with a meaning for API callers. Services throw these without knowing about
 * HTTP; DomainErrorFilter turns them into a JSON answer with `status` and the extra `details`.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  /** Headers the answer carries besides the JSON, such as Retry-After on a 503. */
  readonly headers: Readonly<Record<string, string>> = {};

  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
