import { join } from 'node:path';
import { SHARED_DIR } from '../../support/shared';

/** `shared/hubble-samples`: real Hubble flow logs, verbatim (see its SOURCE.md). */
export const HUBBLE_SAMPLES_DIR = join(SHARED_DIR, 'hubble-samples');

/** `test/fixtures/hubble`: the synthetic shop capture and the policies replayed against it. */
export const HUBBLE_FIXTURES_DIR = join(__dirname, '..', '..', 'fixtures', 'hubble');

/** The project root. */
export const PROJECT_DIR = join(__dirname, '..', '..', '..');

/** Set `UPDATE_HUBBLE_FIXTURES=1` to rewrite the generated fixtures instead of comparing with them. */
export const UPDATE_FIXTURES = process.env.UPDATE_HUBBLE_FIXTURES === '1';
