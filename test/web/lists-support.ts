import { eventId } from '../../src/event/index.js';
import { makeReplayDir } from '../support/archive-fixtures.js';
import { assess } from '../support/forecast-archive.js';

/**
 * The demo archive holds no Japanese prose the search index keeps (its desks write English), so
 * the list-page tests add a Japanese event, assessed by JP-01 with the replay provider, as the CLI
 * search tests do. Its body holds 国際協力銀行.
 */
// A comma and quotes in the title exercise the CSV quoting.
export const JA_TITLE = '日本、JBIC "5500億ドル", 対米投資の新枠組み';
export const JA_BODY =
  '財務省は2025年9月26日、国際協力銀行（JBIC）に5500億ドル規模の対米投資を実行するための新たな枠組みを設けると発表した。\n' +
  '半導体、医薬品、エネルギー、造船などが対象で、日本貿易保険（NEXI）の保証も活用する。「関税合意」の履行が焦点となる。';
export const JA_QUERY = '国際協力銀行';

/** Runs the Japanese event into `db`; returns its run id. */
export function addJapaneseRun(dir: string, db: string): string {
  const replay = makeReplayDir(dir, eventId({ title: JA_TITLE, summary: JA_BODY }));
  const r = assess(['run', '--title', JA_TITLE, '--text', JA_BODY, '--language', 'ja', '--agents', 'JP-01', '--provider', 'replay', '--replay-dir', replay, '--no-progress', '--db', db]);
  const m = /^run ([0-9a-f-]{36}): /m.exec(r.stderr);
  if (r.code !== 0 || !m) throw new Error(`assess run (Japanese) failed (${r.code}): ${r.stderr}`);
  return m[1]!;
}
