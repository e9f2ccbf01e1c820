// jtrace view: shared helpers and the page router. Plain JavaScript, no build step. Trace content is only
// ever put into the page as text (textContent, SVG text nodes), never as HTML.
'use strict';

const JT = {
  meta: null,

  // Durations and times (integer ns) for people: 1.234 ms, 56.7 us, 2.5 s.
  fmtNs(n) {
    const a = Math.abs(n);
    if (a < 1e3) return n + ' ns';
    if (a < 1e6) return (n / 1e3).toFixed(a < 1e4 ? 2 : 1) + ' us';
    if (a < 1e9) return (n / 1e6).toFixed(a < 1e7 ? 3 : a < 1e8 ? 2 : 1) + ' ms';
    return (n / 1e9).toFixed(a < 1e10 ? 3 : 2) + ' s';
  },

  // Milliseconds with 3 decimals, rounded half up from integer ns (as `jtrace analyze` prints them).
  fmtMs(n) {
    const neg = n < 0;
    const us = Math.round(Math.abs(n) / 1000);
    const s = Math.floor(us / 1000) + '.' + String(us % 1000).padStart(3, '0');
    return neg ? '-' + s : s;
  },

  fmtBytes(b) {
    if (b < 1024) return b + ' B';
    if (b < 1 << 20) return (b / 1024).toFixed(1) + ' KiB';
    if (b < 1 << 30) return (b / (1 << 20)).toFixed(1) + ' MiB';
    return (b / (1 << 30)).toFixed(2) + ' GiB';
  },

  fmtInt(n) {
    return Number(n).toLocaleString('en-US');
  },

  // A 503 (the server's bound on concurrent computations) is retried after its Retry-After, a few times,
  // before the page shows it: a busy moment is not an error.
  async api(path, signal) {
    for (let attempt = 0; ; attempt++) {
      const r = await fetch(path, { signal, headers: { Accept: 'application/json' } });
      const body = await r.json().catch(() => ({ error: 'not JSON' }));
      if (r.status === 503 && attempt < 5 && !(signal && signal.aborted)) {
        const wait = Math.min(5, Number(r.headers.get('Retry-After')) || 1) * 1000 * (1 + attempt / 2);
        await new Promise(res => setTimeout(res, wait));
        continue;
      }
      if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
      return body;
    }
  },

  // The timeline around [start, start + dur] (ns since the trace's start) with 15% (at least 1 us) on each
  // side; `select` ({kind, thread, task, gc}, each optional) names the item to select there.
  timelineHref(start, dur, select) {
    const pad = Math.max(1000, Math.round(dur * 0.15));
    const q = new URLSearchParams({ from: start - pad, to: start + dur + pad });
    for (const k of ['kind', 'thread', 'task', 'gc']) {
      const v = select && select[k];
      if (v !== undefined && v !== null) q.set(k, v);
    }
    q.set('start', start);
    return '#/timeline?' + q.toString();
  },

  // A DOM element with text content and attributes; children are elements or strings (as text).
  el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'onclick') e.addEventListener('click', v);
      else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  },

  svg(tag, attrs, ...children) {
    const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c) e.append(c);
    return e;
  },

  // A stable colour for a name.
  color(name, light) {
    let h = 0;
    for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) | 0;
    const hue = ((h % 360) + 360) % 360;
    return `hsl(${hue}, ${light ? 60 : 55}%, ${light ? 78 : 62}%)`;
  },

  // The timeline's name of a thread. A thread the meta does not list (it lists a bounded number) is named by
  // the model's label that a page got from the server (ModelThread.label: `fallback`, or one remembered).
  threadLabel(id, fallback) {
    const t = JT.threadsById && JT.threadsById.get(id);
    if (!t) {
      if (fallback) JT.threadNames.set(id, fallback);
      const n = JT.threadNames.get(id);
      if (!n) return 'thread #' + id;
      return n.endsWith('#' + id) ? n : n + ' #' + id; // an unnamed thread's label carries its id already
    }
    // the model's name; an unnamed thread's display name already carries its id
    return t.name ? t.name + ' #' + id : t.displayName;
  },

  // model labels of threads the meta does not list, learned from analysis and range answers
  threadNames: new Map(),

  pages: {},

  route() {
    const hash = location.hash || '#/timeline';
    // `#/page?..` and `#page?..` (the timeline's range selection links to `#range?t0=..&t1=..`)
    const m = /^#\/?([a-z]+)(?:\?(.*))?$/.exec(hash);
    const page = m ? m[1] : 'timeline';
    const params = new URLSearchParams(m && m[2] ? m[2] : '');
    for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === page);
    const tl = document.getElementById('timeline-page');
    const an = document.getElementById('analysis-page');
    if (page === 'timeline') {
      an.hidden = true;
      tl.hidden = false;
      JT.pages.timeline.show(params);
    } else if (page === 'sql') {
      tl.hidden = true;
      an.hidden = false;
      JT.pages.sql.show(an, params);
    } else if (JT.pages.analysis && JT.pages.analysis.has(page)) {
      tl.hidden = true;
      an.hidden = false;
      document.body.dataset.pending = '1';
      JT.pages.analysis.show(page, an, params).catch(e => {
        an.replaceChildren(JT.el('p', { class: 'error', text: 'Could not load the analysis: ' + e.message }));
        document.body.dataset.pending = '0';
      });
    } else {
      location.hash = '#/timeline';
    }
  },

  async start() {
    try {
      JT.meta = await JT.api('/api/meta');
    } catch (e) {
      document.getElementById('main').replaceChildren(JT.el('p', { class: 'error', text: 'Could not load the trace: ' + e.message }));
      return;
    }
    JT.threadsById = new Map(JT.meta.threads.map(t => [t.id, t]));
    const m = JT.meta;
    document.getElementById('traceinfo').textContent = `${m.file} \u00b7 ${JT.fmtNs(m.end - m.start)} \u00b7 `
      + `${JT.fmtInt(m.events)} events \u00b7 ${m.generations} generations \u00b7 ${JT.fmtInt(m.threads.length)} threads`;
    document.title = 'jtrace view: ' + m.file;
    window.addEventListener('hashchange', JT.route);
    JT.route();
    JT.watchLoading();
  },

  // The server decodes the trace's generations ahead of the views once it is open (as Perfetto loads a
  // trace): shown in the header until it says ready (body[data-ready] then 1); a view meanwhile may wait.
  async watchLoading() {
    const el = document.getElementById('loadinfo');
    for (;;) {
      let p;
      try {
        p = await JT.api('/api/progress');
      } catch (e) {
        el.textContent = 'progress: ' + e.message;
        return;
      }
      if (p.ready) {
        document.body.dataset.ready = '1';
        el.textContent = p.state ? 'ready: ' + p.state : '';
        el.title = p.state ? `decoded ahead in ${(p.millis / 1000).toFixed(1)} s, ${JT.fmtBytes(p.cachedBytes)} cached` : '';
        return;
      }
      el.textContent = `loading: ${p.decoded} of ${p.generations} generations decoded\u2026`;
      await new Promise(res => setTimeout(res, 300));
    }
  },
};

window.addEventListener('DOMContentLoaded', () => JT.start());
