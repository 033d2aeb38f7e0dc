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
  cried chanted told
`);

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
  envoy ambassador hostess host presenter producer director-general
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

/** Words that mark a capitalized run as an organization or place, not a person. */
export const ORG_WORDS = set(`
  Hospital Council Committee University College School Academy Institute Department Ministry Agency Authority
  Court Museum Library Bank Party Association Union Trust Festival Research Capital Ventures Analytics News
  Journal Times Tribune Courier Ledger Gazette Post Herald Street Avenue Road Bridge River Line Hall Province
  County City State Semiconductor Inc Inc. Corp Corp. Ltd Ltd. Company Group Partners Foundation Fund Centre
  Center Office Service Services Board Commission Assembly Senate House Congress Parliament Airport Station
  Stadium Square Church Club Network Media Press Systems Technologies Labs Motors Airlines Energy Holdings
  Summit Agreement Organization Organisation Force Army Navy Police Bureau Administration Republic Kingdom
  Bay Sea Ocean Lake Island Islands Mountains Valley Marathon Prize Award Awards Conference Forum Games Cup
  League Series Week Day Act Bill Program Programme Project Plan Trail Coast Times
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
