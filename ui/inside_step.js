// The Inside page's step view: a time-step slider that redraws in the browser, without a server round trip.
//
// Python sends every step's values once (rnn_lab.inside.views.step_view_data); moving the slider or playing
// only re-slices those arrays here. After the user lets go (and SYNC_DELAY_MS of quiet) the step goes back to
// the server with setStateValue("step"), so the session, the shareable link and lessons know it; nothing on
// screen waits for that. No libraries, no network: plain DOM.

const SYNC_DELAY_MS = 500; // quiet time after the last move before the step is sent to the server
const PLAY_EVERY_MS = 300; // one step per frame while playing

function fmt(v) {
  const r = Math.abs(v) < 0.005 ? 0 : v; // no "-0.00"
  return r.toFixed(2);
}

function fill(template, t) {
  return template.split("{t}").join(String(t));
}

function el(tag, className, html) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (html !== undefined) node.innerHTML = html;
  return node;
}

// ---- building the DOM once per payload -------------------------------------------------------------------

function buildValues(dir, labels) {
  const box = el("div", "rl-values");
  const small = el("table", "rl-small");
  const large = el("table", "rl-large");
  const cells = []; // [{row, kind, tds}]
  const head = el("tr");
  head.appendChild(el("th", "", ""));
  for (const key of ["stat.norm", "stat.min", "stat.max", "stat.mean"]) head.appendChild(el("th", "", labels[key]));
  large.appendChild(head);
  for (const row of dir.rows) {
    const tr = el("tr");
    tr.dataset.name = row.name;
    tr.appendChild(el("th", "rl-label", row.label));
    const tds = [];
    const n = row.values ? row.size : 4;
    for (let k = 0; k < n; k++) {
      const td = el("td", "rl-num");
      tr.appendChild(td);
      tds.push(td);
    }
    (row.values ? small : large).appendChild(tr);
    cells.push({ row, tds });
  }
  if (small.rows.length) box.appendChild(small);
  if (large.rows.length > 1) box.appendChild(large);
  return { box, cells };
}

function barPlot(bars, picked) {
  // One plot: the bars of the series in `picked` (indices into bars.series), on their shared range -top..top.
  const top = bars.series[picked[0]].top;
  const plot = el("div", "rl-plot");
  plot.dataset.axis = bars.series[picked[0]].axis;
  plot.dataset.top = String(top);
  const axis = el("div", "rl-yaxis");
  for (const v of [top, 0, -top]) axis.appendChild(el("span", "", fmt(v)));
  plot.appendChild(axis);
  const area = el("div", "rl-area");
  area.appendChild(el("div", "rl-zero"));
  const groups = el("div", "rl-groups");
  const rects = new Map(); // series index -> bars per unit
  picked.forEach((s) => rects.set(s, []));
  const every = Math.max(1, Math.ceil(bars.units.length / 24)); // unit labels that fit
  bars.units.forEach((unit, u) => {
    const group = el("div", "rl-group");
    const inner = el("div", "rl-group-bars");
    picked.forEach((s) => {
      const slot = el("div", "rl-slot"); // full height; the bar inside is placed by top/height in %
      const bar = el("div", "rl-bar");
      bar.style.background = bars.series[s].color;
      slot.appendChild(bar);
      inner.appendChild(slot);
      rects.get(s).push(bar);
    });
    group.appendChild(inner);
    group.appendChild(el("div", "rl-unit", u % every === 0 ? String(unit) : ""));
    groups.appendChild(group);
  });
  area.appendChild(groups);
  plot.appendChild(area);
  return { plot, rects };
}

function buildBars(bars, labels) {
  // Each quantity on its own range: h_{t-1} and h_t share one plot, an LSTM's c_t gets a second with its own axis.
  const box = el("div", "rl-barbox");
  const title = el("div", "rl-bars-title");
  box.appendChild(title);
  const axes = [];
  bars.series.forEach((series, s) => {
    const found = axes.find((a) => a.name === series.axis);
    if (found) found.picked.push(s);
    else axes.push({ name: series.axis, picked: [s] });
  });
  const rects = bars.series.map(() => []); // rects[s][u]
  if (axes.length > 1) box.classList.add("rl-two-axes");
  for (const axis of axes) {
    const made = barPlot(bars, axis.picked);
    for (const [s, list] of made.rects) rects[s] = list;
    box.appendChild(made.plot);
  }
  box.appendChild(el("div", "rl-xtitle", labels["fig.unit"]));
  const legend = el("div", "rl-legend");
  for (const series of bars.series) {
    const item = el("span", "rl-key");
    const swatch = el("i");
    swatch.style.background = series.color;
    item.appendChild(swatch);
    item.appendChild(el("span", "", series.label));
    legend.appendChild(item);
  }
  box.appendChild(legend);
  return { box, title, rects };
}

