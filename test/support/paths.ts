import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SEED_EVENT = `${ROOT}fixtures/events/jbic-550b.md`;
export const REPLAY_DIR = `${ROOT}fixtures/replay/jbic-550b/`;
