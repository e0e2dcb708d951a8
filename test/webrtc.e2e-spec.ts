import { startApp, type TestApp } from './utils/test-app';
import { WhepClient } from './utils/whep-client';
import { delay, waitFor } from './utils/wait-for';

describe('WebRTC (WHEP)', () => {
  let server: TestApp;
  const clients: WhepClient[] = [];

  beforeAll(async () => {
    server = await startApp({});
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await server.close();
  });

  it('a WHEP player negotiates and receives RTP for the SSRC of the answer', async () => {
    const client = new WhepClient(`${server.baseUrl}/cameras/default/whep`);
    clients.push(client);
    const reply = await client.connect();

    expect(reply.status).toBe(201);
    await waitFor(() => client.stats.pictures > 30, 'pictures', 15000);
    expect(client.stats.strayPackets).toBe(0);
    expect(await client.disconnect()).toBe(200);
    await delay(100);
  }, 30000);
});
