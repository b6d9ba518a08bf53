/**
 * The labelled set for thread linking (issue 13, "Quality"): realistic world-news events, and pairs
 * of them labelled as the same developing story or different stories. English and Japanese, with
 * developing stories (the JBIC $550B facility → first projects named → first loan signed), pairs
 * that share actors but are different stories (Japan's MoF intervening in the yen vs the JBIC
 * facility), and the same kind of story in another country (a typhoon in Okinawa vs one in the
 * Philippines). Two cross-language pairs (English vs Japanese report of one story) are labelled
 * same, as a reader would; linking offline has only shared names and numbers to go on there.
 *
 * Events are written once and referred to by key, so one event can sit in several pairs. Dates are
 * the stories' real ones; the test scores a different-story pair as if its second event came a day
 * after the first, so that only content tells them apart (the hardest case for precision).
 */

export interface LabelledEvent {
  title: string;
  summary: string;
  /** When it was published (ISO date). */
  at: string;
  language: 'en' | 'ja';
}

export const EVENTS = {
  // --- The JBIC facility, a developing story (English) ---
  jbicFacility: {
    title: 'Japan sets up $550 billion JBIC facility to fund U.S. investment pledge',
    summary:
      'Japan will channel its $550 billion investment commitment to the United States through a new facility at the Japan Bank for International Cooperation, the Ministry of Finance said. The facility will offer loans and guarantees for projects selected jointly with Washington.',
    at: '2025-09-26',
    language: 'en',
  },
  jbicProjects: {
    title: "First projects named under Japan's $550 billion U.S. investment facility",
    summary:
      'Tokyo and Washington named the first three projects to be financed through the $550 billion facility run by JBIC: an Alaska gas pipeline, a gas-fired power plant in Texas and a semiconductor materials plant in Arizona.',
    at: '2025-10-20',
    language: 'en',
  },
  jbicLoan: {
    title: 'JBIC signs first loan under $550 billion U.S. investment facility',
    summary:
      'The Japan Bank for International Cooperation signed its first loan under the facility, lending $2.1 billion for the Texas power plant project. Officials said further loans for the Alaska pipeline would follow within weeks.',
    at: '2025-11-12',
    language: 'en',
  },
  jbicGeothermal: {
    title: 'JBIC lends $300 million for Indonesian geothermal power plant',
    summary:
      'The Japan Bank for International Cooperation agreed to co-finance a 220-megawatt geothermal plant in North Sumatra with Asian Development Bank, supporting Indonesia’s shift away from coal.',
    at: '2025-10-02',
    language: 'en',
  },

  // --- The yen (English) ---
  yenIntervention: {
    title: 'Japan intervenes in currency market as yen slides past 160 per dollar',
    summary:
      'Japanese authorities stepped into the foreign exchange market to buy yen after the currency weakened beyond 160 per dollar, traders said. Finance Minister Shunichi Suzuki declined to confirm the move but warned against speculative selling.',
    at: '2024-04-29',
    language: 'en',
  },
  yenInterventionConfirmed: {
    title: 'Japan confirms it spent record 9.8 trillion yen on currency intervention',
    summary:
      'The Ministry of Finance said it spent 9.79 trillion yen between April 26 and May 29 to prop up the yen, confirming it intervened after the currency hit a 34-year low of 160.245 per dollar.',
    at: '2024-05-31',
    language: 'en',
  },
  yenWarningKato: {
    title: 'Japan finance minister warns on yen moves as currency weakens toward 155',
    summary:
      'Finance Minister Katsunobu Kato said the government was watching currency markets with a strong sense of urgency, stepping up verbal warnings as the yen fell to an eight-month low against the dollar.',
    at: '2025-10-10',
    language: 'en',
  },

  // --- Central banks (English) ---
  bojHike: {
    title: 'Bank of Japan raises interest rates to 0.75%, highest in three decades',
    summary:
      'The Bank of Japan raised its short-term policy rate to 0.75% from 0.5%, citing broadening wage gains, and said real interest rates remain deeply negative.',
    at: '2025-12-19',
    language: 'en',
  },
  bojUeda: {
    title: 'BOJ governor Ueda signals more hikes after lifting rates to 0.75%',
    summary:
      'Governor Kazuo Ueda said the central bank will keep raising interest rates if its outlook for wages and prices is realised, after the Bank of Japan lifted borrowing costs to a 30-year high.',
    at: '2025-12-20',
    language: 'en',
  },
  ecbCut: {
    title: 'European Central Bank cuts interest rates to 2% as inflation cools',
    summary:
      'The ECB lowered its deposit rate by a quarter point to 2%, its eighth cut in a year, and President Christine Lagarde said the bank was in a good place to weather trade uncertainty.',
    at: '2025-06-05',
    language: 'en',
  },
  ecbPreview: {
    title: 'ECB set to lower rates again as euro zone inflation drops below target',
    summary:
      'Policymakers at the European Central Bank are expected to trim borrowing costs at Thursday’s meeting after inflation in the euro zone eased to 1.9% in May.',
    at: '2025-06-03',
    language: 'en',
  },
  fedCut: {
    title: 'Federal Reserve cuts rates by a quarter point, signals two more cuts this year',
    summary:
      'The Fed lowered its benchmark rate to a 4.00%-4.25% range, its first cut since December, as policymakers grew more worried about a weakening labor market.',
    at: '2025-09-17',
    language: 'en',
  },
  fedPowell: {
    title: 'Powell calls Fed rate cut a risk-management move amid cooling jobs market',
    summary:
      'Federal Reserve Chair Jerome Powell said the quarter-point reduction was meant to guard against further weakness in hiring, and that policymakers were not on a preset course for more cuts.',
    at: '2025-09-17',
    language: 'en',
  },
  usJobs: {
    title: 'US employers add just 22,000 jobs in August as unemployment rises to 4.3%',
    summary:
      'Hiring slowed sharply in August, the Labor Department said, with the unemployment rate climbing to its highest level since 2021 and job gains for June revised to a loss.',
    at: '2025-09-05',
    language: 'en',
  },

  // --- Disasters (English) ---
  typhoonOkinawa: {
    title: 'Typhoon Khanun lashes Okinawa, cutting power to 200,000 homes',
    summary:
      'Typhoon Khanun battered Japan’s southern Okinawa islands with winds of up to 200 km/h, grounding flights and leaving about a third of households without electricity.',
    at: '2023-08-02',
    language: 'en',
  },
  typhoonOkinawaToll: {
    title: 'Two dead as Typhoon Khanun stalls over Okinawa, flights cancelled for third day',
    summary:
      'Two people died and dozens were injured as Typhoon Khanun lingered near Okinawa, with more than 100,000 households still without power and hundreds of flights cancelled.',
    at: '2023-08-04',
    language: 'en',
  },
  typhoonPhilippines: {
    title: 'Typhoon Doksuri slams northern Philippines, forcing thousands to flee',
    summary:
      'Typhoon Doksuri made landfall in Cagayan province with sustained winds of 175 km/h, killing at least six people and displacing more than 12,000 as rivers overflowed.',
    at: '2023-07-26',
    language: 'en',
  },
  quakeAomori: {
    title: 'Magnitude 7.5 earthquake strikes off Aomori, tsunami warning issued',
    summary:
      'A strong earthquake hit off the coast of Aomori prefecture in northern Japan late at night, prompting a tsunami warning for the Pacific coast of Hokkaido and Tohoku and the evacuation of coastal towns.',
    at: '2025-12-08',
    language: 'en',
  },
  quakeAomoriAfter: {
    title: 'Tsunami warning lifted after Aomori quake; dozens injured, bullet trains halted',
    summary:
      'The Japan Meteorological Agency lifted its tsunami warning after waves of up to 70 cm reached the coast. About 30 people were injured in Aomori and Hokkaido, and Tohoku shinkansen services were suspended for inspections.',
    at: '2025-12-09',
    language: 'en',
  },
  quakeMyanmar: {
    title: 'Magnitude 7.7 earthquake hits central Myanmar, toppling buildings in Mandalay',
    summary:
      'A powerful earthquake struck near Mandalay, collapsing a bridge and buildings and shaking Bangkok, where a high-rise under construction fell. Hundreds are feared dead.',
    at: '2025-03-28',
    language: 'en',
  },
  airIndiaCrash: {
    title: 'Air India Boeing 787 with 242 aboard crashes after takeoff in Ahmedabad',
    summary:
      'An Air India Boeing 787-8 bound for London Gatwick crashed into a residential area moments after taking off from Ahmedabad, India’s aviation regulator said.',
    at: '2025-06-12',
    language: 'en',
  },
  airIndiaBlackBox: {
    title: 'Investigators recover black boxes from Air India crash site',
    summary:
      'India’s Aircraft Accident Investigation Bureau said both flight recorders from the Boeing 787 that crashed in Ahmedabad had been recovered, as the death toll rose to 270.',
    at: '2025-06-16',
    language: 'en',
  },
  jejuAirCrash: {
    title: 'Jeju Air jet crashes at Muan airport in South Korea, killing 179',
    summary:
      'A Jeju Air Boeing 737-800 arriving from Bangkok skidded off the runway at Muan International Airport and hit a wall, in South Korea’s deadliest air disaster in decades.',
    at: '2024-12-29',
    language: 'en',
  },

  // --- Companies and trade (English) ---
  nipponSteelDeal: {
    title: 'Nippon Steel completes U.S. Steel acquisition after golden share agreement',
    summary:
      'Nippon Steel closed its $14.9 billion purchase of U.S. Steel after agreeing to give the U.S. government a golden share with veto rights over key decisions, ending an 18-month fight.',
    at: '2025-06-18',
    language: 'en',
  },
  nipponSteelBoard: {
    title: 'Nippon Steel pledges $11 billion upgrades as it takes control of U.S. Steel',
    summary:
      'Nippon Steel named a new board for U.S. Steel, keeping its Pittsburgh headquarters, and committed $11 billion to modernise mills by 2028 under the terms of its national security agreement with Washington.',
    at: '2025-06-27',
    language: 'en',
  },
  nipponSteelForecast: {
    title: 'Nippon Steel cuts annual profit forecast on weak Chinese demand and tariffs',
    summary:
      'Japan’s largest steelmaker lowered its full-year profit outlook, blaming a flood of cheap Chinese steel exports and U.S. tariffs, and said it would delay a blast furnace restart.',
    at: '2025-08-01',
    language: 'en',
  },
  tsmcArizona: {
    title: 'TSMC to invest $100 billion more in Arizona chip plants',
    summary:
      'Taiwan Semiconductor Manufacturing Co said it would spend an additional $100 billion on three new fabs, two packaging facilities and a research center in Arizona, announced at the White House.',
    at: '2025-03-03',
    language: 'en',
  },
  tsmcArizonaGround: {
    title: 'TSMC breaks ground on third Arizona fab under $100 billion expansion',
    summary:
      'TSMC began construction of its third chip plant in Phoenix, the first project of the $100 billion expansion it unveiled this month, with production of 2-nanometre chips planned by 2028.',
    at: '2025-03-28',
    language: 'en',
  },
  tsmcKumamoto: {
    title: 'TSMC delays second Kumamoto plant in Japan, citing traffic congestion',
    summary:
      'TSMC said construction of its second chip factory in Kumamoto prefecture would start later than planned because of local traffic problems, though Japanese subsidies for the plant remain in place.',
    at: '2025-03-20',
    language: 'en',
  },
  usChinaTruce: {
    title: 'US and China agree to 90-day tariff truce after Geneva talks',
    summary:
      'Washington will cut its tariffs on Chinese goods to 30% from 145% and Beijing will lower its duties on U.S. imports to 10% for 90 days, Treasury Secretary Scott Bessent said after weekend talks in Geneva.',
    at: '2025-05-12',
    language: 'en',
  },
  usChinaTruceEffect: {
    title: 'Lower US tariffs on Chinese imports take effect as 90-day truce begins',
    summary:
      'The reduced 30% U.S. tariff on Chinese goods took effect, and China cut its retaliatory duties to 10%, as shippers rushed to book cargo space across the Pacific during the truce.',
    at: '2025-05-14',
    language: 'en',
  },
  usJapanTariff: {
    title: 'US and Japan strike trade deal setting 15% tariff on Japanese imports',
    summary:
      'President Donald Trump said the United States reached a deal with Japan that lowers tariffs on Japanese cars to 15%, in exchange for Japanese investment in America.',
    at: '2025-07-23',
    language: 'en',
  },
  rareEarthControls: {
    title: 'China expands rare earth export controls to magnets and processing technology',
    summary:
      'Beijing added five rare earth elements and related refining technology to its export control list, requiring licences for foreign firms using Chinese-origin rare earths in magnets.',
    at: '2025-10-09',
    language: 'en',
  },
  rareEarthShortage: {
    title: 'Automakers warn of production halts as China’s rare earth export curbs bite',
    summary:
      'European and Japanese car parts makers said stocks of rare earth magnets were running low as Chinese licence approvals stalled, threatening assembly lines within weeks.',
    at: '2025-10-24',
    language: 'en',
  },
  lynasTexas: {
    title: 'Lynas to build heavy rare earths processing plant in Texas with Pentagon funding',
    summary:
      'Australia’s Lynas Rare Earths said it would build a separation plant in Seadrift, Texas, backed by a U.S. Defense Department contract, to reduce reliance on Chinese supply.',
    at: '2025-10-15',
    language: 'en',
  },
  toyotaRecall: {
    title: 'Toyota recalls 1 million vehicles over faulty parking camera software',
    summary:
      'Toyota Motor said it would recall about one million cars in the United States because a software defect can cause the rear-view camera image to freeze or not appear.',
    at: '2025-08-20',
    language: 'en',
  },
  toyotaRecallLexus: {
    title: 'Toyota widens camera software recall to Lexus models',
    summary:
      'Toyota added several Lexus SUVs to its recall of vehicles whose parking camera software may fail, bringing the total to about 1.1 million vehicles, according to the safety regulator NHTSA.',
    at: '2025-08-28',
    language: 'en',
  },
  toyotaSales: {
    title: 'Toyota posts record global sales in first half on hybrid demand',
    summary:
      'Toyota Motor sold a record 5.5 million vehicles worldwide in January-June, helped by strong demand for hybrids in North America and Japan.',
    at: '2025-07-30',
    language: 'en',
  },

  // --- Politics and conflict (English) ---
  yoonMartialLaw: {
    title: 'South Korea’s Yoon declares martial law, lifts it hours later after parliament vote',
    summary:
      'President Yoon Suk Yeol declared emergency martial law in a late-night address, accusing the opposition of anti-state activities, but lifted it after lawmakers forced their way into the National Assembly and voted it down.',
    at: '2024-12-03',
    language: 'en',
  },
  yoonImpeached: {
    title: 'South Korean parliament impeaches President Yoon over martial law',
    summary:
      'South Korea’s National Assembly voted to impeach President Yoon Suk Yeol over his short-lived declaration of martial law, suspending his powers pending a Constitutional Court ruling.',
    at: '2024-12-14',
    language: 'en',
  },
  takaichiWins: {
    title: 'Sanae Takaichi wins LDP leadership, poised to become Japan’s first female prime minister',
    summary:
      'Sanae Takaichi, a conservative former economic security minister, won the Liberal Democratic Party’s leadership election, putting her on course to succeed Prime Minister Shigeru Ishiba.',
    at: '2025-10-04',
    language: 'en',
  },
  takaichiElected: {
    title: 'Japan’s parliament elects Takaichi as prime minister after coalition deal',
    summary:
      'The Diet elected Sanae Takaichi as Japan’s first female prime minister after her Liberal Democratic Party struck a coalition agreement with the Japan Innovation Party.',
    at: '2025-10-21',
    language: 'en',
  },
  gazaCeasefire: {
    title: 'Israel and Hamas agree on first phase of Gaza ceasefire and hostage release',
    summary:
      'Israel and Hamas signed off on the first phase of a U.S.-brokered plan to end the war in Gaza, under which fighting will stop and hostages will be freed in exchange for Palestinian prisoners.',
    at: '2025-10-09',
    language: 'en',
  },
  gazaHostagesFreed: {
    title: 'Hamas frees last living hostages as Gaza ceasefire holds',
    summary:
      'Hamas released the 20 remaining living hostages to the Red Cross and Israel freed nearly 2,000 Palestinian prisoners, the central exchange of the Gaza ceasefire deal.',
    at: '2025-10-13',
    language: 'en',
  },
  israelIran: {
    title: 'Israel strikes Iran’s nuclear sites and missile factories',
    summary:
      'Israel launched waves of air strikes on Iranian nuclear facilities and military commanders, and Iran responded with ballistic missile barrages on Israeli cities.',
    at: '2025-06-13',
    language: 'en',
  },
  gazaCityStrikes: {
    title: 'Israeli jets hit Gaza City as ceasefire talks stall in Doha',
    summary:
      'Israeli strikes on Gaza City killed dozens, health officials said, as negotiators in Qatar failed to bridge gaps over a proposed ceasefire and hostage exchange.',
    at: '2025-06-20',
    language: 'en',
  },
  ukraineGeneva: {
    title: 'US and Ukraine hold peace talks in Geneva on 28-point plan',
    summary:
      'American and Ukrainian officials met in Geneva to discuss a U.S.-drafted 28-point plan to end Russia’s war, which Kyiv and European allies say leans towards Moscow’s demands.',
    at: '2025-11-23',
    language: 'en',
  },
  ukraineGenevaAfter: {
    title: 'Ukraine and US refine peace framework after Geneva talks, Zelenskiy says',
    summary:
      'President Volodymyr Zelenskiy said the peace plan discussed in Geneva had been trimmed to 19 points and that the most sensitive issues, including territory, would be decided with President Trump.',
    at: '2025-11-25',
    language: 'en',
  },
  kyivDrones: {
    title: 'Russian drone and missile attack on Kyiv kills 14, damages power grid',
    summary:
      'Russia launched hundreds of drones and missiles at Ukraine overnight, hitting apartment blocks and energy facilities in Kyiv and leaving thousands without heating.',
    at: '2025-11-29',
    language: 'en',
  },
  indiaStrikes: {
    title: 'India strikes targets in Pakistan after Kashmir tourist attack',
    summary:
      'India said it hit nine sites in Pakistan and Pakistan-administered Kashmir linked to militants it blames for the Pahalgam attack; Islamabad said civilians were killed and vowed to respond.',
    at: '2025-05-07',
    language: 'en',
  },
  indiaPakCeasefire: {
    title: 'India and Pakistan agree to ceasefire after four days of strikes',
    summary:
      'India and Pakistan agreed to stop all firing and military action on land, air and sea, after the worst fighting between the nuclear-armed neighbours in decades over Kashmir.',
    at: '2025-05-10',
    language: 'en',
  },
  indiaChinaBorder: {
    title: 'India and China agree to resume border trade and direct flights',
    summary:
      'Foreign Minister Wang Yi and Indian officials agreed in New Delhi to reopen border trade points and restore direct flights, in the latest sign of a thaw since their 2020 border clash.',
    at: '2025-08-19',
    language: 'en',
  },
  opecOutput: {
    title: 'OPEC+ agrees to raise oil output by 411,000 barrels per day in June',
    summary:
      'Eight OPEC+ members led by Saudi Arabia agreed to accelerate production increases for a second month, adding 411,000 barrels per day in June despite weak prices.',
    at: '2025-05-03',
    language: 'en',
  },
  opecOilFalls: {
    title: 'Oil prices slide to four-year low after OPEC+ speeds up output increases',
    summary:
      'Brent crude fell below $60 a barrel after OPEC+ agreed to raise production by 411,000 barrels per day in June, stoking fears of a supply glut.',
    at: '2025-05-05',
    language: 'en',
  },
  aramcoLng: {
    title: 'Saudi Aramco signs deals with U.S. firms on LNG and refining',
    summary:
      'Saudi Aramco signed 34 agreements with American companies worth about $90 billion, including liquefied natural gas supply and refinery projects, during President Trump’s visit to Riyadh.',
    at: '2025-05-13',
    language: 'en',
  },
  riceStockpile: {
    title: 'Japan releases emergency rice stockpiles as prices double',
    summary:
      'The farm ministry said it would auction 210,000 tonnes of government rice reserves after the price of a 5-kilogram bag of rice doubled from a year earlier.',
    at: '2025-02-07',
    language: 'en',
  },
  riceStockpileAuction: {
    title: 'Japan to sell 150,000 tonnes of reserve rice in first stockpile auction',
    summary:
      'The farm ministry said the first auction of government rice reserves will be held in March, part of the 210,000 tonnes it pledged to release to bring down prices that have doubled in a year.',
    at: '2025-02-28',
    language: 'en',
  },
  indiaRiceExports: {
    title: 'India lifts ban on non-basmati white rice exports as stocks swell',
    summary:
      'India scrapped its curbs on exports of non-basmati white rice, imposed in 2023 to control domestic prices, after bumper harvests filled state warehouses.',
    at: '2025-02-20',
    language: 'en',
  },

  // --- Japanese ---
  jaJbicFacility: {
    title: '国際協力銀行に対米投資5500億ドルの融資枠　政府が新制度',
    summary:
      '政府は米国への5500億ドル（約80兆円）の投資を国際協力銀行（JBIC）を通じて実行する新たな融資制度を設けると発表した。対象案件は日米両政府が協議して選ぶ。',
    at: '2025-09-26',
    language: 'ja',
  },
  jaJbicProjects: {
    title: '対米投資5500億ドル、第1弾案件が決定　アラスカのガス事業など3件',
    summary:
      '日米両政府は5500億ドルの対米投資の第1弾として、アラスカの液化天然ガス事業やテキサス州の発電所など3件を選んだ。国際協力銀行が融資や保証を担う。',
    at: '2025-10-20',
    language: 'ja',
  },
  jaJbicLoan: {
    title: '国際協力銀行、対米投資枠で初の融資契約に調印',
    summary:
      '国際協力銀行は5500億ドルの対米投資の枠組みで初めての融資契約に調印した。テキサス州の発電所事業に21億ドルを融資する。',
    at: '2025-11-12',
    language: 'ja',
  },
  jaJbicGeothermal: {
    title: '国際協力銀行、インドネシアの地熱発電に3億ドル融資',
    summary: '国際協力銀行はインドネシア・北スマトラ州の地熱発電所の建設資金として、アジア開発銀行と協調して3億ドルを融資すると発表した。',
    at: '2025-10-02',
    language: 'ja',
  },
  jaIntervention: {
    title: '政府・日銀が為替介入か　円相場、1ドル160円台から急反発',
    summary:
      '円相場が1ドル160円台まで下落した後、急速に円高方向に動いた。市場では政府・日銀が円買い・ドル売りの為替介入に踏み切ったとの見方が広がった。',
    at: '2024-05-02',
    language: 'ja',
  },
  jaInterventionConfirmed: {
    title: '為替介入9.7兆円、過去最大　財務省が公表',
    summary:
      '財務省は4月26日から5月29日までに9兆7885億円の円買い・ドル売りの為替介入を実施したと発表した。円相場が1ドル160円台まで下落したことを受けた措置で、介入額は過去最大となった。',
    at: '2024-05-31',
    language: 'ja',
  },
  jaBojHike: {
    title: '日銀、政策金利を0.75%に引き上げ　30年ぶりの水準',
    summary: '日本銀行は金融政策決定会合で、政策金利を0.5%から0.75%に引き上げることを決めた。賃上げの広がりを確認したとしている。',
    at: '2025-12-19',
    language: 'ja',
  },
  jaBojUeda: {
    title: '植田日銀総裁、追加利上げに含み　政策金利0.75%で会見',
    summary:
      '日銀の植田和男総裁は金融政策決定会合後の記者会見で、政策金利の0.75%への引き上げについて説明し、経済・物価の見通しが実現すれば引き続き利上げを進める考えを示した。',
    at: '2025-12-19',
    language: 'ja',
  },
  jaFedCut: {
    title: '米FRB、0.25%の利下げ決定　9カ月ぶり',
    summary: '米連邦準備制度理事会（FRB）は連邦公開市場委員会で政策金利を0.25%引き下げることを決めた。雇用の減速を受け、年内の追加利下げも示唆した。',
    at: '2025-09-18',
    language: 'ja',
  },
  jaTyphoonKyushu: {
    title: '台風10号、鹿児島県に上陸　記録的な大雨のおそれ',
    summary: '強い台風10号は鹿児島県薩摩川内市付近に上陸した。気象庁は九州南部に大雨特別警報を出し、土砂災害や河川の氾濫に最大級の警戒を呼びかけた。',
    at: '2024-08-29',
    language: 'ja',
  },
  jaTyphoonKyushuDamage: {
    title: '台風10号で九州各地に被害　死者3人、停電25万戸',
    summary: '台風10号の影響で、九州では土砂崩れなどにより3人が死亡した。鹿児島県や宮崎県を中心に一時25万戸が停電し、新幹線の運休が続いている。',
    at: '2024-08-30',
    language: 'ja',
  },
  jaTyphoonPhilippines: {
    title: 'フィリピンに大型台風上陸　数万人が避難',
    summary: '大型の台風がフィリピン北部ルソン島に上陸し、暴風と大雨で少なくとも6人が死亡した。当局は沿岸部の住民数万人に避難を指示した。',
    at: '2024-08-27',
    language: 'ja',
  },
  jaNotoQuake: {
    title: '能登半島で震度7の地震　大津波警報を発表',
    summary: '石川県能登地方で最大震度7を観測する地震があった。気象庁は能登半島の沿岸に大津波警報を発表し、住民に直ちに高台へ避難するよう呼びかけた。',
    at: '2024-01-01',
    language: 'ja',
  },
  jaNotoQuakeToll: {
    title: '能登半島地震、死者100人超に　輪島市などで捜索続く',
    summary: '能登半島地震による死者は石川県内で100人を超えた。倒壊した家屋が多い輪島市や珠洲市では安否不明者の捜索が続いている。',
    at: '2024-01-06',
    language: 'ja',
  },
  jaTaiwanQuake: {
    title: '台湾東部でM7.2の地震　花蓮で建物倒壊',
    summary: '台湾東部の花蓮県沖を震源とする地震があり、花蓮市内でビルが傾くなどの被害が出た。沖縄県には一時津波警報が出された。',
    at: '2024-04-03',
    language: 'ja',
  },
  jaRiceStockpile: {
    title: '政府備蓄米、初回入札で14万トン落札　コメ価格の高騰受け',
    summary: '農林水産省は、コメの価格高騰を受けて放出する政府備蓄米の初回入札の結果を発表し、約14万トンが落札された。流通の停滞を解消し、価格の安定を図る。',
    at: '2025-03-12',
    language: 'ja',
  },
  jaRiceStockpileShops: {
    title: '備蓄米の店頭販売始まる　コメ価格の値下がりに期待',
    summary: '政府が放出した備蓄米が全国のスーパーの店頭に並び始めた。コメの価格高騰が続くなか、消費者からは値下がりへの期待の声が上がった。',
    at: '2025-03-29',
    language: 'ja',
  },
  jaOilReserve: {
    title: '政府、石油備蓄の放出を決定　原油価格の高騰に対応',
    summary: '政府は国際エネルギー機関（IEA）の協調行動に合わせ、国家備蓄の石油を放出すると発表した。ガソリン価格の高騰を抑える狙い。',
    at: '2025-03-04',
    language: 'ja',
  },
  jaIshibaResigns: {
    title: '石破首相が辞任表明　参院選大敗の責任取る',
    summary: '石破茂首相は記者会見し、自民党総裁を辞任する意向を表明した。参院選での大敗を受け、党内で退陣を求める声が強まっていた。',
    at: '2025-09-07',
    language: 'ja',
  },
  jaLdpRace: {
    title: '自民党総裁選、10月4日投開票　石破首相の後任選び',
    summary: '自民党は石破茂首相の辞任表明を受けた総裁選を10月4日に投開票すると決めた。高市早苗氏や小泉進次郎氏らが立候補を検討している。',
    at: '2025-09-09',
    language: 'ja',
  },
  jaGeorgiaRaid: {
    title: '米移民当局、韓国人労働者ら475人を拘束　ジョージア州の電池工場',
    summary:
      '米移民・関税執行局（ICE）は南部ジョージア州にある現代自動車とLGエナジーソリューションの電池工場の建設現場を捜索し、韓国人300人以上を含む475人を拘束した。韓国政府は遺憾の意を表明した。',
    at: '2025-09-05',
    language: 'ja',
  },
  jaToyotaRecall: {
    title: 'トヨタ、約100万台をリコール　駐車支援カメラに不具合',
    summary: 'トヨタ自動車は、駐車支援用カメラの映像が表示されなくなるおそれがあるとして、米国で約100万台をリコールすると発表した。',
    at: '2025-08-20',
    language: 'ja',
  },
  jaToyotaRecallJapan: {
    title: 'トヨタ、カメラ不具合のリコールを国内にも拡大',
    summary: 'トヨタ自動車は米国で発表した駐車支援カメラの不具合によるリコールについて、国内でもレクサスを含む約12万台を対象にすると国土交通省に届け出た。',
    at: '2025-08-27',
    language: 'ja',
  },
  jaHondaNissan: {
    title: 'ホンダと日産、経営統合の協議を打ち切り',
    summary: 'ホンダと日産自動車は経営統合に向けた協議を打ち切ると発表した。持ち株会社の設立方法などで折り合えなかった。',
    at: '2025-08-25',
    language: 'ja',
  },
} as const satisfies Record<string, LabelledEvent>;

