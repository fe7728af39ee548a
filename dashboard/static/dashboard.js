// The local dashboard page: polls /api/series and draws each widget of the declared CloudWatch dashboard.
// Charts are Vega-Lite specs built on the server (metrics/charts.ts), so the page and REPORT.md draw alike.

const POLL_MS = 1500;
const grid = document.getElementById("grid");
const statusLine = document.getElementById("status");
const periodSelect = document.getElementById("period");
const cells = new Map(); // widget index -> { element, body, notes, view, signature }
let timer = null;

periodSelect.addEventListener("change", () => {
  for (const cell of cells.values()) cell.signature = null;
  poll();
});

function cellFor(widget) {
  let cell = cells.get(widget.index);
  if (cell) return cell;
  const element = document.createElement("section");
  element.className = "widget";
  element.dataset.widgetIndex = String(widget.index);
  element.dataset.kind = widget.kind;
  element.style.gridColumn = `${widget.layout.x + 1} / span ${widget.layout.width}`;
  element.style.gridRow = `${widget.layout.y + 1} / span ${widget.layout.height}`;
  const title = document.createElement("h2");
  title.textContent = widget.title || (widget.kind === "text" ? "" : "(untitled)");
  const body = document.createElement("div");
  body.className = "body";
  const notes = document.createElement("div");
  notes.className = "notes";
  element.append(title, body, notes);
  grid.append(element);
  cell = { element, body, notes, view: null, signature: null };
  cells.set(widget.index, cell);
  return cell;
}

function formatNumber(value) {
  if (value === null || value === undefined) return "–";
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US");
  return String(Math.round(value * 100) / 100);
}

async function drawChart(cell, widget) {
  const spec = Object.assign({}, widget.spec, {
    width: Math.max(120, cell.body.clientWidth),
    height: Math.max(60, cell.body.clientHeight),
    title: undefined, // the widget header already shows it
  });
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "svg", container: cell.body, hover: false });
  await view.runAsync();
  if (cell.view) cell.view.finalize();
  cell.view = view;
}

function drawSingle(cell, widget) {
  cell.body.innerHTML = "";
  const box = document.createElement("div");
  box.className = "single";
  for (const { label, value } of widget.values || []) {
    const item = document.createElement("div");
    const number = document.createElement("div");
    number.className = "value";
    number.textContent = formatNumber(value);
    const caption = document.createElement("div");
    caption.className = "label";
    caption.textContent = label;
    item.append(number, caption);
    box.append(item);
  }
  cell.body.append(box);
}

async function drawWidget(widget) {
  const cell = cellFor(widget);
  const signature = JSON.stringify([widget.series, widget.values, widget.html, widget.notes]);
  if (signature === cell.signature) return;
  cell.signature = signature;
  try {
    if (widget.kind === "chart") {
      cell.body.innerHTML = "";
      await drawChart(cell, widget);
    } else if (widget.kind === "single") {
      drawSingle(cell, widget);
    } else {
      // Sanitized on the server (dashboard/markdown.ts escapes everything it does not render).
      cell.body.innerHTML = `<div class="text">${widget.html || ""}</div>`;
    }
    const drawable = widget.kind === "chart" || widget.kind === "single";
    cell.element.dataset.points = String(widget.points);
    cell.element.dataset.state = !drawable ? "static" : widget.points > 0 ? "ok" : "empty";
  } catch (error) {
    cell.element.dataset.state = "error";
    widget.notes = [`could not draw: ${error?.message}`].concat(widget.notes);
  }
  cell.notes.textContent = widget.notes.join(" · ");
}

async function poll() {
  clearTimeout(timer);
  try {
    const response = await fetch(`/api/series?period=${encodeURIComponent(periodSelect.value)}`, { cache: "no-store" });
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    const data = await response.json();
    for (const widget of data.widgets) await drawWidget(widget);
    const run = data.run || {};
    const range = data.range
      ? `${new Date(data.range.start * 1000).toISOString().slice(11, 19)}–${new Date(data.range.end * 1000).toISOString().slice(11, 19)} UTC`
      : "no data yet";
    statusLine.textContent =
      `${run.runId ? `run ${run.runId} · ` : ""}${run.endedAt ? "ended" : "live"} · ` +
      `${range} · updated ${new Date().toISOString().slice(11, 19)}`;
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
  } catch (error) {
    statusLine.textContent = `cannot read the record: ${error.message}`;
  }
  timer = setTimeout(poll, POLL_MS);
}

poll();
