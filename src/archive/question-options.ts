import type { Database } from 'better-sqlite3';
import { NONE_OPTION } from '../forecasts/questions-from-view.js';
import type { QuestionOption } from '../forecasts/types.js';

/**
 * Every question's options, in the order people read them: by position, with "none of these"
 * last whatever its position (options only grow, so a scenario added later comes after it).
 */
export function optionsByQuestion(db: Database): Map<string, QuestionOption[]> {
  const options = new Map<string, QuestionOption[]>();
  const rows = db
    .prepare('SELECT question_id AS q, option_id AS id, label FROM question_options ORDER BY question_id, option_id = ?, position, option_id')
    .all(NONE_OPTION.id) as { q: string; id: string; label: string }[];
  for (const o of rows) {
    const list = options.get(o.q) ?? [];
    list.push({ id: o.id, label: o.label });
    options.set(o.q, list);
  }
  return options;
}
