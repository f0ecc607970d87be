import type { TFunction } from 'i18next';
import type { DsrCase } from '../dsr/case.js';
import { caseHeaderFacts } from '../dsr/caseHeader.js';
import type { CaseFindings, FoundRecord, ManualStep, SystemFindings } from '../dsr/discovery.js';
import { isSettled } from '../dsr/plan.js';
import { openCandidates, standingOf } from '../dsr/matching.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import {
  actionSet,
  column,
  columnSet,
  container,
  executeAction,
  showCardAction,
  textBlock,
  textInput,
  toggleInput,
  type ActionData,
  type CardAction,
  type CardElement,
  type CardJson,
} from './adaptive.js';
import { caseCardShell } from './caseHeader.js';
import { fullestThatFits } from './cardSize.js';
import { countsText, fieldsText, kindName, localTimeText, standingText } from './findingsView.js';
import { guideLinkText, manualStepText } from './planStepText.js';
import { clip, shownAsText } from './format.js';
import { translator } from '../i18n/index.js';
import type { Notice } from './notices.js';
import { DISCOVERY_VERBS, PLAN_VERBS, TRIAGE_VERBS } from './verbs.js';

export { DISCOVERY_VERBS };

/**
 * Records shown per kind and system on the findings card, from the most to the fewest: with many
 * systems the card folds to fewer so it stays within Teams' message size; every record stays one
 * "Review all" away, paged per system, with its decisions there.
 */
const RECORDS_PER_KIND = [3, 2, 1, 0] as const;
/** Manual steps shown per system that is not connected, by the same folding. */
const MANUAL_STEPS_SHOWN = [6, 3, 1, 1] as const;

/** The prefix of the toggles' ids: each toggle is one record the officer may set aside. */
export const SET_ASIDE_INPUT = 'notThisPerson.';
/** What an unticked toggle sends (the Adaptive Cards default); never a record, which always has a `|`. */
export const SET_ASIDE_OFF = 'false';

/**
 * The value a toggle sends: the system and the record's id, apart by the first `|` (a system id
 * has none). The server takes nothing else from it: it looks each record up in the case again.
 */
export function setAsideValue(systemId: string, recordId: string): string {
  return `${systemId}|${recordId}`;
}

/** Who reads the card and when: the header's countdown, the language and the zone of every time. */
export interface FindingsView {
  calendar: OrgCalendar;
  now: Date;
  locale?: string;
  /** What the last press did, or why it did nothing. */
  notice?: Notice;
}

interface Reader {
  t: TFunction;
  calendar: OrgCalendar;
}

function readerOf(view: FindingsView): Reader {
  return { t: translator(view.locale), calendar: view.calendar };
}

/** The one shell of a case card: the notice, the case header, then this card's own body. */
function shell(dsrCase: DsrCase, view: FindingsView, body: CardElement[], actions: CardAction[] = []): CardJson {
  return caseCardShell({
    header: caseHeaderFacts(dsrCase, view.now, view.calendar),
    locale: view.locale,
    timeZone: view.calendar.timeZone,
    ...(view.notice ? { notices: [view.notice] } : {}),
    body,
    actions,
  });
}

function statusText({ t }: Reader, system: SystemFindings, counts: string): string {
  if (system.status === 'found' && !counts) return t('findings.status.noneConfirmed');
  return t(`findings.status.${system.status}`);
}

function candidatesText({ t }: Reader, system: SystemFindings): string {
  const open = openCandidates(system).length;
  return open > 0 ? t('findings.toConfirm', { count: open }) : '';
}

function stepBlocks({ t }: Reader, steps: ManualStep[] | undefined, shown: number): CardElement[] {
  const all = steps ?? [];
  const blocks: CardElement[] = all.slice(0, shown).map((step) =>
    textBlock(`- ${clip(manualStepText(step, t), 300)}${guideLinkText(step.link, t)}`, {
      spacing: 'Small',
    }),
  );
  if (all.length > shown)
    blocks.push(
      textBlock(t('findings.moreSteps', { count: all.length - shown }), { isSubtle: true, spacing: 'Small' }),
    );
  return blocks;
}

/** "Maria" from "Maria Garcia": the buttons say whose record it is in the person's own name. */
function firstName(dsrCase: DsrCase, { t }: Reader): string {
  return clip(dsrCase.subject.name.trim().split(/\s+/)[0] || t('findings.thisPerson'), 30);
}

