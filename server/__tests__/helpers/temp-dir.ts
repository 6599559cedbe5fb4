/** The shared temporary-folder helper, with the server tests' prefix. */
import { tempDir as base, type TempDir } from '../../../test-support/temp-dir.ts';

export const tempDir = (prefix = 'fieldsync-server-'): TempDir => base(prefix);