function build(root, data) {
  root.innerHTML = "";
  const view = el("div", "rl-step" + (data.projection ? " rl-projection" : ""));
  const controls = el("div", "rl-controls");
  const label = el("label", "rl-slider-label", data.labels.step);
  const slider = el("input", "rl-slider");
  slider.type = "range";
  slider.min = "1";
  slider.max = String(data.steps);
  slider.step = "1";
  slider.setAttribute("aria-label", label.textContent);
  const now = el("output", "rl-now");
  const play = el("button", "rl-play", data.labels.play);
  play.type = "button";
  controls.append(label, play, slider, now);
  if (data.steps <= 1) {
    slider.disabled = true;
    play.disabled = true;
  }
  view.appendChild(controls);
  const dirs = el("div", "rl-dirs");
  const parts = data.directions.map((dir) => {
    const section = el("section", "rl-dir");
    section.dataset.direction = dir.direction;
    const heading = el("div", "rl-heading");
    section.appendChild(heading);
    const values = buildValues(dir, data.labels);
    section.appendChild(values.box);
    const bars = buildBars(dir.bars, data.labels);
    section.appendChild(bars.box);
    dirs.appendChild(section);
    return { dir, heading, values, bars };
  });
  view.appendChild(dirs);
  root.appendChild(view);
  return { slider, now, play, parts };
}

// ---- drawing one step: only text and sizes change ----------------------------------------------------------

function draw(state, t) {
  const { data, dom } = state;
  const k = t - 1;
  state.step = t;
  dom.slider.value = String(t);
  dom.now.textContent = `t = ${t} / ${data.steps}`;
  dom.root.dataset.step = String(t);
  for (const part of dom.parts) {
    part.heading.innerHTML = fill(part.dir.heading, t);
    for (const { row, tds } of part.values.cells) {
      const numbers = row.values ? row.values[k] : row.stats[k];
      for (let i = 0; i < tds.length; i++) tds[i].textContent = fmt(numbers[i]);
    }
    const bars = part.dir.bars;
    part.bars.title.innerHTML = fill(bars.title, t);
    bars.series.forEach((series, s) => {
      const top = series.top || bars.top; // each axis its own range
      const row = series.values[k];
      const rects = part.bars.rects[s];
      for (let u = 0; u < rects.length; u++) {
        const v = row[u];
        const size = Math.min(50, (50 * Math.abs(v)) / top); // % of its plot's height (range -top..top)
        const style = rects[u].style;
        style.height = `${size}%`;
        style.top = v >= 0 ? `${50 - size}%` : "50%";
        rects[u].title = `${bars.units[u]}: ${v.toFixed(3)}`;
      }
    });
  }
}

// ---- the component -------------------------------------------------------------------------------------

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const root = parentElement.querySelector(".rl-root");
  if (!root || !data) return;
  let state = root.__rnnLab;
  if (!state || state.data.signature !== data.signature) {
    // New model, window, layer, language or mode: build the view and take the server's step.
    if (state) state.stop();
    state = { data, step: data.step, lastServerStep: data.step, lastSent: null, timer: null, player: null };
    root.__rnnLab = state;
    state.dom = build(root, data);
    state.dom.root = root;
    const sync = () => {
      clearTimeout(state.timer);
      state.timer = setTimeout(() => {
        if (state.step !== state.lastSent) {
          state.lastSent = state.step;
          setStateValue("step", state.step);
        }
      }, SYNC_DELAY_MS);
    };
    state.stop = () => {
      if (state.player) {
        clearInterval(state.player);
        state.player = null;
        state.dom.play.innerHTML = state.data.labels.play;
        sync();
      }
    };
    state.dom.slider.addEventListener("input", () => draw(state, Number(state.dom.slider.value)));
    state.dom.slider.addEventListener("change", sync);
    state.dom.play.addEventListener("click", () => {
      if (state.player) {
        state.stop();
        return;
      }
      if (state.step >= state.data.steps) draw(state, 1);
      state.dom.play.innerHTML = state.data.labels.pause;
      state.player = setInterval(() => {
        if (state.step >= state.data.steps) state.stop();
        else draw(state, state.step + 1);
      }, PLAY_EVERY_MS);
    });
    draw(state, data.step);
    return;
  }
  // Same view, a rerun of the server: take its step only if the server changed it itself (a link, a lesson),
  // not when it is just echoing what this view sent (the user may have moved on since).
  state.data = data;
  if (data.step !== state.lastServerStep && data.step !== state.lastSent && !state.player) draw(state, data.step);
  state.lastServerStep = data.step;
}
