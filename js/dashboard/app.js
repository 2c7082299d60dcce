// The governance dashboard's page (issue 16). Reads the server's public API
// only: MCP get_plan_audit_logs (figures and summary alone, the burn
// series, governed actions a page at a time), the outcomes ledger, and the
// owner-scoped review routes. The bearer token stays in this tab
// (sessionStorage) and goes only to this server. Every ledger figure is
// shown as the API gives it (formatted, never recomputed), so the page and
// the audit log cannot disagree. Computed here, for display only: flight
// time elapsed and the pacing line, a channel's state against its mix
// target, and whether a drift metric (as rounded by the API) is past its
// threshold; the core's own drift findings use unrounded values (06 §5.3).
const $ = (id) => document.getElementById(id);
const base = (/^\/t\/[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\//.exec(location.pathname)?.[0] ?? '/').replace(/\/$/, '');
const PAGE = 25;
const REFRESH_MS = 5000;
let token = sessionStorage.getItem('adcp-governance-token');
let plans = [], audit = new Map(), value = null, current = null, cursors = [], refreshTimer = null, canReview = false;

const money = (n, currency) => (typeof n === 'number'
  ? `${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}${currency ? ` ${currency}` : ''}` : '—');
const pct = (n) => (typeof n === 'number' ? `${n.toLocaleString('en-US', { maximumFractionDigits: 2 })} %` : '—');
const rate = (n) => (typeof n === 'number' ? n.toFixed(3) : '—');
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}
const cell = (text, field, cls) => el('td', { 'data-field': field, class: cls }, text);
function status(text, kind = '') { const s = $('status'); s.textContent = text; s.className = `status ${kind}`; }

class SignedOut extends Error {}
async function request(path, init = {}) {
  const response = await fetch(base + path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
  if (response.status === 401) throw new SignedOut('token not recognised');
  if (response.status === 503) throw new Error(`the service is busy; retrying (Retry-After ${response.headers.get('retry-after') ?? '?'} s)`);
  return response;
}
async function api(path, init) {
  const r = await request(`/api/dashboard${path}`, init);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
  return body;
}
// One MCP tool call (stateless JSON-RPC over HTTP, as every MCP client sends it).
async function tool(name, args) {
  const r = await request('/mcp', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }) });
  const body = await r.json();
  if (body.error) throw new Error(body.error.message);
  if (body.result.isError) throw new Error(body.result.structuredContent?.adcp_error?.message ?? 'tool failed');
  return body.result.structuredContent;
}
const auditOf = (planIds, ext) => tool('get_plan_audit_logs', { plan_ids: planIds, ext: { adcp_governance: ext } });

// ------------------------------------------------------------- sign-in ---
async function signIn(event) {
  event?.preventDefault();
  token = $('token').value.trim() || token;
  $('sign-in-error').textContent = '';
  try {
    await loadAll();
    sessionStorage.setItem('adcp-governance-token', token);
    $('token').value = '';
    $('sign-in').hidden = true;
    $('app').hidden = false;
    $('sign-out').hidden = false;
    show('overview');
    scheduleRefresh();
  } catch (e) {
    signOut();
    $('sign-in-error').textContent = e instanceof SignedOut ? 'That token is not recognised.' : `Could not sign in: ${e.message}`;
  }
}
function signOut() {
  token = null;
  sessionStorage.removeItem('adcp-governance-token');
  clearTimeout(refreshTimer);
  plans = []; audit = new Map(); value = null; current = null;
  for (const id of ['plans-table', 'actions-table', 'channels-table', 'drift-table', 'value-table'])
    $(id).querySelector('tbody').replaceChildren();
  $('review-list').replaceChildren(); $('value-feed').replaceChildren(); $('plan-figures').replaceChildren();
  $('app').hidden = true; $('sign-out').hidden = true; $('sign-in').hidden = false; $('who').textContent = '';
}

