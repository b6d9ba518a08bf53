/**
 * Named countries, organisations and people in an event, normalised so that two reports of one
 * story agree even when worded differently: "Japan", "Japanese", "Tokyo", 日本 and 日米 all give JP;
 * "JBIC", "Japan Bank for International Cooperation" and 国際協力銀行 all give JBIC.
 *
 * Deliberately small: a gazetteer of the countries and institutions world news keeps naming, the
 * acronyms the text itself spells out, and capitalised multi-word sequences for the names a list
 * cannot hold (people, companies). It only has to say "these two texts name the same actors", not
 * to be a full named-entity recogniser; the TF-IDF cosine carries most of the signal.
 */

export interface Entities {
  /** ISO 3166-1 alpha-2 codes. */
  countries: string[];
  /** Canonical organisation keys: acronyms (JBIC, MOF, IMF) or upper-cased names (WORLD BANK). */
  organisations: string[];
  /**
   * People, and bodies the gazetteer does not know, as capitalised names in lower case, titles
   * dropped: "shigeru ishiba" (from "Prime Minister Shigeru Ishiba"), "ueda" (from "Governor
   * Ueda"), "mitsui fudosan". A name matches another whose words include all of its own
   * (similarity.ts), so "ueda" meets "kazuo ueda" whichever order the culture writes names in.
   */
  names: string[];
}

