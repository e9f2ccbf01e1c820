// The analysis pages: `jtrace analyze --json` itself (/api/analysis, the same keys and values) as tables and SVG
// plots, with what only the pages draw (/api/plots: histogram buckets, GC pauses and cycles over time, heap); and
// the range page (/api/range: flame graphs and tables of a time range).
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
    let lastLabel = null;
    for (const v of niceTicks(ymin, ymax, 4).filter(v => !o.yint || Number.isInteger(v))) {
      // a label equal to the one below it (small byte counts rounded) says nothing: one line per label
      const label = o.yfmt(v);
      if (label === lastLabel) continue;
      lastLabel = label;
      root.append(svg('line', { x1: L, x2: L + pw, y1: Y(v), y2: Y(v), stroke: '#eaeef2' }));
      root.append(svg('text', { x: L - 6, y: Y(v) + 4, 'text-anchor': 'end', text: label }));
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
    return JT.timelineHref(inst.startNanos, inst.nanos, { kind, thread: inst.thread, task: inst.task });
  }

  // The timeline around one blocking interval on its thread's row, the interval selected.
  function blockHref(inst) {
    return JT.timelineHref(inst.startNanos, inst.nanos, { kind: 'block', thread: inst.thread });
  }

  // ------------------------------------------------------------------------------------------ flame graph

  // A flame graph of a tree {n: name, v: value, c: [children]} (a node's self value is what its children leave),
  // root at the top. Click a frame to zoom into it (its ancestors stay, full width, to zoom out again), hover
  // for its name, self and total. Frames narrower than a pixel are not drawn. Plain DOM: one div per frame.
  function flameGraph(tree, o) {
    const H = 18;
    const MAX_FRAMES = 4000;
    const fmt = o.fmt;
    let maxDepth = 0;
    (function annotate(n, d, p) {
      n.d = d;
      n.p = p;
      maxDepth = Math.max(maxDepth, d);
      n.s = n.v - (n.c || []).reduce((x, c) => x + c.v, 0);
      for (const c of n.c || []) annotate(c, d + 1, n);
    })(tree, 0, null);
    const root = el('div', { class: 'flame', id: o.id });
    const crumbs = el('div', { class: 'flame-crumbs' });
    const body = el('div', { class: 'flame-body', style: `height:${(maxDepth + 1) * H}px` });
    const tip = el('div', { class: 'flame-tip', hidden: '' });
    root.append(crumbs, body, tip);
    const short = name => {
      // Class.method without the package: the frame's tooltip has the whole name
      const m = /^(?:[\w$]+\.)*?([A-Z][\w$]*(?:\.[\w$<>]+)?)$/.exec(name);
      return m ? m[1] : name;
    };
    const pct = n => (tree.v ? (100 * n.v / tree.v).toFixed(1) : '0.0') + ' %';
    let focus = tree;

    function render() {
      const W = Math.max(200, body.clientWidth || o.width || 1000);
      const frames = [];
      // the focus's ancestors, full width
      for (let a = focus.p; a; a = a.p) frames.push([a, 0, W]);
      // level by level, so that a cap on the frames drawn cuts the deepest ones rather than a whole subtree
      let level = [[focus, 0, W]];
      let cut = false;
      while (level.length && !cut) {
        const next = [];
        for (const [n, x, w] of level) {
          if (frames.length >= MAX_FRAMES) { cut = true; break; }
          frames.push([n, x, w]);
          let cx = x;
          for (const c of n.c || []) {
            const cw = n.v ? w * c.v / n.v : 0;
            if (cw >= 1) next.push([c, cx, cw]);
            cx += cw;
          }
        }
        level = next;
      }
      body.replaceChildren(...frames.map(([n, x, w]) => {
        const f = el('div', { class: 'frame' + (n.d < focus.d ? ' ancestor' : '') + (n === focus ? ' focus' : ''),
          'data-name': n.n, 'data-total': n.v, 'data-self': n.s, 'data-depth': n.d,
          style: `left:${x.toFixed(1)}px;width:${Math.max(1, w - 1).toFixed(1)}px;top:${n.d * H}px;`
            + `background:${n.d === 0 ? '#c9d1d9' : JT.color(n.n, n.d < focus.d)}` },
          w > 28 ? short(n.n) : '');
        f.addEventListener('click', () => { focus = n; render(); });
        f.addEventListener('mouseenter', () => {
          tip.replaceChildren(el('b', { text: n.n }), el('br'),
            `total ${fmt(n.v)} (${pct(n)}) \u00b7 self ${fmt(n.s)}`);
          tip.hidden = false;
        });
        f.addEventListener('mouseleave', () => { tip.hidden = true; });
        return f;
      }));
      const path = [];
      for (let a = focus; a; a = a.p) path.unshift(a);
      crumbs.replaceChildren(...path.flatMap((a, i) => [i ? ' \u203a ' : '', el('a', { class: 'jump', text: i ? short(a.n) : 'all',
        onclick: () => { focus = a; render(); } })]),
        el('span', { class: 'muted', text: `  (${fmt(focus.v)}, ${pct(focus)})`
          + (cut ? `; only ${MAX_FRAMES} frames drawn: click one to see deeper` : '') }));
      root.dataset.focus = focus.n;
      root.dataset.frames = frames.length;
    }
    body.addEventListener('mousemove', e => {
      const r = root.getBoundingClientRect();
      tip.style.left = Math.min(r.width - 320, e.clientX - r.left + 12) + 'px';
      tip.style.top = (e.clientY - r.top + 14) + 'px';
    });
    render();
    // drawn again once it is in the page (it knows its width there) and on a resize
    root.redraw = render;
    return root;
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
      cell(JT.threadLabel(i.thread, i.threadName), 'thread'),
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
      el('td', { class: 'name' }, el('a', { class: 'jump', href: i.link, text: JT.threadLabel(i.wakee, i.wakeeName) })),
      cell(i.kind, 'kind'), cell(JT.threadLabel(i.waker, i.wakerName), 'waker'), cell(JT.fmtNs(i.wakeNanos), 'wake'),
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

  // Rows of blocking call sites, each with its stack (click the row) and a link to its longest instance on the
  // timeline. `x` rows are analyze's (count, nanos, p50/p99/max, stack, longest) or a range's (inRangeNanos).
  function blockingRows(list, maxNanos, ranks, cols) {
    const rows = [];
    list.forEach((x, i) => {
      const nanos = x.inRangeNanos !== undefined ? x.inRangeNanos : x.nanos;
      const bar = svg('svg', { width: 200, height: 14 }, svg('rect', { x: 0, y: 1, width: Math.max(1, nanos / maxNanos * 200), height: 12,
        fill: KIND_COLORS[x.kind] || '#999' }));
      const l = x.longest;
      const jump = el('a', { class: 'jump', href: blockHref(l), text: JT.threadLabel(l.thread, l.threadName),
        title: `the longest: ${JT.fmtNs(l.nanos)} at ${JT.fmtNs(l.startNanos)}; open it on the timeline` });
      jump.addEventListener('click', e => e.stopPropagation());
      const tr = el('tr', { class: x.stack ? 'clickable' : null, 'data-rank': ranks[i], 'data-thread': l.thread },
        cell(String(ranks[i] + 1), 'rank', 'name'), cell(x.kind, 'kind'), cell(JT.fmtMs(nanos), 'nanos'),
        cell(JT.fmtInt(x.count), 'count'),
        ...(x.p50Nanos !== undefined ? [cell(JT.fmtMs(x.p50Nanos), 'p50'), cell(JT.fmtMs(x.p99Nanos), 'p99')] : []),
        cell(JT.fmtMs(l.nanos), 'longest'), el('td', { class: 'name', 'data-k': 'jump' }, jump),
        el('td', { class: 'name' }, bar), cell(x.callSite, 'top', 'name'));
      rows.push(tr);
      if (x.stack) {
        // the JDK's frames inside the call site (Unsafe.park, LockSupport.park, ...) dimmed: the call site is the
        // application's line that blocked
        const at = x.stack.indexOf(x.callSite);
        const frames = el('tr', { class: 'frames', hidden: '' }, el('td', { class: 'frames', colspan: cols },
          ...x.stack.map((f, k) => el('div', { class: k < at ? 'jdk' : k === at ? 'site' : null, text: f }))));
        tr.addEventListener('click', () => { frames.hidden = !frames.hidden; });
        rows.push(frames);
      }
    });
    return rows;
  }

  // Contention and idle pool waits in two tables (a worker waiting for its next task is not a problem to fix).
  function blockingTables(root, b, idPrefix, heavyLabel) {
    const ranked = b.map((x, i) => [x, i]);
    const max = Math.max(1, ...b.map(x => (x.inRangeNanos !== undefined ? x.inRangeNanos : x.nanos)));
    const withStats = b.length && b[0].p50Nanos !== undefined;
    const head = ['#', 'kind', heavyLabel, 'count', ...(withStats ? ['p50 ms', 'p99 ms'] : []), 'longest ms', 'longest on', '', 'call site'];
    for (const [idle, title, id] of [[0, 'Contention', 'contention'], [1, 'Idle pool waits', 'idle']]) {
      const part = ranked.filter(([x]) => x.idle === idle).slice(0, 200);
      const total = part.reduce((s, [x]) => s + (x.inRangeNanos !== undefined ? x.inRangeNanos : x.nanos), 0);
      root.append(el('h3', { text: `${title}: ${part.length} call sites, ${JT.fmtMs(total)} ms` }));
      if (!part.length) {
        root.append(el('p', { class: 'muted', id: `${idPrefix}-${id}-none`, text: idle ? 'No pool worker waited for work.' : 'No blocking outside idle pool waits.' }));
        continue;
      }
      root.append(table(head, blockingRows(part.map(p => p[0]), max, part.map(p => p[1]), head.length), { id: `${idPrefix}-${id}` }));
    }
  }

  function blocking(a, root) {
    const b = a.blocking;
    const total = b.reduce((s, x) => s + x.nanos, 0);
    root.append(el('h2', { text: 'Blocking profile' }),
      el('p', { class: 'muted', text: `${b.length} call sites, ${JT.fmtMs(total)} ms in all (park, wait, monitor, sleep, pinned, I/O), `
        + 'grouped by the first frame outside the JDK (the application\'s code that blocked, not Unsafe.park). '
        + 'Heaviest first; click a row for its stack, a thread to see that row\'s longest instance on the timeline.' }),
      legend(Object.entries(KIND_COLORS)));
    blockingTables(root, b, 'blocking', 'total ms');
    if (b.length > 400) root.append(el('p', { class: 'muted', text: 'Only the 200 heaviest call sites of each table are shown.' }));
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
    // sampled: drawn as steps, each value holding until the next sample; nothing before the first sample
    // (what the heap held then is not known)
    const steps = pts => pts.flatMap((p, i) => (i ? [[p[0], pts[i - 1][1]], p] : [p]));
    const bytesChart = (title, pts, color, id) => {
      const ymax = Math.max(8, ...pts.map(p => p[1])) * 1.1;
      root.append(el('h3', { text: title }), chart({ width: 760, height: 220, xmin: 0, xmax: end, ymax, yint: true,
        xfmt: v => JT.fmtNs(Math.round(v)), yfmt: v => JT.fmtBytes(Math.round(v)), xlabel: 'time since trace start',
        series: [{ kind: 'line', color, data: steps(pts) }, { kind: 'points', color, data: pts.length === 1 ? pts : [] }] }));
      root.lastChild.id = id;
    };
    const jvm = a.plots.jvmHeapUsed;
    const allocFree = samples.some(p => p[1] > 0) || h.allocWithoutFree > 0 || h.freeWithoutAlloc > 0;
    if (allocFree) {
      bytesChart('Application objects in use', samples, '#0969da', 'heap-alloc-chart');
    } else {
      root.append(el('h3', { text: 'Application objects in use' }), el('p', { class: 'muted', id: 'heap-alloc-empty',
        text: 'No alloc/free events in the trace: record with allocfree=true (and JTrace.alloc/free calls) to see them.' }));
    }
    if (h.recorderBufferSamples.some(p => p[1] > 0)) bytesChart("The recorder's own buffers", h.recorderBufferSamples, '#8c959f', 'heap-buffer-chart');
    if (jvm.length) {
      bytesChart('JVM heap used (agent HeapSummary events)', jvm, '#5ec27a', 'heap-jvm-chart');
    } else {
      root.append(el('h3', { text: 'JVM heap used' }), el('p', { class: 'muted', id: 'heap-jvm-empty',
        text: 'No HeapSummary events in the trace (they come from the agent).' }));
    }
  }

  // ------------------------------------------------------------------------------------------ a time range

  // The threads with samples or regions in the range, to restrict the flame graphs to some of them: per thread
  // its samples and time in outermost regions there, a name filter box, a check box each (and "show the checked
  // threads"), a click on a name for that thread alone, and "all threads". The choice is in the page's address
  // (thread=ID,...), so that it is a link like the range itself.
  function threadPicker(r, href) {
    const chosen = new Set(r.threadFilter);
    const box = el('div', { id: 'range-threads' });
    const names = [...chosen].map(id => JT.threadLabel(id));
    const shown = r.rangeThreads.filter(t => chosen.has(t.id));
    const summary = chosen.size
      ? `Flame graphs of ${chosen.size === 1 ? 'one thread' : chosen.size + ' threads'}: ${names.join(', ')} `
        + `(${JT.fmtInt(shown.reduce((x, t) => x + t.samples, 0))} samples). The tables below cover all threads. `
      : `Flame graphs of all ${JT.fmtInt(r.rangeThreadCount)} threads with samples or regions in the range. `;
    const all = el('a', { class: 'jump', id: 'range-threads-all', href: href([]), text: 'all threads' });
    const filter = el('input', { type: 'search', id: 'range-thread-filter', placeholder: 'filter threads by name', size: 24 });
    const rows = r.rangeThreads.map(t => {
      const check = el('input', { type: 'checkbox', 'data-thread': String(t.id) });
      check.checked = chosen.has(t.id);
      const label = JT.threadLabel(t.id);
      return el('tr', { 'data-thread': t.id, 'data-label': label.toLowerCase() },
        el('td', { 'data-k': 'pick' }, check),
        el('td', { 'data-k': 'name', class: 'name' }, el('a', { class: 'jump', href: href([t.id]), text: label })),
        cell(JT.fmtInt(t.samples), 'samples'), cell(JT.fmtMs(t.regionNanos), 'regions'));
    });
    filter.addEventListener('input', () => {
      const q = filter.value.trim().toLowerCase();
      for (const tr of rows) tr.hidden = q !== '' && !tr.dataset.label.includes(q);
    });
    const apply = el('button', { type: 'button', id: 'range-threads-apply', text: 'Show the checked threads' });
    apply.addEventListener('click', () => {
      const ids = rows.filter(tr => tr.querySelector('input').checked).map(tr => Number(tr.dataset.thread));
      location.hash = href(ids);
    });
    box.append(el('h3', { text: `Threads (${JT.fmtInt(r.rangeThreadCount)})` }),
      el('p', { class: 'muted', id: 'range-thread-summary', text: summary }),
      el('p', {}, filter, ' ', apply, ' \u00b7 ', all),
      table(['', 'thread', 'samples', 'in regions ms'], rows, { id: 'range-threads-table' }));
    if (r.rangeThreads.length < r.rangeThreadCount) {
      box.append(el('p', { class: 'muted', text: `the ${JT.fmtInt(r.rangeThreads.length)} with most samples listed` }));
    }
    return box;
  }

  // What happened between t0 and t1 (/api/range): flame graphs of the CPU samples and of the regions (of all
  // threads, or of those picked), and tables of slices, blocking and GC pauses there. Linked from the
  // timeline's range selection.
  async function range(root, params) {
    const m = JT.meta;
    const t0 = params.has('t0') ? Math.max(0, Math.round(Number(params.get('t0')))) : 0;
    const t1 = params.has('t1') ? Math.min(m.end, Math.round(Number(params.get('t1')))) : m.end;
    const only = (params.get('thread') || '').split(',').map(x => x.trim()).filter(x => x !== '');
    const threadQuery = ids => (ids.length ? '&thread=' + ids.join(',') : '');
    const href = ids => `#/range?t0=${t0}&t1=${t1}${threadQuery(ids)}`;
    const form = el('form', { class: 'range-form', id: 'range-form' });
    const inp = (name, v) => el('input', { name, type: 'text', size: 14, value: (v / 1e6).toFixed(3) });
    const f0 = inp('t0', t0);
    const f1 = inp('t1', t1);
    form.append('From ', f0, ' ms to ', f1, ' ms since the trace\'s start ', el('button', { type: 'submit', text: 'Show' }),
      ' ', el('a', { class: 'jump', href: `#/range?t0=0&t1=${m.end}`, text: 'whole trace' }),
      ' \u00b7 ', el('a', { class: 'jump', id: 'range-timeline', href: '#/timeline?' + new URLSearchParams({ from: t0, to: t1 }),
        text: 'this range on the timeline' }));
    form.addEventListener('submit', e => {
      e.preventDefault();
      const a = Math.round(Number(f0.value) * 1e6);
      const b = Math.round(Number(f1.value) * 1e6);
      if (Number.isFinite(a) && Number.isFinite(b) && b > a) location.hash = `#/range?t0=${a}&t1=${b}${threadQuery(only)}`;
    });
    root.append(el('h2', { text: `Range ${JT.fmtNs(t0)} \u2013 ${JT.fmtNs(t1)} (${JT.fmtNs(Math.max(0, t1 - t0))})` }), form,
      el('p', { class: 'muted', text: 'Select a range on the timeline with shift+drag to come here.' }));
    if (!(t1 > t0)) {
      root.append(el('p', { class: 'error', id: 'range-error', text: 'The range is empty: its end must be after its start.' }));
      return;
    }
    const status = el('p', { class: 'muted', id: 'range-status', text: 'reading the generations of the range\u2026' });
    root.append(status);
    let r;
    try {
      r = await JT.api(`/api/range?t0=${t0}&t1=${t1}${threadQuery(only)}`);
    } catch (e) {
      status.replaceWith(el('p', { class: 'error', id: 'range-error', text: 'Could not aggregate the range: ' + e.message }));
      return;
    }
    for (const [id, label] of Object.entries(r.threads)) JT.threadLabel(Number(id), label);
    for (const t of r.rangeThreads) JT.threadLabel(t.id, t.label);
    status.textContent = `${r.generations} generation${r.generations === 1 ? '' : 's'} read: ${JT.fmtInt(r.samples)} CPU samples, `
      + `${JT.fmtInt(r.regionCount)} regions, ${r.blockingSites} blocking call sites, ${r.gc.pauses} GC pauses.`
      + (r.notShown.crossingSpans ? ` ${JT.fmtInt(r.notShown.crossingSpans)} spans crossing generations are not in the trace's index and not counted.` : '');

    root.append(threadPicker(r, href));
    const whose = r.threadFilter.length ? ` of ${r.threadFilter.map(id => JT.threadLabel(id)).join(', ')}` : '';
    root.append(el('h3', { text: `CPU samples${whose} (${JT.fmtInt(r.samples)})` }));
    if (r.samples) {
      root.append(el('p', { class: 'muted', text: 'Stacks of the CPU samples in the range, outermost frame at the top; '
        + 'width: samples. Click a frame to zoom in, the path above to zoom out; hover for self and total.' }),
      flameGraph(r.cpu, { id: 'flame-cpu', fmt: v => JT.fmtInt(v) + (v === 1 ? ' sample' : ' samples') }));
    } else {
      root.append(el('p', { class: 'muted', id: 'flame-cpu-none', text: r.threadFilter.length ? 'No CPU samples of these threads in the range.'
        : 'No CPU samples in the range (the agent takes them: cpu sampling on).' }));
    }
    root.append(el('h3', { text: whose ? `Regions${whose}` : `Regions (${JT.fmtInt(r.regionCount)})` }));
    if (r.regions.v) {
      root.append(el('p', { class: 'muted', text: 'Regions nested as on their threads, width: time inside the range ('
        + (r.threadFilter.length ? 'these threads' : 'all threads') + ' together).' }),
        flameGraph(r.regions, { id: 'flame-regions', fmt: v => JT.fmtNs(v) }));
    } else {
      root.append(el('p', { class: 'muted', id: 'flame-regions-none', text: r.threadFilter.length ? 'No regions of these threads in the range.'
        : 'No regions in the range.' }));
    }

    root.append(el('h3', { text: `Slices by name (${r.sliceNames})` }),
      el('p', { class: 'muted', text: 'Regions and tasks overlapping the range: time inside it, and percentiles of their whole durations (ms).' }));
    if (r.slices.length) {
      root.append(table(['name', 'kind', 'count', 'in range', 'p50', 'p99', 'max'], r.slices.map(x =>
        el('tr', { 'data-kind': x.kind, 'data-name': x.name }, cell(x.name, 'name', 'name'), cell(x.kind, 'kind'),
          cell(JT.fmtInt(x.count), 'count'), cell(JT.fmtMs(x.inRangeNanos), 'inRange'), cell(JT.fmtMs(x.p50Nanos), 'p50'),
          cell(JT.fmtMs(x.p99Nanos), 'p99'), cell(JT.fmtMs(x.maxNanos), 'max'))), { id: 'range-slices' }));
    }

    root.append(el('h3', { text: `Blocking (${r.blockingSites} call sites)` }));
    blockingTables(root, r.blocking, 'range-blocking', 'in range ms');

    root.append(el('h3', { text: `GC pauses (${r.gc.pauses}, ${JT.fmtMs(r.gc.inRangeNanos)} ms inside the range)` }));
    if (r.gc.list.length) {
      root.append(table(['start', 'duration ms', 'gc', 'phase'], r.gc.list.map(g => el('tr', { 'data-gc': g[2] },
        // opens the timeline around the pause with it selected
        el('td', { class: 'name' }, el('a', { class: 'jump', href: JT.timelineHref(g[0], g[1], { kind: 'gc', gc: g[2] }),
          text: JT.fmtNs(g[0]) })),
        cell(JT.fmtMs(g[1]), 'duration'), cell(String(g[2]), 'gc'), cell(g[3] || '', 'phase'))), { id: 'range-gc' }));
    }
  }

  const PAGES = { threads, latency, blocking, gc, heap };
  let shown = 0;

  return {
    has: p => p in PAGES || p === 'range',
    async show(page, root, params) {
      const n = ++shown;
      const t = performance.now();
      root.replaceChildren(el('p', { class: 'muted', text: 'loading\u2026' }));
      root.dataset.page = '';
      if (page === 'range') {
        const box = el('div');
        await range(box, params || new URLSearchParams());
        if (n !== shown) return; // navigated elsewhere meanwhile
        root.replaceChildren(...box.childNodes);
        // the flame graphs know their width once in the page
        for (const f of root.querySelectorAll('.flame')) f.redraw();
      } else {
        const a = await load();
        if (n !== shown) return;
        for (const th of a.threads) JT.threadLabel(th.id, th.name ? (th.virtual ? th.name + ' (virtual)' : th.name) : null);
        root.replaceChildren();
        PAGES[page](a, root);
      }
      root.scrollTop = 0;
      root.dataset.page = page;
      root.dataset.renderMs = Math.round(performance.now() - t);
      document.body.dataset.pending = '0';
    },
  };
})();