// ------------------------------------------------------------- loading ---
async function loadAll() {
  const listed = await api('/plans');
  plans = listed.plans;
  canReview = listed.can_review === true;
  const ids = plans.map((p) => p.plan_id);
  audit = new Map();
  if (ids.length) {
    // Figures and summary alone (no governed actions), with each plan's burn.
    const a = await auditOf(ids, { governed_actions: { limit: 0 }, burn: true });
    const holds = new Map((a.ext?.adcp_governance?.holds ?? []).map((h) => [h.plan_id, h.held]));
    const burn = new Map((a.ext?.adcp_governance?.burn ?? []).map((b) => [b.plan_id, b.days]));
    for (const item of a.plans) audit.set(item.plan_id, { ...item, held: holds.get(item.plan_id) ?? 0, burn: burn.get(item.plan_id) ?? [] });
  }
  value = await request('/api/outcomes/summary').then((r) => (r.ok ? r.json() : null)).catch((e) => { if (e instanceof SignedOut) throw e; return null; });
  const escalations = (await api('/escalations')).escalations;
  $('who').textContent = `${plans.length} plan${plans.length === 1 ? '' : 's'}`;
  renderOverview();
  renderReview(escalations);
  await renderValue();
  if (current && !$('plan').hidden) renderPlanFigures(current);
  status(`Updated ${new Date().toLocaleTimeString()}`);
}
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    // Not while someone is typing a review reason.
    if (token && !document.activeElement?.matches('textarea')) {
      try { await loadAll(); } catch (e) { if (e instanceof SignedOut) return signOut(); status(e.message, 'warn'); }
    }
    if (token) scheduleRefresh();
  }, REFRESH_MS);
}

// ------------------------------------------------------------ overview ---
function valueOf(planId) { return value?.plans?.find((p) => p.plan_id === planId) ?? null; }
function renderOverview() {
  const rows = plans.map((p) => {
    const a = audit.get(p.plan_id), b = a?.budget ?? {}, cur = p.plan?.budget?.currency;
    const v = valueOf(p.plan_id);
    return el('tr', { 'data-plan': p.plan_id },
      el('th', { scope: 'row' }, el('button', { type: 'button', class: 'link', onclick: () => openPlan(p.plan_id) }, p.plan_id)),
      cell(a?.status ?? p.status, 'status'), cell(String(a?.plan_version ?? p.plan_version), 'plan_version'),
      cell(`${(p.plan?.flight?.start ?? '').slice(0, 10)} → ${(p.plan?.flight?.end ?? '').slice(0, 10)}`, 'flight'),
      cell(money(b.authorized, cur), 'authorized', 'num'), cell(money(b.committed, cur), 'committed', 'num'),
      cell(money(a?.held, cur), 'held', 'num'), cell(money(b.remaining, cur), 'remaining', 'num'),
      cell(money(b.net_cost, cur), 'net_cost', 'num'), cell(pct(b.utilization_pct), 'utilization_pct', 'num'),
      cell(v && typeof v.value_usd === 'number' ? money(v.value_usd, 'USD') : '—', 'value_usd', 'num'),
      cell(String(p.pending_escalations), 'pending_escalations', 'num'));
  });
  // Labels for the narrow layout, where each row becomes a card.
  const headers = [...$('plans-table').querySelectorAll('thead th')].map((th) => th.textContent);
  for (const row of rows) [...row.children].forEach((c, i) => { c.dataset.label = headers[i]; });
  $('plans-table').querySelector('tbody').replaceChildren(...rows);
  if (!plans.length) $('plans-table').querySelector('tbody').append(el('tr', {}, el('td', { colspan: 12 }, 'No plans for this token.')));
}