/** The data every action of a findings card carries: which case, and which findings it showed. */
function cardData(dsrCase: DsrCase): ActionData {
  return { caseId: dsrCase.id, version: dsrCase.version, findingsAt: dsrCase.findings?.updatedAt ?? '' };
}

/**
 * One record: its labelled values and where it stands. One the officer may still set aside is a
 * toggle (all of them saved together); a candidate also has its own "This is Maria" button.
 */
function recordRow(
  dsrCase: DsrCase,
  system: SystemFindings,
  record: FoundRecord,
  reader: Reader,
  index: number,
  data: ActionData,
): CardElement {
  const { t, calendar } = reader;
  const standing = standingOf(system, record);
  const kind = kindName(t, record.kind);
  // What the system returned is shown as text; the labels and the standing are the bot's own words.
  const values = `${shownAsText(fieldsText(t, system, record, calendar), 400)} ${standingText(t, system, record)}`;
  const text = `${shownAsText(kind, 80)}: ${values}`;
  const settable = standing !== 'rejected' && !record.confirmed;
  const item: CardElement = settable
    ? toggleInput({
        id: `${SET_ASIDE_INPUT}${index}`,
        // The kind is the label (read out first by a screen reader); the values are what is ticked.
        label: shownAsText(`${kind.charAt(0).toUpperCase()}${kind.slice(1)}`, 80),
        // The Adaptive Cards renderer shows a toggle's title as Markdown (useMarkdownInRadioButtonAndCheckbox).
        title: values,
        valueOn: setAsideValue(system.systemId, record.id),
        // An unticked toggle sends its valueOff; renderers treat an empty one as unset and send "false".
        valueOff: SET_ASIDE_OFF,
        spacing: 'Small',
      })
    : textBlock(standing === 'rejected' ? `~~${text}~~` : text, {
        isSubtle: standing === 'rejected',
        size: 'Small',
        spacing: 'Small',
      });
  if (!(standing === 'candidate' && record.via === undefined)) return item;
  return columnSet(
    [
      column([{ ...item, spacing: 'None' }], { width: 'stretch' }),
      column(
        [
          actionSet([
            executeAction(t('findings.confirm', { name: firstName(dsrCase, reader) }), DISCOVERY_VERBS.confirm, {
              ...data,
              systemId: system.systemId,
              recordId: record.id,
            }),
          ]),
        ],
        { width: 'auto' },
      ),
    ],
    { spacing: 'Small' },
  );
}

/** Records of one system in the order they are read: candidates first, then by kind as the system lists them. */
function ordered(system: SystemFindings): FoundRecord[] {
  const kinds = [...new Set([...Object.keys(system.counts), ...system.records.map((r) => r.kind)])];
  const rank = (r: FoundRecord) => (standingOf(system, r) === 'candidate' && !r.via ? 0 : 1);
  return [...system.records].sort(
    (a, b) => rank(a) - rank(b) || kinds.indexOf(a.kind) - kinds.indexOf(b.kind) || Number(!!a.via) - Number(!!b.via),
  );
}

function systemBlock(
  dsrCase: DsrCase,
  system: SystemFindings,
  reader: Reader,
  fold: number,
  counter: { n: number },
): CardElement {
  const { t } = reader;
  const data = { ...cardData(dsrCase), systemId: system.systemId };
  const counts = countsText(t, system);
  const waiting = candidatesText(reader, system);
  const status = statusText(reader, system, counts);
  const items: CardElement[] = [
    textBlock(
      `**${shownAsText(system.displayName, 80)}**: ${status}${counts ? ` (${counts})` : ''}${waiting ? `; ${waiting}` : ''}`,
      // The words carry the status; a coloured text fails contrast in one Teams theme or another.
    ),
  ];
  if (system.status === 'failed') {
    items.push(textBlock(shownAsText(system.error ?? t('findings.searchFailed'), 300), { isSubtle: true }));
    items.push(actionSet([executeAction(t('findings.retry'), DISCOVERY_VERBS.retry, data)]));
  }
  if (system.status === 'not-connected')
    items.push(...stepBlocks(reader, system.manualSteps, MANUAL_STEPS_SHOWN[fold]!));
  // A few records of every kind found, so each kind can be recognised; all of them are on the review pages.
  const perKind = new Map<string, number>();
  for (const record of ordered(system)) {
    const shown = perKind.get(record.kind) ?? 0;
    if (shown >= RECORDS_PER_KIND[fold]!) continue;
    perKind.set(record.kind, shown + 1);
    items.push(recordRow(dsrCase, system, record, reader, counter.n++, cardData(dsrCase)));
  }
  const total = system.records.length + (system.recordsLeftOut ?? 0);
  if (total > 0)
    items.push(
      actionSet([
        executeAction(t('findings.reviewAll', { count: total }), DISCOVERY_VERBS.review, { ...data, page: 0 }),
      ]),
    );
  return container(items, { separator: true });
}

