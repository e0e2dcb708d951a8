import { IsOptional } from 'class-validator';
import { defineConfigSection, provide } from '../config/config-section';
import { EnvString } from '../config/env-decorators';

export class CamerasConfig {
  /** The YAML or JSON file listing the cameras; undefined = the one CAMERA* camera. */
  readonly file?: string;
}

export class CamerasEnv {
  @IsOptional()
  @EnvString(
    /\S/,
    'the path of a YAML or JSON file listing the cameras (see config/cameras.example.yaml)',
  )
  CAMERAS_FILE?: string;
}

export const camerasConfigSection = defineConfigSection({
  env: CamerasEnv,
  provides: [provide(CamerasConfig, (env: CamerasEnv) => ({ file: env.CAMERAS_FILE }))],
});