// ---------------------------------------------------------------- plan ---
async function openPlan(planId) {
  current = planId;
  cursors = [null];
  show('plan');
  $('plan-title').textContent = `Plan ${planId}`;
  renderPlanFigures(planId);
  await loadActions();
  $('plan-title').focus?.();
}
function renderPlanFigures(planId) {
  const p = plans.find((x) => x.plan_id === planId), a = audit.get(planId);
  if (!p || !a) return;
  const b = a.budget, cur = p.plan?.budget?.currency;
  const start = Date.parse(p.plan?.flight?.start), end = Date.parse(p.plan?.flight?.end);
  const elapsed = Math.min(1, Math.max(0, (Date.now() - start) / (end - start)));
  const figures = [['Status', a.status, 'status'], ['Version', a.plan_version, 'plan_version'],
    ['Authorized', money(b.authorized, cur), 'authorized'], ['Committed', money(b.committed, cur), 'committed'],
    ['Held', money(a.held, cur), 'held'], ['Remaining', money(b.remaining, cur), 'remaining'],
    ['Net cost', money(b.net_cost, cur), 'net_cost'], ['Utilisation', pct(b.utilization_pct), 'utilization_pct'],
    ['Flight elapsed', pct(Math.round(elapsed * 10000) / 100), 'elapsed'], ['Pacing target now', money(b.authorized * elapsed, cur), 'pacing']];
  $('plan-figures').replaceChildren(...figures.map(([k, v, f]) => el('div', {}, el('dt', {}, k), el('dd', { 'data-field': f }, String(v)))));
  renderBurn(p, a, start, end, cur);
  renderChannels(p, a, cur);
  renderDrift(a);
}
function renderBurn(p, a, start, end, cur) {
  const box = $('burn-chart');
  box.replaceChildren();
  const days = a.burn ?? [];
  const xs = [], committed = [], pacing = [], now = [];
  const push = (t, c, pc, n) => { xs.push(t / 1000); committed.push(c); pacing.push(pc); now.push(n); };
  push(start, 0, 0, null);
  for (const d of days) {
    const t = Math.max(start, Date.parse(`${d.date}T23:59:59Z`));
    push(t, d.cumulative, a.budget.authorized * Math.min(1, Math.max(0, (t - start) / (end - start))), null);
  }
  const t = Math.min(Date.now(), end);
  push(t, a.budget.committed, a.budget.authorized * Math.min(1, Math.max(0, (t - start) / (end - start))), a.budget.committed + a.held);
  push(end, null, a.budget.authorized, null);
  const order = xs.map((_, i) => i).sort((i, j) => xs[i] - xs[j]);
  const data = [order.map((i) => xs[i]), order.map((i) => committed[i]), order.map((i) => pacing[i]), order.map((i) => now[i])];
  $('burn-text').textContent = `Committed ${money(a.budget.committed, cur)} of ${money(a.budget.authorized, cur)}; ` +
    `held ${money(a.held, cur)}; ${days.length} settlement day${days.length === 1 ? '' : 's'}.`;
  $('burn-text').dataset.cumulative = String(days.at(-1)?.cumulative ?? 0);
  if (!globalThis.uPlot) return;
  const width = Math.max(280, box.clientWidth || 480);
  // eslint-disable-next-line no-new
  new globalThis.uPlot({ width, height: 240, scales: { x: { time: true } },
    series: [{}, { label: 'Committed', stroke: '#0b5cad', width: 2, spanGaps: true, paths: globalThis.uPlot.paths?.stepped?.({ align: 1 }) },
      { label: 'Pacing line', stroke: '#8a4b00', dash: [6, 4], spanGaps: true },
      { label: 'Committed + held (now)', stroke: '#a3212d', points: { show: true, size: 9 } }],
    axes: [{}, { size: 80, values: (u, v) => v.map((n) => n.toLocaleString('en-US')) }] }, data, box);
}
function renderChannels(p, a, cur) {
  const mix = p.plan?.channels?.mix_targets ?? {};
  const names = [...new Set([...Object.keys(a.channel_allocation ?? {}), ...Object.keys(mix)])].sort();
  const rows = names.map((ch) => {
    const got = a.channel_allocation?.[ch], target = mix[ch];
    const share = got?.pct ?? 0;
    let state = '—', cls = '';
    if (target) {
      if (target.min_pct !== undefined && share < target.min_pct) { state = 'below target'; cls = 'warn'; }
      else if (target.max_pct !== undefined && share > target.max_pct) { state = 'above target'; cls = 'bad error'; }
      else { state = 'within target'; cls = 'ok'; }
    }
    return el('tr', { 'data-channel': ch }, el('th', { scope: 'row' }, ch), cell(money(got?.committed ?? 0, cur), 'committed', 'num'),
      cell(pct(share), 'pct', 'num'), cell(target ? `${target.min_pct ?? 0}–${target.max_pct ?? 100} %` : '—', 'target'), cell(state, 'state', cls));
  });
  $('channels-table').querySelector('tbody').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 5 }, 'No channel information yet.'))]));
}
function renderDrift(a) {
  const d = a.summary.drift_metrics, t = d.thresholds ?? {};
  const metric = (name, key, maxKey, minKey) => {
    const v = d[key];
    const crossed = (t[maxKey] !== undefined && v > t[maxKey]) || (minKey && t[minKey] !== undefined && v < t[minKey]);
    const limit = [minKey && t[minKey] !== undefined ? `≥ ${t[minKey]}` : null, t[maxKey] !== undefined ? `≤ ${t[maxKey]}` : null].filter(Boolean).join(', ');
    return el('tr', { 'data-metric': key }, el('th', { scope: 'row' }, name), cell(rate(v), 'value', 'num'), cell(limit || '—', 'threshold', 'num'),
      cell(limit ? (crossed ? 'threshold crossed' : 'within') : '—', 'state', crossed ? 'error' : 'ok'));
  };
  $('drift-table').querySelector('tbody').replaceChildren(
    metric('Escalation rate', 'escalation_rate', 'escalation_rate_max', 'escalation_rate_min'),
    metric('Auto-approval rate', 'auto_approval_rate', 'auto_approval_rate_max'),
    metric('Human override rate', 'human_override_rate', 'human_override_rate_max'),
    ...(d.mean_confidence !== undefined ? [metric('Mean confidence', 'mean_confidence', '-')] : []));
  $('drift-trend').textContent = `Escalation-rate trend: ${d.escalation_rate_trend}`;
  $('drift-trend').dataset.trend = d.escalation_rate_trend;
  const s = a.summary;
  $('drift-counts').textContent = `${s.checks_performed} checks: ${s.statuses.approved} approved, ${s.statuses.denied} denied, ` +
    `${s.statuses.conditions} with conditions, ${s.statuses.human_reviewed} reviewed by a person; ${s.escalations.length} escalations; ` +
    `${s.outcomes_reported} outcomes, ${s.adjustments_reported} adjustments (${s.adjustments_verified} verified).`;
}
async function loadActions() {
  const after = cursors.at(-1);
  const page = await auditOf([current], { governed_actions: { limit: PAGE, ...(after ? { after } : {}) } });
  const next = page.ext?.adcp_governance?.action_pages?.find((x) => x.plan_id === current)?.next_cursor ?? null;
  const cur = plans.find((x) => x.plan_id === current)?.plan?.budget?.currency;
  const first = (cursors.length - 1) * PAGE;
  const rows = page.plans[0].governed_actions.map((g, i) => el('tr', {},
    cell(String(first + i + 1), 'n', 'num'), cell(`…${g.governance_context.slice(-10)}`, 'token'), cell(g.purchase_type, 'purchase_type'),
    cell(g.status, 'status'), cell(money(g.committed, cur), 'committed', 'num'), cell(money(g.seller_reported_spend, cur), 'seller_reported_spend', 'num'),
    cell(money(g.buyer_observed_spend, cur), 'buyer_observed_spend', 'num'), cell(g.delivery_reconciliation_status ?? '—', 'reconciliation'),
    cell(g.delivery_period_state ?? '—', 'period'), cell(`${money(g.adjustments_reported)} / ${money(g.adjustments_verified)}`, 'adjustments', 'num'),
    cell(money(g.headroom_restored, cur), 'headroom_restored', 'num'), cell(money(g.net_committed, cur), 'net_committed', 'num'),
    cell(g.seller_reference ?? '—', 'seller_reference')));
  $('actions-table').querySelector('tbody').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 13 }, 'No governed actions.'))]));
  $('actions-page').textContent = rows.length ? `Actions ${first + 1}–${first + rows.length}` : '';
  $('actions-prev').disabled = cursors.length <= 1;
  $('actions-next').disabled = !next;
  $('actions-next').dataset.cursor = next ?? '';
}

