// The timeline: one canvas, one row per thread (virtual threads in a collapsible group), task rows by name,
// a GC band. It asks the server only for the window and rows on screen (/api/window); the server answers
// with items when few enough fall there, else with per-row summaries, which are drawn as density bars.
'use strict';

JT.pages.timeline = (() => {
  const LABEL_W = 240;
  const AXIS_H = 26;
  const SLICE_H = 16;
  const LOG_H = 8;
  const BLOCK_H = 6;
  const CARRIER_H = 14;
  // wake-up arrows: thin, in a colour no slice or blocking event uses
  const WAKE_COLOR = '#c2255c';
  const WAKE_FAINT = 'rgba(194,37,92,0.25)';
  const LANE_H = 14;
  const FOLD_LANES = 4;
  const taskFolded = new Map(); // task row name -> folded
  const MAX_DEPTH_SHOWN = 12;
  const MIN_SPAN = 200; // ns
  const BLOCK_COLORS = { park: '#e3a33b', wait: '#3b82c4', monitor: '#d9534f', sleep: '#8c959f', pinned: '#8250df', io: '#9a6700' };
  // the model's thread states (ThreadState), under each thread's row; unknown is left pale: it is not running
  const STATE_H = 6;
  const STATE_COLORS = { running: '#2da44e', runnable: '#a6e3b0', parked: '#e3a33b', blocked: '#d9534f',
    waiting: '#3b82c4', sleeping: '#8c959f', io: '#9a6700', gc: '#24292f', unknown: '#eceff2' };
  const STATE_TITLES = { running: 'Running', runnable: 'Runnable (woken, waiting to run)', parked: 'Parked',
    blocked: 'Blocked on a monitor', waiting: 'Waiting (Object.wait)', sleeping: 'Sleeping', io: 'In I/O',
    gc: 'Stopped by a GC pause', unknown: 'Unknown (no event says)' };
  const GC_H = 26;
  // slice colours: assigned per name from this palette in order of appearance, distinct within a view
  const PALETTE = (() => {
    const out = [];
    const hues = [210, 30, 130, 280, 0, 180, 55, 320, 100, 240, 15, 160];
    for (const [sat, light] of [[60, 68], [45, 80], [55, 56]]) for (const h of hues) out.push(`hsl(${h}, ${sat}%, ${light}%)`);
    return out;
  })();

  let canvas, ctx, scroller, spacer, details, statusEl, rangeEl;
  let W = 0, H = 0, dpr = 1;
  let view = null;
  let rows = [];
  let rowByThread = new Map();
  let rowByTask = new Map();
  let totalH = 0;
  const collapsed = { tasks: false, counters: false, threads: false, vt: true };
  const COUNTER_H = 30;
  const SAMPLE_COLOR = '#0550ae';
  // allocation samples: orange diamonds in the same strip as the CPU samples' blue ticks (no slice, state or
  // blocking colour is this orange, and the shape tells them apart where colours are hard to tell)
  const ALLOC_COLOR = '#e8590c';
  let data = null;
  let inflight = false;
  let fetchTimer = null;
  let drawQueued = false;
  let endAfterDraw = false; // a view covered by the data at hand: pending until its frame is drawn
  let hits = [];
  let selectedKey = null;
  let selectedThread = null;
  let drawnWakeups = [];
  let drawnRuns = [];
  let pendingSelect = null;
  let mouseX = null;
  let drag = null;
  let initialized = false;
  let lastError = null;
  let stickyH = 0; // the GC band and pinned rows, which stay at the top
  const pinned = [];
  let filterText = '';
  let hideIdle = false;
  let activeSet = null; // thread ids active in activeFor's window, for hiding idle threads
  let activeFor = null;
  let search = { q: '', hit: null, busy: false };
  const nameColor = new Map();
  let rangeSel = null; // a selected time range (shift+drag): {from, to}

  const trackW = () => Math.max(1, W - LABEL_W);
  const xOf = t => LABEL_W + (t - view.from) / (view.to - view.from) * trackW();
  const tOf = x => view.from + (x - LABEL_W) / trackW() * (view.to - view.from);

  // how long the last zoom or pan took until the view was drawn with its data (measured for the tests)
  let interactionStart = null;
  const interactionMs = [];
  // per window request: until its answer was parsed, ingesting it, drawing it (ms; for the timing script)
  const fetchLog = [];

  function setPending(p) {
    document.body.dataset.pending = p ? '1' : '0';
    if (!p && interactionStart !== null) {
      interactionMs.push(performance.now() - interactionStart);
      interactionStart = null;
    }
  }

  // ------------------------------------------------------------------------------------------ layout

  function shownDepth(t) {
    return Math.max(1, Math.min(t.depth, MAX_DEPTH_SHOWN));
  }

  // a carrier's row has a lane below its regions: which virtual thread it ran when (Go's per-P view)
  function threadHeight(t) {
    return LOG_H + shownDepth(t) * SLICE_H + (t.carrierRuns ? CARRIER_H : 0) + BLOCK_H + STATE_H + 5;
  }

  function blockTop(row) {
    return screenY(row) + row.h - BLOCK_H - STATE_H - 3;
  }

  function stateTop(row) {
    return screenY(row) + row.h - STATE_H - 1;
  }

  // virtual threads by activity: running time, then events, then id (the busiest first, not the lowest id)
  function byActivity(a, b) {
    return (b.runningNanos || 0) - (a.runningNanos || 0) || b.events - a.events || a.id - b.id;
  }

  function shownThread(t) {
    if (pinned.includes(t.id)) return false;
    if (filterText && !JT.threadLabel(t.id).toLowerCase().includes(filterText)) return false;
    if (hideIdle && activeSet && !activeSet.has(t.id)) return false;
    return true;
  }

  function carrierTop(row) {
    return screenY(row) + LOG_H + shownDepth(row.t) * SLICE_H;
  }

  // the platform threads, and the virtual ones by activity, split and sorted once: the meta's threads never
  // change, and with 100,000 rows a sort at every layout (each link followed) cost the page tens of ms
  let threadListsCache = null;
  function threadLists() {
    if (!threadListsCache || threadListsCache.of !== JT.meta.threads) {
      const all = JT.meta.threads;
      threadListsCache = { of: all, allPlat: all.filter(t => !t.virtual), allVts: all.filter(t => t.virtual).sort(byActivity) };
    }
    return threadListsCache;
  }

  function layout() {
    const m = JT.meta;
    rows = [];
    let y = 0;
    const add = r => { r.y = y; y += r.h; rows.push(r); };
    // pinned at the top: the GC band, then the rows the user pinned
    add({ type: 'gc', label: 'GC: cycles / pauses', h: GC_H, pinned: true });
    for (const id of pinned) {
      const t = JT.threadsById.get(id);
      if (t) add({ type: 'thread', id, t, label: JT.threadLabel(id), h: threadHeight(t), pinned: true });
    }
    stickyH = y;
    y = 0;
    if (m.taskRows.length) {
      add({ type: 'header', group: 'tasks', label: `Tasks (${m.taskRows.length} names)`, h: 20 });
      if (!collapsed.tasks) {
        for (const t of m.taskRows) {
          // as many lanes as tasks of the name overlapped; a row of many starts folded (a click on its name
          // unfolds it): its lanes squeezed into the height of four
          const lanes = Math.max(1, t.lanes);
          if (!taskFolded.has(t.name)) taskFolded.set(t.name, lanes > FOLD_LANES);
          const folded = taskFolded.get(t.name) && lanes > FOLD_LANES;
          const laneH = folded ? FOLD_LANES * LANE_H / lanes : LANE_H;
          add({ type: 'task', name: t.name, label: lanes > FOLD_LANES ? `${t.name} (${lanes} lanes)` : t.name, lanes,
            laneH, folded, foldable: lanes > FOLD_LANES, h: Math.ceil(lanes * laneH) + 4 });
        }
      }
    }
    const counters = m.counterTracks || [];
    if (counters.length) {
      add({ type: 'header', group: 'counters', label: `Counters (${counters.length})`, h: 20 });
      if (!collapsed.counters) {
        for (const c of counters) add({ type: 'counter', name: c.name, label: c.name, h: COUNTER_H });
      }
    }
    const { allPlat, allVts } = threadLists();
    const plat = allPlat.filter(shownThread);
    // allVts is in order of activity already: filtering keeps it
    const vts = allVts.filter(shownThread);
    const of = (n, all) => (n === all.length ? `${n}` : `${n} of ${all.length}`);
    add({ type: 'header', group: 'threads', label: `Threads (${of(plat.length, allPlat)})`, h: 20 });
    if (!collapsed.threads) {
      for (const t of plat) add({ type: 'thread', id: t.id, t, label: JT.threadLabel(t.id), h: threadHeight(t) });
    }
    if (allVts.length) {
      add({ type: 'header', group: 'vt', label: `Virtual threads (${of(vts.length, allVts)}, by activity)`, h: 20 });
      if (collapsed.vt) {
        add({ type: 'vtgroup', label: `all ${vts.length} virtual threads`, h: 24 });
      } else {
        for (const t of vts) add({ type: 'thread', id: t.id, t, label: JT.threadLabel(t.id), h: threadHeight(t) });
      }
    }
    totalH = y;
    rowByThread = new Map(rows.filter(r => r.type === 'thread').map(r => [r.id, r]));
    rowByTask = new Map(rows.filter(r => r.type === 'task').map(r => [r.name, r]));
    spacer.style.height = (totalH + AXIS_H + stickyH + 4) + 'px';
  }

  function screenY(row) {
    return row.pinned ? AXIS_H + row.y : AXIS_H + stickyH + row.y - scroller.scrollTop;
  }

  function visibleRows(margin) {
    const top = scroller.scrollTop - margin;
    const bottom = scroller.scrollTop + H + margin;
    return rows.filter(r => r.pinned || (r.y + r.h >= top && r.y <= bottom));
  }

  // ------------------------------------------------------------------------------------------ data

  function wantedRequest() {
    const vis = visibleRows(H);
    const threads = vis.filter(r => r.type === 'thread').map(r => r.id).slice(0, JT.meta.limits.threads);
    const tasks = vis.some(r => r.type === 'task');
    const vt = vis.some(r => r.type === 'vtgroup');
    return { threads, tasks, vt };
  }

  function covered(want) {
    if (!data) return false;
    const q = data.req;
    if (q.from > view.from || q.to < view.to) return false;
    if ((want.tasks && !q.tasks) || (want.vt && !q.vt)) return false;
    const have = new Set(q.threads);
    for (const t of want.threads) if (!have.has(t)) return false;
    if (data.loading) return false;
    if (data.mode === 'items' && !data.mergedBelow) return true;
    const ratio = (view.to - view.from) / q.viewSpan;
    return ratio > 0.77 && ratio < 1.3;
  }

  function scheduleFetch(delay) {
    setPending(true);
    endAfterDraw = false; // this request, or the one it leads to, ends the interaction
    clearTimeout(fetchTimer);
    // with no request on its way, ask at once (a fixed debounce would add its delay to every interaction);
    // while one is, the end of it asks for the view as it is then, so a burst of wheel steps costs one more
    // request, not one each
    if (delay === undefined) delay = inflight ? 60 : 0;
    if (delay === 0 && !inflight) {
      // at once, not by a 0 ms timer: while wheel events keep coming (a wheel or trackpad sends a burst over a
      // quarter of a second), the browser runs input and frames before timers, and the request waited up
      // to 280 ms behind the frames drawn with the data at hand (the 1 GiB trace's wheel steps)
      fetchTimer = null;
      queueMicrotask(fetchNow);
      return;
    }
    fetchTimer = setTimeout(fetchNow, delay);
  }

  async function fetchNow() {
    if (inflight) return; // fetched again when the current one ends
    if (hideIdle && !(activeFor && activeFor.from === view.from && activeFor.to === view.to)) {
      inflight = true;
      try {
        await refreshActive();
      } catch (e) {
        lastError = e.message;
      } finally {
        inflight = false;
      }
    }
    const want = wantedRequest();
    if (covered(want)) {
      // the data at hand covers the view: the interaction ends once the frame queued for it is drawn
      if (drawQueued) endAfterDraw = true;
      else setPending(false);
      return;
    }
    const m = JT.meta;
    const span = view.to - view.from;
    const from = Math.floor(Math.min(view.from, Math.max(m.start, view.from - span / 2)));
    const to = Math.ceil(Math.max(view.to, Math.min(m.end, view.to + span / 2)));
    const px = Math.max(1, Math.min(m.limits.px, Math.round(trackW() * (to - from) / span)));
    const req = { from, to, threads: want.threads, tasks: want.tasks, vt: want.vt, px, viewSpan: span };
    const qs = `from=${from}&to=${to}&threads=${want.threads.join(',')}&tasks=${want.tasks ? 1 : 0}`
      + `&vt=${want.vt ? 1 : 0}&px=${px}&async=1&lod=1`;
    inflight = true;
    statusEl.textContent = 'loading\u2026';
    const timing = { at: performance.now(), bytes: 0, rows: want.threads.length };
    // from the input to this request (a frame drawn with the data at hand, the wait for an earlier request)
    timing.queued = interactionStart === null ? -1 : timing.at - interactionStart;
    try {
      const resp = await JT.api('/api/window?' + qs);
      timing.answer = performance.now() - timing.at;
      data = ingest(resp, req);
      timing.ingest = performance.now() - timing.at - timing.answer;
      timing.mode = data.mode + (data.loading ? ' loading' : '');
      timing.serverMs = resp.computeMs;
      lastError = null;
    } catch (e) {
      lastError = e.message;
      data = null;
    } finally {
      inflight = false;
    }
    const d0 = performance.now();
    draw();
    timing.draw = performance.now() - d0;
    fetchLog.push(timing);
    if (fetchLog.length > 1000) fetchLog.shift();
    const again = wantedRequest();
    if (!lastError && !covered(again)) {
      // generations still being read: ask again shortly, showing the index's summary meanwhile
      scheduleFetch(data && data.loading ? 250 : 0);
    } else if (lastError) {
      statusEl.textContent = 'error: ' + lastError;
      setPending(false);
    } else {
      setPending(false);
    }
  }

  // the threads active in the view, for hiding the idle ones
  async function refreshActive() {
    const v = { from: view.from, to: view.to };
    const r = await JT.api(`/api/active?from=${Math.floor(v.from)}&to=${Math.ceil(v.to)}`);
    activeSet = new Set(r.active);
    activeFor = v;
    layout();
  }

  // ------------------------------------------------------------------------------------------ search

  const searchEl = () => document.getElementById('tl-search');
  const searchStatus = t => { document.getElementById('tl-search-status').textContent = t; };

  function threadMatches(q) {
    return threadHits(q).length;
  }

  // the threads whose name holds the text, in the order of their rows (platform threads, then the virtual ones
  // by activity)
  function threadHits(q) {
    const { allPlat, allVts } = threadLists();
    return allPlat.concat(allVts).filter(t => JT.threadLabel(t.id).toLowerCase().includes(q)).map(t => t.id);
  }

  // a thread name hit: its row shown (its group opened, past the filter and hide idle), scrolled to, selected
  function jumpToThread(id, i, n) {
    const t = JT.threadsById.get(id);
    search.thread = id;
    if (t.virtual) collapsed.vt = false;
    else collapsed.threads = false;
    if (filterText && !JT.threadLabel(id).toLowerCase().includes(filterText)) {
      filterText = '';
      document.getElementById('tl-filter').value = '';
    }
    if (hideIdle && activeSet) activeSet.add(id);
    layout();
    resize();
    const row = rowByThread.get(id);
    if (row && !row.pinned) scrollToRow(row);
    selectedThread = id;
    searchStatus(`thread ${JT.threadLabel(id)} (${i + 1} of ${n} thread names)`);
    search.tookMs = performance.now() - search.startedAt;
    changed();
  }

  // the next (dir 1) or previous (-1) region, task or log whose name holds the text, from the last hit or the view
  async function searchStep(dir) {
    const q = searchEl().value.trim().toLowerCase();
    if (!q) {
      search = { q: '', hit: null };
      searchStatus('');
      draw();
      return;
    }
    if (q !== search.q) search = { q, hit: null };
    search.startedAt = performance.now();
    search.tookMs = null;
    // past the last slice, task or log: stepping through the thread names that match
    if (search.thread != null) {
      const ids = threadHits(q);
      const i = ids.indexOf(search.thread) + dir;
      if (i >= 0 && i < ids.length) {
        jumpToThread(ids[i], i, ids.length);
        return;
      }
      if (dir > 0) {
        searchStatus('no further hit');
        return;
      }
      // back before the first thread name: the last slice, task or log found, again
      search.thread = null;
      if (search.hit) {
        searchStatus(`${search.hit.kind} ${search.hit.name} at ${JT.fmtNs(search.hit.start)}`);
        jumpTo(search.hit);
      } else {
        searchStatus('no earlier hit');
      }
      return;
    }
    const threadsNote = n => (n ? ` \u00b7 ${n} thread name${n === 1 ? '' : 's'} match` : '');
    let after = search.hit ? search.hit.start : dir > 0 ? Math.floor(view.from) - 1 : Math.ceil(view.to) + 1;
    setPending(true);
    searchStatus('searching\u2026');
    try {
      let r;
      for (let i = 0; i < 64; i++) {
        r = await JT.api(`/api/search?q=${encodeURIComponent(q)}&after=${after}&dir=${dir}`);
        if (r.complete) break;
        after = r.searchedTo - dir; // generations left unread: go on from there
      }
      if (search.q !== q) return;
      if (!r.hit && dir > 0 && threadMatches(q)) {
        // the slices, tasks and logs are done: the thread names next
        setPending(false);
        jumpToThread(threadHits(q)[0], 0, threadMatches(q));
        return;
      }
      if (!r.hit) {
        searchStatus((dir > 0 ? 'no further hit' : 'no earlier hit') + threadsNote(threadMatches(q)));
        search.tookMs = performance.now() - search.startedAt;
        draw();
        setPending(false);
        return;
      }
      search.hit = r.hit;
      searchStatus(`${r.hit.kind} ${r.hit.name} at ${JT.fmtNs(r.hit.start)}` + threadsNote(threadMatches(q)));
      jumpTo(r.hit);
    } catch (e) {
      searchStatus('error: ' + e.message);
      setPending(false);
    }
  }

  // shows a hit: its row (opening its group, past the filter), zoomed to three times its length, selected
  function jumpTo(h) {
    const t = JT.threadsById.get(h.thread);
    if (h.kind === 'task') collapsed.tasks = false;
    else if (t && t.virtual) collapsed.vt = false;
    else collapsed.threads = false;
    if (filterText && t && !JT.threadLabel(t.id).toLowerCase().includes(filterText)) {
      filterText = '';
      document.getElementById('tl-filter').value = '';
    }
    const span = h.duration > 0 ? Math.max(1000, h.duration * 3) : Math.max(2000, Math.min(view.to - view.from, 1e7));
    const mid = h.start + h.duration / 2;
    view = { from: mid - span / 2, to: mid + span / 2 };
    if (hideIdle && activeSet) activeSet.add(h.thread);
    layout();
    resize();
    scrollToRow(h.kind === 'task' ? rowByTask.get(h.row) : rowByThread.get(h.thread));
    pendingSelect = { kind: h.kind, thread: h.thread, task: String(h.task), start: h.start, depth: h.depth,
      search: h.search !== false };
    changed();
  }

  function ingest(r, req) {
    const d = { mode: r.mode, req, source: r.source, reason: r.reason, bucketNs: r.bucketNs,
      generationsRead: r.generationsRead, loading: r.loading || 0, mergedBelow: r.mergedBelowNs || 0 };
    const str = i => (i < 0 ? null : r.strings[i]);
    const stack = i => (i < 0 ? null : r.stacks[i]);
    const push = (map, k, v) => { let a = map.get(k); if (!a) map.set(k, a = []); a.push(v); };
    d.gc = (r.gc || []).map(g => ({ gc: g[0], start: g[1], dur: g[2], name: str(g[3]), cause: str(g[4]), cycle: str(g[5]) }));
    d.gcCycles = (r.gcCycles || []).map(c => ({ gc: c[0], start: c[1], dur: c[2], name: str(c[3]), cause: str(c[4]),
      pauses: c[5], pauseNanos: c[6] }));
    d.gcSummary = r.gcSummary || null;
    d.vt = r.groups && r.groups.length ? r.groups[0] : null;
    d.counters = new Map();
    for (const c of r.counters || []) {
      const pts = [];
      for (let i = 0; i + 1 < c.v.length; i += 2) pts.push([c.v[i], c.v[i + 1]]);
      d.counters.set(c.name, { points: pts, downsampled: c.downsampled });
    }
    d.states = new Map();
    if (r.states) {
      const names = r.states.names;
      d.stateBucket = r.states.bucketNs;
      for (const row of r.states.rows) {
        const iv = row.iv;
        const a = [];
        for (let i = 0; i + 3 < iv.length; i += 4) {
          if (iv[i + 2] < 0) continue; // a gap
          a.push({ thread: row.thread, start: iv[i], dur: iv[i + 1], state: names[iv[i + 2]], count: iv[i + 3] });
        }
        d.states.set(row.thread, a);
      }
    }
    if (r.mode === 'items') {
      d.regions = new Map();
      d.tasks = new Map();
      d.logs = new Map();
      d.blocks = new Map();
      d.flows = [];
      d.runs = new Map();
      d.wakeups = [];
      d.wakeByResume = new Map();
      const wk = r.wakeups || [];
      const runs = r.carrierRuns || [];
      d.count = r.regions.length + r.tasks.length + r.logs.length + r.blocks.length + r.gc.length + d.gcCycles.length
        + wk.length + runs.length;
      for (const a of wk) {
        const w = { waker: a[0], wake: a[1], wakee: a[2], resume: a[3], kind: str(a[4]), latency: a[5], permit: a[6],
          blockStart: a[7] };
        d.wakeups.push(w);
        d.wakeByResume.set(w.wakee + ':' + w.resume, w);
      }
      for (const a of runs) {
        push(d.runs, a[0], { carrier: a[0], thread: a[1], start: a[2], dur: a[3], endMissing: a[4], count: a[5] || 1,
          longestStart: a[6], longestDur: a[7] });
      }
      for (const a of r.regions) {
        push(d.regions, a[0], { thread: a[0], depth: a[1], start: a[2], dur: a[3], name: str(a[4]), task: a[5],
          flags: a[6], stack: stack(a[7]), count: a[8] || 1, longestStart: a[9], longestDur: a[10] });
      }
      for (const a of r.tasks) {
        const t = { id: a[0], parent: a[1], name: str(a[2]), row: str(a[3]), lane: a[4], start: a[5], dur: a[6],
          beginThread: a[7], endThread: a[8], flags: a[9], stack: stack(a[10]), count: a[11] || 1,
          longestStart: a[12], longestDur: a[13] };
        push(d.tasks, t.row, t);
        if (t.beginThread !== t.endThread && !(t.flags & 2) && t.count === 1) d.flows.push(t);
      }
      d.samples = new Map();
      for (const a of r.samples || []) push(d.samples, a[0], { thread: a[0], time: a[1], stack: stack(a[2]), count: a[3] || 1 });
      d.count += (r.samples || []).length;
      d.allocs = new Map();
      for (const a of r.allocSamples || []) {
        push(d.allocs, a[0], { thread: a[0], time: a[1], type: str(a[2]), weight: a[3], stack: stack(a[4]),
          count: a[5] || 1, groupWeight: a[6] !== undefined ? a[6] : a[3] });
      }
      d.count += (r.allocSamples || []).length;
      for (const a of r.logs) {
        push(d.logs, a[0], { thread: a[0], time: a[1], task: a[2], category: str(a[3]), message: str(a[4]),
          stack: stack(a[5]), count: a[6] || 1 });
      }
      for (const a of r.blocks) {
        push(d.blocks, a[0], { thread: a[0], kind: str(a[1]), start: a[2], dur: a[3], detail: str(a[4]),
          stack: stack(a[5]), state: str(a[6]), count: a[7] || 1, longestStart: a[8], longestDur: a[9] });
      }
      assignColors(d);
    } else {
      d.summaryThreads = new Map();
      d.summaryTasks = new Map();
      for (const s of r.rows) {
        if (s.thread !== undefined) d.summaryThreads.set(s.thread, s);
        else if (s.task !== undefined) d.summaryTasks.set(s.task, s);
      }
    }
    return d;
  }

  // Colours by name: a name keeps its colour while no other name in the view has it; names new to the view,
  // or whose colour another name in it took first, get the next free colour of the palette (in order of
  // appearance), so that two names in one view never share a colour while the palette lasts.
  function assignColors(d) {
    const seen = [];
    const firsts = new Map();
    const note = (n, t) => { const k = n || ''; const f = firsts.get(k); if (f === undefined || t < f) firsts.set(k, t); };
    for (const l of d.regions.values()) for (const r of l) note(r.name, r.start);
    for (const l of d.tasks.values()) for (const t of l) note(t.name, t.start);
    for (const [n, t] of firsts) seen.push([t, n]);
    seen.sort((a, b) => a[0] - b[0]);
    const used = new Set();
    const pending = [];
    for (const [, n] of seen) {
      const c = nameColor.get(n);
      if (c !== undefined && !used.has(c)) used.add(c);
      else pending.push(n);
    }
    let next = 0;
    for (const n of pending) {
      while (used.has(next) && used.size < PALETTE.length) next = (next + 1) % PALETTE.length;
      nameColor.set(n, next);
      used.add(next);
    }
    d.viewNames = seen.map(x => x[1]);
  }

  function colorOf(name) {
    const c = nameColor.get(name || '');
    return c === undefined ? JT.color(name || '') : PALETTE[c];
  }

  // ------------------------------------------------------------------------------------------ drawing

  function queueDraw() {
    if (drawQueued) return;
    drawQueued = true;
    requestAnimationFrame(() => {
      drawQueued = false;
      draw();
      if (endAfterDraw) {
        endAfterDraw = false;
        setPending(false);
      }
    });
  }

  function resize() {
    dpr = window.devicePixelRatio || 1;
    W = scroller.clientWidth;
    H = scroller.clientHeight;
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
    canvas.style.width = W + 'px';
    canvas.style.height = H + 'px';
    canvas.style.top = scroller.scrollTop + 'px';
  }

  function fitText(text, w) {
    const max = Math.floor((w - 6) / 6.4);
    if (max < 2) return null;
    return text.length <= max ? text : text.slice(0, max - 1) + '\u2026';
  }

  function key(kind, it) {
    switch (kind) {
      case 'region': return `r:${it.thread}:${it.start}:${it.depth}`;
      case 'task': return `t:${it.id}:${it.start}`;
      case 'log': return `l:${it.thread}:${it.time}:${it.message}`;
      case 'block': return `b:${it.thread}:${it.start}:${it.kind}`;
      case 'gc': return `g:${it.gc}:${it.start}`;
      case 'gccycle': return `c:${it.gc}:${it.start}`;
      case 'wakeup': return `w:${it.wakee}:${it.resume}:${it.kind}`;
      case 'carrier': return `v:${it.carrier}:${it.start}`;
      case 'state': return `s:${it.thread}:${it.start}`;
      case 'sample': return `p:${it.thread}:${it.time}`;
      case 'alloc': return `a:${it.thread}:${it.time}:${it.type}`;
      case 'counter': return `k:${it.name}:${it.start}`;
      default: return `${kind}:${it.start}:${it.row}`;
    }
  }

  let drawingPinned;
  // what a click can pick, as drawn; its key (a string per item) is made only when asked for: a selection is
  // looked up among a view's hits now and then, while a view draws tens of thousands of them
  class Hit {
    constructor(kind, item, x, y, w, h, pinned) {
      this.kind = kind; this.item = item; this.x = x; this.y = y; this.w = w; this.h = h; this.pinned = pinned;
      this.k = undefined;
    }

    get key() {
      if (this.k === undefined) this.k = key(this.kind, this.item);
      return this.k;
    }
  }
  function hit(kind, item, x, y, w, h) {
    hits.push(new Hit(kind, item, x, y, w, h, drawingPinned));
  }

  function span(x0, x1) {
    const a = Math.max(x0, LABEL_W);
    const b = Math.min(x1, W);
    return b < a ? null : [a, Math.max(1, b - a)];
  }

  // a virtual thread's colour on its carriers: neighbouring ids (and names like req-1, req-2) far apart in hue
  function vtColor(id) {
    return `hsl(${Math.round((Number(id) * 137.508) % 360)}, 55%, 66%)`;
  }

  function drawSlice(kind, item, name, start, dur, y, h, flags, color) {
    const s = span(xOf(start), xOf(start + dur));
    if (!s) return;
    ctx.fillStyle = color || colorOf(name);
    ctx.fillRect(s[0], y, s[1], h);
    const n = item && item.count > 1 ? item.count : 1;
    if (n > 1) { // a group merged below a pixel: lighter, with its count
      ctx.fillStyle = 'rgba(255,255,255,0.45)';
      ctx.fillRect(s[0], y + h / 2, s[1], h / 2);
      name = `${n}\u00d7 ${name || ''}`;
    }
    if (flags) { // unfinished: a hatched right end
      ctx.fillStyle = 'rgba(255,255,255,0.6)';
      ctx.fillRect(s[0] + s[1] - Math.min(6, s[1]), y, Math.min(6, s[1]), h);
    }
    const label = s[1] > 20 && h >= 10 ? fitText(name || '', s[1]) : null;
    if (label) {
      ctx.fillStyle = '#1f2328';
      ctx.fillText(label, s[0] + 3, y + h - 4);
    }
    hit(kind, item, s[0], y, s[1], h);
  }

  function drawSummaryRow(s, y, h, color, blockedY) {
    if (!s) return;
    const rowName = s.thread !== undefined ? JT.threadLabel(s.thread) : (s.task !== undefined ? 'tasks ' + s.task : 'virtual threads');
    let maxCount = 1;
    for (const c of s.count) maxCount = Math.max(maxCount, c);
    for (let i = 0; i < s.count.length; i++) {
      const t0 = s.start + i * s.width;
      // whole pixels, so that neighbouring buckets leave no hairline gaps between them
      const sp = span(Math.floor(xOf(t0)), Math.max(Math.floor(xOf(t0)) + 1, Math.floor(xOf(t0 + s.width))));
      if (!sp) continue;
      const busy = Math.min(1, s.busy[i]);
      const blocked = Math.min(1, s.blocked[i]);
      const c = s.count[i];
      if (busy > 0) {
        ctx.fillStyle = color;
        const bh = Math.max(1, busy * h);
        ctx.fillRect(sp[0], y + h - bh, sp[1], bh);
      } else if (c > 0) {
        ctx.fillStyle = 'rgba(110,119,129,0.45)';
        const bh = Math.max(2, h * Math.log(1 + c) / Math.log(1 + maxCount));
        ctx.fillRect(sp[0], y + h - bh, sp[1], bh);
      }
      if (blocked > 0 && blockedY !== undefined) {
        ctx.fillStyle = `rgba(227,163,59,${0.25 + 0.75 * blocked})`;
        ctx.fillRect(sp[0], blockedY, sp[1], BLOCK_H);
      }
      if (busy > 0 || c > 0 || blocked > 0) {
        hit('bucket', { start: t0, width: s.width, busy: s.busy[i], blocked: s.blocked[i], count: c, row: rowName },
          sp[0], y, sp[1], h + BLOCK_H);
      }
    }
  }

  function drawThreadRow(row, y) {
    const id = row.id;
    const sliceTop = y + LOG_H;
    const blockY = blockTop(row);
    if (!data) return;
    drawStates(row);
    if (data.mode === 'items') {
      for (const r of data.regions.get(id) || []) {
        if (r.depth >= MAX_DEPTH_SHOWN) continue;
        drawSlice('region', r, r.name, r.start, r.dur, sliceTop + r.depth * SLICE_H, SLICE_H - 2, r.flags);
      }
      if (row.t.carrierRuns) {
        const cy = carrierTop(row) + 1;
        for (const r of data.runs.get(id) || []) {
          const vt = JT.threadsById.get(r.thread);
          const label = vt && vt.name ? vt.name : '#' + r.thread;
          const s = span(xOf(r.start), xOf(r.start + r.dur));
          if (!s) continue;
          drawSlice('carrier', r, label, r.start, r.dur, cy, CARRIER_H - 2, r.endMissing ? 2 : 0, vtColor(r.thread));
          drawnRuns.push({ carrier: id, thread: r.thread, label, x: s[0], y: cy, w: s[1], h: CARRIER_H - 2 });
        }
      }
      for (const b of data.blocks.get(id) || []) {
        const s = span(xOf(b.start), xOf(b.start + b.dur));
        if (!s) continue;
        ctx.fillStyle = BLOCK_COLORS[b.kind] || '#999';
        ctx.fillRect(s[0], blockY, s[1], BLOCK_H);
        hit('block', b, s[0], blockY - 1, Math.max(3, s[1]), BLOCK_H + 2);
      }
      // CPU samples: thin ticks along the top, under the logs' triangles
      ctx.fillStyle = SAMPLE_COLOR;
      for (const smp of data.samples.get(id) || []) {
        const x = xOf(smp.time);
        if (x < LABEL_W || x > W) continue;
        ctx.fillRect(Math.round(x) - 1, y + 1, 2, LOG_H - 1);
        hit('sample', smp, x - 3, y, 6, LOG_H);
      }
      // allocation samples: diamonds in the same strip, drawn over the CPU ticks (a click at a shared pixel opens
      // the allocation; the logs' triangles come last, over both)
      ctx.fillStyle = ALLOC_COLOR;
      for (const al of data.allocs.get(id) || []) {
        const x = xOf(al.time);
        if (x < LABEL_W || x > W) continue;
        const cy = y + LOG_H / 2;
        ctx.beginPath();
        ctx.moveTo(x, cy - 4);
        ctx.lineTo(x + 4, cy);
        ctx.lineTo(x, cy + 4);
        ctx.lineTo(x - 4, cy);
        ctx.fill();
        hit('alloc', al, x - 4, y, 8, LOG_H);
      }
      ctx.fillStyle = '#24292f';
      for (const l of data.logs.get(id) || []) {
        const x = xOf(l.time);
        if (x < LABEL_W || x > W) continue;
        ctx.beginPath();
        ctx.moveTo(x - 3.5, y + 1);
        ctx.lineTo(x + 3.5, y + 1);
        ctx.lineTo(x, y + LOG_H - 1);
        ctx.fill();
        hit('log', l, x - 4, y, 8, LOG_H);
      }
    } else {
      const s = data.summaryThreads.get(id);
      const h = Math.min(row.h - LOG_H - BLOCK_H - 4, SLICE_H * 2);
      drawSummaryRow(s, sliceTop, h, '#4e9af1', blockY);
    }
  }

  // the thread's states from the model, merged by the server where narrower than a pixel
  function drawStates(row) {
    const sy = stateTop(row);
    for (const st of data.states.get(row.id) || []) {
      const s = span(xOf(st.start), xOf(st.start + st.dur));
      if (!s) continue;
      ctx.fillStyle = STATE_COLORS[st.state] || '#999';
      ctx.fillRect(s[0], sy, s[1], STATE_H);
      if (st.state !== 'unknown') hit('state', st, s[0], sy - 1, Math.max(2, s[1]), STATE_H + 2);
    }
  }

  // a counter as a step line over a filled area, scaled to its values in the window (from 0 when none is
  // negative); its last value before the window starts the line at the left edge
  function drawCounterRow(row, y) {
    const c = data.counters.get(row.name);
    if (!c || !c.points.length) return;
    const pts = c.points;
    let lo = 0, hi = 0;
    for (const [, v] of pts) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const h = row.h - 6;
    const yv = v => y + 3 + h - (hi === lo ? 0 : (v - lo) / (hi - lo) * h);
    const color = row.name.startsWith('JVM heap') ? '#8250df' : '#0969da';
    ctx.fillStyle = color + '33';
    ctx.strokeStyle = color;
    ctx.beginPath();
    let started = false;
    for (let i = 0; i < pts.length; i++) {
      const x0 = Math.max(LABEL_W, xOf(pts[i][0]));
      const x1 = Math.min(W, i + 1 < pts.length ? xOf(pts[i + 1][0]) : xOf(Math.min(view.to, JT.meta.end)));
      if (x1 < LABEL_W || x0 > W) continue;
      const yy = yv(pts[i][1]);
      if (!started) { ctx.moveTo(x0, yy); started = true; } else ctx.lineTo(x0, yy);
      ctx.lineTo(x1, yy);
      ctx.fillRect(x0, yy, Math.max(0, x1 - x0), y + 3 + h - yy);
      hit('counter', { name: row.name, start: pts[i][0], value: pts[i][1], next: i + 1 < pts.length ? pts[i + 1][0] : null,
        downsampled: c.downsampled, row: row.name }, x0, y, Math.max(2, x1 - x0), row.h);
    }
    ctx.stroke();
    ctx.fillStyle = '#424a53';
    const fmt = v => (row.name.startsWith('JVM heap') ? JT.fmtBytes(v) : JT.fmtInt(v));
    ctx.fillText(`max ${fmt(hi)}`, W - 90, y + 12);
  }

  function drawTaskRow(row, y) {
    if (!data) return;
    if (data.mode === 'items') {
      for (const t of data.tasks.get(row.name) || []) {
        const lane = Math.min(t.lane, row.lanes - 1);
        const gap = row.laneH >= 6 ? 2 : 0;
        drawSlice('task', t, t.name, t.start, t.dur, y + 2 + lane * row.laneH, Math.max(1, row.laneH - gap), t.flags & 2);
      }
    } else {
      drawSummaryRow(data.summaryTasks.get(row.name), y + 2, row.h - 4, colorOf(row.name));
    }
  }

  function drawGcRow(row, y) {
    if (!data) return;
    // a cycle is not a pause: cycles are a thin band on top, the stop-the-world pauses below at their own times
    ctx.fillStyle = 'rgba(207,34,46,0.35)';
    for (const c of data.gcCycles) {
      const s = span(xOf(c.start), xOf(c.start + c.dur));
      if (!s) continue;
      ctx.fillRect(s[0], y + 2, s[1], 5);
      hit('gccycle', c, s[0] - 1, y + 1, s[1] + 2, 7);
    }
    ctx.fillStyle = '#cf222e';
    for (const g of data.gc) {
      const s = span(xOf(g.start), xOf(g.start + g.dur));
      if (!s) continue;
      ctx.fillRect(s[0], y + 9, s[1], row.h - 12);
      hit('gc', g, s[0] - 1, y + 8, s[1] + 2, row.h - 10);
    }
    if (data.gcSummary) {
      const s = data.gcSummary;
      for (let i = 0; i < s.fraction.length; i++) {
        if (!s.fraction[i]) continue;
        const sp = span(xOf(s.start + i * s.width), xOf(s.start + (i + 1) * s.width));
        if (!sp) continue;
        ctx.fillStyle = `rgba(207,34,46,${0.3 + 0.7 * Math.min(1, s.fraction[i])})`;
        ctx.fillRect(sp[0], y + 9, sp[1], row.h - 12);
      }
    }
  }

  // Arrows from where a task began to where it ended, when that is another thread. Many arrows at once
  // would hide the slices: then they are drawn faint, except the selected task's.
  function drawFlows() {
    if (!data || data.mode !== 'items') return;
    const shown = [];
    for (const t of data.flows) {
      const a = rowByThread.get(t.beginThread);
      const b = rowByThread.get(t.endThread);
      if (!a || !b) continue;
      const x0 = xOf(t.start), x1 = xOf(t.start + t.dur);
      if ((x0 < LABEL_W && x1 < LABEL_W) || (x0 > W && x1 > W)) continue;
      shown.push([t, a, b, x0, x1]);
    }
    const faint = shown.length > 40;
    for (const [t, a, b, x0, x1] of shown) {
      const strong = !faint || selectedKey === key('task', t);
      ctx.strokeStyle = ctx.fillStyle = strong ? 'rgba(36,41,47,0.8)' : 'rgba(36,41,47,0.12)';
      ctx.lineWidth = strong ? 1.3 : 1;
      const y0 = screenY(a) + LOG_H + 2, y1 = screenY(b) + LOG_H + 2;
      const dx = Math.max(20, (x1 - x0) / 2);
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.bezierCurveTo(x0 + dx, y0, x1 - dx, y1, x1, y1);
      ctx.stroke();
      const ang = Math.atan2(y1 - y0, 1) * 0.3;
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - 7 * Math.cos(ang) , y1 - 3.5 - 7 * Math.sin(ang));
      ctx.lineTo(x1 - 7 * Math.cos(ang), y1 + 3.5 - 7 * Math.sin(ang));
      ctx.fill();
      ctx.beginPath();
      ctx.arc(x0, y0, 2.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  // Wake-up edges: from the waker's row at the wake-up to the woken thread's row where it resumed. A row not
  // on screen (scrolled away, in the collapsed group) gets a short stub towards it instead.
  function drawWakeups() {
    drawnWakeups = [];
    if (!data || data.mode !== 'items') return;
    const yOf = r => blockTop(r) + BLOCK_H / 2; // at the height of the blocking strip
    const shown = [];
    for (const w of data.wakeups) {
      const a = rowByThread.get(w.waker);
      const b = rowByThread.get(w.wakee);
      const x0 = xOf(w.wake), x1 = xOf(w.resume);
      if ((x0 < LABEL_W && x1 < LABEL_W) || (x0 > W && x1 > W) || (!a && !b)) continue;
      shown.push([w, a, b, x0, x1]);
    }
    const faint = shown.length > 200;
    ctx.lineWidth = 1.2;
    for (const [w, a, b, x0, x1] of shown) {
      const strong = !faint || selectedKey === key('wakeup', w);
      ctx.strokeStyle = ctx.fillStyle = strong ? WAKE_COLOR : WAKE_FAINT;
      // a missing end: a stub of 14 px from (or to) the end shown, pointing down (up) towards the hidden row
      const y0 = a ? yOf(a) : yOf(b) - 14;
      const y1 = b ? yOf(b) : y0 + 14;
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.stroke();
      if (b) {
        const ang = Math.atan2(y1 - y0, x1 - x0);
        ctx.beginPath();
        ctx.moveTo(x1, y1);
        ctx.lineTo(x1 - 7 * Math.cos(ang - 0.4), y1 - 7 * Math.sin(ang - 0.4));
        ctx.lineTo(x1 - 7 * Math.cos(ang + 0.4), y1 - 7 * Math.sin(ang + 0.4));
        ctx.fill();
        hit('wakeup', w, x1 - 5, y1 - 5, 10, 10);
      }
      if (a) {
        ctx.fillRect(x0 - 1.5, y0 - 1.5, 3, 3);
        if (!b) hit('wakeup', w, x0 - 5, y0 - 5, 10, 10);
      }
      drawnWakeups.push({ waker: w.waker, wakee: w.wakee, kind: w.kind, x0, y0, x1, y1, full: !!(a && b) });
    }
    ctx.lineWidth = 1;
  }

  function niceStep(target) {
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(1, target))));
    for (const m of [1, 2, 5, 10]) if (m * p >= target) return m * p;
    return 10 * p;
  }

  // A tick's time in the unit of its size, with as many decimals as the step between ticks needs.
  function tickLabel(t, step) {
    const a = Math.abs(t);
    const [unit, name] = a >= 1e9 ? [1e9, 's'] : a >= 1e6 ? [1e6, 'ms'] : a >= 1e3 ? [1e3, 'us'] : [1, 'ns'];
    const decimals = Math.max(0, Math.min(9, Math.ceil(Math.log10(unit / step) - 1e-9)));
    return (t / unit).toFixed(decimals) + ' ' + name;
  }

  function drawAxis() {
    ctx.fillStyle = '#f6f8fa';
    ctx.fillRect(0, 0, W, AXIS_H);
    ctx.strokeStyle = '#d0d7de';
    ctx.beginPath();
    ctx.moveTo(0, AXIS_H - 0.5);
    ctx.lineTo(W, AXIS_H - 0.5);
    ctx.stroke();
    const step = niceStep((view.to - view.from) / (trackW() / 110));
    ctx.fillStyle = '#424a53';
    ctx.font = '11px system-ui, sans-serif';
    for (let t = Math.ceil(view.from / step) * step; t <= view.to; t += step) {
      const x = Math.round(xOf(t)) + 0.5;
      ctx.strokeStyle = '#d0d7de';
      ctx.beginPath();
      ctx.moveTo(x, AXIS_H - 6);
      ctx.lineTo(x, AXIS_H);
      ctx.stroke();
      ctx.strokeStyle = 'rgba(208,215,222,0.45)';
      ctx.beginPath();
      ctx.moveTo(x, AXIS_H);
      ctx.lineTo(x, H);
      ctx.stroke();
      ctx.fillText(tickLabel(t, step), x + 3, 15);
    }
    ctx.fillStyle = '#f6f8fa';
    ctx.fillRect(0, 0, LABEL_W, AXIS_H);
    ctx.fillStyle = '#656d76';
    ctx.fillText('time since trace start', 8, 16);
  }

  function drawLabel(row, y) {
    ctx.fillStyle = row.type === 'header' ? '#eaeef2' : row.type === 'thread' && row.id === selectedThread ? '#ddf4ff' : '#f6f8fa';
    ctx.fillRect(0, y, LABEL_W, row.h);
    ctx.fillStyle = '#1f2328';
    ctx.font = row.type === 'header' ? '600 12px system-ui, sans-serif' : '12px system-ui, sans-serif';
    let text = row.label;
    if (row.type === 'header') text = (collapsed[row.group] ? '\u25b8 ' : '\u25be ') + text;
    if (row.type === 'task' && row.foldable) text = (row.folded ? '\u25b8 ' : '\u25be ') + text;
    if (row.type === 'thread' && row.t.virtual) text = '\u2022 ' + text;
    if (row.type === 'thread' && row.t.carrierRuns) text += ' (carrier)';
    if (row.type === 'thread' && row.pinned) text = '\u2191 ' + text;
    if (row.type === 'thread' && row.id !== selectedThread && search.q && row.label.toLowerCase().includes(search.q)) {
      ctx.fillStyle = '#ffebe9';
      ctx.fillRect(0, y, LABEL_W - 1, Math.min(row.h, 22));
      ctx.fillStyle = '#1f2328';
    }
    ctx.fillText(fitText(text, LABEL_W - 8) || '', 8, y + Math.min(row.h, 20) - 6);
    ctx.strokeStyle = '#d0d7de';
    ctx.beginPath();
    ctx.moveTo(LABEL_W - 0.5, y);
    ctx.lineTo(LABEL_W - 0.5, y + row.h);
    ctx.stroke();
  }

  function draw() {
    if (!view || !ctx) return;
    hits = [];
    drawnRuns = [];
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.font = '11px system-ui, sans-serif';
    const vis = visibleRows(0);
    const scrolled = vis.filter(r => !r.pinned);
    const stuck = vis.filter(r => r.pinned);
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, AXIS_H + stickyH, W, H - AXIS_H - stickyH);
    ctx.clip();
    drawingPinned = false;
    drawRows(scrolled);
    drawingPinned = undefined;
    drawGcShade(AXIS_H + stickyH);
    ctx.restore();
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, AXIS_H, W, stickyH);
    ctx.clip();
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, AXIS_H, W, stickyH);
    drawingPinned = true;
    drawRows(stuck);
    drawingPinned = undefined;
    drawGcShade(AXIS_H + GC_H);
    ctx.restore();
    ctx.strokeStyle = '#8c959f';
    ctx.beginPath();
    ctx.moveTo(0, AXIS_H + stickyH - 0.5);
    ctx.lineTo(W, AXIS_H + stickyH - 0.5);
    ctx.stroke();
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, AXIS_H, W, H - AXIS_H);
    ctx.clip();
    drawFlows();
    drawWakeups();
    drawSearchHits();
    const sel = selectedKey && hits.find(h => h.key === selectedKey);
    if (sel) {
      ctx.strokeStyle = '#0969da';
      ctx.lineWidth = 2;
      ctx.strokeRect(sel.x - 1, sel.y - 1, sel.w + 2, sel.h + 2);
      ctx.lineWidth = 1;
    }
    drawRange();
    ctx.restore();
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, AXIS_H + stickyH, W, H - AXIS_H - stickyH);
    ctx.clip();
    for (const row of scrolled) drawLabel(row, screenY(row));
    ctx.restore();
    for (const row of stuck) drawLabel(row, screenY(row));
    drawAxis();
    status();
    // only with the items of the linked window: those of an earlier view would not hold the item
    if (pendingSelect && data && data.mode === 'items' && covered(wantedRequest())) trySelect();
  }

  // GC pauses stop every thread: a shade across all rows below the GC band
  function drawGcShade(top) {
    if (!data) return;
    ctx.fillStyle = 'rgba(207,34,46,0.10)';
    for (const g of data.gc) {
      const s = span(xOf(g.start), xOf(g.start + g.dur));
      if (s) ctx.fillRect(s[0], top, s[1], H - top);
    }
  }

  // every slice, task and log in view that the search matches: outlined
  function drawSearchHits() {
    const q = search.q;
    if (!q || !data || data.mode !== 'items') return;
    ctx.strokeStyle = '#bf3989';
    ctx.lineWidth = 2;
    let n = 0;
    for (const h of hits) {
      const it = h.item;
      const text = h.kind === 'region' || h.kind === 'task' ? it.name : h.kind === 'log' ? (it.message || '') + ' ' + (it.category || '') : null;
      if (text === null || !String(text).toLowerCase().includes(q)) continue;
      ctx.strokeRect(h.x - 0.5, h.y - 0.5, h.w + 1, h.h + 1);
      n++;
    }
    ctx.lineWidth = 1;
    search.inView = n;
  }

  function drawRange() {
    if (!rangeSel) return;
    const x0 = xOf(rangeSel.from), x1 = xOf(rangeSel.to);
    const s = span(Math.min(x0, x1), Math.max(x0, x1));
    if (!s) return;
    ctx.fillStyle = 'rgba(9,105,218,0.12)';
    ctx.fillRect(s[0], AXIS_H, s[1], H - AXIS_H);
    ctx.strokeStyle = '#0969da';
    ctx.strokeRect(s[0] + 0.5, AXIS_H + 0.5, s[1] - 1, H - AXIS_H - 1);
  }

  function drawRows(list) {
    for (const row of list) {
      const y = screenY(row);
      if (row.type === 'header') {
        ctx.fillStyle = '#eaeef2';
        ctx.fillRect(LABEL_W, y, W - LABEL_W, row.h);
      }
      ctx.save();
      ctx.beginPath();
      ctx.rect(LABEL_W, y, W - LABEL_W, row.h);
      ctx.clip();
      ctx.font = '11px system-ui, sans-serif';
      if (row.type === 'thread') drawThreadRow(row, y);
      else if (row.type === 'task') drawTaskRow(row, y);
      else if (row.type === 'counter' && data) drawCounterRow(row, y);
      else if (row.type === 'gc') drawGcRow(row, y);
      else if (row.type === 'vtgroup' && data) drawSummaryRow(data.vt, y + 3, row.h - 6, '#8250df');
      ctx.restore();
      ctx.strokeStyle = '#eaeef2';
      ctx.beginPath();
      ctx.moveTo(0, y + row.h - 0.5);
      ctx.lineTo(W, y + row.h - 0.5);
      ctx.stroke();
    }
  }

  function status() {
    const step = Math.max(1, (view.to - view.from) / 100);
    rangeEl.textContent = `${tickLabel(view.from, step)} \u2013 ${tickLabel(view.to, step)} `
      + `(${JT.fmtNs(Math.round(view.to - view.from))} shown)`;
    if (inflight) return;
    if (lastError) { statusEl.textContent = 'error: ' + lastError; return; }
    if (!data) { statusEl.textContent = ''; return; }
    statusEl.textContent = data.mode === 'items'
      ? `${JT.fmtInt(data.count)} items${data.mergedBelow ? ' (merged below ' + JT.fmtNs(data.mergedBelow) + ', a pixel)' : ''}`
        + ` \u00b7 ${data.generationsRead} generation${data.generationsRead === 1 ? '' : 's'} read`
      : data.loading ? `summary from the index while ${data.reason}\u2026`
      : `summary (${data.source === 'index' ? 'from the index' : 'computed from ' + data.generationsRead + ' generations'}: `
        + `${data.reason}) \u00b7 zoom in to see events`;
    canvas.dataset.mode = data.mode;
  }

  // ------------------------------------------------------------------------------------------ details

  function field(dl, name, value, key) {
    dl.append(JT.el('dt', { text: name }), JT.el('dd', { 'data-field': key, text: String(value) }));
  }

  // a group the server merged below a pixel: its times are the group's, its name the longest member's; the
  // longest member (its start and duration come with the group) is a link that opens it: the view zoomed to
  // three times its length around it, where it is drawn alone, and it selected there with its own details
  function mergedNote(dl, it, what, kind) {
    if (!(it.count > 1)) return;
    field(dl, 'Merged', `${JT.fmtInt(it.count)} ${what} narrower than a pixel (${JT.fmtNs(data.mergedBelow)}); `
      + 'the name is the longest one\'s: zoom in to see each', 'merged');
    if (it.longestStart === undefined || !kind) return;
    const name = kind === 'carrier' ? JT.threadLabel(it.thread) : kind === 'block' ? it.kind : it.name || '(unnamed)';
    const a = JT.el('a', { href: '#', class: 'longest-link', 'data-start': String(it.longestStart),
      'data-dur': String(it.longestDur), text: `${name}, ${JT.fmtNs(it.longestDur)} at ${JT.fmtNs(it.longestStart)}` });
    a.addEventListener('click', e => {
      e.preventDefault();
      jumpTo({ kind, thread: kind === 'carrier' ? it.carrier : kind === 'task' ? it.beginThread : it.thread,
        start: it.longestStart, duration: it.longestDur, task: it.id !== undefined ? it.id : it.task, row: it.row,
        depth: kind === 'region' ? it.depth : undefined, search: false });
    });
    dl.append(JT.el('dt', { text: 'Longest' }), JT.el('dd', { 'data-field': 'longest' }, a));
  }

  // The stop-the-world pauses during [start, start + dur] (every thread was stopped by them), each a link
  // that selects the pause: a long park's GC pause is one click away from the park
  function gcDuring(dl, start, dur) {
    const pauses = (data && data.gc || []).filter(g => g.start < start + dur && g.start + g.dur > start);
    if (!pauses.length) return;
    const dd = JT.el('dd', { 'data-field': 'gcDuring' });
    pauses.slice(0, 20).forEach((g, i) => {
      const a = JT.el('a', { href: '#', class: 'gc-link', 'data-gc': String(g.gc),
        text: `${g.name || 'GC'} (GC ${g.gc}) at ${JT.fmtNs(g.start)} for ${JT.fmtMs(g.dur)} ms` });
      a.addEventListener('click', e => {
        e.preventDefault();
        const hit = hits.find(x => x.kind === 'gc' && x.key === key('gc', g));
        if (hit) return select(hit);
        // not drawn (scrolled or zoomed away meanwhile): go there and select it when it is
        const pad = Math.max(1000, g.dur * 0.15);
        view = { from: g.start - pad, to: g.start + g.dur + pad };
        pendingSelect = { kind: 'gc', gc: String(g.gc), start: g.start };
        changed();
      });
      if (i) dd.append(JT.el('br'));
      dd.append(a);
    });
    if (pauses.length > 20) dd.append(JT.el('br'), `and ${pauses.length - 20} more`);
    dl.append(JT.el('dt', { text: pauses.length === 1 ? 'GC pause during it' : `GC pauses during it (${pauses.length})` }), dd);
  }

  function showDetails(h) {
    const it = h.item;
    const dl = JT.el('dl');
    let title = '';
    let stack = null;
    switch (h.kind) {
      case 'region':
        title = 'Region';
        field(dl, 'Name', it.name, 'name');
        field(dl, 'Thread', JT.threadLabel(it.thread), 'thread');
        field(dl, 'Task', it.task, 'task');
        field(dl, 'Start', JT.fmtNs(it.start), 'start');
        field(dl, 'Duration', JT.fmtMs(it.dur) + ' ms', 'duration');
        field(dl, 'Duration (ns)', it.dur, 'durationNs');
        field(dl, 'Depth', it.depth, 'depth');
        if (it.flags & 1) field(dl, 'Note', 'its begin is not in the trace: drawn from the trace\'s start', 'note');
        if (it.flags & 2) field(dl, 'Note', 'its end is not in the trace: it ends where an enclosing region ended, or'
          + ' at the trace\'s end', 'note');
        mergedNote(dl, it, 'regions', 'region');
        stack = it.stack;
        break;
      case 'task':
        title = 'Task';
        field(dl, 'Name', it.name, 'name');
        field(dl, 'Task id', it.id, 'task');
        field(dl, 'Parent', it.parent || '-', 'parent');
        field(dl, 'Begun on', JT.threadLabel(it.beginThread), 'thread');
        field(dl, 'Ended on', it.flags & 2 ? '(not ended)' : JT.threadLabel(it.endThread), 'endThread');
        if (it.flags & 1) field(dl, 'Note', 'its begin is not in the trace: drawn from the trace\'s start', 'note');
        field(dl, 'Start', JT.fmtNs(it.start), 'start');
        field(dl, 'Duration', JT.fmtMs(it.dur) + ' ms', 'duration');
        field(dl, 'Duration (ns)', it.dur, 'durationNs');
        mergedNote(dl, it, 'tasks', 'task');
        stack = it.stack;
        break;
      case 'log':
        title = 'Log';
        field(dl, 'Category', it.category || '', 'category');
        field(dl, 'Message', it.message || '', 'message');
        field(dl, 'Thread', JT.threadLabel(it.thread), 'thread');
        field(dl, 'Task', it.task, 'task');
        field(dl, 'Time', JT.fmtNs(it.time), 'start');
        mergedNote(dl, it, 'logs');
        stack = it.stack;
        break;
      case 'block':
        title = { park: 'Parked', wait: 'Waiting (Object.wait)', monitor: 'Blocked on a monitor', sleep: 'Sleeping', pinned: 'Pinned virtual thread', io: 'Blocked in I/O' }[it.kind] || it.kind;
        field(dl, 'Kind', it.kind, 'kind');
        field(dl, 'Thread', JT.threadLabel(it.thread), 'thread');
        field(dl, 'Thread state', it.state || '', 'state');
        if (it.detail) field(dl, it.kind === 'monitor' ? 'Monitor' : 'Blocker', it.detail, 'detail');
        field(dl, 'Start', JT.fmtNs(it.start), 'start');
        field(dl, 'Duration', JT.fmtMs(it.dur) + ' ms', 'duration');
        field(dl, 'Duration (ns)', it.dur, 'durationNs');
        {
          // the model's wake-up edge that ended this block resumes at the block's end
          const w = data && data.wakeByResume && data.wakeByResume.get(it.thread + ':' + (it.start + it.dur));
          if (w && w.kind !== 'submit') {
            field(dl, 'Woken by', `${JT.threadLabel(w.waker)} (${w.kind}${w.permit ? ', a permit left before the park' : ''})`, 'wakeBy');
            field(dl, 'Woken at', JT.fmtNs(w.wake), 'wakeAt');
            field(dl, 'Latency', JT.fmtNs(w.latency) + ' (woken to running)', 'wakeLatency');
          } else if (it.state !== undefined && ['park', 'wait'].includes(it.kind)) {
            field(dl, 'Woken by', '(no wake-up in the trace: a timeout, an interrupt, or not recorded)', 'wakeBy');
          }
        }
        mergedNote(dl, it, 'blocking intervals', 'block');
        gcDuring(dl, it.start, it.dur);
        stack = it.stack;
        break;
      case 'wakeup':
        title = 'Wake-up (' + it.kind + ')';
        field(dl, 'Kind', it.kind, 'kind');
        field(dl, 'Waker', JT.threadLabel(it.waker), 'waker');
        field(dl, 'Woken', JT.threadLabel(it.wakee), 'thread');
        field(dl, 'Woken at', JT.fmtNs(it.wake), 'wakeAt');
        field(dl, 'Resumed at', JT.fmtNs(it.resume), 'resumeAt');
        field(dl, 'Latency', JT.fmtNs(it.latency), 'wakeLatency');
        field(dl, 'Latency (ns)', it.latency, 'latencyNs');
        if (it.blockStart !== null) field(dl, it.kind === 'submit' ? 'Unmounted at' : 'Blocked since', JT.fmtNs(it.blockStart), 'blockStart');
        if (it.permit) field(dl, 'Note', 'the unpark came before the park (a permit): latency counts from the park', 'note');
        break;
      case 'carrier':
        title = 'Virtual thread on its carrier';
        field(dl, 'Virtual thread', JT.threadLabel(it.thread), 'thread');
        field(dl, 'Carrier', JT.threadLabel(it.carrier), 'carrier');
        field(dl, 'Mounted at', JT.fmtNs(it.start), 'start');
        field(dl, 'Duration', JT.fmtNs(it.dur), 'duration');
        field(dl, 'Duration (ns)', it.dur, 'durationNs');
        if (it.endMissing) field(dl, 'Note', 'still mounted when the trace ended', 'note');
        mergedNote(dl, it, 'mounted stretches', 'carrier');
        break;
      case 'gc':
        title = 'GC pause';
        field(dl, 'GC', it.gc, 'gc');
        field(dl, 'Name', it.name || '', 'name');
        field(dl, 'Collector', it.cycle || '', 'collector');
        field(dl, 'Cause', it.cause || '', 'cause');
        field(dl, 'Start', JT.fmtNs(it.start), 'start');
        field(dl, 'Duration', JT.fmtMs(it.dur) + ' ms', 'duration');
        field(dl, 'Duration (ns)', it.dur, 'durationNs');
        break;
      case 'gccycle':
        title = 'GC cycle';
        field(dl, 'GC', it.gc, 'gc');
        field(dl, 'Collector', it.name || '', 'name');
        field(dl, 'Cause', it.cause || '', 'cause');
        field(dl, 'Start', JT.fmtNs(it.start), 'start');
        field(dl, 'Span', JT.fmtMs(it.dur) + ' ms', 'duration');
        field(dl, 'Pauses', it.pauses, 'pauses');
        field(dl, 'Paused', JT.fmtMs(it.pauseNanos) + ' ms', 'pauseNanos');
        break;
      case 'sample':
        title = 'CPU sample';
        field(dl, 'Thread', JT.threadLabel(it.thread), 'thread');
        field(dl, 'Time', JT.fmtNs(it.time), 'start');
        field(dl, 'Top frame', it.stack && it.stack.length ? it.stack[0] : '(no stack)', 'frame');
        if (it.count > 1) {
          field(dl, 'Merged', `${JT.fmtInt(it.count)} CPU samples narrower than a pixel (${JT.fmtNs(data.mergedBelow)});`
            + ' the time and stack are the first one\'s: zoom in to see each', 'merged');
        }
        stack = it.stack;
        break;
      case 'alloc':
        title = 'Allocation sample';
        field(dl, 'Type', it.type || '(unknown class)', 'type');
        // the event's weight (JFR's ObjectAllocationSample weight): its estimate of the bytes this thread allocated
        // that the sample stands for; the event has no size of the one object apart from it
        field(dl, 'Weight', `${JT.fmtBytes(it.weight)} (${JT.fmtInt(it.weight)} B)`, 'weight');
        field(dl, 'Thread', JT.threadLabel(it.thread), 'thread');
        field(dl, 'Time', JT.fmtNs(it.time), 'start');
        field(dl, 'Top frame', it.stack && it.stack.length ? it.stack[0] : '(no stack)', 'frame');
        if (it.count > 1) {
          field(dl, 'Merged', `${JT.fmtInt(it.count)} allocation samples narrower than a pixel`
            + ` (${JT.fmtNs(data.mergedBelow)}), weighing ${JT.fmtBytes(it.groupWeight)} (${JT.fmtInt(it.groupWeight)} B)`
            + ' together; the type, weight, time and stack are the first one\'s: zoom in to see each', 'merged');
        }
        stack = it.stack;
        break;
      case 'counter':
        title = 'Counter';
        field(dl, 'Name', it.name, 'name');
        field(dl, 'Value', it.name.startsWith('JVM heap') ? `${JT.fmtBytes(it.value)} (${JT.fmtInt(it.value)} B)` : JT.fmtInt(it.value), 'value');
        field(dl, 'Since', JT.fmtNs(it.start), 'start');
        if (it.next !== null) field(dl, 'Until', JT.fmtNs(it.next), 'until');
        if (it.downsampled > 1) field(dl, 'Note', `every ${it.downsampled}th sample of this counter is kept`, 'note');
        break;
      case 'state':
        title = STATE_TITLES[it.state] || it.state;
        field(dl, 'State', it.state, 'state');
        field(dl, 'Thread', JT.threadLabel(it.thread), 'thread');
        field(dl, 'Start', JT.fmtNs(it.start), 'start');
        field(dl, 'Duration', JT.fmtNs(it.dur), 'duration');
        field(dl, 'Duration (ns)', it.dur, 'durationNs');
        if (it.count > 1) {
          field(dl, 'Merged', `${JT.fmtInt(it.count)} intervals narrower than a pixel; the state shown covers most of`
            + ' them: zoom in to see each', 'merged');
        }
        break;
      default:
        title = 'Summary bucket';
        field(dl, 'Row', it.row, 'row');
        field(dl, 'From', JT.fmtNs(Math.round(it.start)), 'start');
        field(dl, 'Width', JT.fmtNs(Math.round(it.width)), 'width');
        field(dl, 'Events', it.count, 'count');
        field(dl, 'In regions', (100 * it.busy).toFixed(1) + ' %', 'busy');
        field(dl, 'Blocked', (100 * it.blocked).toFixed(1) + ' %', 'blocked');
        break;
    }
    details.dataset.cause = '';
    const children = [JT.el('h3', { text: title }), dl];
    if (h.kind === 'bucket') children.push(JT.el('p', { class: 'hint', text: 'Zoom in to see the events themselves.' }));
    if (stack && stack.length) {
      children.push(JT.el('h3', { text: 'Stack' }), JT.el('ol', {}, ...stack.map(f => JT.el('li', { text: f }))));
    }
    details.replaceChildren(...children);
    details.dataset.kind = h.kind;
    if (h.kind === 'state' && it.count === 1 && it.state !== 'running') stateCause(h, dl);
  }

  // What a waiting state waited on and who ended it: the model says which blocking and wake-up explain the
  // state (/api/statecause gives their keys, decided once in the model's state machine); their details come
  // from a window of that thread alone around them (any zoom: the window asked here is narrow).
  async function stateCause(h, dl) {
    const it = h.item;
    details.dataset.cause = 'loading';
    let c;
    let r = null;
    try {
      c = await JT.api(`/api/statecause?thread=${it.thread}&start=${it.start}`);
      if (selectedKey !== h.key) return;
      if (c.blockStart !== null || c.wake !== null) {
        const keys = [it.start, it.start + it.dur, c.blockStart, c.wake, c.resume].filter(t => t !== null);
        r = await JT.api(`/api/window?from=${Math.floor(Math.min(...keys)) - 1}&to=${Math.ceil(Math.max(...keys)) + 1}`
          + `&threads=${it.thread}&tasks=0&vt=0&px=50&async=0`);
      }
    } catch (e) {
      if (selectedKey === h.key) details.dataset.cause = 'error';
      return;
    }
    if (selectedKey !== h.key) return;
    if (r && r.mode !== 'items') {
      details.dataset.cause = 'none';
      return;
    }
    const str = i => (i < 0 ? null : r.strings[i]);
    const block = !r || c.blockStart === null ? null : r.blocks
      .map(b => ({ kind: str(b[1]), start: b[2], dur: b[3], detail: str(b[4]), stack: b[5] < 0 ? null : r.stacks[b[5]] }))
      .find(b => b.start === c.blockStart);
    const w = !r || c.wake === null ? null : r.wakeups
      .filter(x => x[2] === it.thread && x[1] === c.wake && x[3] === c.resume)
      .map(x => ({ waker: x[0], wake: x[1], resume: x[3], kind: str(x[4]), latency: x[5], permit: x[6] }))[0];
    if (block) {
      field(dl, block.kind === 'monitor' ? 'Monitor' : 'Blocker', `${block.detail || '(not recorded)'} (${block.kind})`, 'blocker');
      field(dl, 'Blocked', `${JT.fmtNs(block.start)} for ${JT.fmtNs(block.dur)}`, 'blockedFor');
    }
    if (w) {
      field(dl, 'Woken by', `${JT.threadLabel(w.waker)} (${w.kind}${w.permit ? ', a permit left before the park' : ''})`, 'wakeBy');
      field(dl, 'Woken at', JT.fmtNs(w.wake), 'wakeAt');
      field(dl, 'Resumed at', JT.fmtNs(w.resume), 'resumeAt');
    } else if (!c.kept) {
      field(dl, 'Woken by', '(not kept: the index holds the causes of at most 2,000,000 states)', 'wakeBy');
    } else if (it.state !== 'gc' && it.state !== 'unknown') {
      field(dl, 'Woken by', '(no wake-up in the trace: a timeout, an interrupt, or not recorded)', 'wakeBy');
    }
    if (block && block.stack && block.stack.length) {
      details.append(JT.el('h3', { text: 'Blocked at' }), JT.el('ol', {}, ...block.stack.map(f => JT.el('li', { text: f }))));
    }
    details.dataset.cause = 'done';
  }

  function rowAt(y) {
    const inSticky = y < AXIS_H + stickyH;
    return rows.find(r => !!r.pinned === inSticky && y >= screenY(r) && y < screenY(r) + r.h);
  }

  function togglePin(id) {
    const i = pinned.indexOf(id);
    if (i >= 0) pinned.splice(i, 1);
    else pinned.push(id);
    layout();
    changed();
  }

  function clickAt(x, y) {
    if (x < LABEL_W) {
      const row = rowAt(y);
      if (row && row.type === 'header') {
        collapsed[row.group] = !collapsed[row.group];
        layout();
        draw();
        scheduleFetch();
      } else if (row && row.type === 'task' && row.foldable) {
        taskFolded.set(row.name, !row.folded);
        layout();
        changed();
      } else if (row && row.type === 'thread') {
        togglePin(row.id); // a click on a thread's name pins it to the top (or unpins it)
      }
      return;
    }
    const inSticky = y < AXIS_H + stickyH;
    const ok = h => h.pinned === undefined || h.pinned === inSticky;
    for (let i = hits.length - 1; i >= 0; i--) {
      const h = hits[i];
      if (ok(h) && x >= h.x && x <= h.x + h.w && y >= h.y && y <= h.y + h.h && h.kind !== 'bucket') return select(h);
    }
    for (let i = hits.length - 1; i >= 0; i--) {
      const h = hits[i];
      if (ok(h) && x >= h.x && x <= h.x + h.w && y >= h.y && y <= h.y + h.h) return select(h);
    }
  }

  function select(h) {
    selectedKey = h.key;
    selectedThread = h.kind === 'carrier' ? h.item.thread : h.item && h.item.thread !== undefined ? h.item.thread : null;
    if (h.kind === 'carrier') {
      // the virtual thread's own row: open its group if it is collapsed, and scroll there
      const t = JT.threadsById.get(h.item.thread);
      if (t && t.virtual && collapsed.vt) {
        collapsed.vt = false;
        layout();
        scheduleFetch();
      }
      const r = rowByThread.get(h.item.thread);
      const sy = r && screenY(r);
      if (r && (sy < AXIS_H || sy + r.h > H)) scrollToRow(r);
    }
    showDetails(h);
    draw();
  }

  function trySelect() {
    const p = pendingSelect;
    const h = hits.find(x => (p.kind === 'task' && x.kind === 'task' && String(x.item.id) === p.task)
      || (p.kind === 'region' && x.kind === 'region' && x.item.thread === p.thread && x.item.start === p.start
        && (p.depth === undefined || x.item.depth === p.depth))
      || (p.kind === 'carrier' && x.kind === 'carrier' && x.item.carrier === p.thread && x.item.start === p.start)
      || (p.kind === 'wakeup' && x.kind === 'wakeup' && x.item.wakee === p.thread && x.item.resume - x.item.latency === p.start)
      || (p.kind === 'block' && x.kind === 'block' && x.item.thread === p.thread && x.item.start === p.start)
      || (p.kind === 'log' && x.kind === 'log' && x.item.thread === p.thread && x.item.time === p.start)
      || (p.kind === 'gc' && x.kind === 'gc' && x.item.start === p.start && (!p.gc || String(x.item.gc) === p.gc)));
    pendingSelect = null;
    if (h) select(h);
    if (p.search && search.startedAt) search.tookMs = performance.now() - search.startedAt;
  }

  // ------------------------------------------------------------------------------------------ interaction

  function changed() {
    queueDraw();
    scheduleFetch();
  }

  function zoomAt(x, factor) {
    const maxSpan = Math.max(MIN_SPAN, 2 * (JT.meta.end - JT.meta.start + 1));
    const t = tOf(x);
    const span = Math.min(maxSpan, Math.max(MIN_SPAN, (view.to - view.from) * factor));
    const f = (x - LABEL_W) / trackW();
    view = { from: t - f * span, to: t - f * span + span };
    if (interactionStart === null) interactionStart = performance.now();
    changed();
  }

  function pan(dt) {
    view = { from: view.from + dt, to: view.to + dt };
    if (interactionStart === null) interactionStart = performance.now();
    changed();
  }

  function scrollToRow(row) {
    if (!row) return;
    scroller.scrollTop = Math.max(0, row.y - 60);
  }

  function init() {
    canvas = document.getElementById('tl-canvas');
    ctx = canvas.getContext('2d');
    scroller = document.getElementById('tl-scroll');
    spacer = document.getElementById('tl-spacer');
    details = document.getElementById('details');
    statusEl = document.getElementById('status');
    rangeEl = document.getElementById('range');
    collapsed.vt = threadLists().allVts.length > 16;
    layout();
    searchEl().addEventListener('keydown', e => {
      if (e.key === 'Enter') { e.preventDefault(); searchStep(e.shiftKey ? -1 : 1); }
    });
    searchEl().addEventListener('input', () => {
      const q = searchEl().value.trim().toLowerCase();
      if (q !== search.q) { search = { q, hit: null }; searchStatus(q ? 'Enter: next hit' + (threadMatches(q) ? ` \u00b7 ${threadMatches(q)} thread names match` : '') : ''); }
      draw();
    });
    document.getElementById('tl-next').addEventListener('click', () => searchStep(1));
    document.getElementById('tl-prev').addEventListener('click', () => searchStep(-1));
    document.getElementById('tl-filter').addEventListener('input', e => {
      filterText = e.target.value.trim().toLowerCase();
      layout();
      changed();
    });
    document.getElementById('tl-idle').addEventListener('change', e => {
      hideIdle = e.target.checked;
      activeFor = null;
      if (!hideIdle) layout();
      changed();
    });
    const legend = document.getElementById('tl-legend');
    const sw = (c, t) => JT.el('span', {}, JT.el('i', { style: `background:${c}` }), t);
    legend.replaceChildren(JT.el('b', { text: 'states' }),
      ...Object.entries(STATE_COLORS).map(([k, c]) => sw(c, k)),
      JT.el('b', { text: 'blocking' }), ...Object.entries(BLOCK_COLORS).map(([k, c]) => sw(c, k)),
      sw('rgba(207,34,46,0.35)', 'GC pause (shaded across rows)'),
      JT.el('b', { text: 'samples' }),
      JT.el('span', { title: 'A CPU sample: where the thread was executing (a click shows its stack)' },
        JT.el('i', { class: 'legend-cpu', style: `background:${SAMPLE_COLOR}` }), 'CPU'),
      JT.el('span', { title: 'An allocation sample: the class allocated, its weight in bytes and its stack' },
        JT.el('i', { class: 'legend-alloc', style: `background:${ALLOC_COLOR}` }), 'allocation'));
    canvas.addEventListener('wheel', e => {
      e.preventDefault();
      const dy = e.deltaY * (e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 800 : 1);
      if (e.shiftKey || e.offsetX < LABEL_W) {
        scroller.scrollTop += dy || e.deltaX;
        return;
      }
      zoomAt(e.offsetX, Math.exp(dy * 0.002));
    }, { passive: false });
    canvas.addEventListener('mousedown', e => {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, ox: e.offsetX, oy: e.offsetY, from: view.from, to: view.to,
        top: scroller.scrollTop, moved: false, range: e.shiftKey && e.offsetX >= LABEL_W };
      e.preventDefault();
    });
    window.addEventListener('mousemove', e => {
      if (e.target === canvas) mouseX = e.offsetX;
      if (!drag) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (!drag.moved || drag.ox < LABEL_W) return;
      if (drag.range) { // shift+drag: select a time range
        const x = drag.ox + dx;
        rangeSel = { from: Math.min(tOf(drag.ox), tOf(x)), to: Math.max(tOf(drag.ox), tOf(x)) };
        queueDraw();
        return;
      }
      const dt = -dx / trackW() * (drag.to - drag.from);
      view = { from: drag.from + dt, to: drag.to + dt };
      if (interactionStart === null) interactionStart = performance.now();
      scroller.scrollTop = drag.top - dy;
      changed();
    });
    window.addEventListener('mouseup', () => {
      if (!drag) return;
      const d = drag;
      drag = null;
      if (!d.moved) clickAt(d.ox, d.oy);
      else if (d.range && rangeSel && xOf(rangeSel.to) - xOf(rangeSel.from) >= 3) {
        // the range page (flame graph and tables of the range) reads it from the hash
        location.hash = `#range?t0=${Math.round(rangeSel.from)}&t1=${Math.round(rangeSel.to)}`;
      }
    });
    window.addEventListener('keydown', e => {
      if (document.getElementById('timeline-page').hidden || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.target && (e.target.tagName === 'INPUT' || e.target.tagName === 'BUTTON')) return;
      const x = mouseX !== null && mouseX > LABEL_W ? mouseX : LABEL_W + trackW() / 2;
      const span = view.to - view.from;
      switch (e.key.toLowerCase()) {
        case 'w': zoomAt(x, 0.8); break;
        case 's': zoomAt(x, 1.25); break;
        case 'a': pan(-span * 0.1); break;
        case 'd': pan(span * 0.1); break;
        default: return;
      }
      e.preventDefault();
    });
    scroller.addEventListener('scroll', () => {
      canvas.style.top = scroller.scrollTop + 'px';
      changed();
    });
    window.addEventListener('resize', () => { resize(); changed(); });
    window.jtraceTimeline = {
      view: () => ({ from: view.from, to: view.to }),
      xOf: t => xOf(t),
      labelWidth: LABEL_W,
      rowTop: id => { const r = rowByThread.get(id); return r ? screenY(r) : null; },
      sliceY: (id, depth) => { const r = rowByThread.get(id); return r ? screenY(r) + LOG_H + depth * SLICE_H + (SLICE_H - 2) / 2 : null; },
      taskRowTop: name => { const r = rowByTask.get(name); return r ? screenY(r) : null; },
      counterY: name => { const r = rows.find(x => x.type === 'counter' && x.name === name); return r ? screenY(r) + r.h / 2 : null; },
      sampleY: id => { const r = rowByThread.get(id); return r ? screenY(r) + LOG_H / 2 : null; },
      allocY: id => { const r = rowByThread.get(id); return r ? screenY(r) + LOG_H / 2 : null; },
      allocs: id => (data && data.allocs && data.allocs.get(id) || []).map(x => Object.assign({}, x)),
      allocColor: () => ALLOC_COLOR,
      sampleColor: () => SAMPLE_COLOR,
      taskRow: name => { const r = rowByTask.get(name); return r ? { lanes: r.lanes, folded: !!r.folded, h: r.h, laneH: r.laneH } : null; },
      logY: id => { const r = rowByThread.get(id); return r ? screenY(r) + LOG_H / 2 : null; },
      blockY: id => { const r = rowByThread.get(id); return r ? blockTop(r) + BLOCK_H / 2 : null; },
      stateY: id => { const r = rowByThread.get(id); return r ? stateTop(r) + STATE_H / 2 : null; },
      stateColor: st => STATE_COLORS[st],
      states: id => (data && data.states.get(id) || []).map(x => Object.assign({}, x)),
      nameColor: n => colorOf(n),
      viewNames: () => (data && data.viewNames ? data.viewNames.slice() : []),
      rangeSelection: () => (rangeSel ? Object.assign({}, rangeSel) : null),
      searchHit: () => (search.hit ? Object.assign({}, search.hit) : null),
      searchThread: () => (search.thread != null ? search.thread : null),
      searchMs: () => search.tookMs,
      interactionMs: () => interactionMs.slice(),
      fetchLog: () => fetchLog.map(x => Object.assign({}, x)),
      searchInView: () => search.inView || 0,
      shownThreads: () => rows.filter(r => r.type === 'thread').map(r => r.id),
      pinned: () => pinned.slice(),
      gcY: () => { const r = rows.find(x => x.type === 'gc'); return screenY(r) + 9 + (r.h - 12) / 2; },
      gcCycleY: () => { const r = rows.find(x => x.type === 'gc'); return screenY(r) + 4; },
      headerY: group => { const r = rows.find(x => x.type === 'header' && x.group === group); return r ? screenY(r) + r.h / 2 : null; },
      mode: () => (data ? data.mode : null),
      wakeArrows: () => drawnWakeups.map(a => Object.assign({}, a)),
      carrierSlices: () => drawnRuns.map(a => Object.assign({}, a)),
      carrierY: id => { const r = rowByThread.get(id); return r && r.t.carrierRuns ? carrierTop(r) + CARRIER_H / 2 : null; },
      selectedThread: () => selectedThread,
      // groups merged below a pixel as drawn: where (x, y, w, h) and what (the item, its longest member's times)
      mergedGroups: () => hits.filter(h => h.item && h.item.count > 1 && ['region', 'task', 'block', 'carrier'].includes(h.kind))
        .map(h => Object.assign({ kind: h.kind, x: h.x, y: h.y, w: h.w, h: h.h }, h.item, { stack: null })),
      mergedBelow: () => (data ? data.mergedBelow : 0),
      hitsAt: (x, y) => hits.filter(h => x >= h.x && x <= h.x + h.w && y >= h.y && y <= h.y + h.h).map(h => h.kind),
      wakeColor: WAKE_COLOR,
      carrierColor: id => vtColor(id),
      scrollToThread: id => { scrollToRow(rowByThread.get(id)); },
    };
    initialized = true;
  }

  function show(params) {
    if (!initialized) init();
    const m = JT.meta;
    if (params.has('from') && params.has('to')) {
      view = { from: Number(params.get('from')), to: Number(params.get('to')) };
      // a link is an interaction: timed until the view is drawn with its data, as a wheel step is
      if (initialized && interactionStart === null) interactionStart = performance.now();
      // a link opens a new place and names what to select there: the selection of an earlier visit must not
      // stay in the details panel
      selectedKey = null;
      selectedThread = null;
      details.replaceChildren(JT.el('h3', { text: 'Details' }), JT.el('p', { class: 'hint', text: 'Click an item for its details.' }));
      delete details.dataset.kind;
      const kind = params.get('kind');
      const thread = params.has('thread') ? Number(params.get('thread')) : null;
      pendingSelect = { kind, thread, task: params.get('task'), gc: params.get('gc'), start: Number(params.get('start')) };
      const t = thread !== null && JT.threadsById.get(thread);
      if (kind === 'task') collapsed.tasks = false;
      if (t && t.virtual) collapsed.vt = false;
      if (t && !t.virtual) collapsed.threads = false;
      layout();
      resize();
      scrollToRow(kind === 'task' ? rows.find(r => r.type === 'header' && r.group === 'tasks') : rowByThread.get(thread));
    } else if (!view) {
      // the events, not the generations' clock: a recording's first and last generations are mostly empty
      const first = m.firstEvent !== undefined ? m.firstEvent : m.start;
      const last = m.lastEvent !== undefined ? m.lastEvent : m.end;
      const pad = Math.max(100, (last - first) * 0.02);
      view = { from: first - pad, to: last + pad };
    }
    resize();
    draw();
    scheduleFetch(0);
  }

  return { show };
})();
