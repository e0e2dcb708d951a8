/**
 * One feature's share of the environment: the variables it reads (a class-validator class whose
 * fields are the variables, with their defaults) and the typed config objects it makes of them.
 * The config classes double as injection tokens, so a service asks for exactly what it needs:
 * `constructor(private readonly config: StreamConfig)`. Features own their sections; this folder
 * only knows how to validate and provide them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tokens are classes of any shape
export type ConfigToken<C = unknown> = abstract new (...args: any[]) => C;

export interface ConfigSection<E extends object = object> {
  /** The class whose fields are the environment variables, decorated with their rules. */
  readonly env: new () => E;
  /** The config objects made from the validated variables, each under its token. */
  readonly provides: ReadonlyArray<readonly [ConfigToken, (env: E) => unknown]>;
  /** Variables never echoed in a message, not even when invalid. */
  readonly secrets?: readonly string[];
}

/** Any section, whatever its variables: what the config module validates and provides. */
export interface AnyConfigSection {
  readonly env: new () => object;
  readonly provides: ReadonlyArray<readonly [ConfigToken, (env: never) => unknown]>;
  readonly secrets?: readonly string[];
}

export function defineConfigSection<E extends object>(section: ConfigSection<E>): ConfigSection<E> {
  return section;
}

/** Typed for one token: `provide(StreamConfig, (env) => ({...}))` checks the object's shape. */
export function provide<E, C>(
  token: ConfigToken<C>,
  make: (env: E) => C,
): readonly [ConfigToken, (env: E) => unknown] {
  return [token, make];
}
