import type { TFunction } from 'i18next';
import type { DsrCase } from '../dsr/case.js';
import type { CaseFindings, FoundRecord, ManualStep, SystemFindings } from '../dsr/discovery.js';
import { isSettled } from '../dsr/plan.js';
import { openCandidates, standingOf } from '../dsr/matching.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { DISCOVERY_VERBS, PLAN_VERBS } from './verbs.js';
import { clip, noticeBlock, shownAsText } from './format.js';
import { countsText, fieldsText, kindName, localTimeText, standingText } from './findingsView.js';
import { languageOf, translator } from './i18n.js';
import { fullestThatFits } from './cardSize.js';
import { CARD_SCHEMA, CARD_VERSION, executeAction, type CardJson } from './template.js';
import { TRIAGE_VERBS } from './verbs.js';

export { DISCOVERY_VERBS };

/**
 * Records shown per kind and system on the findings card, from the most to the fewest: with many
 * systems the card folds to fewer so it stays within Teams' message size; every record stays one
 * "Review all" away, paged per system, with its decisions there.
 */
const RECORDS_PER_KIND = [3, 2, 1, 0] as const;
/** Manual steps shown per system that is not connected, by the same folding. */
const MANUAL_STEPS_SHOWN = [6, 3, 1, 1] as const;

const STATUS_COLOR: Record<SystemFindings['status'], string> = {
  found: 'Good',
  nothing: 'Default',
  failed: 'Attention',
  'not-connected': 'Warning',
};

/** The prefix of the toggles' ids: each toggle is one record the officer may set aside. */
export const SET_ASIDE_INPUT = 'notThisPerson.';

/**
 * The value a toggle sends: the system and the record's id, apart by the first `|` (a system id
 * has none). The server takes nothing else from it: it looks each record up in the case again.
 */
export function setAsideValue(systemId: string, recordId: string): string {
  return `${systemId}|${recordId}`;
}

interface View {
  t: TFunction;
  locale: string;
  calendar: OrgCalendar;
}

function viewOf(calendar: OrgCalendar, locale: string | undefined): View {
  const t = translator(locale);
  return { t, locale: languageOf(locale), calendar };
}

function statusText({ t }: View, system: SystemFindings, counts: string): string {
  if (system.status === 'found' && !counts) return t('findings.status.noneConfirmed');
  return t(`findings.status.${system.status}`);
}

function candidatesText({ t }: View, system: SystemFindings): string {
  const open = openCandidates(system).length;
  return open > 0 ? t('findings.toConfirm', { count: open }) : '';
}

function stepBlocks({ t }: View, steps: ManualStep[] | undefined, shown: number): CardJson[] {
  const all = steps ?? [];
  const blocks: CardJson[] = all.slice(0, shown).map((step) => ({
    type: 'TextBlock',
    text: `- ${clip(step.text, 300)}${step.link ? ` [${step.link.title}](${step.link.url})` : ''}`,
    wrap: true,
    spacing: 'Small',
  }));
  if (all.length > shown)
    blocks.push({
      type: 'TextBlock',
      text: t('findings.moreSteps', { count: all.length - shown }),
      wrap: true,
      isSubtle: true,
      spacing: 'Small',
    });
  return blocks;
}

/** "Maria" from "Maria Garcia": the buttons say whose record it is in the person's own name. */
function firstName(dsrCase: DsrCase, { t }: View): string {
  return clip(dsrCase.subject.name.trim().split(/\s+/)[0] || t('findings.thisPerson'), 30);
}

/**
 * One record: its labelled values and where it stands. One the officer may still set aside is a
 * toggle (all of them saved together); a candidate also has its own "This is Maria" button.
 */
function recordRow(
  dsrCase: DsrCase,
  system: SystemFindings,
  record: FoundRecord,
  view: View,
  index: number,
  data: CardData,
): CardJson {
  const { t, calendar, locale } = view;
  const standing = standingOf(system, record);
  const kind = kindName(t, record.kind);
  // What the system returned is shown as text; the labels and the standing are the bot's own words.
  const values = `${shownAsText(fieldsText(t, system, record, calendar, locale), 400)} ${standingText(t, system, record)}`;
  const text = `${shownAsText(kind, 80)}: ${values}`;
  const settable = standing !== 'rejected' && !record.confirmed;
  const item: CardJson = settable
    ? {
        type: 'Input.Toggle',
        id: `${SET_ASIDE_INPUT}${index}`,
        // The kind is the label (read out first by a screen reader); the values are what is ticked.
        label: shownAsText(`${kind.charAt(0).toUpperCase()}${kind.slice(1)}`, 80),
        // The Adaptive Cards renderer shows a toggle's title as Markdown (useMarkdownInRadioButtonAndCheckbox).
        title: values,
        valueOn: setAsideValue(system.systemId, record.id),
        valueOff: '',
        value: '',
        wrap: true,
        spacing: 'Small',
      }
    : {
        type: 'TextBlock',
        text: standing === 'rejected' ? `~~${text}~~` : text,
        wrap: true,
        isSubtle: standing === 'rejected',
        size: 'Small',
        spacing: 'Small',
      };
  if (!(standing === 'candidate' && record.via === undefined)) return item;
  return {
    type: 'ColumnSet',
    spacing: 'Small',
    columns: [
      { type: 'Column', width: 'stretch', items: [{ ...item, spacing: 'None' }] },
      {
        type: 'Column',
        width: 'auto',
        items: [
          {
            type: 'ActionSet',
            actions: [
              executeAction(t('findings.confirm', { name: firstName(dsrCase, view) }), DISCOVERY_VERBS.confirm, {
                ...data,
                systemId: system.systemId,
                recordId: record.id,
              }),
            ],
          },
        ],
      },
    ],
  };
}