/** The one Save of the card: every ticked record is set aside together, or none is. */
function saveBlock(reader: Reader, dsrCase: DsrCase, extra: ActionData = {}): CardElement {
  return actionSet(
    [
      executeAction(reader.t('findings.saveNotThisPerson'), DISCOVERY_VERBS.setAside, {
        ...cardData(dsrCase),
        ...extra,
      }),
    ],
    { separator: true },
  );
}

const hasToggle = (items: CardElement[]): boolean => JSON.stringify(items).includes('"Input.Toggle"');

/** Records per page of the review card. */
export const REVIEW_PAGE_SIZE = 10;

/**
 * Every record found in one system, grouped by kind, a page at a time: each with what it matched
 * on and where it stands, the ones still open as toggles with one Save.
 */
export function reviewCard(dsrCase: DsrCase, view: FindingsView, systemId: string, page: number): CardJson {
  const reader = readerOf(view);
  const { t } = reader;
  const system = dsrCase.findings?.systems.find((s) => s.systemId === systemId);
  const records = system
    ? [...system.records].sort(
        (a, b) => a.kind.localeCompare(b.kind) || Number(Boolean(a.via)) - Number(Boolean(b.via)),
      )
    : [];
  const pages = Math.max(1, Math.ceil(records.length / REVIEW_PAGE_SIZE));
  const current = Math.min(Math.max(0, page), pages - 1);
  const slice = records.slice(current * REVIEW_PAGE_SIZE, (current + 1) * REVIEW_PAGE_SIZE);
  const data = { ...cardData(dsrCase), page: current };
  const counts = system ? countsText(t, system) : '';
  const waiting = system ? candidatesText(reader, system) : '';
  const body: CardElement[] = [
    textBlock(
      t('findings.reviewTitle', { system: shownAsText(system?.displayName ?? systemId, 80), caseId: dsrCase.id }),
      { size: 'Medium', weight: 'Bolder', separator: true },
    ),
    textBlock(
      system
        ? [
            t('findings.page', { page: current + 1, pages }),
            counts ? t('findings.theirs', { counts }) : t('findings.noneTheirs'),
            waiting ? `${waiting}.` : '',
            system.recordsLeftOut ? t('findings.leftOut', { count: system.recordsLeftOut }) : '',
          ]
            .filter(Boolean)
            .join(' ')
        : t('findings.noSuchSystem'),
      { isSubtle: true },
    ),
  ];
  let kind: string | undefined;
  slice.forEach((record, index) => {
    if (record.kind !== kind) {
      kind = record.kind;
      body.push(textBlock(`**${shownAsText(kindName(t, record.kind), 80)}**`, { separator: true }));
    }
    body.push(recordRow(dsrCase, system!, record, reader, index, data));
  });
  if (hasToggle(body)) body.push(saveBlock(reader, dsrCase, { systemId, page: current }));
  const pageData = (n: number) => ({ ...data, systemId, page: n });
  return shell(dsrCase, view, body, [
    ...(current > 0 ? [executeAction(t('findings.previousPage'), DISCOVERY_VERBS.review, pageData(current - 1))] : []),
    ...(current < pages - 1
      ? [executeAction(t('findings.nextPage'), DISCOVERY_VERBS.review, pageData(current + 1))]
      : []),
    executeAction(t('findings.backToFindings'), DISCOVERY_VERBS.show, cardData(dsrCase)),
  ]);
}

