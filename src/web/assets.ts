import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace's static files, read once; nothing else is served from disk. */
export const ASSET_TYPES: Record<string, string> = {
  'app.css': 'text/css; charset=utf-8',
  'run.css': 'text/css; charset=utf-8',
  'list.css': 'text/css; charset=utf-8',
  'review.css': 'text/css; charset=utf-8',
  'live.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
};

/** Stylesheets every page links, in order: the frame, then each page group's own. */
export const STYLESHEETS = ['app.css', 'run.css', 'list.css', 'review.css', 'live.css'];

/**
 * The shipped assets folder: src/web/assets under the package root, which sits two levels above
 * this module both as source (src/web) and as bundle (dist/cli).
 */
export const DEFAULT_ASSETS_DIR = join(fileURLToPath(new URL('../../', import.meta.url)), 'src', 'web', 'assets');

export function loadAssets(dir: string): Map<string, string> {
  const assets = new Map<string, string>();
  for (const name of Object.keys(ASSET_TYPES)) assets.set(name, readFileSync(join(dir, name), 'utf8'));
  return assets;
}
