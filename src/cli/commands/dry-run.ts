import { AssessmentDraftSchema } from '../../assessment/schema.js';
import { modelChoiceFor, pricesFor, withAbsolutePaths, type ProviderName } from '../../config/index.js';
import { TOKENIZER_DESCRIPTIONS, tokenCounter, tokenizerForModel, type TokenCounter, type TokenizerId } from '../../llm/estimate-tokens.js';
import { toProviderJsonSchema } from '../../llm/json-schema.js';
import { pricedModelName } from '../../llm/langchain-spec.js';
import type { PriceTable } from '../../llm/pricing.js';
import { renderDeskPrompt, renderSynthesisPrompt } from '../../prompts/index.js';
import { SynthesisDraftSchema } from '../../synthesis/schema.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { planRun, type PlanRunOptions, type RunPlan } from '../plan-run.js';
import { thousands } from '../../format/thousands.js';

/**
 * Tokens the synthesizer reads per desk digest (its stance, bottom line, risks, trajectories,
 * indicators and caveats as JSON). The digests do not exist before the desks answer; the eight
 * recorded desks of the seed event (fixtures/replay/jbic-550b) make 1,400–1,620 o200k tokens each.
 */
export const DIGEST_ALLOWANCE_TOKENS = 1600;

/** One model call as it would be sent, estimated. */
export interface CallEstimate {
  provider: ProviderName;
  model: string;
  /** System prompt + user prompt + the JSON Schema sent with them. */
  inputTokens: number;
  /** The output token limit sent with the call (--max-output-tokens). */
  outputCap: number;
  /** Input at the estimate plus output at the cap, at list price; null when the model has no known price. */
  maxCostUsd: number | null;
  tokenizer: TokenizerId;
}

export interface DeskEstimate extends CallEstimate {
  agentId: string;
}

export interface SynthesisEstimate extends CallEstimate {
  /** The part of inputTokens allowed for the desks' digests (DIGEST_ALLOWANCE_TOKENS per desk). */
  digestAllowanceTokens: number;
}

export interface DryRunReport {
  dryRun: true;
  event: { id: string; title: string };
  desks: DeskEstimate[];
  synthesis: SynthesisEstimate;
  /** Desks plus synthesis. maxCostUsd is null when any call's model has no known price. */
  total: { inputTokens: number; outputCap: number; maxCostUsd: number | null; unpricedModels: string[] };
  /** How the tokens were counted, for every tokenizer used. */
  tokenizer: string;
  notes: string[];
}

/** Schemas as sent to the providers (the same conversion runEvent uses). */
const DESK_SCHEMA_TEXT = JSON.stringify(toProviderJsonSchema(AssessmentDraftSchema));
const SYNTHESIS_SCHEMA_TEXT = JSON.stringify(toProviderJsonSchema(SynthesisDraftSchema));

/** Rounded to a millionth of a dollar, so sums print without floating-point tails. */
const micro = (usd: number): number => Math.round(usd * 1_000_000) / 1_000_000;

function maxCost(prices: PriceTable, model: string, inputTokens: number, outputCap: number): number | null {
  const usd = prices.costOf(model, { inputTokens, outputTokens: outputCap });
  return usd === null ? null : micro(usd);
}

/**
 * Renders every prompt of the plan and estimates each call, without building a model client:
 * provider and model come from the configuration and each desk's own overrides, the way
 * buildModels resolves them, so no key is needed.
 */
