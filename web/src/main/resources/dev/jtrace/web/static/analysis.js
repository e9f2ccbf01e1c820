// The analysis pages: `jtrace analyze --json` itself (/api/analysis, the same keys and values) as tables and SVG
// plots, with what only the pages draw (/api/plots: histogram buckets, GC pauses and cycles over time, heap).
'use strict';

JT.pages.analysis = (() => {
  let loaded = null;
  // the model's thread states, in the order of the table (labels as analyze --json keys them: <label>Nanos)
  const STATES = [['running', 'Running', '#5ec27a'], ['runnable', 'Runnable', '#a2d9b1'], ['parked', 'Parked', '#e3a33b'],
    ['blocked', 'Monitor', '#d9534f'], ['waiting', 'Waiting', '#f0c674'], ['sleeping', 'Sleeping', '#8c959f'],
    ['io', 'I/O', '#57a5d9'], ['gc', 'GC', '#cf222e'], ['unknown', 'Unknown', '#e6e8eb']];
  const KIND_COLORS = { park: '#e3a33b', wait: '#3b82c4', monitor: '#d9534f', sleep: '#8c959f', pinned: '#8250df' };
  const el = JT.el;
  const svg = JT.svg;

  function load() {
    if (!loaded) {
      loaded = Promise.all([JT.api('/api/analysis'), JT.api('/api/plots')])
        .then(([a, p]) => Object.assign(a, { plots: p }))
        .catch(e => { loaded = null; throw e; });
    }
    return loaded;
  }

  // ------------------------------------------------------------------------------------------ plots

  function niceTicks(min, max, n) {
    const span = Math.max(1e-12, max - min);
    const raw = span / n;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map(m => m * p).find(s => s >= raw);
    const ticks = [];
    for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(v);
    return ticks;
  }

  // An XY chart: series of lines, points or bars ({x0, x1, y}) over linear or log-x axes.
  function chart(o) {
    const W = o.width || 640, H = o.height || 220, L = 64, R = 16, T = 12, B = 34;
    const pw = W - L - R, ph = H - T - B;
    const xlog = !!o.xlog;
    const fx = v => (xlog ? Math.log(v) : v);
    const xmin = fx(o.xmin), xmax = fx(o.xmax) > fx(o.xmin) ? fx(o.xmax) : fx(o.xmin) + 1;
    const ymin = o.ymin || 0, ymax = o.ymax > ymin ? o.ymax : ymin + 1;
    const X = v => L + (fx(v) - xmin) / (xmax - xmin) * pw;
    const Y = v => T + ph - (v - ymin) / (ymax - ymin) * ph;
    const root = svg('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: 'chart' });
    root.append(svg('rect', { x: L, y: T, width: pw, height: ph, fill: '#fbfcfd', stroke: '#d0d7de' }));
    for (const v of niceTicks(ymin, ymax, 4).filter(v => !o.yint || Number.isInteger(v))) {
      root.append(svg('line', { x1: L, x2: L + pw, y1: Y(v), y2: Y(v), stroke: '#eaeef2' }));
      root.append(svg('text', { x: L - 6, y: Y(v) + 4, 'text-anchor': 'end', text: o.yfmt(v) }));
    }
    const xt = xlog ? logTicks(o.xmin, o.xmax) : niceTicks(o.xmin, o.xmax, 6);
    for (const v of xt) {
      if (fx(v) < xmin - 1e-9 || fx(v) > xmax + 1e-9) continue;
      root.append(svg('line', { x1: X(v), x2: X(v), y1: T + ph, y2: T + ph + 4, stroke: '#8c959f' }));
      const anchor = X(v) > L + pw - 30 ? 'end' : X(v) < L + 30 ? 'start' : 'middle';
      root.append(svg('text', { x: X(v), y: T + ph + 16, 'text-anchor': anchor, text: o.xfmt(v) }));
    }
    if (o.xlabel) root.append(svg('text', { x: L + pw / 2, y: H - 3, 'text-anchor': 'middle', text: o.xlabel }));
    for (const s of o.series) {
      if (s.kind === 'bars') {
        for (const b of s.data) {
          const x0 = X(b.x0), x1 = X(b.x1);
          root.append(svg('rect', { x: x0 + 0.5, y: Y(b.y), width: Math.max(1, x1 - x0 - 1), height: Math.max(0, Y(ymin) - Y(b.y)),
            fill: s.color }, svg('title', { text: b.title || '' })));
        }
      } else if (s.kind === 'points') {
        for (const p of s.data) {
          root.append(svg('circle', { cx: X(p[0]), cy: Y(p[1]), r: 2.5, fill: s.color }, svg('title', { text: p[2] || '' })));
        }
      } else if (s.data.length) {
        const d = s.data.map((p, i) => (i ? 'L' : 'M') + X(p[0]).toFixed(1) + ',' + Y(p[1]).toFixed(1)).join('');
        root.append(svg('path', { d, fill: 'none', stroke: s.color, 'stroke-width': 1.8 }));
      }
    }
    return root;
  }

  // Powers of ten in [min, max]; when fewer than two fall there, the ends and their geometric middle.
  function logTicks(min, max) {
    const t = [];
    for (let v = Math.pow(10, Math.floor(Math.log10(Math.max(1, min)))); v <= max * 1.0001; v *= 10) {
      if (v >= min * 0.9999) t.push(v);
    }
    return t.length >= 2 ? t : [min, Math.sqrt(min * max), max];
  }

  function legend(entries) {
    return el('div', { class: 'legend' }, ...entries.map(([name, color]) =>
      el('span', {}, el('i', { style: 'background:' + color }), name)));
  }

  function cell(text, k, cls) {
    return el('td', { 'data-k': k, class: cls, text });
  }

  function table(head, rows, attrs) {
    return el('table', Object.assign({ class: 'data' }, attrs || {}),
      el('thead', {}, el('tr', {}, ...head.map((h, i) => el('th', { class: i === 0 ? 'name' : null, text: h })))),
      el('tbody', {}, ...rows));
  }

  function jumpHref(kind, inst) {
    const pad = Math.max(1000, Math.round(inst.nanos * 0.15));
    const q = new URLSearchParams({ from: inst.startNanos - pad, to: inst.startNanos + inst.nanos + pad, kind,
      thread: inst.thread, task: inst.task, start: inst.startNanos });
    return '#/timeline?' + q.toString();
  }

  // ------------------------------------------------------------------------------------------ pages

  function threads(a, root) {
    const th = a.threads;
    const rest = a.threadsNotListed;
    const total = th.length + (rest ? rest.count : 0);
    root.append(el('h2', { text: 'Time per thread state' }),
      el('p', { class: 'muted', text: `${JT.fmtInt(total)} threads. At every instant of its lifetime (first to last time `
        + 'the trace shows it) a thread is in exactly one state, as the model\'s state machine decides: running inside '
        + 'its own regions or after a scheduler event, parked, blocked on a monitor, waiting, sleeping or in I/O from the '
        + 'runtime\'s events, stopped by a GC pause; what no event establishes is unknown, never running. Times in ms.' }),
      legend(STATES.map(([k, name, color]) => [name, color])));
    const maxLife = Math.max(1, ...th.map(t => t.lifetimeNanos));
    const rows = th.map(t => {
      const bar = svg('svg', { width: 320, height: 14 });
      let x = 0;
      for (const [k, name, color] of STATES) {
        const v = t[k + 'Nanos'];
        const w = v / maxLife * 320;
        if (w > 0) bar.append(svg('rect', { x, y: 1, width: w, height: 12, fill: color }, svg('title', { text: `${name}: ${JT.fmtMs(v)} ms` })));
        x += w;
      }
      const name = (t.virtual ? '[v] ' : '') + (t.name ? t.name + ' #' + t.id : t.displayName);
      return el('tr', { 'data-thread': t.id },
        cell(name, 'name', 'name'), cell(JT.fmtMs(t.lifetimeNanos), 'lifetime'),
        ...STATES.map(([k]) => cell(JT.fmtMs(t[k + 'Nanos']), k)), el('td', { class: 'name' }, bar));
    });
    if (rest && rest.count > 0) {
      rows.push(el('tr', { 'data-thread': 'rest' }, cell(`${JT.fmtInt(rest.count)} more threads (sum)`, 'name', 'name'),
        cell(JT.fmtMs(rest.lifetimeNanos), 'lifetime'), ...STATES.map(([k]) => cell(JT.fmtMs(rest[k + 'Nanos']), k)),
        el('td')));
    }
    root.append(table(['Thread', 'Lifetime', ...STATES.map(s => s[1]), ''], rows, { id: 'threads-table' }));
    const u = a.unmatched;
    const s = a.summary;
    root.append(el('h3', { text: 'Trace health' }),
      el('p', { id: 'trace-health', text: `${a.generations} generations, ${JT.fmtInt(a.events)} events, ${JT.fmtInt(s.threads)} threads `
        + `(${JT.fmtInt(s.virtualThreads)} virtual), ${JT.fmtInt(s.regions)} regions, ${JT.fmtInt(s.tasks)} tasks, `
        + `${JT.fmtInt(s.lostEvents)} events lost. Unmatched: ${u.regionEndWithoutBegin} region end `
        + `without begin, ${u.regionBeginWithoutEnd} region begin without end, ${u.taskEndWithoutBegin} task end without begin, `
        + `${u.taskBeginWithoutEnd} task begin without end.` }));
    const notes = [...a.plots.warnings, ...a.plots.problems];
    if (notes.length) root.append(el('ul', {}, ...notes.map(p => el('li', { text: p }))));
  }

  function latencyCard(kind, l, hist) {
    const card = el('div', { class: 'card', 'data-kind': kind, 'data-name': l.name });
    card.append(el('h4', { text: l.name }));
    card.append(table(['count', 'p50', 'p90', 'p99', 'max', 'incomplete'], [el('tr', {},
      el('td', { 'data-k': 'count', class: 'name', text: JT.fmtInt(l.count) }), cell(JT.fmtMs(l.p50Nanos), 'p50'),
      cell(JT.fmtMs(l.p90Nanos), 'p90'), cell(JT.fmtMs(l.p99Nanos), 'p99'), cell(JT.fmtMs(l.maxNanos), 'max'),
      cell(JT.fmtInt(l.incomplete), 'incomplete'))]));
    if (hist && hist.length) {
      const maxC = Math.max(1, ...hist.map(b => b[2]));
      card.append(chart({
        width: 460, height: 170, xlog: true, xmin: hist[0][0], xmax: hist[hist.length - 1][1],
        ymax: maxC, yint: true, xfmt: v => JT.fmtNs(Math.round(v)), yfmt: v => String(v), xlabel: 'duration (log scale)',
        series: [{ kind: 'bars', color: JT.color(l.name), data: hist.map(b => ({ x0: b[0], x1: b[1], y: b[2],
          title: `${JT.fmtNs(b[0])} \u2013 ${JT.fmtNs(b[1])}: ${b[2]}` })) }],
      }));
    }
    const rows = l.slowest.map(i => el('tr', { 'data-task': i.task },
      el('td', { class: 'name' }, el('a', { class: 'jump', href: jumpHref(kind, i),
        text: i.task ? 'task ' + i.task : (kind === 'region' ? 'region (no task)' : 'task 0') })),
      cell(JT.threadLabel(i.thread), 'thread'),
      cell(JT.fmtNs(i.startNanos), 'start'), cell(JT.fmtMs(i.nanos), 'nanos')));
    card.append(el('div', { class: 'muted', text: 'Slowest (ms); click to see it in the timeline' }),
      table(['instance', 'thread', 'start', 'duration'], rows));
    return card;
  }

  // Scheduler latency (Go's scheduler wait): wake-up to running for platform threads, submit to mount for
  // virtual threads; the worst instances link into the timeline at the wake-up (its arrow selected).
  function schedulerCard(key, l) {
    const card = el('div', { class: 'card', 'data-sched': key });
    card.append(el('h4', { text: l.name }));
    card.append(table(['count', 'p50', 'p90', 'p99', 'max'], [el('tr', {},
      el('td', { 'data-k': 'count', class: 'name', text: JT.fmtInt(l.count) }), cell(JT.fmtNs(l.p50Nanos), 'p50'),
      cell(JT.fmtNs(l.p90Nanos), 'p90'), cell(JT.fmtNs(l.p99Nanos), 'p99'), cell(JT.fmtNs(l.maxNanos), 'max'))]));
    if (!l.worst.length) return card;
    const rows = l.worst.map((i, n) => el('tr', { 'data-rank': n, 'data-wakee': i.wakee },
      el('td', { class: 'name' }, el('a', { class: 'jump', href: i.link, text: JT.threadLabel(i.wakee) })),
      cell(i.kind, 'kind'), cell(JT.threadLabel(i.waker), 'waker'), cell(JT.fmtNs(i.wakeNanos), 'wake'),
      cell(JT.fmtNs(i.nanos), 'nanos')));
    card.append(el('div', { class: 'muted', text: 'Worst; click to see the wake-up in the timeline' }),
      table(['woken thread', 'kind', 'woken by', 'at', 'latency'], rows));
    return card;
  }

  function scheduler(a, root) {
    const s = a.scheduler;
    if (!s) return;
    const kinds = Object.entries(s.wakeups);
    root.append(el('h3', { text: 'Scheduler latency' }),
      el('p', { class: 'muted', id: 'sched-wakeups', text: (kinds.length ? 'Wake-ups: ' + kinds.map(([k, n]) => `${JT.fmtInt(n)} ${k}`).join(', ')
        : 'No wake-ups in the trace (they come from the agent\'s scheduler events, format 2.2)') + '. Platform threads: from an unpark or '
        + 'notify to running again; virtual threads: from a submit to their mount on a carrier.' }),
      ...(kinds.length ? [el('div', { class: 'cards', id: 'sched-cards' }, schedulerCard('platform', s.platform),
        schedulerCard('virtual', s.virtual))] : []));
  }

  function latency(a, root) {
    const h = a.plots.histograms;
    root.append(el('h2', { text: 'Task and region latency' }),
      el('p', { class: 'muted', text: 'Per name: HdrHistogram percentiles (ms) of the spans with both halves, the '
        + 'distribution and the slowest instances; spans missing a half are counted as incomplete.' }));
    scheduler(a, root);
    root.append(el('h3', { text: `Tasks (${a.tasks.length} names)` }),
      el('div', { class: 'cards', id: 'task-cards' }, ...a.tasks.map(l => latencyCard('task', l, h.tasks[l.name]))));
    root.append(el('h3', { text: `Regions (${a.regions.length} names)` }),
      el('div', { class: 'cards', id: 'region-cards' }, ...a.regions.map(l => latencyCard('region', l, h.regions[l.name]))));
  }

  function blocking(a, root) {
    const b = a.blocking;
    const total = b.reduce((s, x) => s + x.nanos, 0);
    root.append(el('h2', { text: 'Blocking profile' }),
      el('p', { class: 'muted', text: `${b.length} call sites, ${JT.fmtMs(total)} ms in all (park, monitor, sleep, pinned; `
        + 'from the agent), by the first frame outside the JDK; idle pool workers waiting for work are rows of their own. '
        + 'Heaviest first; click a row for its stack.' }),
      legend(Object.entries(KIND_COLORS)));
    const shown = b.slice(0, 200);
    const max = Math.max(1, ...shown.map(x => x.nanos));
    const rows = [];
    shown.forEach((x, i) => {
      const bar = svg('svg', { width: 260, height: 14 }, svg('rect', { x: 0, y: 1, width: Math.max(1, x.nanos / max * 260), height: 12,
        fill: KIND_COLORS[x.kind] || '#999' }));
      const frames = el('tr', { class: 'frames', hidden: '' }, el('td', { class: 'frames', colspan: 7, text: x.stack.join('\n') }));
      const tr = el('tr', { class: 'clickable', 'data-rank': i }, cell(String(i + 1), 'rank', 'name'), cell(x.kind, 'kind'),
        cell(x.idle ? 'idle' : '', 'idle'), cell(JT.fmtMs(x.nanos), 'nanos'), cell(JT.fmtInt(x.count), 'count'),
        el('td', { class: 'name' }, bar), cell(x.callSite, 'top', 'name'));
      tr.addEventListener('click', () => { frames.hidden = !frames.hidden; });
      rows.push(tr, frames);
    });
    root.append(table(['#', 'kind', '', 'total ms', 'count', '', 'call site'], rows, { id: 'blocking-table' }));
    if (b.length > shown.length) root.append(el('p', { class: 'muted', text: `${b.length - shown.length} lighter call sites not shown.` }));
  }

  function gc(a, root) {
    const g = a.gc;
    const p = a.plots.gc;
    root.append(el('h2', { text: 'GC pauses and minimum mutator utilization' }),
      el('p', { class: 'muted', text: 'A cycle (a collection, one gc id) is not a pause: a concurrent cycle\'s stop-the-world '
        + 'pauses lie far apart. Pauses are drawn at their own times.' }),
      table(['pauses', 'total ms', 'longest ms', 'cycles'], [el('tr', {}, el('td', { class: 'name', 'data-k': 'pauses', text: JT.fmtInt(g.pauses) }),
        cell(JT.fmtMs(g.totalNanos), 'total'), cell(JT.fmtMs(g.maxNanos), 'max'), cell(JT.fmtInt(g.cycles), 'cycles'))], { id: 'gc-table' }));
    const end = Math.max(1, (JT.meta && JT.meta.end) || a.durationNanos);
    root.append(el('h3', { text: 'Pauses over time' + (p.listed < p.pauses ? ` (first ${p.listed})` : '') }));
    if (p.pauseList.length) {
      root.append(chart({ width: 760, height: 220, xmin: 0, xmax: end, ymax: Math.max(...p.pauseList.map(x => x[1])) * 1.1,
        xfmt: v => JT.fmtNs(Math.round(v)), yfmt: v => JT.fmtNs(Math.round(v)), xlabel: 'time since trace start',
        series: [{ kind: 'bars', color: '#cf222e', data: p.pauseList.map(x => ({ x0: x[0], x1: x[0] + Math.max(x[1], end / 700), y: x[1],
          title: `${JT.fmtNs(x[0])}: ${x[3]} (gc ${x[2]}), ${JT.fmtMs(x[1])} ms` })) }] }));
    } else {
      root.append(el('p', { class: 'muted', text: 'No GC pauses in the trace (they come from the agent).' }));
    }
    if (p.cycleList.length) {
      root.append(el('h3', { text: 'Cycles' + (p.cyclesListed < p.cycles ? ` (first ${p.cyclesListed})` : '') }),
        table(['gc', 'collector', 'cause', 'start', 'span ms', 'pauses', 'paused ms'], p.cycleList.slice(0, 200).map(c =>
          el('tr', { 'data-gc': c[2] }, cell(String(c[2]), 'gc', 'name'), cell(c[3] || '', 'name'), cell(c[4] || '', 'cause'),
            cell(JT.fmtNs(c[0]), 'start'), cell(JT.fmtMs(c[1]), 'span'), cell(String(c[5]), 'pauses'), cell(JT.fmtMs(c[6]), 'paused'))),
        { id: 'gc-cycles-table' }));
    }
    root.append(el('h3', { text: 'Minimum mutator utilization' }),
      el('p', { class: 'muted', text: 'For each window size, the smallest share of any window of that size not spent in GC pauses.' }));
    if (g.mmu.length) {
      const pts = g.mmu.map(m => [m.windowNanos, m.utilization]);
      root.append(chart({ width: 760, height: 240, xlog: true, xmin: pts[0][0], xmax: pts[pts.length - 1][0], ymin: 0, ymax: 1,
        xfmt: v => JT.fmtNs(v), yfmt: v => Math.round(v * 100) + '%', xlabel: 'window (log scale)',
        series: [{ kind: 'line', color: '#0969da', data: pts }, { kind: 'points', color: '#0969da',
          data: pts.map(x => [x[0], x[1], `${JT.fmtNs(x[0])}: ${(x[1] * 100).toFixed(1)}%`]) }] }));
      root.append(table(['window', 'utilization'], pts.map(x => el('tr', { 'data-window': x[0] },
        cell(JT.fmtNs(x[0]), 'window', 'name'), cell((x[1] * 100).toFixed(1) + ' %', 'utilization'))), { id: 'mmu-table' }));
    }
  }

  function heap(a, root) {
    const h = a.heap;
    const samples = h.samples;
    const finalBytes = samples.length ? samples[samples.length - 1][1] : 0;
    const maxBytes = samples.reduce((m, x) => Math.max(m, x[1]), 0);
    root.append(el('h2', { text: 'Heap in use' }),
      el('p', { class: 'muted', text: 'From the alloc/free experiment (allocfree=true): bytes allocated and not yet freed, '
        + 'sampled at every generation end; the recorder\'s own buffers apart.' }),
      table(['in use at the end', 'highest', 'alloc without free', 'free without alloc'], [el('tr', {},
        el('td', { class: 'name', 'data-k': 'final', text: JT.fmtInt(finalBytes) + ' B' }), cell(JT.fmtInt(maxBytes) + ' B', 'max'),
        cell(JT.fmtInt(h.allocWithoutFree), 'allocWithoutFree'), cell(JT.fmtInt(h.freeWithoutAlloc), 'freeWithoutAlloc'))],
      { id: 'heap-table' }));
    const end = Math.max(1, (JT.meta && JT.meta.end) || a.durationNanos);
    // sampled at generation ends: drawn as steps, each value holding until the next sample
    const steps = pts => pts.flatMap((p, i) => (i ? [[p[0], pts[i - 1][1]], p] : [[0, p[1]], p]));
    const bytesChart = (title, pts, color) => {
      const ymax = Math.max(1, ...pts.map(p => p[1])) * 1.1;
      root.append(el('h3', { text: title }), chart({ width: 760, height: 220, xmin: 0, xmax: end, ymax,
        xfmt: v => JT.fmtNs(Math.round(v)), yfmt: v => JT.fmtBytes(Math.round(v)), xlabel: 'time since trace start',
        series: [{ kind: 'line', color, data: steps(pts) }] }));
    };
    const jvm = a.plots.jvmHeapUsed;
    if (samples.some(p => p[1] > 0)) bytesChart('Application objects in use', samples, '#0969da');
    if (h.recorderBufferSamples.some(p => p[1] > 0)) bytesChart("The recorder's own buffers", h.recorderBufferSamples, '#8c959f');
    if (jvm.length) bytesChart('JVM heap used (agent HeapSummary events)', jvm, '#5ec27a');
    if (!samples.some(p => p[1] > 0) && !jvm.length) {
      root.append(el('p', { class: 'muted', text: 'No heap data: record with allocfree=true, or with the agent.' }));
    }
  }

  const PAGES = { threads, latency, blocking, gc, heap };

  return {
    has: p => p in PAGES,
    async show(page, root) {
      root.replaceChildren(el('p', { class: 'muted', text: 'loading\u2026' }));
      const a = await load();
      root.replaceChildren();
      root.scrollTop = 0;
      root.dataset.page = page;
      PAGES[page](a, root);
      document.body.dataset.pending = '0';
    },
  };
})();
