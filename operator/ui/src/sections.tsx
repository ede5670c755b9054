// The Environment page's read-only sections: conditions, resources by app (with what they own), events,
// history.
import { Fragment } from 'preact';
import { groupBy, resourceHealth, shortRevision } from './format.ts';
import type { Condition, HistoryEntry, Initiator, KubeEvent, OwnedNode, OwnedTree, ResourceStatus } from './types.ts';
import { Age, Status } from './ui.tsx';
import { ActionsMenu } from './resource-actions.tsx';
import type { ActionName } from '../../src/core/actions/catalog.ts';

export function Conditions(props: { conditions: readonly Condition[]; now: number }) {
  if (props.conditions.length === 0) return <p class="empty">No conditions reported yet.</p>;
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Reason</th>
            <th scope="col">Message</th>
            <th scope="col">Since</th>
          </tr>
        </thead>
        <tbody>
          {props.conditions.map((c) => (
            <tr key={c.type}>
              <th scope="row">{c.type}</th>
              <td>
                <Status value={c.status} />
              </td>
              <td>{c.reason ?? ''}</td>
              <td class="message">{c.message ?? ''}</td>
              <td>
                <Age at={c.lastTransitionTime} now={props.now} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The rows of what one object owns (ReplicaSets, Pods, Jobs), indented by depth, under its row. */
function OwnedRows(props: { nodes: readonly OwnedNode[]; more?: number | undefined; depth: number; columns: number }) {
  return (
    <>
      {props.nodes.map((n) => (
        <Fragment key={`${n.kind}/${n.namespace}/${n.name}`}>
          <tr class={`owned depth-${props.depth}`}>
            <th scope="row">
              <span aria-hidden="true">↳ </span>
              {n.kind}/{n.name}
            </th>
            <td colSpan={3}></td>
            <td>
              <Status value={n.health.status} />
            </td>
            <td class="message" colSpan={props.columns - 5}>
              {n.health.message ?? ''}
            </td>
          </tr>
          <OwnedRows nodes={n.children} more={n.more} depth={props.depth + 1} columns={props.columns} />
        </Fragment>
      ))}
      {props.more ? (
        <tr class={`owned depth-${props.depth}`}>
          <td colSpan={props.columns} class="sub">
            and {props.more} more
          </td>
        </tr>
      ) : null}
    </>
  );
}

export function Resources(props: {
  resources: readonly ResourceStatus[];
  /** What each object owns in the cluster (GET …/tree), when read. */
  owned?: OwnedTree | undefined;
  /** With access.action: an actions menu on the rows whose kind takes one. */
  onAction?: ((resource: ResourceStatus, action: ActionName) => void) | undefined;
}) {
  if (props.resources.length === 0) return <p class="empty">No managed resources.</p>;
  const apps = groupBy(props.resources, (r) => r.app ?? '');
  const owned = new Map((props.owned?.items ?? []).map((i) => [i.key, i]));
  const columns = props.onAction ? 7 : 6;
  return (
    <>
      {props.owned?.unread.length ? (
        <p class="error-inline">Not all owned objects could be read: {props.owned.unread.join('; ')}</p>
      ) : null}
      {apps.map(([app, list]) => (
        <div class="app" key={app}>
          <h3>{app ? `App ${app}` : 'Not in an app'}</h3>
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Kind/name</th>
                  <th scope="col">Wave</th>
                  <th scope="col">Hook</th>
                  <th scope="col">Sync</th>
                  <th scope="col">Health</th>
                  <th scope="col">Message</th>
                  {props.onAction ? <th scope="col">Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {list.map((r) => {
                  const health = resourceHealth(r);
                  const key = `${r.group ?? ''}/${r.kind}/${r.namespace ?? ''}/${r.name}`;
                  const below = owned.get(key);
                  return (
                    <Fragment key={key}>
                      <tr>
                        <th scope="row">
                          {r.kind}/{r.name}
                          {r.namespace ? <div class="sub">in {r.namespace}</div> : null}
                        </th>
                        <td>{r.wave ?? 0}</td>
                        <td>{r.hook ?? ''}</td>
                        <td>{r.sync ? <Status value={r.sync} /> : ''}</td>
                        <td>{health.status ? <Status value={health.status} /> : ''}</td>
                        <td class="message">{[health.message, r.message].filter(Boolean).join(' — ')}</td>
                        {props.onAction ? (
                          <td>
                            <ActionsMenu resource={r} onPick={(a) => props.onAction?.(r, a)} />
                          </td>
                        ) : null}
                      </tr>
                      {below ? (
                        <OwnedRows nodes={below.children} more={below.more} depth={1} columns={columns} />
                      ) : null}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
        </div>
      ))}
    </>
  );
}

export function Events(props: { events: readonly KubeEvent[] | undefined; error?: string; now: number }) {
  if (props.error) return <p class="error-inline">Events: {props.error}</p>;
  if (!props.events) return <p class="loading">Loading…</p>;
  if (props.events.length === 0) return <p class="empty">No recent events.</p>;
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Reason</th>
            <th scope="col">Message</th>
            <th scope="col">Count</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {props.events.map((e, i) => (
            <tr key={i}>
              <td>
                <Status value={e.type} />
              </td>
              <td>{e.reason ?? ''}</td>
              <td class="message">{e.message ?? ''}</td>
              <td>{e.count ?? 1}</td>
              <td>
                <Age at={e.lastTimestamp} now={props.now} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function initiator(by: Initiator | undefined): string {
  if (!by) return '';
  if (by.automated) return 'automated sync';
  return by.username ?? '';
}

export function History(props: {
  history: readonly HistoryEntry[];
  now: number;
  canRollback: boolean;
  onRollback: (entry: HistoryEntry) => void;
}) {
  if (props.history.length === 0) return <p class="empty">No finished syncs yet.</p>;
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">ID</th>
            <th scope="col">Revision</th>
            <th scope="col">Deployed</th>
            <th scope="col">By</th>
            {props.canRollback ? <th scope="col">Action</th> : null}
          </tr>
        </thead>
        <tbody>
          {props.history.map((h, i) => (
            <tr key={h.id ?? h.operationId ?? i}>
              <td>{h.id ?? ''}</td>
              <td>
                <code title={h.revision}>{shortRevision(h.revision)}</code>
                {i === 0 ? <span class="tag">current</span> : null}
              </td>
              <td>
                <Age at={h.deployedAt} now={props.now} />
              </td>
              <td>{initiator(h.initiatedBy)}</td>
              {props.canRollback ? (
                <td>
                  {i > 0 ? (
                    <button type="button" onClick={() => props.onRollback(h)}>
                      Roll back<span class="sr-only"> to {shortRevision(h.revision)}</span>
                    </button>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
