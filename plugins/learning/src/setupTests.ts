import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// CI runs the whole suite on a busy two-core machine: a screen that renders in 100 ms alone can take seconds there.
// These are limits for waiting, not speed targets.
jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 5_000 });
