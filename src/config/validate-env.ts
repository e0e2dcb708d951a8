import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { redactSecrets } from '../common/redact-secrets';
import type { AnyConfigSection, ConfigToken } from './config-section';

export class EnvValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n  ${problems.join('\n  ')}`);
    this.name = 'EnvValidationError';
  }
}

const quote = (value: unknown): string => JSON.stringify(String(value));

/** Every variable an env class declares (ES2022 class fields are own keys, optional ones too). */
export function variablesOf(env: new () => object): string[] {
  return Object.keys(new env());
}

/**
 * Validates one section's variables. Empty values count as unset, so a copied `.env.example`
 * with blank optional lines boots with the defaults. A bad value is shown back (a camera URL
 * without its password), except for secrets, which never are.
 */
export function validateSection(
  section: AnyConfigSection,
  raw: Record<string, unknown>,
): { env?: object; problems: string[] } {
  const known = new Set(variablesOf(section.env));
  const secrets = new Set(section.secrets ?? []);
  const present: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!known.has(key)) continue;
    if (typeof value === 'string' && value.trim() === '') continue;
    present[key] = value;
  }
  const env = plainToInstance(section.env, present, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length === 0) return { env, problems: [] };
  return {
    problems: errors.map((error) => {
      const unique = [...new Set(Object.values(error.constraints ?? {}))].join('; ');
      const shown =
        error.property in present && !secrets.has(error.property)
          ? ` (got ${quote(redactSecrets(String(present[error.property])))})`
          : '';
      return `${unique}${shown}`;
    }),
  };
}

/** Every section validated at once, so one start reports every bad variable. */
export function loadSections(
  raw: Record<string, unknown>,
  sections: readonly AnyConfigSection[],
): Map<ConfigToken, unknown> {
  const values = new Map<ConfigToken, unknown>();
  const problems: string[] = [];
  for (const section of sections) {
    const result = validateSection(section, raw);
    problems.push(...result.problems);
    if (result.env === undefined) continue;
    // The section's own makers, given the section's own validated variables.
    for (const [token, make] of section.provides) values.set(token, make(result.env as never));
  }
  if (problems.length > 0) throw new EnvValidationError(problems);
  return values;
}
