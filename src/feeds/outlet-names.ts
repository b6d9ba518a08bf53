/**
 * Names of news outlets and of the labels outlets put on headlines ("Exclusive:", 【速報】), so
 * that "Japan unveils plan - Reuters" and "Japan unveils plan" read as one headline. Only a
 * segment that *is* such a name is ever removed from a title: a trailing segment that merely
 * looks short ("- first quarter", "- bad news") is content and stays, because a difference in
 * content makes a different story. A missing outlet therefore costs a duplicate assessment,
 * never a merged story.
 */

/** Outlets as they appear after a headline, compared NFKC, lower-cased, single-spaced, without a leading "the ". */
const OUTLETS = new Set([
  // Wires and international outlets.
  'reuters', 'reuters.com', 'ap', 'ap news', 'apnews.com', 'associated press', 'afp', 'agence france-presse', 'afpbb news',
  'bloomberg', 'bloomberg news', 'bloomberg.com', 'cnbc', 'cnbc.com', 'cnn', 'cnn.com', 'cnn international', 'bbc', 'bbc news',
  'bbc.com', 'guardian', 'financial times', 'ft', 'ft.com', 'wsj', 'wall street journal', 'nyt', 'new york times',
  'nytimes.com', 'washington post', 'politico', 'politico europe', 'axios', 'al jazeera', 'al jazeera english', 'economist',
  'forbes', 'hill', 'usa today', 'los angeles times', 'telegraph', 'independent', 'npr', 'pbs newshour', 'fox news',
  'abc news', 'nbc news', 'cbs news', 'sky news', 'dw', 'deutsche welle', 'france 24', 'euronews', 'business insider',
  'marketwatch', 'yahoo news', 'yahoo! news', 'yahoo finance', 'google news', 'msn',
  // Asia.
  'nikkei', 'nikkei asia', 'nikkei asian review', 'kyodo', 'kyodo news', 'kyodo news+', 'jiji', 'jiji press', 'nhk',
  'nhk world', 'nhk world-japan', 'nhk news web', 'japan times', 'japan today', 'japan news', 'asahi shimbun', 'mainichi',
  'yomiuri shimbun', 'yonhap', 'yonhap news agency', 'korea herald', 'korea times', 'korea joongang daily', 'xinhua',
  'global times', 'scmp', 'south china morning post', 'taipei times', 'focus taiwan', 'times of india', 'hindu',
  'hindustan times', 'ndtv', 'straits times', 'cna',
  // Japanese names as Japanese sites print them.
  '日経', '日本経済新聞', '日経電子版', '日経ビジネス', '日経クロステック', '共同', '共同通信', '時事', '時事通信', '時事ドットコム',
  'jiji.com', '朝日', '朝日新聞', '朝日新聞デジタル', '読売', '読売新聞', '読売新聞オンライン', '毎日', '毎日新聞', '産経',
  '産経新聞', '産経ニュース', '東京新聞', 'nhkニュース', 'tbs', 'tbs news dig', '日テレnews', 'テレ朝news', 'fnnプライムオンライン',
  'ロイター', 'ブルームバーグ', 'bbcニュース', 'yahoo!ニュース', 'ヤフーニュース', '東洋経済オンライン', '東洋経済',
  'ダイヤモンド・オンライン', '現代ビジネス', '文春オンライン', '聯合ニュース', '中央日報', '朝鮮日報', '人民網', '新華社', '新華網',
  // Chinese names as Chinese sites print them.
  '新华网', '新华社', '人民网', '人民日报', '环球时报', '央视新闻', '财新网', '联合早报',
  // Korean names as Korean sites print them.
  '연합뉴스', '조선일보', '중앙일보', '동아일보', '한겨레', '한국경제', '매일경제', 'kbs', 'kbs 뉴스', 'mbc', 'mbc 뉴스', 'sbs', 'sbs 뉴스', 'ytn',
]);

/**
 * Words an outlet name of CJK script ends with (毎日新聞, 共同通信, 琉球新報, テレビ朝日…). Only
 * applied to segments with no hiragana: names are written in kanji, katakana and Latin letters,
 * while a phrase such as 悪いニュース ("bad news") has hiragana in it.
 */
const CJK_OUTLET_ENDING = /(新聞|新聞社|新聞デジタル|新聞オンライン|新聞電子版|通信|通信社|新報|日報|放送|テレビ|ニュース|news|news web|オンライン|電子版)$/u;
const CJK = /[\p{Script=Han}\p{Script=Katakana}]/u;
const HIRAGANA = /\p{Script=Hiragana}/u;

/** A place in kanji or katakana, then the wire: a bracketed Japanese dateline, 【ワシントン共同】, 【北京=時事】. */
const DATELINE = /^[\p{Script=Han}\p{Script=Katakana}ー]+(共同|時事|ロイター|afp|ap|新華社|聯合)$/u;

/** Labels outlets put before or after a headline; they say how it is presented, not what happened. */
const LABELS = new Set([
  'exclusive', 'breaking', 'breaking news', 'update', 'updated', 'corrected', 'correction', 'refile', 'analysis',
  'explainer', 'factbox', 'live', 'live updates', 'opinion', 'video', 'photos', 'watch', 'wrapup',
  '速報', '独自', '詳報', '動画', '写真', '更新', '追記', '続報', '中継', 'ライブ', '解説', '特集', '図解', '独占', '号外', '最新',
]);

function comparable(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim().replace(/^the /, '');
}

/** A bare domain such as `asahi.com` or `www3.nhk.or.jp`. */
const DOMAIN = /^(?:[a-z0-9-]+\.)+(?:com|net|org|jp|uk|de|fr|cn|kr|tw|in|eu|io|news)$/;

/** Whether `segment` (a piece cut off a headline at a separator or bracket) names a news outlet. */
export function isOutletName(segment: string): boolean {
  const name = comparable(segment);
  if (name === '') return false;
  if (OUTLETS.has(name) || DOMAIN.test(name)) return true;
  return CJK.test(name) && !HIRAGANA.test(name) && [...name].length <= 14 && CJK_OUTLET_ENDING.test(name);
}

/** Whether `segment` is a presentation label: `Exclusive`, `UPDATE 2`, `速報`. */
export function isHeadlineLabel(segment: string): boolean {
  const name = comparable(segment).replace(/\s*\d+$/, '');
  return LABELS.has(name);
}

/** Whether a bracketed prefix is a Japanese dateline naming a wire: `ワシントン共同`, `北京=時事`. */
export function isDateline(segment: string): boolean {
  const name = comparable(segment).replace(/[=\s]/g, '');
  return [...name].length <= 14 && DATELINE.test(name);
}
