import { z } from 'zod';
import type { ApplyOutcome, FieldChange } from '../dsr/changes.js';
import type { ManualStep } from '../dsr/discovery.js';
import type { ChangeHook, RecordRef } from './changeEngine.js';
import { displayValue } from './engine.js';
import type { HttpClient } from './http.js';
import { guidLiteral, property, withQuery } from './odata.js';

const licences = z.object({ value: z.array(z.object({ skuId: z.string(), skuPartNumber: z.string().optional() })) });
const before = z.object({ skuIds: z.array(z.string()) });
/**
 * How each licence reached the user: `assignedByGroup` is null for a direct assignment and the
 * group's id for group-based licensing (Learn, licenseAssignmentState resource type:
 * https://learn.microsoft.com/en-us/graph/api/resources/licenseassignmentstate). A licence held both
 * ways has two states. Read with `$select`, as it is not among a user's default properties.
 */
const assignmentStates = z.object({
  licenseAssignmentStates: z
    .array(z.object({ skuId: z.string(), assignedByGroup: z.string().nullable().optional() }))
    .nullable()
    .optional(),
});
const groupName = z.object({ displayName: z.string().nullable().optional() });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The licences assigned to the user directly, and per group those it inherits. */
interface Assignments {
  direct: string[];
  byGroup: Map<string, string[]>;
}

/**
 * Entra users: a restriction removes their licences (the guide's "removing licenses"), a deletion
 * deletes the user and then purges it from deleted items, and a correction is checked against the
 * current value first because Graph has no `If-Match` on users.
 */
