import {
  type ArgumentMetadata,
  BadRequestException,
  Injectable,
  type PipeTransform,
  ValidationPipe,
  type ValidationPipeOptions,
} from '@nestjs/common';

const LENIENT = Symbol('camfeed:ignores-unknown-fields');

/**
 * Marks a query DTO whose unknown fields are dropped instead of refused. For the stream and
 * snapshot URLs only: players append cache-busters of their own (OctoPrint `?1455829071416`,
 * Mainsail `?timestamp=`, Fluidd `&cacheBust=`), and a 400 there means a blank picture. Known
 * fields are still validated.
 */
export function IgnoresUnknownFields(): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(LENIENT, true, target);
  };
}

/** Keys that would reach an object's prototype if anything ever merged a body into one. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const COMMON: ValidationPipeOptions = {
  whitelist: true,
  transform: true,
  // One message per field: IsInt, Min and Max of one field all say the same thing.
  stopAtFirstError: true,
};

/**
 * The app's one validation pipe: strict everywhere (an unknown field is a 400 that names it),
 * lenient only where a DTO says so.
 */
@Injectable()
export class AppValidationPipe implements PipeTransform {
  private readonly strict = new ValidationPipe({ ...COMMON, forbidNonWhitelisted: true });
  private readonly lenient = new ValidationPipe({ ...COMMON, forbidNonWhitelisted: false });

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const lenient =
      typeof metadata.metatype === 'function' &&
      Reflect.getMetadata(LENIENT, metadata.metatype) === true;
    if (!lenient && metadata.type === 'body') refusePrototypeKeys(value);
    return (lenient ? this.lenient : this.strict).transform(value, metadata);
  }
}

/**
 * class-validator does not see `__proto__` (JSON.parse makes it an own key, but class-transformer
 * skips it), so `{"__proto__": {...}}` would pass silently: refuse it like any unknown field.
 */
function refusePrototypeKeys(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  const found = Object.keys(value).filter((key) => PROTOTYPE_KEYS.has(key));
  if (found.length > 0)
    throw new BadRequestException(found.map((key) => `property ${key} should not exist`));
}
