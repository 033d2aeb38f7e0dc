/** Word lists used by the quote and speaker logic. Kept apart so the rules read cleanly. */

const set = (s: string): Set<string> => new Set(s.split(/\s+/).filter(Boolean));

/** Verbs that introduce or close a direct quotation. */
export const SPEECH_VERBS = set(`
  said says say told tells added adds asked asks explained explains noted notes warned warns argued argues
  insisted insists wrote writes stated states recalled recalls continued continues replied replies declared
  declares announced announces acknowledged acknowledges admitted admits conceded concedes claimed claims
  remarked observed urged cautioned predicted joked emphasized emphasised stressed complained recounted
  shouted exclaimed whispered answered responded countered suggested concluded agreed tweeted posted testified
  boasted pleaded vowed promised quipped mused sighed laughed yelled wondered reflected elaborated recalled
  cried chanted told echoed retorted interjected scoffed lamented bragged charged alleged contended maintained
  assured confirmed disclosed reported reports revealed reveals demurred repeated repeats offered conceded
  acknowledged predicted opined remarked ruled concluded summed summarized chimed recalled reasoned
  wrote tweets tweeted blogged emailed texted messaged
`);

/** Present participles that attribute a quote to the clause's subject ("…, telling the crowd, “…”"). */
export const SPEECH_PARTICIPLES = set(`
  saying telling adding asking noting writing explaining arguing insisting warning declaring stating
  calling describing dubbing labeling labelling branding tweeting quipping joking responding replying
  answering vowing promising urging claiming recalling acknowledging conceding predicting boasting
`);

/** Two-word speech verbs: "shot back", "fired back", "went on". The first word, then the second. */
export const PHRASAL_SPEECH = new Map<string, Set<string>>([
  ['shot', set('back')],
  ['fired', set('back')],
  ['hit', set('back')],
  ['pushed', set('back')],
  ['chimed', set('in')],
  ['went', set('on')],
  ['spoke', set('up out')],
  ['summed', set('up')],
]);

/** Titles that precede a name and are a role in themselves (Mayor Ana Ruiz → role "Mayor"). */
export const TITLES = set(`
  Mayor President Speaker Judge Justice Senator Sen. Governor Gov. Superintendent Minister Premier Chancellor
  Secretary Commissioner Sheriff General Gen. Colonel Col. Captain Capt. Lieutenant Lt. Sergeant Sgt. Major
  Maj. Admiral Adm. Commander Cmdr. Professor Prof. Rev. Reverend Father Sister Brother Bishop Archbishop Cardinal
  Pope Rabbi Imam Pastor King Queen Prince Princess Chairman Chairwoman Chair Representative Rep. Councillor
  Councilman Councilwoman Alderman Ambassador Envoy Detective Det. Inspector Insp. Constable Coach Principal
  Dean Chief Deputy Vice Attorney Atty. Prosecutor Lord Lady Sir Dame Baron Baroness Premier Emir Sheikh
  Sultan Dr. Dr Mr. Mr Mrs. Mrs Ms. Ms Miss Mx. Mx Madam Mme. Mme Herr Frau Officer Ombudsman Provost
`);

/** Words written with a capital that name a date, never a person or an organization. */
export const CALENDAR_WORDS = set(`
  Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April June July August
  September October November December Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec.
  Christmas Easter Thanksgiving Ramadan Hanukkah Diwali
`);

/** "May" is a month and a name: a date only next to a day number or a time preposition. */
export const AMBIGUOUS_MONTHS = set('May');

/** Adjectives of nationality, faith and party: capitalized, but they modify a noun, they do not name one. */
export const DEMONYMS = set(`
  American Americans British English Scottish Welsh Irish French German Italian Spanish Portuguese Dutch
  Belgian Swiss Austrian Polish Russian Ukrainian Greek Turkish Swedish Norwegian Danish Finnish Hungarian
  Czech Romanian Serbian Croatian Israeli Palestinian Arab Arabic Iranian Iraqi Syrian Saudi Egyptian
  Lebanese Jordanian Afghan Pakistani Indian Chinese Japanese Korean Vietnamese Thai Filipino Indonesian
  Australian Canadian Mexican Cuban Brazilian Argentine Colombian Venezuelan Chilean Peruvian African
  Nigerian Kenyan Ethiopian European Asian Latin Latino Latina Hispanic Western Eastern Northern Southern
  Republican Republicans Democrat Democrats Democratic Conservative Conservatives Liberal Liberals Labour
  Libertarian Progressive Socialist Communist Christian Christians Catholic Protestant Evangelical
  Jewish Jew Jews Muslim Muslims Islamic Hindu Buddhist Sikh Sunni Shiite Shia Kurdish
  Federal National International Regional Municipal Presidential Congressional
`);

