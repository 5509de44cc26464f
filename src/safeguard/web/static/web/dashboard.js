// Draws the dashboard's charts (web/dashboard/page.html), one above each table marked
// data-chart ("line" or "bar"), with Chart.js (vendor/chart.js, loaded before this file).
//
// The table is the source of truth: it is in the page for everyone, works without
// JavaScript, and is what a screen reader reads. The chart is drawn from it: the body's row
// headers are the labels (data-chart-label, if set, is the short one), the column headers
// marked data-chart-series are the series (data-chart-colour their colour), the cells the
// numbers. The canvas gets an aria-label summing the chart up; the table is then folded
// away under "Show the figures as a table". Nothing is inline (the Content Security Policy
// allows no inline script or style): Chart.js sizes its canvas through the CSSOM, which the
// policy allows.
(function () {
  "use strict";

  const Chart = window.Chart;
  if (!Chart) {
    return; // the tables stay as they are
  }

  // GOV.UK Frontend's colour palette; series are also told apart by dash and point style.
  const PALETTE = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#505a5f"];
  const DASHES = [[], [8, 4], [2, 3], [12, 4, 2, 4]];
  const POINTS = ["circle", "rect", "triangle", "rectRot", "crossRot", "star"];
  const TEXT = "#0b0c0c";

  function number(cell) {
    const value = parseFloat((cell ? cell.textContent : "").replace(/[^0-9.-]/g, ""));
    return Number.isFinite(value) ? value : 0;
  }

  function text(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  // The labels and series of a table, as the page renders them.
  function read(table) {
    const headers = Array.from(table.tHead.rows[0].cells);
    const marked = headers.some((th) => th.hasAttribute("data-chart-series"));
    const columns = headers
      .map((th, index) => ({ th, index }))
      .slice(1)
      .filter(({ th }) => !marked || th.hasAttribute("data-chart-series"));
    const rows = Array.from(table.tBodies[0].rows);
    return {
      labels: rows.map((row) => row.cells[0].dataset.chartLabel || text(row.cells[0])),
      names: rows.map((row) => text(row.cells[0])),
      series: columns.map(({ th, index }, i) => ({
        name: text(th),
        colour: th.dataset.chartColour || PALETTE[i % PALETTE.length],
        values: rows.map((row) => number(row.cells[index])),
      })),
    };
  }

  // What the chart shows, in words, for its aria-label.
  function summary(kind, caption, data) {
    const parts = [`${kind === "bar" ? "Bar" : "Line"} chart: ${caption}.`];
    if (kind === "line") {
      const first = data.names[0];
      const last = data.names[data.names.length - 1];
      parts.push(`${data.names.length} weeks, from the week beginning ${first} to ${last}.`);
      for (const s of data.series) {
        const total = s.values.reduce((a, b) => a + b, 0);
        const highest = Math.max(...s.values);
        const at = data.names[s.values.indexOf(highest)];
        const latest = s.values[s.values.length - 1];
        parts.push(
          `${s.name}: ${total} in all, at most ${highest} (week beginning ${at}), ${latest} in the latest week.`,
        );
      }
    } else {
      for (const s of data.series) {
        const each = data.names.map((name, i) => `${name} ${s.values[i]}`).join(", ");
        parts.push(`${s.name}: ${each}.`);
      }
    }
    parts.push("The figures are in the table below the chart.");
    return parts.join(" ");
  }

  function datasets(kind, series) {
    return series.map((s, i) => ({
      label: s.name,
      data: s.values,
      borderColor: s.colour,
      backgroundColor: s.colour,
      borderWidth: kind === "line" ? 3 : 0,
      borderDash: kind === "line" ? DASHES[i % DASHES.length] : undefined,
      pointStyle: POINTS[i % POINTS.length],
      pointRadius: kind === "line" ? 4 : undefined,
      tension: 0,
    }));
  }

  // Put the table under a GOV.UK details element ("Show the figures as a table").
  function fold(table) {
    const details = document.createElement("details");
    details.className = "govuk-details";
    const summaryElement = document.createElement("summary");
    summaryElement.className = "govuk-details__summary";
    const label = document.createElement("span");
    label.className = "govuk-details__summary-text";
    label.textContent = "Show the figures as a table";
    summaryElement.appendChild(label);
    const body = document.createElement("div");
    body.className = "govuk-details__text";
    details.appendChild(summaryElement);
    details.appendChild(body);
    table.parentNode.insertBefore(details, table);
    body.appendChild(table);
    return details;
  }

  function draw(table) {
    const kind = table.dataset.chart === "bar" ? "bar" : "line";
    const data = read(table);
    if (!data.labels.length || !data.series.length) {
      return;
    }
    const box = document.createElement("div");
    box.className = "govuk-!-margin-bottom-4";
    const canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", summary(kind, text(table.caption), data));
    canvas.textContent = "The figures are in the table below.";
    box.appendChild(canvas);
    table.parentNode.insertBefore(box, table);
    fold(table);
    new Chart(canvas, {
      type: kind,
      data: { labels: data.labels, datasets: datasets(kind, data.series) },
      options: {
        animation: false,
        responsive: true,
        aspectRatio: kind === "line" ? 2.5 : 3,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: true, color: TEXT } },
        },
        scales: {
          x: { ticks: { color: TEXT } },
          y: { beginAtZero: true, ticks: { precision: 0, color: TEXT } },
        },
      },
    });
  }

  function start() {
    // GOV.UK Frontend sets its typeface on its text classes, not on the body.
    const sample = document.querySelector("main .govuk-body") || document.body;
    const font = window.getComputedStyle(sample).fontFamily;
    if (font) {
      Chart.defaults.font.family = font;
    }
    Chart.defaults.font.size = 14;
    document.querySelectorAll("table[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