function extraIdentifierInputs({ t }: Reader): CardElement[] {
  return (['extraNames', 'extraEmails', 'extraPhones', 'extraCustomerNumbers', 'extraEmployeeIds'] as const).map((id) =>
    textInput({ id, label: t(`findings.extra.${id}`), maxLength: 500 }),
  );
}

/** What discovery found, per system, with what the team can do next on each. */
export function findingsCard(dsrCase: DsrCase, view: FindingsView): CardJson {
  const reader = readerOf(view);
  const { t } = reader;
  const findings: CaseFindings | undefined = dsrCase.findings;
  const systems = findings?.systems ?? [];
  const tally = (status: SystemFindings['status']) => systems.filter((s) => s.status === status).length;
  const candidates = systems.reduce((sum, s) => sum + openCandidates(s).length, 0);
  const summary = [
    t('findings.summary', {
      systems: t('findings.systemCount', { count: systems.length }),
      found: tally('found'),
      nothing: tally('nothing'),
      failed: tally('failed'),
      manual: tally('not-connected'),
    }),
    candidates > 0 ? t('findings.candidatesSummary', { count: candidates }) : '',
  ]
    .filter(Boolean)
    .join(' ');
  const caseData = { caseId: dsrCase.id, version: dsrCase.version };
  const folds = RECORDS_PER_KIND.map((_, fold) => fold);
  return fullestThatFits(folds, (fold) => {
    const counter = { n: 0 };
    const blocks = systems.map((system) => systemBlock(dsrCase, system, reader, fold, counter));
    return shell(
      dsrCase,
      view,
      [
        textBlock(t('findings.title', { caseId: dsrCase.id }), { size: 'Medium', weight: 'Bolder', separator: true }),
        textBlock(
          findings
            ? `${t('findings.searched', { at: localTimeText(t, findings.updatedAt, view.calendar) })} ${summary}`
            : t('findings.notSearched'),
          { isSubtle: true },
        ),
        ...blocks,
        ...(hasToggle(blocks)
          ? [
              textBlock(t('findings.setAsideHint', { name: shownAsText(firstName(dsrCase, reader)) }), {
                isSubtle: true,
                separator: true,
              }),
              saveBlock(reader, dsrCase),
            ]
          : []),
      ],
      [
        // The next thing to do first: the plan, once the findings are in.
        ...(findings
          ? [
              dsrCase.plan
                ? executeAction(t('findings.showPlan'), PLAN_VERBS.show, caseData)
                : executeAction(t('findings.makePlan'), PLAN_VERBS.create, caseData, 'positive'),
            ]
          : []),
        // A system searched again after its search failed is planned again, so its steps are the bot's.
        ...(dsrCase.plan?.steps.some((s) => s.uncovered && !isSettled(s))
          ? [executeAction(t('findings.makePlanAgain'), PLAN_VERBS.create, caseData)]
          : []),
        showCardAction(t('findings.searchAgainWith'), extraIdentifierInputs(reader), [
          executeAction(t('findings.searchAgain'), DISCOVERY_VERBS.find, caseData),
        ]),
        executeAction(t('findings.backToCase'), TRIAGE_VERBS.refresh, { caseId: dsrCase.id }),
      ],
    );
  });
}

export interface ProgressView {
  done: number;
  total: number;
  running: string[];
  answered: SystemFindings[];
}

/** Shown while systems answer, and updated in place as each one does. */
export function progressCard(dsrCase: DsrCase, progress: ProgressView, view: FindingsView): CardJson {
  const { t } = readerOf(view);
  return shell(dsrCase, view, [
    textBlock(t('findings.progressTitle', { caseId: dsrCase.id }), {
      size: 'Medium',
      weight: 'Bolder',
      separator: true,
    }),
    textBlock(
      [
        t('findings.progress', { done: progress.done, total: progress.total }),
        progress.running.length > 0
          ? t('findings.stillSearching', { systems: progress.running.map((name) => shownAsText(name, 80)).join(', ') })
          : '',
      ]
        .filter(Boolean)
        .join(' '),
    ),
    ...progress.answered.map((system) =>
      textBlock(
        `${shownAsText(system.displayName, 80)}: ${t(`findings.status.${system.status}`)}${countsText(t, system) ? ` (${countsText(t, system)})` : ''}`,
        { spacing: 'Small' },
      ),
    ),
  ]);
}
