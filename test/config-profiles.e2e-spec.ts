import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { environmentVariables, validateEnvironment as validateEnv } from '../src/app.config';

const CONFIG = join(__dirname, '..', 'config');
const profiles = readdirSync(CONFIG).filter((name) => name.endsWith('.env'));

describe('env profiles in config/', () => {
  it('has one for each kind of camera, and one for each role in a cluster', () => {
    expect(profiles.sort()).toEqual([
      'camera-node.env',
      'camfeed-edge.env',
      'emulated.env',
      'pi-camera.env',
      'relay.env',
      'rtsp-camera.env',
      'webcam.env',
    ]);
  });

  it.each(profiles)('%s passes the same validation the server applies at start', (name) => {
    const env = parse(readFileSync(join(CONFIG, name)));
    expect(() => validateEnv(env)).not.toThrow();
  });

  it('.env.example lists every variable the server reads, and boots as it is', () => {
    const example = parse(readFileSync(join(__dirname, '..', '.env.example')));
    expect(() => validateEnv(example)).not.toThrow();
    expect(Object.keys(example).sort()).toEqual(environmentVariables().sort());
  });
});
