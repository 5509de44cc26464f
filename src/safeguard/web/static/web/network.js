// Draws each network drawing of the page (web/network/line.html, person.html) with
// Cytoscape.js (vendor/cytoscape, loaded before this file).
//
// A box marked data-network-drawing names the URL of its drawing (web/network.py's drawing
// view): nodes and edges as the analysis stored them, every person the user may not see
// already unnamed by the server, and each person whose page the user may open carrying
// `url`. People are coloured by role, children drawn as diamonds with a thick border, deal
// phones black edged in yellow, trap and cuckooed addresses yellow: the colours are read
// from web/network.css, where the key beside the drawing takes them too. Clicking a person
// with a `url` opens their network page. The page's table of members is the accessible
// source of the same people; the box is an image labelled by the page.
//
// When drawn, the box gets data-network-state="drawn" and the counts it drew
// (data-network-nodes, data-network-edges), and its Cytoscape instance as
// `box.networkDrawing`, for the browser tests; "failed" if the drawing could not be read.
// Nothing is inline (the Content Security Policy allows no inline script or style).
(function () {
  "use strict";

  const cytoscape = window.cytoscape;
  if (!cytoscape) {
    return; // the tables stay as they are
  }

  const ROLES = ["controller", "lieutenant", "runner", "cuckooed_resident", "user", "associate"];
  const TRAPS = ["trap_house", "cuckooed_address"];

  function colour(name) {
    const root = window.getComputedStyle(document.documentElement);
    return root.getPropertyValue(`--app-network-${name}`).trim() || "#505a5f";
  }

  function node(n) {
    const classes = [n.kind];
    if (n.kind === "person") {
      classes.push(`role-${ROLES.includes(n.role) ? n.role : "associate"}`);
      if (n.child) {
        classes.push("child");
      }
      if (n.url) {
        classes.push("opens");
      }
    } else if (n.kind === "phone" && n.deal_line) {
      classes.push("deal");
    } else if (n.kind === "location" && TRAPS.includes(n.place)) {
      classes.push("trap");
    }
    return {
      group: "nodes",
      data: { id: n.key, label: n.label || "", url: n.url || "" },
      classes: classes.join(" "),
    };
  }

  function elements(drawing) {
    const nodes = (drawing.nodes || []).map(node);
    const known = new Set(nodes.map((n) => n.data.id));
    const edges = (drawing.edges || [])
      .filter((e) => known.has(e.source) && known.has(e.target))
      .map((e, i) => ({
        group: "edges",
        data: { id: `tie-${i}`, source: e.source, target: e.target, count: e.count || 1 },
        classes: e.kind,
      }));
    return nodes.concat(edges);
  }

  function style() {
    const outline = colour("outline");
    return [
      {
        selector: "node",
        style: {
          label: "data(label)",
          "font-size": 10,
          color: "#0b0c0c",
          "text-valign": "bottom",
          "text-margin-y": 3,
          "text-wrap": "ellipsis",
          "text-max-width": "140px",
          width: 24,
          height: 24,
          "border-width": 1,
          "border-color": outline,
          "background-color": colour("associate"),
        },
      },
      ...ROLES.map((role) => ({
        selector: `node.role-${role}`,
        style: { "background-color": colour(role) },
      })),
      {
        selector: "node.child",
        style: { shape: "diamond", width: 34, height: 34, "border-width": 4 },
      },
      {
        selector: "node.phone",
        style: {
          shape: "round-rectangle",
          width: 16,
          height: 16,
          "background-color": colour("phone"),
        },
      },
      {
        selector: "node.deal",
        style: {
          shape: "rectangle",
          width: 28,
          height: 28,
          "background-color": colour("deal-phone"),
          "border-width": 4,
          "border-color": colour("deal-phone-edge"),
        },
      },
      {
        selector: "node.location",
        style: { shape: "triangle", "background-color": colour("place") },
      },
      {
        selector: "node.trap",
        style: { width: 30, height: 30, "background-color": colour("trap"), "border-width": 2 },
      },
      {
        selector: "edge",
        style: {
          width: "mapData(count, 1, 100, 1, 6)",
          "line-color": colour("tie"),
          "curve-style": "haystack",
          opacity: 0.6,
        },
      },
    ];
  }

  function failed(box) {
    box.dataset.networkState = "failed";
    box.textContent = "";
    const message = document.createElement("p");
    message.className = "govuk-body govuk-!-margin-3";
    message.textContent = "The drawing could not be loaded. The same people are in the table.";
    box.appendChild(message);
  }

  function draw(box, drawing) {
    box.textContent = ""; // the message for those without JavaScript
    const cy = cytoscape({
      container: box,
      elements: elements(drawing),
      style: style(),
      autounselectify: true,
      boxSelectionEnabled: false,
      minZoom: 0.2,
      maxZoom: 1.5,
    });
    cy.on("tap", "node.opens", (event) => {
      window.location.assign(event.target.data("url"));
    });
    cy.on("mouseover", "node.opens", () => box.classList.add("app-network--pointing"));
    cy.on("mouseout", "node.opens", () => box.classList.remove("app-network--pointing"));
    const layout = cy.layout({ name: "cose", animate: false, fit: true, padding: 24 });
    layout.one("layoutstop", () => {
      box.networkDrawing = cy;
      box.dataset.networkNodes = String(cy.nodes().length);
      box.dataset.networkEdges = String(cy.edges().length);
      box.dataset.networkState = "drawn";
    });
    layout.run();
  }

  function start() {
    document.querySelectorAll("[data-network-drawing]").forEach((box) => {
      fetch(box.dataset.networkDrawing, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then((response) => {
          if (!response.ok) {
            throw new Error(`${response.status} ${response.statusText}`);
          }
          return response.json();
        })
        .then((drawing) => draw(box, drawing))
        .catch(() => failed(box));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
