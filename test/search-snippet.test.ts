import { describe, expect, it } from 'vitest';
import { makeSnippet } from '../src/archive/search-text.js';

describe('search snippets', () => {
  it('plain text: the match in bold, in its original case, cut around the first match', () => {
    const text = `${'Background words. '.repeat(20)}Japan routes the package through JBIC, and jbic lends.${' Tail.'.repeat(40)}`;
    const snippet = makeSnippet(text, 'JBIC');
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet).toContain('through **JBIC**, and **jbic** lends.');
  });

  it('full-width and compatibility characters match their NFKC form and keep their own shape', () => {
    expect(makeSnippet('国際協力銀行（ＪＢＩＣ）が融資する', 'jbic')).toBe('国際協力銀行（**ＪＢＩＣ**）が融資する');
  });

  it('a character that grows when lower-cased does not shift the bold past it', () => {
    expect(makeSnippet('İstanbul talks: JBIC joins', 'JBIC')).toBe('İstanbul talks: **JBIC** joins');
    expect(makeSnippet('ＪＢＩＣ and İzmir and JBIC', 'jbic')).toBe('**ＪＢＩＣ** and İzmir and **JBIC**');
  });

  it('Japanese words and several terms', () => {
    expect(makeSnippet('日本は国際協力銀行を通じて投資する', '国際協力銀行 投資')).toBe('日本は**国際協力銀行**を通じて**投資**する');
  });
});