export type EventKey = keyof typeof EVENTS;

/** [earlier event (already in a thread), later event (to link), same story?, why]. */
export const PAIRS: [a: EventKey, b: EventKey, same: boolean, note: string][] = [
  // Same story, English
  ['jbicFacility', 'jbicProjects', true, 'JBIC facility → first projects named (24 days)'],
  ['jbicProjects', 'jbicLoan', true, 'first projects → first loan signed (23 days)'],
  ['yenIntervention', 'yenInterventionConfirmed', true, 'suspected intervention → MoF confirms the amount (32 days: past the active window)'],
  ['bojHike', 'bojUeda', true, 'BOJ hike → Ueda press conference'],
  ['ecbPreview', 'ecbCut', true, 'ECB preview → the cut'],
  ['fedCut', 'fedPowell', true, 'Fed cut → Powell explains'],
  ['typhoonOkinawa', 'typhoonOkinawaToll', true, 'typhoon hits Okinawa → toll'],
  ['quakeAomori', 'quakeAomoriAfter', true, 'Aomori quake → warning lifted'],
  ['airIndiaCrash', 'airIndiaBlackBox', true, 'Air India crash → black boxes'],
  ['nipponSteelDeal', 'nipponSteelBoard', true, 'U.S. Steel deal closes → new board, pledges'],
  ['tsmcArizona', 'tsmcArizonaGround', true, 'TSMC $100B Arizona → ground broken (25 days)'],
  ['usChinaTruce', 'usChinaTruceEffect', true, 'US-China truce agreed → takes effect'],
  ['rareEarthControls', 'rareEarthShortage', true, 'China rare earth curbs → automakers warn (15 days)'],
  ['toyotaRecall', 'toyotaRecallLexus', true, 'Toyota recall → widened to Lexus'],
  ['yoonMartialLaw', 'yoonImpeached', true, 'Yoon martial law → impeachment (11 days)'],
  ['takaichiWins', 'takaichiElected', true, 'Takaichi wins LDP race → elected PM (17 days)'],
  ['gazaCeasefire', 'gazaHostagesFreed', true, 'Gaza ceasefire agreed → hostages freed'],
  ['ukraineGeneva', 'ukraineGenevaAfter', true, 'Geneva talks → framework refined'],
  ['indiaStrikes', 'indiaPakCeasefire', true, 'India strikes Pakistan → ceasefire'],
  ['opecOutput', 'opecOilFalls', true, 'OPEC+ output hike → oil falls'],
  ['riceStockpile', 'riceStockpileAuction', true, 'rice stockpile release → first auction set (21 days)'],

  // Different stories, English: shared actors, same topic elsewhere, related but separate
  ['jbicFacility', 'yenWarningKato', false, 'JBIC facility vs Japan MoF yen warning (both Japan, MoF, dollar)'],
  ['yenIntervention', 'usJobs', false, 'yen intervention vs US jobs report'],
  ['jbicFacility', 'jbicGeothermal', false, 'JBIC U.S. facility vs JBIC Indonesian geothermal loan (same lender)'],
  ['jbicProjects', 'jbicGeothermal', false, 'JBIC U.S. projects vs JBIC Indonesian power plant (both power projects)'],
  ['bojHike', 'ecbCut', false, 'BOJ hike vs ECB cut (same topic, another central bank)'],
  ['fedCut', 'bojHike', false, 'Fed cut vs BOJ hike'],
  ['usJobs', 'fedCut', false, 'US jobs report vs Fed cut (related, separate stories)'],
  ['typhoonPhilippines', 'typhoonOkinawa', false, 'typhoon in the Philippines vs typhoon in Okinawa'],
  ['quakeMyanmar', 'quakeAomori', false, 'Myanmar quake vs Aomori quake'],
  ['jejuAirCrash', 'airIndiaCrash', false, 'Jeju Air crash vs Air India crash (both Boeing)'],
  ['nipponSteelBoard', 'nipponSteelForecast', false, 'Nippon Steel board vs its profit forecast'],
  ['tsmcKumamoto', 'tsmcArizonaGround', false, 'TSMC Kumamoto delay vs TSMC Arizona ground-breaking'],
  ['usChinaTruce', 'aramcoLng', false, 'US-China truce vs Aramco deals'],
  ['usJapanTariff', 'toyotaRecall', false, 'US-Japan tariff deal vs Toyota recall'],
  ['rareEarthControls', 'lynasTexas', false, 'China rare earth curbs vs Lynas Texas plant (same commodity)'],
  ['toyotaSales', 'toyotaRecall', false, 'Toyota record sales vs Toyota recall'],
  ['gazaCeasefire', 'israelIran', false, 'Gaza ceasefire vs Israel strikes Iran'],
  ['israelIran', 'gazaCityStrikes', false, 'Israel strikes Iran vs Gaza City strikes and Doha talks'],
  ['ukraineGenevaAfter', 'kyivDrones', false, 'Ukraine peace framework vs drone attack on Kyiv'],
  ['indiaPakCeasefire', 'indiaChinaBorder', false, 'India-Pakistan ceasefire vs India-China border thaw'],
  ['opecOilFalls', 'aramcoLng', false, 'oil price slide vs Aramco LNG deals'],
  ['riceStockpile', 'indiaRiceExports', false, 'Japan rice stockpile vs India rice exports'],
  ['yoonImpeached', 'takaichiWins', false, 'Yoon impeached vs Takaichi wins (both politics)'],

  // Same story, Japanese
  ['jaJbicFacility', 'jaJbicProjects', true, 'JBIC融資枠 → 第1弾案件'],
  ['jaJbicProjects', 'jaJbicLoan', true, '第1弾案件 → 初の融資契約'],
  ['jaIntervention', 'jaInterventionConfirmed', true, '介入観測 → 財務省が介入額を公表 (29 days)'],
  ['jaBojHike', 'jaBojUeda', true, '日銀利上げ → 植田総裁会見'],
  ['jaTyphoonKyushu', 'jaTyphoonKyushuDamage', true, '台風10号上陸 → 被害'],
  ['jaNotoQuake', 'jaNotoQuakeToll', true, '能登地震 → 死者100人超'],
  ['jaRiceStockpile', 'jaRiceStockpileShops', true, '備蓄米の初回入札 → 店頭販売 (17 days)'],
  ['jaIshibaResigns', 'jaLdpRace', true, '石破首相辞任 → 総裁選日程'],
  ['jaToyotaRecall', 'jaToyotaRecallJapan', true, 'トヨタ米国リコール → 国内に拡大'],

  // Different stories, Japanese
  ['jaJbicFacility', 'jaIntervention', false, 'JBIC対米投資 vs 為替介入 (both 米国, ドル, 財務省/政府)'],
  ['jaJbicProjects', 'jaJbicGeothermal', false, 'JBIC対米案件 vs JBICインドネシア地熱融資'],
  ['jaBojHike', 'jaFedCut', false, '日銀利上げ vs FRB利下げ'],
  ['jaTyphoonPhilippines', 'jaTyphoonKyushu', false, 'フィリピンの台風 vs 台風10号'],
  ['jaTaiwanQuake', 'jaNotoQuake', false, '台湾地震 vs 能登地震'],
  ['jaRiceStockpile', 'jaOilReserve', false, '備蓄米放出 vs 石油備蓄放出 (both 備蓄, 放出, 価格高騰)'],
  ['jaIshibaResigns', 'jaGeorgiaRaid', false, '石破首相辞任 vs 米国での韓国人労働者拘束'],
  ['jaToyotaRecall', 'jaHondaNissan', false, 'トヨタリコール vs ホンダ・日産統合協議'],

  // One story across languages
  ['jbicProjects', 'jaJbicLoan', true, 'English first projects → Japanese first loan (cross-language)'],
  ['bojHike', 'jaBojUeda', true, 'English BOJ hike → Japanese Ueda press conference (cross-language)'],
];
