import { authConfigSection } from './auth/auth.config';
import { cameraConfigSection } from './camera/camera.config';
import { camerasConfigSection } from './cameras/cameras.config';
import type { AnyConfigSection } from './config/config-section';
import { loadSections, variablesOf } from './config/validate-env';
import { irLedConfigSection } from './ir-led/ir-led.config';
import { loggingConfigSection } from './logging/logging.config';
import { storageConfigSection } from './persistence/persistence.config';
import { serverConfigSection } from './server/server.config';
import { streamConfigSection } from './stream/stream.config';
import { webRtcConfigSection } from './webrtc/webrtc.config';
import { clusterConfigSection } from './cluster/cluster.config';

/** Every feature's share of the environment: together, every variable camfeed reads. */
export const CONFIG_SECTIONS: readonly AnyConfigSection[] = [
  serverConfigSection,
  loggingConfigSection,
  storageConfigSection,
  authConfigSection,
  cameraConfigSection,
  camerasConfigSection,
  streamConfigSection,
  irLedConfigSection,
  webRtcConfigSection,
  clusterConfigSection,
];

/** Every variable of every section (NODE_ENV is the runtime's own, not a camfeed setting). */
export function environmentVariables(): string[] {
  return CONFIG_SECTIONS.flatMap((section) => variablesOf(section.env)).filter(
    (name) => name !== 'NODE_ENV',
  );
}

/** The environment validated as the server does at start, by token (for tests and tools). */
export function validateEnvironment(raw: Record<string, unknown>): ReturnType<typeof loadSections> {
  return loadSections(raw, CONFIG_SECTIONS);
}
