import { advertiseAddress, chooseH264, parseSdpFragment, onlyTheVideo } from './sdp';

/** The video section of a Chromium recvonly offer, cut down to what matters. */
const CHROMIUM_OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 106 107',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=recvonly',
  'a=rtpmap:96 VP8/90000',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000',
  'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f',
  'a=rtpmap:103 H264/90000',
  'a=fmtp:103 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  'a=rtpmap:106 H264/90000',
  'a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  'a=rtpmap:107 rtx/90000',
  'a=fmtp:107 apt=106',
  '',
].join('\r\n');

describe(chooseH264.name, () => {
  it('picks constrained baseline with packetization-mode 1, and the video section’s mid', () => {
    expect(chooseH264(CHROMIUM_OFFER)).toEqual({
      mid: '0',
      payloadType: 106,
      profileLevelId: '42e01f',
    });
  });

  it('takes another baseline format when there is no constrained one', () => {
    const offer = CHROMIUM_OFFER.replace('profile-level-id=42e01f', 'profile-level-id=640c1f');
    expect(chooseH264(offer)).toMatchObject({ payloadType: 103, profileLevelId: '42001f' });
  });

  it('finds nothing to send to an offer without H.264 (Firefox without OpenH264) or without video', () => {
    const vp8Only = CHROMIUM_OFFER.split('\r\n')
      .filter((line) => !/H264|fmtp:10[236]/.test(line))
      .join('\r\n');
    expect(chooseH264(vp8Only)).toBeUndefined();
    expect(chooseH264('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n')).toBeUndefined();
    expect(chooseH264(CHROMIUM_OFFER.replace('a=recvonly', 'a=inactive'))).toBeUndefined();
  });
});

describe(advertiseAddress.name, () => {
  it('adds the public address next to each UDP host candidate, keeping the local ones', () => {
    const answer = [
      'm=video 9 UDP/TLS/RTP/SAVPF 106',
      'a=candidate:1 1 UDP 2122317823 192.168.1.20 50012 typ host',
      'a=candidate:2 1 TCP 2105524479 192.168.1.20 9 typ host tcptype active',
      'a=end-of-candidates',
    ].join('\r\n');
    const lines = advertiseAddress(answer, '203.0.113.7').split('\r\n');
    expect(lines).toContain('a=candidate:1 1 UDP 2122317823 192.168.1.20 50012 typ host');
    expect(lines).toContain('a=candidate:9000 1 udp 2122317822 203.0.113.7 50012 typ host');
    expect(lines.filter((line) => line.includes('203.0.113.7'))).toHaveLength(1);
    expect(lines.at(-1)).toBe('a=end-of-candidates');
  });
});

describe(parseSdpFragment.name, () => {
  it('reads the credentials and each candidate with its media section', () => {
    const fragment = [
      'a=ice-ufrag:EsAw',
      'a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1',
      'a=candidate:0 1 udp 1 198.51.100.1 4000 typ host',
      'm=video 9 UDP/TLS/RTP/SAVPF 0',
      'a=mid:v1',
      'a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0',
      'a=end-of-candidates',
      '',
    ].join('\r\n');
    expect(parseSdpFragment(fragment, '0')).toEqual({
      ufrag: 'EsAw',
      pwd: 'P2uYro0UCOQ4zxjKXaWCBui1',
      candidates: [
        { mid: '0', candidate: 'candidate:0 1 udp 1 198.51.100.1 4000 typ host' },
        {
          mid: 'v1',
          candidate: 'candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0',
        },
      ],
    });
  });

  it('finds nothing in a fragment that only ends the candidates', () => {
    expect(parseSdpFragment('a=end-of-candidates\r\n', '0')).toEqual({
      ufrag: undefined,
      pwd: undefined,
      candidates: [],
    });
  });
});

describe('onlyTheVideo', () => {
  const offer = [
    'v=0',
    'o=- 1 1 IN IP4 0.0.0.0',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'm=video 9 UDP/TLS/RTP/SAVPF 102',
    'a=mid:0',
    'a=sendrecv',
    'a=rtpmap:102 H264/90000',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=mid:1',
    'a=sendrecv',
    'a=rtpmap:111 opus/48000/2',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'a=mid:2',
    '',
  ].join('\r\n');

  it('makes every other section inactive and leaves the video one and the order alone', () => {
    const result = onlyTheVideo(offer, '0');
    const sections = result.split('\r\nm=');
    expect(sections).toHaveLength(4);
    expect(sections[1]).toContain('a=sendrecv');
    expect(sections[2]).toMatch(/^audio .*a=inactive\r\na=rtpmap:111/s);
    expect(sections[2]).not.toContain('sendrecv');
    expect(sections[3]).toMatch(/a=mid:2\r\na=inactive\r\n$/);
    expect(result.startsWith('v=0\r\n')).toBe(true);
  });

  it('changes nothing in an offer of video alone', () => {
    const video = offer.split('\r\nm=audio')[0] + '\r\n';
    expect(onlyTheVideo(video, '0')).toBe(video);
  });
});
