import { tempDir } from '../support/server.ts';
import { runSessionLockSuite } from './session-lock-suite.ts';

const savePath = tempDir({}, 'tsfpm-sessions-');
runSessionLockSuite('files', () => ({ 'session.save_path': savePath }));
