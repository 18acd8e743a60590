import { runSessionLockSuite } from './session-lock-suite.ts';

runSessionLockSuite('memory', () => ({}));