/** Countries, US states and regions: a place, not a speaker, wherever they stand. */
export const PLACES = set(`
  Afghanistan Albania Algeria Argentina Armenia Australia Austria Azerbaijan Bahrain Bangladesh Belarus
  Belgium Bolivia Bosnia Brazil Bulgaria Cambodia Cameroon Canada Chile China Colombia Congo Croatia Cuba
  Cyprus Denmark Ecuador Egypt England Estonia Ethiopia Europe Finland France Germany Ghana Greece
  Guatemala Haiti Honduras Hungary Iceland India Indonesia Iran Iraq Ireland Israel Italy Jamaica Japan
  Kazakhstan Kenya Korea Kosovo Kuwait Laos Latvia Lebanon Libya Lithuania Luxembourg Malaysia Mali
  Mexico Moldova Mongolia Morocco Mozambique Myanmar Nepal Netherlands Nicaragua Niger Nigeria Norway Oman
  Pakistan Palestine Panama Paraguay Peru Philippines Poland Portugal Qatar Romania Russia Rwanda Scotland
  Senegal Serbia Singapore Slovakia Slovenia Somalia Spain Sudan Sweden Switzerland Syria Taiwan Tanzania
  Thailand Tunisia Turkey Uganda Ukraine Uruguay Uzbekistan Venezuela Vietnam Wales Yemen Zambia Zimbabwe
  Africa Asia America Americas Antarctica Arctic Caribbean Balkans Scandinavia Britain
  Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Hawaii Idaho Illinois
  Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri
  Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee Texas Utah Vermont Virginia
  Wisconsin Wyoming Washington
`);
/** Two-word places written as a capitalized run ("New Hampshire", "South Carolina"). */
export const PLACE_PREFIXES = set('New North South East West Upper Lower Greater Central');

/** Honorifics: part of how a person is addressed, never a role. */
export const HONORIFICS = set(
  'Dr. Dr Mr. Mr Mrs. Mrs Ms. Ms Miss Mx. Mx Madam Mme. Mme Herr Frau Sir Dame Prof.',
);
export const FEMALE_HONORIFICS = set(
  'Mrs. Mrs Ms. Ms Miss Madam Mme. Mme Frau Dame Lady Queen Princess Sister Baroness Chairwoman Councilwoman',
);
export const MALE_HONORIFICS = set(
  'Mr. Mr Herr Sir Lord King Prince Father Brother Baron Chairman Councilman Alderman',
);

export const FEMALE_NOUNS = set(
  'spokeswoman chairwoman businesswoman congresswoman councilwoman mother wife daughter sister grandmother aunt widow actress waitress woman girl',
);
export const MALE_NOUNS = set(
  'spokesman chairman businessman congressman councilman father husband son brother grandfather uncle widower actor waiter man boy',
);

/** Nouns that head a role phrase ("climate envoy", "nurse manager at the hospital"). */
const ROLE_NOUNS = set(`
  member chair chief head envoy counterpart analyst judge champion partner aide official spokesperson expert
  economist candidate nominee deputy mayor minister leader founder co-founder coach captain principal dean
  chancellor governor senator lawmaker legislator doctor nurse surgeon scientist researcher professor student
  resident junior senior sophomore freshman veteran owner ceo cfo coo director diplomat ambassador staff fellow
  colleague victim witness survivor activist organizer organiser volunteer parent artist author novelist writer
  poet actor actress singer player runner athlete farmer curator librarian teacher lawyer attorney prosecutor
  defender detective officer commander general admiral secretary president premier king queen prince princess
  executive representative spokesman spokeswoman chairman chairwoman engineer manager superintendent speaker
  hydrologist historian economist physician pilot editor reporter journalist consultant adviser advisor
  negotiator mediator inspector planner architect pastor priest bishop rabbi imam cleaner driver worker
  employee contractor scholar strategist pollster trustee treasurer clerk commissioner sheriff regulator
  envoy ambassador hostess host presenter producer director-general whip strategist consultant pollster
  anchor moderator columnist commentator correspondent counsel spokesperson
`);
const ROLE_SUFFIX = /(?:er|or|ist|ian|ant|ent|man|woman|person|ive|ary|ee|eer|ster|smith|wright)$/;
const NOT_ROLE = set(`
  winter summer later after under other number center centre water river border quarter order letter
  member's paper matter never ever however whether together rather either neither over ever-after
  present event moment percent content agent talent comment statement government parliament department
  management agreement payment development investment environment element segment government's
  archive alternative objective initiative executive's relative perspective motive drive
  january february march april may june july august september october november december yesterday
  today tomorrow week month year morning afternoon evening night weekend race game match season
`);

