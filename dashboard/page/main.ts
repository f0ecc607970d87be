import './dashboard.css';
import { Api, ApiError, localSignIn, session, type Person } from './api.js';
import { renderCharts } from './charts.js';
import { h } from './dom.js';
import { RegisterView } from './register.js';
import { framed } from './framed.js';
import { applyTheme, browserTheme, registerComponents } from './theme.js';

const LOCAL_TOKEN = 'dsr-dashboard-local-token';
const root = document.getElementById('app')!;

function show(...children: Array<Node | string>): void {
  root.replaceChildren(...children);
  root.setAttribute('aria-busy', 'false');
}

function refusal(error: unknown): HTMLElement {
  if (error instanceof ApiError && error.status === 403) {
    return h('p', { class: 'notice', role: 'alert' }, error.message);
  }
  if (error instanceof ApiError && error.status === 401) {
    return h('p', { class: 'notice', role: 'alert' }, `${error.message} Reload the page to sign in again.`);
  }
  return h('p', { class: 'notice', role: 'alert' }, 'The dashboard could not be loaded; try again shortly.');
}

async function dashboard(api: Api, openLink: (url: string) => void, who: string | undefined): Promise<void> {
  const [options, charts] = await Promise.all([api.options(), api.charts()]);
  const chartArea = h('div', { class: 'charts' });
  const register = new RegisterView(api, options, openLink);
  const asOf = new Date(charts.asOf).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  show(
    h(
      'header',
      {},
      h('h1', {}, 'Privacy dashboard'),
      h('p', { class: 'as-of' }, `As of ${asOf}${who ? ` · signed in as ${who}` : ''}`),
      h(
        'dl',
        { class: 'totals' },
        h('div', {}, h('dt', {}, 'Cases'), h('dd', { 'data-total': 'all' }, String(charts.total))),
        h('div', {}, h('dt', {}, 'Open'), h('dd', { 'data-total': 'open' }, String(charts.open))),
        h('div', {}, h('dt', {}, 'Overdue'), h('dd', { 'data-total': 'overdue' }, String(charts.overdue))),
      ),
    ),
    h(
      'section',
      { class: 'trends', 'aria-labelledby': 'charts-heading' },
      h('h2', { id: 'charts-heading' }, 'Deadlines and trends'),
      chartArea,
    ),
    register.element,
  );
  renderCharts(chartArea, charts, options);
  // Charts take their colours from the theme, so a theme change draws them again.
  document.addEventListener('dashboard-theme', () => renderCharts(chartArea, charts, options));
  await register.load();
}

/** A local run in a plain browser: pick one of the sample people. */
function signInLocally(people: Person[]): Promise<{ token: string; name: string }> {
  return new Promise((resolve) => {
    const picker = h(
      'fluent-select',
      { id: 'person', 'aria-label': 'Sign in as' },
      ...people.map((person) => h('fluent-option', { value: person.id }, person.name)),
    );
    const button = h('fluent-button', { appearance: 'accent', id: 'sign-in' }, 'Sign in');
    const problem = h('p', { role: 'alert', class: 'problems' });
    button.addEventListener('click', () => {
      const personId = (picker as unknown as { value: string }).value;
      localSignIn(personId).then(
        (signed) => resolve({ token: signed.token, name: signed.user.name }),
        (error: unknown) => problem.replaceChildren(error instanceof Error ? error.message : 'Sign-in failed'),
      );
    });
    show(
      h(
        'section',
        { class: 'sign-in', 'aria-labelledby': 'sign-in-heading' },
        h('h1', { id: 'sign-in-heading' }, 'Privacy dashboard'),
        h(
          'p',
          {},
          'This is a local run without Teams: sign in as one of the sample people. The dashboard is for the privacy team.',
        ),
        h('label', { class: 'field' }, h('span', {}, 'Sign in as'), picker),
        button,
        problem,
      ),
    );
  });
}

async function start(): Promise<void> {
  registerComponents();
  if (document.body.dataset.mode === 'configure') {
    applyTheme('default');
    const { offerChannelTab } = await import('./teams.js');
    await offerChannelTab(location.origin);
    show(
      h('p', {}, 'Select Save to pin the privacy dashboard in this channel. Only the privacy team sees its figures.'),
    );
    return;
  }
  const how = await session();
  if (how.mode === 'teams') {
    if (!framed()) {
      applyTheme(browserTheme());
      show(h('p', { class: 'notice' }, 'Open the privacy dashboard from its tab in Microsoft Teams.'));
      return;
    }
    // The Teams SDK loads only inside Teams: a plain browser never needs it.
    const { connectToTeams } = await import('./teams.js');
    const teams = await connectToTeams();
    applyTheme(teams.theme);
    teams.onThemeChange(applyTheme);
    await dashboard(new Api(() => teams.token()), (url) => void teams.openLink(url), undefined);
    return;
  }
  applyTheme(browserTheme());
  let token = sessionStorage.getItem(LOCAL_TOKEN);
  let who = sessionStorage.getItem(`${LOCAL_TOKEN}-name`) ?? undefined;
  if (!token) {
    const signed = await signInLocally(how.people ?? []);
    token = signed.token;
    who = signed.name;
    sessionStorage.setItem(LOCAL_TOKEN, token);
    sessionStorage.setItem(`${LOCAL_TOKEN}-name`, who);
  }
  const held = token;
  try {
    await dashboard(new Api(() => Promise.resolve(held)), (url) => window.open(url, '_blank', 'noopener'), who);
  } catch (error) {
    // A sign-in from an earlier run of the bot is not valid any more: ask again.
    sessionStorage.removeItem(LOCAL_TOKEN);
    show(refusal(error), h('p', {}, h('a', { href: location.pathname + location.search }, 'Sign in again')));
  }
}

start().catch((error: unknown) => show(refusal(error)));