/** [ISO code, names as written in English text (case-sensitive), names in Japanese/Chinese/Korean]. */
const COUNTRIES: [code: string, english: string[], cjk: string[]][] = [
  ['JP', ['Japan', 'Japanese', 'Tokyo'], ['日本', '東京', '日米', '日中', '日韓', '日露', '日ロ', '日英', '日豪', '日印', '日欧', '訪日', '来日', '일본', '도쿄']],
  [
    'US',
    ['United States', 'US', 'USA', 'America', 'American', 'Americans', 'Washington'],
    ['米国', 'アメリカ', '合衆国', '日米', '米中', '米韓', '米露', '米ロ', '米欧', '米政府', '米大統領', '米財務', '米商務', '米政権', '米議会', '米連邦', '米軍', '米企業', '訪米', '対米', '駐米', '在米', '美国', '미국', '워싱턴'],
  ],
  ['CN', ['China', 'Chinese', 'Beijing', 'PRC'], ['中国', '日中', '米中', '中韓', '中露', '中ロ', '訪中', '対中', '北京', '중국', '베이징']],
  ['KR', ['South Korea', 'South Korean', 'Korea', 'Korean', 'Seoul', 'ROK'], ['韓国', '日韓', '米韓', '中韓', '訪韓', '対韓', '韩国', '한국', '서울']],
  ['KP', ['North Korea', 'North Korean', 'Pyongyang', 'DPRK'], ['北朝鮮', '朝鲜', '북한', '평양']],
  ['TW', ['Taiwan', 'Taiwanese', 'Taipei'], ['台湾', '臺灣', '대만']],
  ['RU', ['Russia', 'Russian', 'Moscow', 'Kremlin'], ['ロシア', '日露', '日ロ', '米露', '米ロ', '中露', '中ロ', '俄罗斯', '러시아']],
  ['UA', ['Ukraine', 'Ukrainian', 'Kyiv', 'Kiev'], ['ウクライナ', '乌克兰', '우크라이나']],
  ['GB', ['United Kingdom', 'Britain', 'British', 'UK', 'London'], ['英国', 'イギリス', '日英', '영국']],
  ['FR', ['France', 'French', 'Paris'], ['フランス', '法国', '프랑스']],
  ['DE', ['Germany', 'German', 'Berlin'], ['ドイツ', '德国', '독일']],
  ['IT', ['Italy', 'Italian', 'Rome'], ['イタリア', '意大利']],
  // Not 인도 in Korean: it is also "handover" and the stem of "humanitarian" (인도적).
  ['IN', ['India', 'Indian', 'New Delhi', 'Delhi'], ['インド', '日印', '印度']],
  ['ID', ['Indonesia', 'Indonesian', 'Jakarta'], ['インドネシア', '印度尼西亚', '인도네시아']],
  ['AU', ['Australia', 'Australian', 'Canberra'], ['オーストラリア', '豪州', '日豪', '澳大利亚', '호주']],
  ['CA', ['Canada', 'Canadian', 'Ottawa'], ['カナダ', '加拿大', '캐나다']],
  ['MX', ['Mexico', 'Mexican'], ['メキシコ', '墨西哥', '멕시코']],
  ['BR', ['Brazil', 'Brazilian', 'Brasilia'], ['ブラジル', '巴西', '브라질']],
  ['SA', ['Saudi Arabia', 'Saudi', 'Riyadh'], ['サウジアラビア', 'サウジ', '沙特']],
  ['IR', ['Iran', 'Iranian', 'Tehran'], ['イラン', '伊朗']],
  ['IQ', ['Iraq', 'Iraqi', 'Baghdad'], ['イラク', '伊拉克']],
  ['IL', ['Israel', 'Israeli'], ['イスラエル', '以色列', '이스라엘']],
  ['PS', ['Gaza', 'Palestinian', 'Palestinians', 'West Bank'], ['ガザ', 'パレスチナ', '加沙']],
  ['EG', ['Egypt', 'Egyptian', 'Cairo'], ['エジプト', '埃及']],
  ['TR', ['Turkey', 'Turkish', 'Türkiye', 'Ankara'], ['トルコ', '土耳其']],
  ['SY', ['Syria', 'Syrian', 'Damascus'], ['シリア', '叙利亚']],
  ['QA', ['Qatar', 'Qatari', 'Doha'], ['カタール', '卡塔尔']],
  ['AE', ['United Arab Emirates', 'UAE', 'Emirati', 'Abu Dhabi', 'Dubai'], ['アラブ首長国連邦', '阿联酋']],
  ['VN', ['Vietnam', 'Vietnamese', 'Hanoi'], ['ベトナム', '越南', '베트남']],
  ['PH', ['Philippines', 'Philippine', 'Filipino', 'Manila'], ['フィリピン', '菲律宾', '필리핀']],
  ['TH', ['Thailand', 'Thai', 'Bangkok'], ['タイ', '泰国', '태국']],
  ['MY', ['Malaysia', 'Malaysian', 'Kuala Lumpur'], ['マレーシア', '马来西亚']],
  ['SG', ['Singapore', 'Singaporean'], ['シンガポール', '新加坡', '싱가포르']],
  ['PK', ['Pakistan', 'Pakistani', 'Islamabad'], ['パキスタン', '巴基斯坦']],
  ['AF', ['Afghanistan', 'Afghan', 'Kabul'], ['アフガニスタン', '阿富汗']],
  ['NG', ['Nigeria', 'Nigerian', 'Abuja'], ['ナイジェリア', '尼日利亚']],
  ['ZA', ['South Africa', 'South African', 'Pretoria'], ['南アフリカ', '南非']],
  ['AR', ['Argentina', 'Argentine', 'Buenos Aires'], ['アルゼンチン', '阿根廷']],
  ['VE', ['Venezuela', 'Venezuelan', 'Caracas'], ['ベネズエラ', '委内瑞拉']],
  ['NZ', ['New Zealand', 'Wellington'], ['ニュージーランド', '新西兰']],
  ['PL', ['Poland', 'Polish', 'Warsaw'], ['ポーランド', '波兰']],
  ['NL', ['Netherlands', 'Dutch', 'The Hague'], ['オランダ', '荷兰']],
  ['ES', ['Spain', 'Spanish', 'Madrid'], ['スペイン', '西班牙']],
  ['CH', ['Switzerland', 'Swiss', 'Geneva', 'Bern'], ['スイス', '瑞士']],
];