export function isRoleNoun(word: string): boolean {
  const w = word.toLowerCase().replace(/['’]s$/, '');
  if (NOT_ROLE.has(w)) return false;
  return ROLE_NOUNS.has(w) || ROLE_SUFFIX.test(w);
}

/**
 * A capitalized role word inside a name run ("Majority Leader", "Political Director",
 * "Secretary-Treasurer"): the explicit list only, since the suffix rule would take surnames (Fleischer).
 */
export function isListedRole(word: string): boolean {
  const w = word.toLowerCase().replace(/['’]s$/, '');
  const last = w.split('-').pop() ?? w;
  return ROLE_NOUNS.has(w) || ROLE_NOUNS.has(last) || ROLE_PLURALS.has(w);
}

/** Plural role heads, for subjects such as "Democratic leaders" (a group, not a named speaker). */
const ROLE_PLURALS = set(
  'leaders officials members aides lawmakers legislators senators analysts experts critics supporters residents',
);

/** Words before a title that belong to the role ("Former Gov.", "Acting Director"). */
export const ROLE_MODIFIERS = set(
  'Former Acting Interim Retired Outgoing Incoming Then Ex Deputy Assistant Associate Senior Junior Vice Co-Chief Chief Executive Managing General Principal Lead Top',
);

/** Last words that make a capitalized run an organization ("Clinton Foundation", "New York Times"). */
export const ORG_WORDS = set(`
  Hospital Council Committee University College School Academy Institute Department Ministry Agency Authority
  Court Museum Library Bank Party Association Union Trust Festival Research Capital Ventures Analytics News
  Journal Times Tribune Courier Ledger Gazette Post Herald Chronicle Examiner Observer Guardian Telegraph
  Economist Magazine Review Daily Weekly Radio Television TV Channel Broadcasting Network Media Press
  Semiconductor Inc Inc. Corp Corp. Ltd Ltd. LLC PLC Company Corporation Group Partners Foundation Fund
  Centre Center Office Service Services Board Commission Assembly Senate House Congress Parliament
  Church Club Systems Technologies Labs Motors Airlines Airways Energy Holdings Wireless Communications
  Pharmaceuticals Summit Agreement Organization Organisation Force Army Navy Police Bureau Administration
  Republic Kingdom Marathon Prize Award Awards Conference Forum Games Cup League Series Week Day Act
  Program Programme Project Plan Alliance Coalition Caucus Federation Watch Workers Campaign Initiative
  Society Cabinet Government Embassy Consulate Command Guard Corps Team Fund Exchange Reserve Institution
`);

/** Last words that make a capitalized run a place ("Harlow Bridge", "Cook County", "Sharm el-Sheikh Airport"). */
export const PLACE_WORDS = set(`
  Street Avenue Road Bridge River Line Province County City State Bay Sea Ocean Lake Island Islands
  Mountains Mountain Valley Coast Square Station Airport Stadium Trail Beach Canyon Desert Gulf Strait
  Peninsula Heights Hills District Region Territory
`);

/** Capitalized words that open sentences and are never part of a name. */
export const OPENERS = set(`
  The A An He She It They We I You His Her Its Their Our My Your This That These Those There Here But And Or
  So Yet In On At By For From With Without After Before When While If As Although Though Since Because
  Meanwhile However Still Then Now Some Many Most Both Each All Any No Not What Why How Who Where Last Next
  Earlier Later One Two Three Officials Critics Residents Others Another Such Once Until During Despite Under
  Over About Among Also Only Even Instead Other Several Few Every Neither Nor Yes According Asked Speaking
  Monday Tuesday Wednesday Thursday Friday Saturday Sunday Today Yesterday Tomorrow Like Unlike Through Across
`);

export const NAME_PARTICLES = set(
  'de da di du del della der den van von ter le la bin bint ibn al el abu dos das y',
);

export const FEMALE_PRONOUNS = set('she her hers herself');
export const MALE_PRONOUNS = set('he him his himself');
