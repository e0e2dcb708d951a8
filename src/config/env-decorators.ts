import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsString,
  Matches,
  Max,
  Min,
  registerDecorator,
} from 'class-validator';

/*
 * Decorators for environment variables. Each one converts the raw string itself (implicit
 * conversion would turn "false" into true) and carries a message that states the allowed values,
 * so a bad variable is reported as "CAMERA_WIDTH must be an integer from 16 to 8192".
 */

const toNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);
const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return value;
};

export function EnvInt(min: number, max: number): PropertyDecorator {
  const message = `$property must be an integer from ${min} to ${max}`;
  return applyDecorators(
    Transform(toNumber),
    IsInt({ message }),
    Min(min, { message }),
    Max(max, { message }),
  );
}

export function EnvNumber(min: number, max: number): PropertyDecorator {
  const message = `$property must be a number from ${min} to ${max}`;
  return applyDecorators(
    Transform(toNumber),
    IsNumber({ allowNaN: false, allowInfinity: false }, { message }),
    Min(min, { message }),
    Max(max, { message }),
  );
}

export function EnvEnum(values: readonly string[]): PropertyDecorator {
  return applyDecorators(
    IsIn(values, { message: `$property must be one of: ${values.join(', ')}` }),
  );
}

/** One of a few numbers, such as a rotation in degrees. */
export function EnvNumberChoice(values: readonly number[]): PropertyDecorator {
  return applyDecorators(
    Transform(toNumber),
    IsIn(values, { message: `$property must be one of: ${values.join(', ')}` }),
  );
}

export function EnvBoolean(): PropertyDecorator {
  return applyDecorators(
    Transform(toBoolean),
    IsBoolean({ message: '$property must be a boolean: true/false, 1/0, yes/no or on/off' }),
  );
}

export function EnvString(pattern?: RegExp, description?: string): PropertyDecorator {
  const message = `$property must be ${description ?? 'a non-empty string'}`;
  return applyDecorators(IsString({ message }), Matches(pattern ?? /\S/, { message }));
}

/** A string checked by `accepts` (a parser that returns undefined for what it cannot take). */
export function EnvParsed(
  accepts: (value: string) => unknown,
  description: string,
): PropertyDecorator {
  const message = `$property must be ${description}`;
  const parsed: PropertyDecorator = (target, propertyName) =>
    registerDecorator({
      name: 'envParsed',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && accepts(value) !== undefined,
      },
    });
  return applyDecorators(IsString({ message }), parsed);
}
