import { ValidateIf } from 'class-validator';

/**
 * The field may be left out, but if it is present it must be valid. Unlike IsOptional, null is
 * not "left out": `{"width": null}` is an error, not a way to sneak null into the settings.
 */
export function OptionalField(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}