/** [canonical key, names in English text (case-sensitive), names in Japanese/Chinese/Korean]. */
const ORGANISATIONS: [key: string, english: string[], cjk: string[]][] = [
  ['JBIC', ['Japan Bank for International Cooperation'], ['国際協力銀行']],
  ['MOF', ['MoF', 'Ministry of Finance', 'Finance Ministry'], ['財務省']],
  ['TREASURY', ['Treasury', 'Treasury Department'], ['米財務省', '美国财政部']],
  ['BOJ', ['BoJ', 'Bank of Japan'], ['日本銀行', '日銀']],
  ['FED', ['Fed', 'Federal Reserve', 'FRB'], ['連邦準備制度理事会', '美联储', '연준']],
  ['ECB', ['European Central Bank'], ['欧州中央銀行']],
  ['BOE', ['BoE', 'Bank of England'], ['イングランド銀行']],
  ['PBOC', ["People's Bank of China"], ['中国人民銀行', '中国人民银行']],
  ['METI', ['Ministry of Economy, Trade and Industry', 'Trade Ministry'], ['経済産業省', '経産省']],
  ['MOFA', ['MoFA', 'Foreign Ministry', 'Ministry of Foreign Affairs'], ['外務省']],
  ['MOD', ['Defense Ministry', 'Defence Ministry', 'Ministry of Defense', 'Pentagon'], ['防衛省', '国防総省']],
  ['IMF', ['International Monetary Fund'], ['国際通貨基金', '国际货币基金组织']],
  ['WORLD BANK', ['World Bank'], ['世界銀行', '世界银行']],
  ['WTO', ['World Trade Organization'], ['世界貿易機関']],
  ['UN', ['United Nations'], ['国連', '联合国', '유엔']],
  ['EU', ['European Union', 'Brussels'], ['欧州連合', '欧盟']],
  ['NATO', [], ['北大西洋条約機構', '北约']],
  ['OPEC', [], ['石油輸出国機構']],
  ['ASEAN', [], ['東南アジア諸国連合']],
  ['G7', [], ['主要7カ国']],
  ['LDP', ['Liberal Democratic Party'], ['自民党', '自由民主党']],
  ['WHITE HOUSE', ['White House'], ['ホワイトハウス', '白宫']],
  ['JETRO', [], ['日本貿易振興機構', 'ジェトロ']],
  ['DBJ', ['Development Bank of Japan'], ['日本政策投資銀行']],
  ['TOYOTA', ['Toyota'], ['トヨタ']],
  ['SOFTBANK', ['SoftBank'], ['ソフトバンク']],
  ['NIPPON STEEL', ['Nippon Steel'], ['日本製鉄']],
  ['TOSHIBA', ['Toshiba'], ['東芝']],
  ['SONY', ['Sony'], ['ソニー']],
  ['HITACHI', ['Hitachi'], ['日立']],
  ['HONDA', ['Honda'], ['ホンダ']],
  // Not 日産: it also means "daily output" (日産100万バレル) in every oil story.
  ['NISSAN', ['Nissan'], []],
  ['MITSUBISHI', ['Mitsubishi'], ['三菱']],
  ['TSMC', ['Taiwan Semiconductor Manufacturing'], ['台湾積体電路製造']],
  ['SAMSUNG', ['Samsung'], ['サムスン', '삼성']],
];

/** Upper-case words that are not organisations: units, currencies, time zones, roman numerals. */
const NOT_ORGANISATIONS = new Set([
  'CEO', 'CFO', 'COO', 'GDP', 'CPI', 'PMI', 'AI', 'IT', 'TV', 'PM', 'AM', 'UTC', 'GMT', 'JST', 'EST', 'EDT',
  'USD', 'JPY', 'EUR', 'CNY', 'KRW', 'GBP', 'OK', 'FY', 'YOY', 'LNG', 'EV', 'ETF', 'IPO', 'ESG', 'II', 'III',
  'IV', 'VI', 'VII', 'ID', 'NEWS', 'UPDATE', 'BREAKING', 'Q1', 'Q2', 'Q3', 'Q4', 'H1', 'H2', 'KM', 'MW', 'GW',
]);

/** Offices: one before a name says the name is a person's ("Governor Ueda"), even a one-word name. */
const TITLES = new Set([
  'President', 'Minister', 'Premier', 'Chancellor', 'Secretary', 'Governor', 'Chairman', 'Chairwoman', 'Chair',
  'Spokesman', 'Spokeswoman', 'Spokesperson', 'Ambassador', 'Senator', 'Sen', 'Representative', 'Rep', 'Mr', 'Mrs',
  'Ms', 'Dr', 'General', 'Gen', 'Admiral', 'King', 'Queen', 'Prince', 'Princess', 'Leader', 'Speaker', 'Mayor', 'Pope',
  'Director', 'Commissioner', 'Envoy', 'Chief',
]);

/**
 * Words that qualify an office ("Finance Minister", "Vice President"): dropped before a name, but
 * on their own they make nothing a person ("Defense Department" is not a person called Department).
 */
const TITLE_QUALIFIERS = new Set([
  'Prime', 'Crown', 'Foreign', 'Finance', 'Defense', 'Defence', 'Trade', 'Economy', 'Commerce', 'Vice', 'Deputy',
  'Executive', 'Treasury', 'Economic', 'Revitalization', 'Cabinet', 'State', 'Interior', 'Energy', 'Industry', 'Senior',
  'Opposition', 'Former', 'Acting',
]);

