import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import {
  compareCounts,
  compareDurations,
  compareProportions,
  compareMetrics,
  describeComparison,
  medianIntervalRanks,
  medianStandardError,
  poissonInterval,
  wilsonInterval,
} from './compare';

const close = (actual: number[], expected: number[], digits = 4) =>
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], digits));

describe('wilsonInterval', () => {
  it("matches Newcombe's published Wilson intervals (Statistics in Medicine 1998; 17:857-872, table I)", () => {
    close(wilsonInterval(81, 263, 0.95), [0.2553, 0.3662]);
    close(wilsonInterval(15, 148, 0.95), [0.0624, 0.1605]);
    close(wilsonInterval(0, 20, 0.95), [0, 0.1611]);
    close(wilsonInterval(1, 29, 0.95), [0.0061, 0.1718]);
  });
});

describe('compareProportions', () => {
  it("matches Newcombe's hybrid score intervals for a difference (Statistics in Medicine 1998; 17:873-890, method 10)", () => {
    const a = compareProportions(
      { numerator: 56, denominator: 70 },
      { numerator: 48, denominator: 80 },
      'higher',
      0.95,
    );
    expect(a.estimate).toBeCloseTo(0.2, 10);
    close(a.interval!, [0.0524, 0.3339]);
    expect(a.verdict).toBe('improved');

    const b = compareProportions(
      { numerator: 9, denominator: 10 },
      { numerator: 3, denominator: 10 },
      'higher',
      0.95,
    );
    close(b.interval!, [0.1705, 0.809]);
  });

  it('calls a higher repeat rate worse, and an interval across zero no clear change', () => {
    const worse = compareProportions(
      { numerator: 56, denominator: 70 },
      { numerator: 48, denominator: 80 },
      'lower',
    );
    expect(worse.verdict).toBe('worsened');
    expect(
      compareProportions(
        { numerator: 5, denominator: 10 },
        { numerator: 4, denominator: 10 },
        'lower',
      ).verdict,
    ).toBe('no-clear-change');
  });

  it('gives no verdict below five in a period, however large the difference looks', () => {
    const c = compareProportions(
      { numerator: 0, denominator: 4 },
      { numerator: 40, denominator: 40 },
      'lower',
    );
    expect(c).toMatchObject({ verdict: 'too-few', n: [4, 40], estimate: -1 });
    expect(c.interval).toBeUndefined();
  });
});

describe('compareCounts', () => {
  it('is the exact conditional test: 2 against 10 events, with the Clopper-Pearson interval as a rate ratio', () => {
    // P(X <= 2 | 12, 1/2) = 79/4096, two-sided 0.0386: below 0.05; Clopper-Pearson 95 % of 2/12 is 0.0209-0.4841
    const c = compareCounts(2, 10, 0.95);
    expect(c.estimate).toBeCloseTo(0.2, 10);
    expect(c.interval![0]).toBeCloseTo(0.02086 / (1 - 0.02086), 3);
    expect(c.interval![1]).toBeCloseTo(0.48414 / (1 - 0.48414), 2);
    expect(c.verdict).toBe('improved');
    // at 99 % the same counts are not enough
    expect(compareCounts(2, 10, 0.99).verdict).toBe('no-clear-change');
  });

  it('calls more incidents worse, equal counts no clear change, and under ten events too few', () => {
    expect(compareCounts(20, 0).verdict).toBe('worsened');
    expect(compareCounts(0, 20).verdict).toBe('improved');
    expect(compareCounts(10, 10).verdict).toBe('no-clear-change');
    expect(compareCounts(1, 4)).toMatchObject({
      verdict: 'too-few',
      n: [1, 4],
    });
  });
});

describe('compareDurations', () => {
  const shorter = [22, 25, 28, 30, 31, 35, 40, 44];
  const longer = [95, 110, 118, 120, 130, 150, 180, 600];

  it('finds a clear drop in time to resolve, with the difference of medians as the estimate', () => {
    const c = compareDurations(shorter, longer);
    expect(c.estimate).toBe(30.5 - 125);
    expect(c.verdict).toBe('improved');
    expect(c.interval![1]).toBeLessThan(0);
    expect(c.interval![0]).toBeLessThanOrEqual(c.estimate!);
    expect(compareDurations(longer, shorter).verdict).toBe('worsened');
  });

  it('answers the same for the same data (seeded), and no clear change for one sample against itself', () => {
    expect(compareDurations(shorter, longer)).toEqual(
      compareDurations([...shorter].reverse(), longer),
    );
    expect(compareDurations(longer, longer).verdict).toBe('no-clear-change');
  });

  it('says too few to tell on one incident against four (the subtitle-service case)', () => {
    const c = compareDurations([240], [35, 50, 62, 90]);
    expect(c.verdict).toBe('too-few');
    expect(describeComparison(c)).toBe('too few to tell (n = 1 vs 4)');
    expect(describeComparison(compareCounts(1, 4))).toBe(
      'too few to tell (n = 1 vs 4)',
    );
  });
});

