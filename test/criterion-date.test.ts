import { describe, expect, it } from 'vitest';
import { AssessmentDraftSchema } from '../src/assessment/schema.js';
import { MemoryAssessmentDraftSchema } from '../src/assessment/memory-schema.js';
import { criterionIssues, findCriterionDates, isIsoCalendarDate, vagueWordsWithoutThreshold } from '../src/assessment/criterion-date.js';
import { toProviderJsonSchema } from '../src/llm/json-schema.js';
import { recordedDesk } from './support/recordings.js';

/** Issue 14 §1: a resolution criterion names a date and gives thresholds, not "significant". */

describe('criterion dates', () => {
  it.each([
    ['at least $100 billion by 2029-01-20, in JBIC press releases', ['2029-01-20']],
    ['by January 2029', ['January 2029']],
    ['by Jan. 2029', ['Jan. 2029']],
    ['before Sept 2026', ['Sept 2026']],
    ['by 20 January 2029', ['20 January 2029']],
    ['by 31st December 2026', ['31st December 2026']],
    ['by January 20, 2029', ['January 20, 2029']],
    ['2029年1月までに承認額が1000億ドル以上', ['2029年1月']],
    ['２０２６年１２月３１日までに', ['２０２６年１２月３１日']],
    ['between 2025-09-26 and December 2026', ['2025-09-26', 'December 2026']],
  ])('finds the date in %s', (text, dates) => {
    expect(findCriterionDates(text)).toEqual(dates);
  });

  it.each([
    'JBIC announces approvals of at least $100 billion, in JBIC press releases',
    'by the end of the current U.S. term',
    'in 2029',
    'by 2029-13-01',
    'May the approvals reach $100 billion',
  ])('finds no date in %s', (text) => {
    expect(findCriterionDates(text)).toEqual([]);
  });

  it('checks resolveBy is a real calendar date', () => {
    expect(isIsoCalendarDate('2029-01-20')).toBe(true);
    expect(isIsoCalendarDate('2028-02-29')).toBe(true);
    expect(isIsoCalendarDate('2027-02-29')).toBe(false);
    expect(isIsoCalendarDate('2026-04-31')).toBe(false);
    expect(isIsoCalendarDate('2029-1-20')).toBe(false);
    expect(isIsoCalendarDate('January 2029')).toBe(false);
  });
});

describe('vague words', () => {
  it('rejects "significant" and the like without a number nearby, even next to a date', () => {
    expect(vagueWordsWithoutThreshold('Significant progress on the facility by 2029-01-20')).toEqual(['significant']);
    expect(vagueWordsWithoutThreshold('a substantial share and a major project by January 2029')).toEqual(['substantial', 'major']);
    expect(vagueWordsWithoutThreshold('large losses at JBIC by 2028-12-31')).toEqual(['large']);
  });

  it('accepts them with a threshold nearby, and leaves other words alone', () => {
    expect(vagueWordsWithoutThreshold('a significant share, at least 30%, by 2029-01-20')).toEqual([]);
    expect(vagueWordsWithoutThreshold('major projects (at least 5 worth $1 billion each) by 2029-01-20')).toEqual([]);
    expect(vagueWordsWithoutThreshold('the majority of largest lenders by 2029-01-20')).toEqual([]);
  });

  it('gives the model one message per problem', () => {
    expect(criterionIssues('At least $100 billion approved by 2029-01-20, in JBIC press releases')).toEqual([]);
    const issues = criterionIssues('Significant approvals, in JBIC press releases');
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/no date/);
    expect(issues[1]).toMatch(/"significant" without a threshold/);
  });
});

describe('the desk schema', () => {
  const desk = () => recordedDesk('JP-01');

  it('accepts the recorded desks and requires resolveBy and resolution on every trajectory and risk', () => {
    expect(AssessmentDraftSchema.safeParse(desk()).success).toBe(true);
    const schema = toProviderJsonSchema(AssessmentDraftSchema) as {
      properties: Record<string, { items: { required: string[]; properties: Record<string, { description: string }> } }>;
    };
    for (const list of ['risks', 'trajectories']) {
      const items = schema.properties[list]!.items;
      expect(items.required).toEqual(expect.arrayContaining(['resolveBy', 'resolution']));
      expect(items.properties['resolveBy']!.description).toContain('YYYY-MM-DD');
      expect(items.properties['resolution']!.description).toContain('where one would see it');
    }
    const memory = toProviderJsonSchema(MemoryAssessmentDraftSchema) as typeof schema;
    expect(memory.properties['trajectories']!.items.required).toEqual(expect.arrayContaining(['resolveBy', 'resolution', 'continues']));
  });

  it('rejects an undated or vague criterion and a malformed or impossible resolveBy, with custom issues at the item', () => {
    const d = desk();
    const [t1, ...ts] = d.trajectories;
    const [r1, ...rs] = d.risks;
    const bad = {
      ...d,
      trajectories: [{ ...t1!, resolution: 'Significant approvals, in JBIC press releases' }, ...ts],
      risks: [{ ...r1!, resolveBy: '2027-02-30' }, { ...rs[0]!, resolveBy: 'end of 2026' }, ...rs.slice(1)],
    };
    const result = AssessmentDraftSchema.safeParse(bad);
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^trajectories\.0\.resolution: the resolution criterion has no date/),
        expect.stringMatching(/^trajectories\.0\.resolution: .*"significant" without a threshold/),
        'risks.0.resolveBy: resolveBy must be a real calendar date, e.g. 2029-01-20',
        expect.stringMatching(/^risks\.1\.resolveBy: resolveBy must be a date written YYYY-MM-DD/),
      ]),
    );
  });
});