// -------------------------------------------------------------- review ---
function renderReview(escalations) {
  $('review-count').textContent = String(escalations.length);
  const items = escalations.map((e) => {
    const reason = el('textarea', { id: `reason-${e.task_id}`, rows: 2, maxlength: 2000 });
    const decide = (decision) => async (event) => {
      const buttons = event.target.parentElement.querySelectorAll('button');
      buttons.forEach((b) => { b.disabled = true; });
      try {
        const r = await api(`/escalations/${encodeURIComponent(e.task_id)}`, { method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ decision, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) }) });
        const verdict = r.task?.response?.verdict ?? r.task?.status;
        const after = await auditOf([e.plan_id], { governed_actions: { limit: 0 } });
        const logged = after.plans[0].summary.escalations.find((x) => x.check_id === e.check_id);
        $('review-results').prepend(el('p', { class: 'ok', 'data-task': e.task_id, 'data-verdict': verdict, 'data-resolution': logged?.resolution ?? '' },
          `Check ${e.check_id} on ${e.plan_id}: ${verdict}. Audit log: ${logged?.resolution ?? 'pending'}` +
          `${logged?.resolved_at ? ` at ${logged.resolved_at}` : ''}.`));
        await loadAll();
      } catch (err) {
        if (err instanceof SignedOut) return signOut();
        buttons.forEach((b) => { b.disabled = false; });
        status(`Could not record the decision: ${err.message}`, 'error');
      }
    };
    return el('article', { class: 'review-item', 'data-task': e.task_id, 'aria-labelledby': `h-${e.task_id}` },
      el('h3', { id: `h-${e.task_id}` }, `${e.plan_id}: ${e.tool} for ${typeof e.amount === 'number'
        ? money(e.amount, plans.find((p) => p.plan_id === e.plan_id)?.plan?.budget?.currency) : 'an unstated amount'}`),
      el('p', {}, `Check ${e.check_id}, requested by ${e.caller} at ${e.created_at}. `,
        el('strong', {}, `Recommendation: ${e.recommendation}.`)),
      el('p', {}, `Why it needs a person: ${e.reason}`),
      e.explanation ? el('p', { class: 'hint' }, e.explanation) : null,
      (e.findings ?? []).length ? el('ul', {}, e.findings.map((f) => el('li', {}, `${f.severity} — ${f.category_id}: ${f.explanation ?? ''}`)))
        : el('p', { class: 'hint' }, 'No findings on the check itself.'),
      ...(canReview ? [el('label', { for: `reason-${e.task_id}` }, 'Reason (recorded in the audit log)'), reason,
        el('div', { class: 'review-actions' },
          el('button', { type: 'button', 'data-decision': 'approve', onclick: decide('approve') }, 'Approve'),
          el('button', { type: 'button', class: 'danger', 'data-decision': 'reject', onclick: decide('reject') }, 'Reject'))]
        : [el('p', { class: 'hint' }, 'Only a reviewer\'s token can decide; this one can read the queue.')]));
  });
  $('review-list').replaceChildren(...(items.length ? items : [el('p', {}, 'Nothing waiting for review.')]));
}

