import type { AgentAssessment } from '../assessment/schema.js';
import type { NewsEvent } from '../event/schema.js';

/** What of an event is searchable: its title and body. */
export function eventSearchText(event: NewsEvent): string {
  return [event.title, event.summary, event.tags.join(' ')].filter(Boolean).join('\n');
}

/** What of a desk assessment is searchable: every piece of prose the desk wrote. */
export function assessmentSearchText(a: AgentAssessment): string {
  return [
    a.bottomLine,
    `${a.stance.label}: ${a.stance.reason}`,
    a.opening,
    ...a.keyFacts.map((f) => `${f.feature}: ${f.detail}`),
    ...a.upside.map((u) => `${u.title}: ${u.explanation}`),
    ...a.risks.map((r) => `${r.axis} — ${r.title}: ${r.description}`),
    a.feasibility,
    ...a.trajectories.map((t) => `${t.name}: ${t.keyDynamics} ${t.implications}`),
    a.lean,
    ...a.caveats,
    a.strategicSignificance.intro,
    ...a.strategicSignificance.points,
    ...a.openQuestions,
    ...a.indicators.map((i) => `${i.indicator}: ${i.why}`),
  ]
    .filter(Boolean)
    .join('\n');
}
