import { ConfigReader } from '@backstage/config';
import { readLearningSettings } from './settings';

const read = (learning: object) =>
  readLearningSettings(new ConfigReader({ learning }));

describe('readLearningSettings', () => {
  it('compares periods at 90 % unless learning.statistics.level says otherwise', () => {
    expect(read({}).confidenceLevel).toBe(0.9);
    expect(read({ statistics: { level: 0.95 } }).confidenceLevel).toBe(0.95);
  });

  it('refuses a level that is not a confidence level, naming the key', () => {
    for (const level of [1.5, 0.2, 95]) {
      expect(() => read({ statistics: { level } })).toThrow(
        /learning\.statistics\.level must be between 0\.5 and 0\.999/,
      );
    }
  });
});
