import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getJson, sendJson, startApp, type TestApp } from './utils/test-app';

interface LedState {
  available: boolean;
  on: boolean;
  mode: string;
}

const isState = (body: unknown): body is LedState =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as LedState).available === 'boolean' &&
  typeof (body as LedState).on === 'boolean' &&
  typeof (body as LedState).mode === 'string';

describe('IR LED changes at the same time', () => {
  let t: TestApp;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'camfeed-e2e-irled-'));
    t = await startApp({ IR_LED_DRIVER: 'simulated', IR_LED_GPIO: '17', DATA_DIR: dataDir });
  });

  afterAll(async () => t.close());

  it('runs toggles one after another: ten from off end off, each answered with its own state', async () => {
    expect((await getJson<LedState>(`${t.baseUrl}/ir-led`)).body).toMatchObject({ on: false });
    const replies = await Promise.all(
      Array.from({ length: 10 }, async () =>
        sendJson<LedState>('POST', `${t.baseUrl}/ir-led/toggle`),
      ),
    );
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(isState(reply.body)).toBe(true);
    }
    // Each toggle saw the one before it finished: five switched on, five off.
    expect(replies.filter((reply) => reply.body.on).length).toBe(5);
    expect((await getJson<LedState>(`${t.baseUrl}/ir-led`)).body).toMatchObject({
      on: false,
      mode: 'off',
    });
    const saved = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')) as {
      cameras: { default: { irLed: unknown } };
    };
    expect(saved.cameras.default.irLed).toEqual({ mode: 'off' });
  });

  it('serialises PUT with toggles: the saved mode is the one applied last', async () => {
    const replies = await Promise.all([
      sendJson<LedState>('PUT', `${t.baseUrl}/ir-led`, { on: true }),
      sendJson<LedState>('POST', `${t.baseUrl}/ir-led/toggle`),
      sendJson<LedState>('PUT', `${t.baseUrl}/ir-led`, { mode: 'auto' }),
      sendJson<LedState>('POST', `${t.baseUrl}/ir-led/toggle`),
      sendJson<LedState>('PUT', `${t.baseUrl}/ir-led`, { on: false }),
    ]);
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200, 200]);
    expect(replies.every((reply) => isState(reply.body))).toBe(true);
    const final = (await getJson<LedState>(`${t.baseUrl}/ir-led`)).body;
    const saved = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')) as {
      cameras: { default: { irLed: { mode: string } } };
    };
    expect(saved.cameras.default.irLed.mode).toBe(final.mode);
    expect(final.on).toBe(final.mode === 'on');
  });
});