type CardData = Record<string, unknown>;

/** The data every action of a findings card carries: which case, and which findings it showed. */
function cardData(dsrCase: DsrCase): CardData {
  return { caseId: dsrCase.id, version: dsrCase.version, findingsAt: dsrCase.findings?.updatedAt ?? '' };
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
  view: View,
  fold: number,
  counter: { n: number },
): CardJson {
  const { t } = view;
  const data = { ...cardData(dsrCase), systemId: system.systemId };
  const counts = countsText(t, system);
  const waiting = candidatesText(view, system);
  const status = statusText(view, system, counts);
  const items: CardJson[] = [
    {
      type: 'TextBlock',
      text: `**${shownAsText(system.displayName, 80)}**: ${status}${counts ? ` (${counts})` : ''}${waiting ? `; ${waiting}` : ''}`,
      color: waiting ? 'Warning' : STATUS_COLOR[system.status],
      wrap: true,
    },
  ];
  if (system.status === 'failed') {
    items.push({
      type: 'TextBlock',
      text: shownAsText(system.error ?? t('findings.searchFailed'), 300),
      wrap: true,
      isSubtle: true,
    });
    items.push({ type: 'ActionSet', actions: [executeAction(t('findings.retry'), DISCOVERY_VERBS.retry, data)] });
  }
  if (system.status === 'not-connected') items.push(...stepBlocks(view, system.manualSteps, MANUAL_STEPS_SHOWN[fold]!));
  // A few records of every kind found, so each kind can be recognised; all of them are on the review pages.
  const perKind = new Map<string, number>();
  for (const record of ordered(system)) {
    const shown = perKind.get(record.kind) ?? 0;
    if (shown >= RECORDS_PER_KIND[fold]!) continue;
    perKind.set(record.kind, shown + 1);
    items.push(recordRow(dsrCase, system, record, view, counter.n++, cardData(dsrCase)));
  }
  const total = system.records.length + (system.recordsLeftOut ?? 0);
  if (total > 0)
    items.push({
      type: 'ActionSet',
      actions: [executeAction(t('findings.reviewAll', { count: total }), DISCOVERY_VERBS.review, { ...data, page: 0 })],
    });
  return { type: 'Container', separator: true, items };
}

/** The one Save of the card: every ticked record is set aside together, or none is. */
function saveBlock(view: View, dsrCase: DsrCase, extra: CardData = {}): CardJson {
  return {
    type: 'ActionSet',
    separator: true,
    actions: [
      executeAction(view.t('findings.saveNotThisPerson'), DISCOVERY_VERBS.setAside, { ...cardData(dsrCase), ...extra }),
    ],
  };
}

const hasToggle = (items: CardJson[]): boolean => JSON.stringify(items).includes('"Input.Toggle"');

/** Records per page of the review card. */
export const REVIEW_PAGE_SIZE = 10;

/**
 * Every record found in one system, grouped by kind, a page at a time: each with what it matched
 * on and where it stands, the ones still open as toggles with one Save.
 */