/** Company-form words dropped from a name, so "Nippon Steel Corp" and "Nippon Steel" agree. */
const COMPANY_FORMS = new Set(['Corp', 'Corporation', 'Inc', 'Co', 'Ltd', 'Holdings', 'Group', 'Plc', 'LLC', 'AG', 'SA']);

/** Lower-case words allowed inside a name: "Bank of America", "Ursula von der Leyen". */
const NAME_JOINERS = new Set(['of', 'for', 'de', 'da', 'del', 'van', 'von', 'der', 'bin', 'al']);

/** Capitalised words that start sentences or headlines without being names. */
const NOT_NAME_WORDS = new Set([
  'The', 'A', 'An', 'In', 'On', 'At', 'As', 'After', 'Before', 'But', 'And', 'Or', 'If', 'While', 'When', 'With',
  'From', 'For', 'By', 'Its', 'It', 'This', 'That', 'These', 'Those', 'Officials', 'Analysts', 'Shares', 'Markets',
  'Under', 'Over', 'Amid', 'Despite', 'Meanwhile', 'However', 'Both', 'All', 'Some', 'New', 'Last', 'Next', 'Early',
  'Late', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday', 'January', 'February',
  'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December', 'He', 'She',
  'They', 'We', 'Our', 'His', 'Her', 'Their',
]);

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Katakana, so that タイ (Thailand) is not found inside タイミング. */
const KATAKANA = '\\u30a1-\\u30fa\\u30fc';

/**
 * Letters and digits a Latin-script name must not touch ("US" is not in "USB"). Spelled out rather
 * than \p{L}: a Unicode property in every lookaround made the pattern slow to compile, and only
 * Latin letters can continue a Latin word.
 */
const LATIN_WORD = 'A-Za-z0-9\\u00c0-\\u024f';

/** What a gazetteer match is replaced with: a symbol, so it ends a run of capitalised words. */
const BLANK = '\u00a6';

interface Gazetteer {
  pattern: RegExp;
  /** Keys per name: 日米 is both JP and US. */
  keysOf: Map<string, string[]>;
}

/**
 * One pattern for a table of names: English names as whole words (case-sensitive, "US" is not "us"),
 * CJK names anywhere (no spaces to find words by), except that a katakana name must not be part of a
 * longer katakana word. Longest names first, so "North Korea" wins over "Korea" and インドネシア over インド.
 * Each script's names share one pair of boundary checks: a check per name made the pattern so
 * costly to compile that a process's first event took 150 ms (every `assess run` is a new process).
 */
