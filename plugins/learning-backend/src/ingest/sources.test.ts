import { verifyIncidentIoSignature } from './incidentIoSource';

describe('incident.io signatures', () => {
  // the worked example Svix publishes for its scheme, which incident.io uses
  const request = (signature: string, at = 1614265330) => ({
    headers: {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': signature,
    },
    rawBody: Buffer.from('{"test": 2432232314}'),
    receivedAt: new Date(at * 1000),
  });
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  it('accepts the published example, also among several signatures', () => {
    expect(() =>
      verifyIncidentIoSignature(
        request('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='),
        secret,
        300,
      ),
    ).not.toThrow();
    expect(() =>
      verifyIncidentIoSignature(
        request(
          'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
        ),
        secret,
        300,
      ),
    ).not.toThrow();
  });

  it('refuses a changed signature and a delivery outside the tolerance', () => {
    expect(() =>
      verifyIncidentIoSignature(
        request('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF='),
        secret,
        300,
      ),
    ).toThrow('does not match');
    expect(() =>
      verifyIncidentIoSignature(
        request(
          'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
          1614265330 + 301,
        ),
        secret,
        300,
      ),
    ).toThrow('more than 300 seconds');
  });
});