describe('describeComparison', () => {
  it('puts the arrow with the direction of the change and the word with the verdict', () => {
    expect(describeComparison(compareCounts(0, 20))).toBe(
      '▼ better (n = 0 vs 20; 90 % interval ×0.00 to ×0.16)',
    );
    expect(
      describeComparison(
        compareProportions(
          { numerator: 56, denominator: 70 },
          { numerator: 48, denominator: 80 },
          'lower',
        ),
      ),
    ).toBe('▲ worse (n = 70 vs 80; 90 % interval +8 to +31 points)');
    expect(describeComparison(compareCounts(10, 10))).toBe(
      'no clear change (n = 10 vs 10; 90 % interval ×0.43 to ×2.31)',
    );
  });
});

describe('compareMetrics', () => {
  const rate = (numerator: number, denominator: number) => ({
    numerator,
    denominator,
    value: denominator ? numerator / denominator : undefined,
  });
  const metrics = (incidents: number, repeats: number, done: number) => ({
    incidents: {
      n: incidents,
      bySeverity: { SEV1: 0, SEV2: 0, SEV3: incidents, SEV4: 0 },
    },
    repeatRate: rate(repeats, incidents),
    postmortemCoverage: rate(0, 0),
    actionCompletion: rate(done, 20),
    actionOnTime: rate(done, 20),
    effectiveness: rate(1, 2),
  });
  const durations = {
    ttd: compareDurations([], []),
    tta: compareDurations([], []),
    ttm: compareDurations([], []),
    ttr: compareDurations([1, 2, 3, 4, 5], [10, 20, 30, 40, 50]),
  };

  it('compares each figure in its own direction and keeps the durations as the server resampled them', () => {
    const changes = compareMetrics(
      metrics(40, 4, 19),
      metrics(20, 12, 6),
      durations,
    );
    expect(changes.incidents.verdict).toBe('worsened');
    expect(changes.repeatRate.verdict).toBe('improved');
    expect(changes.actionCompletion.verdict).toBe('improved');
    expect(changes.postmortemCoverage).toMatchObject({
      verdict: 'too-few',
      n: [0, 0],
    });
    expect(changes.effectiveness.verdict).toBe('too-few');
    expect(changes.ttr).toBe(durations.ttr);
    expect(describeComparison(changes.repeatRate)).toMatch(
      /^▼ better \(n = 40 vs 20; 90 % interval −\d+ to −\d+ points\)$/,
    );
  });
});

describe('intervals of a month', () => {
  it('gives the exact Poisson interval of a count (Garwood 1936; tabulated in Ulm 1990)', () => {
    // 95 % limits for 0, 1 and 10 events: 0–3.689, 0.0253–5.572, 4.795–18.39
    // the tables give the upper limits to two decimals past 10
    const garwood = (got: [number, number], want: [number, number]) => {
      expect(got[0]).toBeCloseTo(want[0], 3);
      expect(got[1]).toBeCloseTo(want[1], 2);
    };
    garwood(poissonInterval(0, 0.95), [0, 3.689]);
    garwood(poissonInterval(1, 0.95), [0.0253, 5.572]);
    garwood(poissonInterval(10, 0.95), [4.795, 18.39]);
  });

  it("bounds a median by order statistics (Conover's table: n = 10 at 95 % is x(2) to x(9))", () => {
    expect(medianIntervalRanks(10, 0.95)).toEqual([2, 9]);
    expect(medianIntervalRanks(20, 0.95)).toEqual([6, 15]);
    expect(medianIntervalRanks(5, 0.9)).toEqual([1, 5]);
    expect(medianIntervalRanks(3, 0.9)).toBeUndefined();
  });
});

describe('large samples', () => {
  // skewed durations: most incidents short, a few long (a log-normal shape, generated deterministically)
  const skewed = (n: number, scale: number, seed: number) =>
    Array.from({ length: n }, (_, i) => {
      const u = ((i * 7919 + seed * 104729) % 9973) / 9973 + 0.00005;
      return Math.round(scale * Math.exp(1.2 * normalQuantile(u, 0, 1)));
    });

  it("gives the median's McKean–Schrader standard error (Wilcox's formula)", () => {
    // n = 25: c = round(13 − 2.5758 × 2.5) = 7, so (x(19) − x(7)) / (2 × 2.5758)
    const sorted = Array.from({ length: 25 }, (_, i) => i + 1);
    expect(medianStandardError(sorted)).toBeCloseTo((19 - 7) / (2 * 2.5758), 3);
  });

  it('agrees with the bootstrap where both apply, and answers large samples at once', () => {
    const now = skewed(200, 40, 1);
    const before = skewed(200, 55, 2);
    const boot = compareDurations(now, before);
    expect(boot.method).toBe('bootstrap');
    const a = [...now].sort((x, y) => x - y);
    const b = [...before].sort((x, y) => x - y);
    const spread =
      normalQuantile(0.95, 0, 1) *
      Math.sqrt(medianStandardError(a) ** 2 + medianStandardError(b) ** 2);
    const bootWidth = boot.interval![1] - boot.interval![0];
    expect(2 * spread).toBeGreaterThan(bootWidth * 0.75);
    expect(2 * spread).toBeLessThan(bootWidth * 1.33);

    const large = compareDurations(skewed(30000, 40, 3), skewed(30000, 55, 4));
    expect(large).toMatchObject({
      method: 'mckean-schrader',
      verdict: 'improved',
      n: [30000, 30000],
    });
    expect(large.interval![1]).toBeLessThan(0);
  });
});