function gazetteer(table: [key: string, english: string[], cjk: string[]][]): Gazetteer {
  const keysOf = new Map<string, string[]>();
  for (const [key, english, cjk] of table) {
    for (const name of [...english, ...cjk]) keysOf.set(name, [...(keysOf.get(name) ?? []), key]);
  }
  const byLength = [...keysOf.keys()].sort((a, b) => b.length - a.length);
  const latin = byLength.filter((name) => /^[\p{Script=Latin}\s.,'’-]+$/u.test(name));
  const katakana = byLength.filter((name) => /^[\u30a1-\u30ff]+$/u.test(name));
  const other = byLength.filter((name) => !latin.includes(name) && !katakana.includes(name));
  const group = (names: string[]): string => names.map(escape).join('|');
  // A name of one script never starts where a name of another does, so the groups cannot compete.
  const pattern = [
    `(?<![${LATIN_WORD}])(?:${group(latin)})(?![${LATIN_WORD}])`,
    `(?<![${KATAKANA}])(?:${group(katakana)})(?![${KATAKANA}])`,
    `(?:${group(other)})`,
  ].join('|');
  return { pattern: new RegExp(pattern, 'gu'), keysOf };
}

const countryTable = gazetteer(COUNTRIES);
const organisationTable = gazetteer(ORGANISATIONS);

/** Adds the keys of every name found; returns the text with those names blanked, so later rules skip them. */
function findAll(text: string, table: Gazetteer, found: Set<string>): string {
  return text.replace(table.pattern, (name) => {
    for (const key of table.keysOf.get(name) ?? []) found.add(key);
    return BLANK.repeat(name.length);
  });
}

/**
 * Acronyms the text spells out (JBIC, IMF, OPEC, G7): two to six capitals or digits starting with
 * a capital, with at least two capitals or a capital and a digit, as a whole word, minus units and
 * currencies.
 */
function findAcronyms(text: string, found: Set<string>): void {
  for (const m of text.matchAll(/(?<![\p{L}\p{N}&])[A-Z][A-Z0-9&]{1,5}(?![\p{L}\p{N}&])/gu)) {
    if (!NOT_ORGANISATIONS.has(m[0]) && /[A-Z].*[A-Z]|[A-Z]\d/.test(m[0])) found.add(m[0]);
  }
}

/** "Japan Sets Up $550 Billion Facility": most words capitalised, so capitals say nothing about names. */
export function isHeadlineCase(text: string): boolean {
  const words = text.match(/\p{L}{4,}/gu) ?? [];
  if (words.length < 3) return false;
  const capitalised = words.filter((w) => /^\p{Lu}/u.test(w)).length;
  return capitalised / words.length >= 0.6;
}

/** A capitalised word with at least one lower-case letter (so not an acronym): Ishiba, McDonald. */
const isCapitalised = (word: string): boolean => /^\p{Lu}[\p{L}'’-]*\p{Ll}[\p{L}'’-]*$/u.test(word);

const possessive = (word: string): string => word.replace(/['’]s$/u, '');

/**
 * Names from runs of capitalised words. A run ends at punctuation, a line break or a blanked
 * gazetteer name. Words that start sentences and titles are dropped from its front; a title makes
 * what follows a person's name, even one word ("Governor Ueda"); company forms are dropped; an
 * untitled run needs two words to count as a name ("Typhoon Khanun", "Mitsui Fudosan").
 */
function findNames(text: string, names: Set<string>): void {
  let run: string[] = [];
  const flush = (): void => {
    let i = 0;
    while (i < run.length && NOT_NAME_WORDS.has(run[i]!)) i++;
    let titled = false;
    while (i < run.length && (TITLES.has(run[i]!) || TITLE_QUALIFIERS.has(run[i]!))) {
      if (TITLES.has(run[i]!)) titled = true;
      i++;
    }
    const words = run.slice(i).filter((w) => !COMPANY_FORMS.has(w));
    while (words.length > 0 && NAME_JOINERS.has(words.at(-1)!)) words.pop();
    if (words.length >= 2 || (titled && words.length === 1)) names.add(words.join(' ').toLowerCase());
    run = [];
  };
  // Odd items are what separates words; a word may hold an apostrophe or a hyphen.
  for (const token of text.split(/([^\p{L}\p{N}'’-]+)/u)) {
    if (token === '' || /^[ \t]+$/u.test(token)) continue; // a space keeps a run going
    if (!/[\p{L}\p{N}]/u.test(token)) {
      flush();
      continue;
    }
    const word = possessive(token);
    if (isCapitalised(word) || (run.length > 0 && NAME_JOINERS.has(word))) run.push(word);
    else flush();
    // "Japan's prime minister": a possessive ends the name it closes.
    if (word !== token) flush();
  }
  flush();
}

/**
 * The countries, organisations and people named in a text. `names: false` skips capitalised runs
 * (for a headline in title case, where every word is capitalised).
 */
export function extractEntities(text: string, options: { names?: boolean } = {}): Entities {
  const countries = new Set<string>();
  const organisations = new Set<string>();
  const names = new Set<string>();
  const normalised = text.normalize('NFKC').replace(/\b([A-Z])\.([A-Z])\.(?:([A-Z])\.)?/g, '$1$2$3');
  // Organisations first: "Bank of Japan" is the BOJ, and its "Japan" is then not counted again.
  let rest = findAll(normalised, organisationTable, organisations);
  rest = findAll(rest, countryTable, countries);
  findAcronyms(rest, organisations);
  if (options.names !== false) findNames(rest, names);
  const sorted = (set: Set<string>): string[] => [...set].sort();
  return { countries: sorted(countries), organisations: sorted(organisations), names: sorted(names) };
}

/** The entities of an event: its title (names skipped when it is in headline case) and its summary. */
export function eventEntities(event: { title: string; summary: string }): Entities {
  const title = extractEntities(event.title, { names: !isHeadlineCase(event.title) });
  const body = extractEntities(event.summary);
  const union = (a: string[], b: string[]): string[] => [...new Set([...a, ...b])].sort();
  return {
    countries: union(title.countries, body.countries),
    organisations: union(title.organisations, body.organisations),
    names: union(title.names, body.names),
  };
}
