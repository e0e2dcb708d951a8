import { defineConfigSection, provide } from '../config/config-section';
import { EnvString } from '../config/env-decorators';

export class StorageConfig {
  /** Where settings survive restarts (settings.json). */
  readonly dataDir!: string;
}

export class StorageEnv {
  @EnvString(/\S/, 'a folder path')
  DATA_DIR = './data';
}

export const storageConfigSection = defineConfigSection({
  env: StorageEnv,
  provides: [provide(StorageConfig, (env: StorageEnv) => ({ dataDir: env.DATA_DIR }))],
});