export function graphUserChanges(http: HttpClient, serviceRoot: string): ChangeHook {
  const userUrl = (ref: RecordRef) => `${serviceRoot}users/${guidLiteral(ref.key)}`;
  const deletedUrl = (ref: RecordRef) => `${serviceRoot}directory/deletedItems/${guidLiteral(ref.key)}`;
  const assigned = async (ref: RecordRef, signal: AbortSignal) => {
    const answer = await http.getJson(`${userUrl(ref)}/licenseDetails`, { signal });
    return licences.parse(answer.body).value;
  };
  const assignments = async (ref: RecordRef, signal: AbortSignal): Promise<Assignments> => {
    const answer = await http.getJson(withQuery(userUrl(ref), { $select: 'licenseAssignmentStates' }), { signal });
    const direct = new Set<string>();
    const byGroup = new Map<string, string[]>();
    for (const state of assignmentStates.parse(answer.body).licenseAssignmentStates ?? []) {
      const skuId = state.skuId.toLowerCase();
      if (!state.assignedByGroup) direct.add(skuId);
      else byGroup.set(state.assignedByGroup, [...(byGroup.get(state.assignedByGroup) ?? []), skuId]);
    }
    return { direct: [...direct], byGroup };
  };
  /** A group's name as the directory shows it, or its id when it cannot be read. */
  const nameOfGroup = async (groupId: string, signal: AbortSignal): Promise<string> => {
    const answer = await http.send(
      'GET',
      withQuery(`${serviceRoot}groups/${guidLiteral(groupId)}`, { $select: 'displayName' }),
      {
        signal,
        allow: [403, 404],
      },
    );
    const parsed = answer.status === 200 ? groupName.safeParse(parseJson(answer.text)) : undefined;
    return parsed?.success && parsed.data.displayName ? parsed.data.displayName : groupId;
  };
  const assign = async (ref: RecordRef, add: string[], remove: string[], signal: AbortSignal): Promise<void> => {
    await http.send('POST', `${userUrl(ref)}/assignLicense`, {
      body: JSON.stringify({ addLicenses: add.map((skuId) => ({ skuId, disabledPlans: [] })), removeLicenses: remove }),
      signal,
    });
  };
  return {
    kind: 'user',
    // Only licences assigned directly are removed: one a group assigns cannot be taken from the user
    // (Graph refuses it) and goes only by leaving the group or the group losing it, which changes
    // other people too. Each such group becomes a step by hand, named.
    async restrictPreview(ref, signal) {
      const { direct, byGroup } = await assignments(ref, signal);
      const names = new Map(
        (await assigned(ref, signal)).map((l) => [l.skuId.toLowerCase(), l.skuPartNumber ?? l.skuId]),
      );
      const named = (skuIds: string[]) => skuIds.map((skuId) => names.get(skuId) ?? skuId).join(', ');
      const guided: ManualStep[] = [];
      for (const [groupId, skuIds] of byGroup) {
        guided.push({
          text: `The licence ${named(skuIds)} comes from the group "${await nameOfGroup(groupId, signal)}" (group-based licensing), so the bot cannot remove it from the user: take them out of that group in Entra ID, or note why the licence stays.`,
        });
      }
      const changes: FieldChange[] = direct.length === 0 ? [] : [{ field: 'licences', from: named(direct), to: '' }];
      return { changes, guided };
    },
    async restrict(ref, target, signal): Promise<ApplyOutcome> {
      const skuIds = (await assignments(ref, signal)).direct;
      if (skuIds.length > 0) {
        await assign(ref, [], skuIds, signal);
        return { status: 'applied', before: { skuIds } };
      }
      // Already removed (a retry after the write went through): the preview named what the user had.
      const named = (target.changes.find((c) => c.field === 'licences')?.from ?? '').split(', ').filter(Boolean);
      const skus = licences.parse((await http.getJson(`${serviceRoot}subscribedSkus`, { signal })).body).value;
      const recovered = named.map((name) => skus.find((sku) => sku.skuPartNumber === name)?.skuId ?? name);
      return { status: 'applied', before: { skuIds: recovered } };
    },
    async lift(ref, recorded, signal): Promise<ApplyOutcome> {
      const parsed = before.safeParse(recorded);
      if (!parsed.success)
        return { status: 'failed', message: 'No licences were recorded to give back.', retryable: false };
      const held = new Set((await assigned(ref, signal)).map((l) => l.skuId.toLowerCase()));
      const missing = parsed.data.skuIds.filter((skuId) => !held.has(skuId.toLowerCase()));
      if (missing.length > 0) await assign(ref, missing, [], signal);
      return { status: 'applied', before: { skuIds: [] } };
    },
    async rectify(ref, target, signal): Promise<ApplyOutcome> {
      const fields = target.changes.map((c) => property(c.field));
      const current = await http.getJson(withQuery(userUrl(ref), { $select: fields.join(',') }), { signal });
      const moved = target.changes.find((c) => displayValue(current.body[c.field]) !== c.from);
      if (moved) return { status: 'conflict', message: `The field '${moved.field}' changed since the preview.` };
      await http.send('PATCH', userUrl(ref), {
        body: JSON.stringify(Object.fromEntries(target.changes.map((c) => [c.field, c.to]))),
        signal,
      });
      return { status: 'applied' };
    },
    async delete(ref, signal): Promise<ApplyOutcome> {
      // Deleting moves the user to deleted items for 30 days; the second delete makes it permanent.
      const first = await http.send('DELETE', userUrl(ref), { signal, allow: [404] });
      const second = await http.send('DELETE', deletedUrl(ref), { signal, allow: [404] });
      return first.status === 404 && second.status === 404 ? { status: 'gone' } : { status: 'applied' };
    },
    // Learn, Get user (https://learn.microsoft.com/graph/api/user-get): `GET /users/{id}`, with
    // `$select` for properties beyond the default set, such as accountEnabled.
    async read(ref, fields, signal): Promise<Record<string, unknown> | undefined> {
      const url = withQuery(userUrl(ref), { $select: fields.join(',') });
      const answer = await http.send('GET', url, { signal, allow: [404] });
      return answer.status === 404 ? undefined : (JSON.parse(answer.text) as Record<string, unknown>);
    },
    async present(ref, signal): Promise<boolean> {
      for (const url of [userUrl(ref), deletedUrl(ref)]) {
        const answer = await http.send('GET', withQuery(url, { $select: 'id' }), { signal, allow: [404] });
        if (answer.status !== 404) return true;
      }
      return false;
    },
  };
}
