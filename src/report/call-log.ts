import type { ArchivedCall } from '../archive/load-run.js';
import { cacheNote, usd } from './format.js';

/** The call log of a run: every attempt with its finish reason, issues, tokens, latency and raw output. */
export function renderCallLogMarkdown(calls: ArchivedCall[], agent?: string): string {
  const out: string[] = ['# Call log', ''];
  const shown = agent ? calls.filter((c) => c.agentId === agent) : calls;
  if (shown.length === 0) out.push('_No calls recorded._', '');
  for (const c of shown) {
    const tokens = c.usage ? `${c.usage.inputTokens} in${cacheNote(c.usage)} / ${c.usage.outputTokens} out` : 'no usage';
    const round = c.round > 0 ? ` · resume round ${c.round}` : '';
    out.push(`## ${c.purpose} · attempt ${c.attempt} (${c.kind})${round}`, '');
    out.push(`- model: ${c.provider}/${c.model}`);
    out.push(`- finish: ${c.finishReason ?? '—'} · ${tokens} · ${c.latencyMs} ms${c.costUsd !== null ? ` · ${usd(c.costUsd)}` : ''}`);
    out.push(`- at: ${c.createdAt}`);
    if (c.error) out.push(`- error: ${c.error}`);
    if (c.issues.length > 0) {
      out.push('- validation issues:');
      for (const issue of c.issues) out.push(`  - ${issue}`);
    }
    if (c.parsed !== null) out.push('- output: valid');
    if (c.rawText !== null) out.push('', '```json', c.rawText, '```');
    out.push('');
  }
  return out.join('\n');
}