export function reviewCard(
  dsrCase: DsrCase,
  calendar: OrgCalendar,
  systemId: string,
  page: number,
  notice?: string,
  locale?: string,
): CardJson {
  const view = viewOf(calendar, locale);
  const { t } = view;
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
  const waiting = system ? candidatesText(view, system) : '';
  const body: CardJson[] = [
    ...noticeBlock(notice, 'Good'),
    {
      type: 'TextBlock',
      text: t('findings.reviewTitle', { system: shownAsText(system?.displayName ?? systemId, 80), caseId: dsrCase.id }),
      size: 'Large',
      weight: 'Bolder',
      wrap: true,
    },
    {
      type: 'TextBlock',
      text: system
        ? [
            t('findings.page', { page: current + 1, pages }),
            counts ? t('findings.theirs', { counts }) : t('findings.noneTheirs'),
            waiting ? `${waiting}.` : '',
            system.recordsLeftOut ? t('findings.leftOut', { count: system.recordsLeftOut }) : '',
          ]
            .filter(Boolean)
            .join(' ')
        : t('findings.noSuchSystem'),
      wrap: true,
      isSubtle: true,
    },
  ];
  let kind: string | undefined;
  slice.forEach((record, index) => {
    if (record.kind !== kind) {
      kind = record.kind;
      body.push({
        type: 'TextBlock',
        text: `**${shownAsText(kindName(t, record.kind), 80)}**`,
        wrap: true,
        separator: true,
      });
    }
    body.push(recordRow(dsrCase, system!, record, view, index, data));
  });
  if (hasToggle(body)) body.push(saveBlock(view, dsrCase, { systemId, page: current }));
  const pageData = (n: number) => ({ ...data, systemId, page: n });
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    body,
    actions: [
      ...(current > 0
        ? [executeAction(t('findings.previousPage'), DISCOVERY_VERBS.review, pageData(current - 1))]
        : []),
      ...(current < pages - 1
        ? [executeAction(t('findings.nextPage'), DISCOVERY_VERBS.review, pageData(current + 1))]
        : []),
      executeAction(t('findings.backToFindings'), DISCOVERY_VERBS.show, cardData(dsrCase)),
    ],
  };
}

function extraIdentifierInputs({ t }: View): CardJson[] {
  return (['extraNames', 'extraEmails', 'extraPhones', 'extraCustomerNumbers', 'extraEmployeeIds'] as const).map(
    (id) => ({ type: 'Input.Text', id, label: t(`findings.extra.${id}`), maxLength: 500 }),
  );
}

/** What discovery found, per system, with what the team can do next on each. */
export function findingsCard(
  dsrCase: DsrCase,
  calendar: OrgCalendar,
  notice?: string,
  locale?: string,
  /** The notice says why a press was refused, not what it did. */
  refused = false,
): CardJson {
  const view = viewOf(calendar, locale);
  const { t } = view;
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
    const blocks = systems.map((system) => systemBlock(dsrCase, system, view, fold, counter));
    return {
      type: 'AdaptiveCard',
      $schema: CARD_SCHEMA,
      version: CARD_VERSION,
      body: [
        ...noticeBlock(notice, refused ? 'Attention' : 'Good'),
        {
          type: 'TextBlock',
          text: t('findings.title', { caseId: dsrCase.id }),
          size: 'Large',
          weight: 'Bolder',
          wrap: true,
        },
        {
          type: 'TextBlock',
          text: findings
            ? `${t('findings.searched', { at: localTimeText(findings.updatedAt, calendar, view.locale) })} ${summary}`
            : t('findings.notSearched'),
          wrap: true,
          isSubtle: true,
        },
        ...blocks,
        ...(hasToggle(blocks)
          ? [
              {
                type: 'TextBlock',
                text: t('findings.setAsideHint', { name: shownAsText(firstName(dsrCase, view)) }),
                wrap: true,
                isSubtle: true,
                separator: true,
              },
              saveBlock(view, dsrCase),
            ]
          : []),
      ],
      actions: [
        executeAction(t('findings.backToCase'), TRIAGE_VERBS.refresh, { caseId: dsrCase.id }),
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
        {
          type: 'Action.ShowCard',
          title: t('findings.searchAgainWith'),
          card: {
            type: 'AdaptiveCard',
            body: extraIdentifierInputs(view),
            actions: [executeAction(t('findings.searchAgain'), DISCOVERY_VERBS.find, caseData)],
          },
        },
      ],
    };
  });
}

function translatorView(locale: string | undefined): { t: TFunction } {
  return { t: translator(locale) };
}

export interface ProgressView {
  done: number;
  total: number;
  running: string[];
  answered: SystemFindings[];
}

/** Shown while systems answer, and updated in place as each one does. */
export function progressCard(dsrCase: DsrCase, progress: ProgressView, locale?: string): CardJson {
  const { t } = translatorView(locale);
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    body: [
      {
        type: 'TextBlock',
        text: t('findings.progressTitle', { caseId: dsrCase.id }),
        size: 'Large',
        weight: 'Bolder',
        wrap: true,
      },
      {
        type: 'TextBlock',
        text: [
          t('findings.progress', { done: progress.done, total: progress.total }),
          progress.running.length > 0 ? t('findings.stillSearching', { systems: progress.running.join(', ') }) : '',
        ]
          .filter(Boolean)
          .join(' '),
        wrap: true,
      },
      ...progress.answered.map((system) => ({
        type: 'TextBlock',
        text: `${shownAsText(system.displayName, 80)}: ${t(`findings.status.${system.status}`)}${countsText(t, system) ? ` (${countsText(t, system)})` : ''}`,
        color: STATUS_COLOR[system.status],
        wrap: true,
        spacing: 'Small',
      })),
    ],
  };
}
