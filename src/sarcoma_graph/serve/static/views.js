// Result views for the editor beyond the table, drawn as SVG in the page (no outside
// library, works offline): "Chart" (bar, pie or line over a SELECT's label and number
// columns) and "Graph" (the triples of a CONSTRUCT/DESCRIBE as nodes and labelled edges).
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var COLOURS = ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452",
                 "#9a60b4", "#ea7ccc", "#0b5394"];
  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function text(parent, x, y, content, attrs) {
    var t = el("text", Object.assign({ x: x, y: y, "font-size": 12 }, attrs || {}), parent);
    t.textContent = content;
    return t;
  }
  function short(value) {
    var cut = Math.max(value.lastIndexOf("#"), value.lastIndexOf("/"));
    return cut >= 0 && cut < value.length - 1 ? value.slice(cut + 1) : value;
  }
  function icon(letter) {
    var span = document.createElement("span");
    span.textContent = letter;
    span.style.fontWeight = "bold";
    return span;
  }
  function numeric(term) {
    return term && term.type !== "uri" && term.value !== "" && !isNaN(Number(term.value));
  }

  function ChartView(yasr) { this.yasr = yasr; this.priority = 5; this.label = "Chart"; }
  ChartView.prototype.getIcon = function () { return icon("▥"); };
  ChartView.prototype.columns = function () {
    var results = this.yasr.results;
    if (!results || !results.getVariables || !results.getBindings) { return null; }
    var vars = results.getVariables() || [], rows = results.getBindings() || [];
    if (!rows.length) { return null; }
    var numbers = vars.filter(function (v) { return rows.every(function (r) { return !r[v] || numeric(r[v]); }) &&
      rows.some(function (r) { return numeric(r[v]); }); });
    if (!numbers.length) { return null; }
    var labels = vars.filter(function (v) { return numbers.indexOf(v) < 0; });
    return { vars: vars, rows: rows, numbers: numbers, labels: labels };
  };
  ChartView.prototype.canHandleResults = function () { return !!this.columns(); };
  ChartView.prototype.draw = function () {
    var self = this, c = this.columns(), root = this.yasr.resultsEl;
    root.innerHTML = "";
    var bar = document.createElement("div");
    bar.className = "sg-chart-controls";
    function choose(name, options, selected) {
      var label = document.createElement("label"), select = document.createElement("select");
      label.textContent = name + " ";
      options.forEach(function (o) {
        var opt = document.createElement("option");
        opt.value = o; opt.textContent = o; if (o === selected) { opt.selected = true; }
        select.appendChild(opt);
      });
      label.appendChild(select); bar.appendChild(label);
      select.addEventListener("change", function () { render(); });
      return select;
    }
    var kind = choose("chart", ["bar", "pie", "line"], self.kind || "bar");
    var labelVar = choose("label", c.labels.length ? c.labels : c.vars, c.labels[c.labels.length > 1 ? 1 : 0] || c.vars[0]);
    var valueVar = choose("value", c.numbers, c.numbers[0]);
    root.appendChild(bar);
    var holder = document.createElement("div");
    holder.className = "sg-chart";
    root.appendChild(holder);
    function render() {
      self.kind = kind.value;
      holder.innerHTML = "";
      var data = c.rows.slice(0, 60).map(function (r) {
        var l = r[labelVar.value];
        return { label: l ? (l.type === "uri" ? short(l.value) : l.value) : "", value: Number((r[valueVar.value] || {}).value || 0) };
      });
      ({ bar: drawBar, pie: drawPie, line: drawLine })[kind.value](holder, data);
    }
    render();
  };
  function drawBar(holder, data) {
    var left = 240, width = 860, rowH = 22, max = Math.max.apply(null, data.map(function (d) { return d.value; }).concat([1]));
    var svg = el("svg", { width: width, height: data.length * rowH + 20, role: "img", "class": "sg-bar" }, holder);
    data.forEach(function (d, i) {
      var w = (width - left - 60) * d.value / max;
      text(svg, left - 8, i * rowH + 15, d.label.slice(0, 36), { "text-anchor": "end" });
      el("rect", { x: left, y: i * rowH + 4, width: Math.max(w, 1), height: rowH - 6, fill: COLOURS[0], "class": "bar" }, svg);
      text(svg, left + w + 4, i * rowH + 15, String(d.value));
    });
  }
  function drawPie(holder, data) {
    var total = data.reduce(function (s, d) { return s + Math.max(d.value, 0); }, 0) || 1;
    var svg = el("svg", { width: 860, height: Math.max(320, data.length * 18 + 20), role: "img", "class": "sg-pie" }, holder);
    var cx = 160, cy = 160, r = 140, angle = -Math.PI / 2;
    data.forEach(function (d, i) {
      var share = Math.max(d.value, 0) / total, next = angle + share * 2 * Math.PI;
      var large = share > 0.5 ? 1 : 0;
      var path = share >= 0.9999 ? "M" + (cx - r) + "," + cy + "a" + r + "," + r + " 0 1,0 " + 2 * r + ",0a" + r + "," + r + " 0 1,0 " + -2 * r + ",0" :
        "M" + cx + "," + cy + "L" + (cx + r * Math.cos(angle)) + "," + (cy + r * Math.sin(angle)) +
        "A" + r + "," + r + " 0 " + large + ",1 " + (cx + r * Math.cos(next)) + "," + (cy + r * Math.sin(next)) + "Z";
      el("path", { d: path, fill: COLOURS[i % COLOURS.length], stroke: "#fff", "class": "slice" }, svg);
      el("rect", { x: 340, y: 10 + i * 18, width: 12, height: 12, fill: COLOURS[i % COLOURS.length] }, svg);
      text(svg, 358, 21 + i * 18, d.label.slice(0, 50) + " (" + d.value + ")");
      angle = next;
    });
  }
  function drawLine(holder, data) {
    var width = 860, height = 320, left = 50, bottom = 260;
    var max = Math.max.apply(null, data.map(function (d) { return d.value; }).concat([1]));
    var svg = el("svg", { width: width, height: height, role: "img", "class": "sg-line" }, holder);
    var step = data.length > 1 ? (width - left - 20) / (data.length - 1) : 0;
    var points = data.map(function (d, i) { return [left + i * step, bottom - (bottom - 20) * d.value / max]; });
    el("line", { x1: left, y1: bottom, x2: width - 10, y2: bottom, stroke: "#999" }, svg);
    el("polyline", { points: points.map(function (p) { return p.join(","); }).join(" "), fill: "none", stroke: COLOURS[0], "stroke-width": 2, "class": "line" }, svg);
    points.forEach(function (p, i) {
      el("circle", { cx: p[0], cy: p[1], r: 3, fill: COLOURS[0] }, svg);
      text(svg, p[0], bottom + 14, data[i].label.slice(0, 12), { "text-anchor": "middle", "font-size": 10 });
    });
    text(svg, 4, 24, String(max));
  }

  function GraphView(yasr) { this.yasr = yasr; this.priority = 6; this.label = "Graph"; }
  GraphView.prototype.getIcon = function () { return icon("⬡"); };
  GraphView.prototype.statements = function () {
    var results = this.yasr.results;
    if (!results || !results.getStatements) { return null; }
    try { return results.getStatements(); } catch (e) { return null; }
  };
  GraphView.prototype.canHandleResults = function () {
    var s = this.statements();
    return !!(s && s.length);
  };
  GraphView.prototype.draw = function () {
    var root = this.yasr.resultsEl, statements = this.statements().slice(0, 400);
    root.innerHTML = "";
    var labels = {}, nodes = {}, edges = [];
    statements.forEach(function (q) {
      if (/#label$|prefLabel$/.test(q.predicate.value) && q.object.termType === "Literal" && !labels[q.subject.value]) {
        labels[q.subject.value] = q.object.value;
      }
    });
    function node(term) {
      var key = term.termType + ":" + term.value;
      if (!nodes[key]) {
        nodes[key] = { key: key, term: term, x: Math.random() * 800 + 30, y: Math.random() * 500 + 30, vx: 0, vy: 0 };
      }
      return nodes[key];
    }
    statements.forEach(function (q) {
      if (/#label$|prefLabel$/.test(q.predicate.value) && q.object.termType === "Literal") { node(q.subject); return; }
      edges.push({ a: node(q.subject), b: node(q.object), label: short(q.predicate.value) });
    });
    var list = Object.keys(nodes).map(function (k) { return nodes[k]; }).slice(0, 150);
    for (var step = 0; step < 200; step++) {
      list.forEach(function (n) {
        list.forEach(function (m) {
          if (n === m) { return; }
          var dx = n.x - m.x, dy = n.y - m.y, d2 = dx * dx + dy * dy + 0.01;
          n.vx += 400 * dx / d2; n.vy += 400 * dy / d2;
        });
      });
      edges.forEach(function (e) {
        var dx = e.b.x - e.a.x, dy = e.b.y - e.a.y;
        e.a.vx += dx * 0.01; e.a.vy += dy * 0.01; e.b.vx -= dx * 0.01; e.b.vy -= dy * 0.01;
      });
      list.forEach(function (n) {
        n.vx += (430 - n.x) * 0.002; n.vy += (280 - n.y) * 0.002;
        n.x = Math.min(840, Math.max(20, n.x + n.vx * 0.5)); n.y = Math.min(540, Math.max(20, n.y + n.vy * 0.5));
        n.vx *= 0.6; n.vy *= 0.6;
      });
    }
    var svg = el("svg", { width: 880, height: 560, role: "img", "class": "sg-graph" }, root);
    edges.forEach(function (e) {
      if (list.indexOf(e.a) < 0 || list.indexOf(e.b) < 0) { return; }
      el("line", { x1: e.a.x, y1: e.a.y, x2: e.b.x, y2: e.b.y, stroke: "#aaa", "class": "edge" }, svg);
      text(svg, (e.a.x + e.b.x) / 2, (e.a.y + e.b.y) / 2, e.label, { "font-size": 9, fill: "#777" });
    });
    list.forEach(function (n) {
      var literal = n.term.termType === "Literal";
      el("circle", { cx: n.x, cy: n.y, r: literal ? 4 : 7, fill: literal ? "#fac858" : "#5470c6", "class": "node" }, svg);
      var name = literal ? n.term.value : (labels[n.term.value] || short(n.term.value));
      text(svg, n.x + 9, n.y + 4, name.slice(0, 30), { "font-size": 11 });
    });
  };

  Yasgui.Yasr.registerPlugin("chart", ChartView);
  Yasgui.Yasr.registerPlugin("graph", GraphView);
  Yasgui.Yasr.defaults.pluginOrder = ["table", "response", "chart", "graph"];
})();
