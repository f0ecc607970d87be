import { ApiError, type Api, type Option, type Options, type RegisterPage, type RegisterRow } from './api.js';
import { formatDate, h } from './dom.js';

const SORTS: Option[] = [
  { value: 'due', label: 'Due date' },
  { value: 'received', label: 'Received' },
  { value: 'answered', label: 'Answered' },
  { value: 'id', label: 'Case id' },
  { value: 'status', label: 'Stage' },
];

interface Filter {
  name: string;
  label: string;
  options: Option[];
  any: string;
}

function select(filter: Filter): HTMLElement {
  return h(
    'label',
    { class: 'field' },
    h('span', {}, filter.label),
    h(
      'fluent-select',
      { name: filter.name, 'aria-label': filter.label, 'data-filter': filter.name },
      h('fluent-option', { value: '' }, filter.any),
      ...filter.options.map((option) => h('fluent-option', { value: option.value }, option.label)),
    ),
  );
}

function textField(name: string, label: string, placeholder: string, type = 'text'): HTMLElement {
  return h(
    'label',
    { class: 'field' },
    h('span', {}, label),
    h('fluent-text-field', { name, type, placeholder, 'aria-label': label, 'data-filter': name }),
  );
}

const valueOf = (element: Element | null): string => (element as { value?: string } | null)?.value?.trim() ?? '';

/**
 * The register of every case: filters, search by case id, sort and pages, each row linking to the
 * case's thread in the privacy channel, where its card lives. The server does the filtering and paging.
 */
export class RegisterView {
  private page = 1;
  private readonly form: HTMLFormElement;
  private readonly body: HTMLTableSectionElement;
  private readonly status: HTMLElement;
  private readonly problems: HTMLElement;
  private readonly prev: HTMLElement;
  private readonly next: HTMLElement;
  private last: RegisterPage | undefined;
  readonly element: HTMLElement;

