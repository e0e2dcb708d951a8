import { registerDecorator, type ValidationArguments } from 'class-validator';

/**
 * A rule that looks at several fields of the object (a source that must suit the driver, a
 * threshold above another), reported on the decorated field: `problem` returns what is wrong, in
 * words naming the field, or undefined when all is well.
 */
export function ObjectCheck<T extends object>(
  problem: (object: T) => string | undefined,
): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'objectCheck',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: (args: ValidationArguments) => problem(args.object as T) ?? '' },
      validator: {
        validate: (_value: unknown, args: ValidationArguments) =>
          problem(args.object as T) === undefined,
      },
    });
}
