/** What the API answered when it refused: the status and the reason it gave. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Option {
  value: string;
  label: string;
}

export interface Person {
  id: string;
  name: string;
}

export interface Session {
  mode: 'teams' | 'local';
  people?: Person[];
}

export interface Options {
  statuses: Option[];
  rights: Option[];
  regulations: Option[];
  systems: Option[];
  assignees: Option[];
}

export interface RegisterRow {
  id: string;
  status: string;
  open: boolean;
  regulation: string;
  rights: string[];
  systems: Array<{ id: string; name: string }>;
  assignee: Person | null;
  receivedAt: string;
  dueAt: string;
  answeredAt: string | null;
  outcome: 'open' | 'responded' | 'declined';
  daysTaken: number | null;
  onTime: boolean | null;
  threadUrl: string | null;
}

export interface RegisterPage {
  total: number;
  page: number;
  pageSize: number;
  rows: RegisterRow[];
}

export interface Charts {
  asOf: string;
  total: number;
  open: number;
  overdue: number;
  openByStage: Array<{ status: string; count: number }>;
  dueNext30Days: Array<{ day: string; count: number }>;
  onTimeByMonth: Array<{ month: string; onTime: number; late: number; rate: number | null }>;
  medianDaysByRight: Array<{ right: string; medianDays: number | null; answered: number }>;
  volumeByRight: Array<{ right: string; count: number }>;
  volumeBySystem: Array<{ systemId: string; name: string; count: number }>;
  overdueOverTime: Array<{ month: string; count: number }>;
}

/** The dashboard's API, with the caller's token on every request. */
export class Api {
  constructor(private readonly token: () => Promise<string>) {}

  private async request(path: string): Promise<Response> {
    const response = await fetch(path, { headers: { authorization: `Bearer ${await this.token()}` } });
    if (response.ok) return response;
    const body = (await response.json().catch(() => ({}))) as { error?: string; problems?: string[] };
    throw new ApiError(response.status, body.error ?? `The server answered ${response.status}`, body.problems);
  }

  async json<T>(path: string): Promise<T> {
    return (await (await this.request(path)).json()) as T;
  }

  options(): Promise<Options> {
    return this.json('/api/dashboard/options');
  }

  charts(): Promise<Charts> {
    return this.json('/api/dashboard/charts');
  }

  register(params: URLSearchParams): Promise<RegisterPage> {
    return this.json(`/api/dashboard/register?${params.toString()}`);
  }

  async exportCsv(params: URLSearchParams): Promise<Blob> {
    return (await this.request(`/api/dashboard/export.csv?${params.toString()}`)).blob();
  }
}

export async function session(): Promise<Session> {
  return (await (await fetch('/api/dashboard/session')).json()) as Session;
}

export async function localSignIn(personId: string): Promise<{ token: string; user: Person }> {
  const response = await fetch('/api/dashboard/local-sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ personId }),
  });
  const body = (await response.json()) as { token: string; user: Person; error?: string };
  if (!response.ok) throw new ApiError(response.status, body.error ?? 'Sign-in failed');
  return body;
}