export async function estimateRun(plan: RunPlan): Promise<DryRunReport> {
  const { config, event, agents, prompts } = plan;
  const outputCap = config.maxOutputTokens;
  const prices = await pricesFor(withAbsolutePaths(config, plan.abs));
  const counters = new Map<TokenizerId, TokenCounter>();
  const counterFor = async (model: string): Promise<TokenCounter> => {
    const id = tokenizerForModel(model);
    let counter = counters.get(id);
    if (!counter) {
      counter = await tokenCounter(id);
      counters.set(id, counter);
    }
    return counter;
  };
  const call = async (provider: ProviderName, model: string, texts: string[], extraTokens = 0): Promise<CallEstimate> => {
    // A LangChain model is counted and priced as the model after its prefix (openai:gpt-4.1 as gpt-4.1).
    const priced = pricedModelName(provider, model);
    const counter = await counterFor(priced);
    const inputTokens = texts.reduce((sum, text) => sum + counter.count(text), extraTokens);
    return { provider, model, inputTokens, outputCap, maxCostUsd: maxCost(prices, priced, inputTokens, outputCap), tokenizer: counter.id };
  };

  const desks: DeskEstimate[] = [];
  for (const agent of agents) {
    // As buildModels resolves it.
    const { provider, model } = modelChoiceFor(config, agent);
    const prompt = renderDeskPrompt(prompts, agent, event);
    desks.push({ agentId: agent.id, ...(await call(provider, model, [prompt.system, prompt.user, DESK_SCHEMA_TEXT])) });
  }

  // The synthesizer's prompts rendered with no digests, plus an allowance for each desk's.
  const synthPrompt = renderSynthesisPrompt(prompts, event, [], []);
  const digestAllowanceTokens = DIGEST_ALLOWANCE_TOKENS * agents.length;
  const synthChoice = modelChoiceFor(config, null);
  const synthesis: SynthesisEstimate = {
    ...(await call(
      synthChoice.provider,
      synthChoice.model,
      [synthPrompt.system, synthPrompt.user, SYNTHESIS_SCHEMA_TEXT],
      digestAllowanceTokens,
    )),
    digestAllowanceTokens,
  };

  const calls: CallEstimate[] = [...desks, synthesis];
  const unpricedModels = [...new Set(calls.filter((c) => c.maxCostUsd === null).map((c) => c.model))];
  const total = {
    inputTokens: calls.reduce((sum, c) => sum + c.inputTokens, 0),
    outputCap: calls.reduce((sum, c) => sum + c.outputCap, 0),
    maxCostUsd: unpricedModels.length > 0 ? null : micro(calls.reduce((sum, c) => sum + (c.maxCostUsd ?? 0), 0)),
    unpricedModels,
  };
  const used = [...new Set(calls.map((c) => c.tokenizer))];
  return {
    dryRun: true,
    event: { id: event.id, title: event.event.title },
    desks,
    synthesis,
    total,
    tokenizer: used.map((id) => TOKENIZER_DESCRIPTIONS[id]).join('; '),
    notes: [
      'input tokens = system prompt + user prompt + the JSON Schema sent (compact JSON); chat framing is not counted',
      'max cost = input at the estimate + output at the cap, at list price: the worst case of one call per desk',
      `repair turns (up to ${config.maxRepairs} per call) and retries are not included`,
      `synthesis input includes an allowance of ${thousands(DIGEST_ALLOWANCE_TOKENS)} tokens per desk digest`,
    ],
  };
}

const int = thousands;
const cost = (usd: number | null): string => (usd === null ? 'unknown' : `$${usd.toFixed(4)}`);

/** A plain-text table; numeric columns right-aligned. */
function table(header: string[], rows: string[][], right: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cols: string[]) =>
    cols
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : i === cols.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function renderDryRunText(report: DryRunReport): string {
  const row = (name: string, c: CallEstimate): string[] => [name, c.provider, c.model, int(c.inputTokens), int(c.outputCap), cost(c.maxCostUsd), c.tokenizer];
  const { total } = report;
  const rows = [
    ...report.desks.map((d) => row(d.agentId, d)),
    row('synthesis', report.synthesis),
    ['TOTAL', '', '', int(total.inputTokens), int(total.outputCap), cost(total.maxCostUsd), ''],
  ];
  const lines = [
    `Dry run: ${report.event.title} (event ${report.event.id})`,
    `${report.desks.length} desk(s) + synthesis; no model called, nothing archived.`,
    '',
    table(['CALL', 'PROVIDER', 'MODEL', 'INPUT TOKENS', 'OUTPUT CAP', 'MAX COST', 'TOKENIZER'], rows, new Set([3, 4, 5])),
    '',
    ...(total.unpricedModels.length > 0 ? [`cost unknown: no price for ${total.unpricedModels.join(', ')}`] : []),
    `tokenizer: ${report.tokenizer}`,
    ...report.notes,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * `assess run <event> --dry-run`: the run's plan (same validation, exit 2 on bad input), every
 * prompt rendered and estimated. No model client is built, so no key is needed; nothing is
 * archived or written.
 */
export async function dryRunCommand(eventPath: string | undefined, options: PlanRunOptions & { out?: string }, io: CliIo): Promise<ExitCode> {
  const plan = await planRun(eventPath, options, io);
  const report = await estimateRun(plan);
  io.stdout.write(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderDryRunText(report));
  if (options.out !== undefined) io.stderr.write('assess: --out is ignored with --dry-run; nothing was written\n');
  return EXIT.ok;
}
