// jtrace view: the SQL page. A query box over jtrace's DuckDB tables (docs/sql.md), a result table, and rows
// with ts and dur that open their span in the timeline. Values are put into the page as text only.
'use strict';

JT.pages.sql = (() => {
  const el = (...a) => JT.el(...a);
  const EXAMPLES = [
    ['p50/p99 of regions by name', `SELECT name, count(*) AS n,
       quantile_disc(dur, 0.5) AS p50_ns, quantile_disc(dur, 0.99) AS p99_ns
FROM slice WHERE category = 'region'
GROUP BY name ORDER BY p99_ns DESC`],
    ['slowest regions', `SELECT ts, dur, name, utid, depth FROM slice
WHERE category = 'region' ORDER BY dur DESC LIMIT 20`],
    ['top blocking call sites', `SELECT call_site, kind, count(*) AS n, sum(dur) AS total_ns, max(dur) AS max_ns
FROM blocking WHERE NOT idle
GROUP BY call_site, kind ORDER BY total_ns DESC LIMIT 20`],
    ['tasks that crossed threads', `SELECT ts, dur, name, utid, end_utid FROM slice
WHERE category = 'task' AND utid <> end_utid ORDER BY dur DESC LIMIT 50`],
    ['GC pauses', `SELECT ts, dur, name, collector, cause FROM gc WHERE kind = 'pause' ORDER BY dur DESC`],
    ['what was lost', `SELECT * FROM loss`],
  ];
  let root = null;
  let lastQuery = null;

  // A row that names a span or an interval: its ts and dur, and a thread or a task when it has one.
  function timelineHref(cols, row) {
    const at = name => cols.findIndex(c => c.name.toLowerCase() === name);
    const ts = at('ts');
    const dur = at('dur');
    if (ts < 0 || dur < 0 || typeof row[ts] !== 'number' || typeof row[dur] !== 'number') return null;
    const utid = at('utid');
    const cat = at('category');
    const task = at('task_id');
    return JT.timelineHref(row[ts] - JT.meta.origin, Math.max(0, row[dur]), {
      kind: cat >= 0 && (row[cat] === 'region' || row[cat] === 'task') ? row[cat] : null,
      thread: utid >= 0 && typeof row[utid] === 'number' ? row[utid] : null,
      task: task >= 0 && typeof row[task] === 'number' ? row[task] : null,
    });
  }

  function fmtCell(col, v) {
    if (v === null || v === undefined) return 'NULL';
    return String(v);
  }

  async function waitReady(statusLine) {
    for (;;) {
      const s = await JT.api('/api/sql/status');
      if (s.state === 'ready') {
        statusLine.textContent = `Tables: ${s.tables.join(', ')} \u00b7 loaded in ${JT.fmtInt(s.loadMillis)} ms`;
        return s;
      }
      if (s.state === 'failed') throw new Error(s.error || 'the trace could not be loaded');
      const pct = s.totalBytes ? Math.floor(100 * s.loadedBytes / s.totalBytes) : 0;
      statusLine.textContent = `Loading the trace into DuckDB: ${pct}% (${JT.fmtBytes(s.loadedBytes)} of ${JT.fmtBytes(s.totalBytes)})`;
      await new Promise(r => setTimeout(r, 250));
    }
  }

  async function run(text, out, statusLine) {
    const t0 = performance.now();
    out.replaceChildren(el('p', { class: 'hint', text: 'Running...' }));
    document.body.dataset.pending = '1';
    try {
      await waitReady(statusLine);
      const r = await JT.api('/api/sql?q=' + encodeURIComponent(text));
      const cols = r.columns;
      const head = el('tr', {}, ...cols.map(c => el('th', { text: c.name, title: c.type })));
      const body = r.rows.map((row, i) => {
        const href = timelineHref(cols, row);
        const tr = el('tr', { 'data-row': i, class: href ? 'jump' : null, title: href ? 'open in the timeline' : null },
          ...row.map((v, k) => el('td', { class: typeof v === 'number' ? 'num' : null, text: fmtCell(cols[k], v) })));
        if (href) tr.addEventListener('click', () => { location.hash = href; });
        return tr;
      });
      const ms = Math.round(performance.now() - t0);
      const summary = r.truncated
        ? `${JT.fmtInt(r.rowCount)} rows; the first ${JT.fmtInt(r.rows.length)} shown \u00b7 ${r.millis} ms in DuckDB`
        : `${JT.fmtInt(r.rowCount)} row${r.rowCount === 1 ? '' : 's'} \u00b7 ${r.millis} ms in DuckDB`;
      out.replaceChildren(el('p', { class: 'sql-summary', 'data-ms': ms, text: summary }),
        cols.length ? el('table', { class: 'data sql-result' }, el('thead', {}, head), el('tbody', {}, ...body)) : '');
    } catch (e) {
      out.replaceChildren(el('p', { class: 'error sql-error', text: e.message }));
    } finally {
      document.body.dataset.pending = '0';
    }
  }

  async function show(container, params) {
    root = container;
    const box = el('textarea', { id: 'sql-query', rows: 8, spellcheck: 'false',
      'aria-label': 'SQL query' });
    box.value = params.get('q') || lastQuery || EXAMPLES[0][1];
    const out = el('div', { id: 'sql-out' });
    const statusLine = el('p', { id: 'sql-status', class: 'hint' });
    const go = () => {
      lastQuery = box.value;
      run(box.value, out, statusLine);
    };
    box.addEventListener('keydown', e => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        go();
      }
    });
    const examples = el('select', { id: 'sql-examples', 'aria-label': 'example queries' },
      el('option', { value: '', text: 'Examples...' }),
      ...EXAMPLES.map(([name], i) => el('option', { value: String(i), text: name })));
    examples.addEventListener('change', () => {
      if (examples.value !== '') {
        box.value = EXAMPLES[Number(examples.value)][1];
        examples.value = '';
      }
    });
    root.replaceChildren(
      el('h2', { text: 'SQL' }),
      el('p', { class: 'hint', text: 'DuckDB over this trace, in the tables of jtrace sql (docs/sql.md describes every '
        + 'column). Times are ns of the trace clock. Ctrl+Enter runs; a row with ts and dur opens in the timeline.' }),
      box,
      el('div', { class: 'sql-actions' }, el('button', { id: 'sql-run', onclick: go, text: 'Run' }), examples),
      statusLine, out);
    document.body.dataset.pending = '1';
    try {
      await waitReady(statusLine);
    } catch (e) {
      statusLine.textContent = '';
      out.replaceChildren(el('p', { class: 'error sql-error', text: e.message }));
    } finally {
      document.body.dataset.pending = '0';
    }
  }

  return { show };
})();