// --------------------------------------------------------------- value ---
async function renderValue() {
  const rows = (value?.plans ?? []).map((v) => el('tr', { 'data-plan': v.plan_id }, el('th', { scope: 'row' }, v.plan_id),
    cell(money(v.committed, v.currency), 'committed', 'num'), cell(money(v.value_usd, 'USD'), 'value_usd', 'num'),
    cell(typeof v.value_to_spend === 'number' ? v.value_to_spend.toFixed(2) : '—', 'value_to_spend', 'num')));
  $('value-table').querySelector('tbody').replaceChildren(...(rows.length ? rows
    : [el('tr', {}, el('td', { colspan: 4 }, value ? 'No outcomes recorded yet.' : 'This token has no outcomes-ledger user.'))]));
  if (!value) return;
  const feed = await request('/api/outcomes?limit=20').then((r) => (r.ok ? r.json() : { outcomes: [] }))
    .catch((e) => { if (e instanceof SignedOut) throw e; return { outcomes: [] }; });
  $('value-feed').replaceChildren(...feed.outcomes.map((o) => el('li', {},
    `${o.created_at ?? ''} ${o.outcome_type ?? o.outcomeType}: ${o.title} — ${money(o.value_usd ?? o.valueUsd, 'USD')}`)));
}

// ---------------------------------------------------------------- views ---
function show(view) {
  for (const id of ['overview', 'plan', 'review', 'value']) $(id).hidden = id !== view;
  for (const b of document.querySelectorAll('.tabs button'))
    b.setAttribute('aria-current', b.dataset.view === view || (view === 'plan' && b.dataset.view === 'overview') ? 'page' : 'false');
}
for (const b of document.querySelectorAll('.tabs button')) b.addEventListener('click', () => show(b.dataset.view));
$('back').addEventListener('click', () => show('overview'));
$('actions-next').addEventListener('click', async () => {
  const next = $('actions-next');
  if (next.disabled || !next.dataset.cursor) return;
  next.disabled = true;  // one page at a time (a double click must not skip a page)
  cursors.push(next.dataset.cursor);
  await loadActions();
});
$('actions-prev').addEventListener('click', async () => {
  if (cursors.length <= 1 || $('actions-prev').disabled) return;
  $('actions-prev').disabled = true;
  cursors.pop();
  await loadActions();
});
$('sign-in-form').addEventListener('submit', signIn);
$('sign-out').addEventListener('click', signOut);
$('plan-title').setAttribute('tabindex', '-1');
if (token) signIn();
