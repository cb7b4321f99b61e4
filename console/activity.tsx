// The Activity view: every ARM write request, newest first, with its caller, status (a
// long-running operation's stage while it runs), duration and correlation id; the same records
// `az monitor activity-log list` reads.
import type { ActivityRow } from "../src/console/view-types.js";

const time = (iso: string) => iso.slice(11, 23);

export function ActivityPanel({ rows }: { rows: ActivityRow[] }) {
  if (rows.length === 0) return <p class="muted">No requests yet.</p>;
  return (
    <table class="activity">
      <caption>Latest {rows.length} ARM write requests (newest first)</caption>
      <thead>
        <tr><th scope="col">Time (UTC)</th><th scope="col">Operation</th><th scope="col">Resource</th><th scope="col">Status</th><th scope="col">Duration</th><th scope="col">Caller</th><th scope="col">Correlation id</th></tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr data-operation={r.operationName} data-status={r.status} data-resource={r.resourceId}>
            <td><time dateTime={r.time}>{time(r.time)}</time></td>
            <td><code>{r.operationName}</code></td>
            <td class="id">{r.resourceId.split("/").slice(-2).join("/")}</td>
            <td class={`st st-${r.status}`} title={r.error}>{r.status}{r.stage ? ` (${r.stage})` : ""} <span class="muted">{r.statusCode}</span></td>
            <td>{r.durationMs === undefined ? "…" : `${r.durationMs} ms`}</td>
            <td><code>{r.caller.slice(0, 8)}</code></td>
            <td><code>{r.correlationId}</code></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