  constructor(
    private readonly api: Api,
    private readonly options: Options,
    private readonly openLink: (url: string) => void,
  ) {
    this.form = h(
      'form',
      { class: 'filters', 'aria-label': 'Filter the register' },
      textField('q', 'Case id', 'DSR-2026-0001'),
      select({ name: 'status', label: 'Stage', options: options.statuses, any: 'Any stage' }),
      select({ name: 'right', label: 'Right', options: options.rights, any: 'Any right' }),
      select({ name: 'regulation', label: 'Regulation', options: options.regulations, any: 'Any regulation' }),
      select({ name: 'system', label: 'System', options: options.systems, any: 'Any system' }),
      select({
        name: 'assignee',
        label: 'Assignee',
        options: [{ value: 'none', label: 'Nobody yet' }, ...options.assignees],
        any: 'Anyone',
      }),
      textField('dueWithin', 'Due within (days)', 'e.g. 7', 'number'),
      h('fluent-checkbox', { name: 'overdue', 'data-filter': 'overdue' }, 'Overdue only'),
      h(
        'label',
        { class: 'field' },
        h('span', {}, 'Sort by'),
        h(
          'fluent-select',
          { name: 'sort', 'aria-label': 'Sort by', 'data-filter': 'sort' },
          ...SORTS.map((sort) => h('fluent-option', { value: sort.value }, sort.label)),
        ),
      ),
      h(
        'label',
        { class: 'field' },
        h('span', {}, 'Order'),
        h(
          'fluent-select',
          { name: 'order', 'aria-label': 'Order', 'data-filter': 'order' },
          h('fluent-option', { value: 'asc' }, 'Ascending'),
          h('fluent-option', { value: 'desc' }, 'Descending'),
        ),
      ),
    );
    this.problems = h('div', { class: 'problems', role: 'alert' });
    this.status = h('p', { class: 'page-status', 'aria-live': 'polite' });
    this.body = h('tbody');
    this.prev = h('fluent-button', { appearance: 'outline', 'data-action': 'previous' }, 'Previous page');
    this.next = h('fluent-button', { appearance: 'outline', 'data-action': 'next' }, 'Next page');
    const names = h(
      'fluent-checkbox',
      { 'data-action': 'names' },
      "Include the data subjects' names (recorded in the audit trail)",
    );
    const exportButton = h('fluent-button', { appearance: 'accent', 'data-action': 'export' }, 'Export CSV');

    this.element = h(
      'section',
      { class: 'register', 'aria-labelledby': 'register-heading' },
      h('h2', { id: 'register-heading' }, 'Register of requests'),
      this.form,
      this.problems,
      h('div', { class: 'export' }, exportButton, names),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'register-table', 'aria-describedby': 'register-heading' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...[
                'Case',
                'Stage',
                'Rights',
                'Regulation',
                'Systems',
                'Assignee',
                'Received',
                'Due',
                'Answered',
                'Days taken',
                'Outcome',
              ].map((heading) => h('th', { scope: 'col' }, heading)),
            ),
          ),
          this.body,
        ),
      ),
      h('nav', { class: 'pager', 'aria-label': 'Register pages' }, this.prev, this.status, this.next),
    );

    let typing: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      this.page = 1;
      void this.load();
    };
    this.form.addEventListener('change', refresh);
    this.form.addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(refresh, 300);
    });
    this.form.addEventListener('submit', (event) => event.preventDefault());
    this.prev.addEventListener('click', () => {
      if (this.page > 1) {
        this.page -= 1;
        void this.load();
      }
    });
    this.next.addEventListener('click', () => {
      if (this.last && this.page * this.last.pageSize < this.last.total) {
        this.page += 1;
        void this.load();
      }
    });
    exportButton.addEventListener(
      'click',
      () => void this.download((names as unknown as { checked: boolean }).checked),
    );
  }

  private filters(): URLSearchParams {
    const params = new URLSearchParams();
    for (const control of this.form.querySelectorAll('[data-filter]')) {
      const name = control.getAttribute('data-filter')!;
      if (name === 'overdue') {
        if ((control as unknown as { checked: boolean }).checked) params.set('overdue', 'true');
        continue;
      }
      const value = valueOf(control);
      if (value) params.set(name, value);
    }
    return params;
  }

  private showProblems(error: unknown): void {
    if (error instanceof ApiError) {
      this.problems.replaceChildren(
        h('p', {}, error.message),
        ...(error.problems.length > 0 ? [h('ul', {}, ...error.problems.map((p) => h('li', {}, p)))] : []),
      );
    } else {
      this.problems.replaceChildren(h('p', {}, 'The register could not be loaded; try again.'));
    }
  }

  async load(): Promise<void> {
    const params = this.filters();
    params.set('page', String(this.page));
    try {
      const page = await this.api.register(params);
      this.problems.replaceChildren();
      this.last = page;
      this.body.replaceChildren(...page.rows.map((row) => this.row(row)));
      if (page.rows.length === 0) {
        this.body.append(h('tr', {}, h('td', { colspan: '11' }, 'No case matches these filters.')));
      }
      const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
      this.status.textContent = `Page ${page.page} of ${pages} · ${page.total} ${page.total === 1 ? 'case' : 'cases'}`;
      this.prev.toggleAttribute('disabled', page.page <= 1);
      this.next.toggleAttribute('disabled', page.page >= pages);
    } catch (error) {
      this.showProblems(error);
    }
  }

  private label(list: Option[], value: string): string {
    return list.find((option) => option.value === value)?.label ?? value;
  }

  private row(row: RegisterRow): HTMLTableRowElement {
    const link = row.threadUrl
      ? h(
          'a',
          {
            href: row.threadUrl,
            target: '_blank',
            rel: 'noopener',
            title: 'Open the case thread and its card in Teams',
          },
          row.id,
        )
      : h('span', { title: `Write "status ${row.id}" to the bot for its card` }, row.id);
    if (row.threadUrl) {
      const url = row.threadUrl;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        this.openLink(url);
      });
    }
    const overdue = row.open && row.dueAt < new Date().toISOString();
    return h(
      'tr',
      { 'data-case': row.id, class: overdue ? 'overdue' : undefined },
      h('th', { scope: 'row' }, link),
      h('td', {}, this.label(this.options.statuses, row.status)),
      h('td', {}, row.rights.join(', ')),
      h('td', {}, row.regulation),
      h('td', {}, row.systems.map((system) => system.name).join(', ')),
      h('td', {}, row.assignee?.name ?? ''),
      h('td', {}, formatDate(row.receivedAt)),
      h('td', {}, formatDate(row.dueAt), overdue ? h('span', { class: 'badge' }, ' overdue') : null),
      h('td', {}, formatDate(row.answeredAt)),
      h('td', {}, row.daysTaken === null ? '' : String(row.daysTaken)),
      h('td', {}, row.outcome === 'open' ? 'Open' : row.onTime ? `${row.outcome}, on time` : `${row.outcome}, late`),
    );
  }

  private async download(withNames: boolean): Promise<void> {
    const params = this.filters();
    if (withNames) params.set('names', 'true');
    try {
      const blob = await this.api.exportCsv(params);
      const url = URL.createObjectURL(blob);
      const anchor = h('a', { href: url, download: withNames ? 'dsr-register-with-names.csv' : 'dsr-register.csv' });
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      this.showProblems(error);
    }
  }
}
