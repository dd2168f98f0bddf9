// The SPARQL editor page: YASGUI on this server's /sparql, the named queries as examples with
// a form for their parameters, autocompletion from this endpoint (no outside service), and
// links to the dataset's IRIs opened on this server.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sg-config").textContent);
  var root = config.root || "";
  var Yasqe = Yasgui.Yasqe;
  function fetchJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); });
  }
  // Completions from this endpoint. Prefixes, classes and properties come from its
  // self-description graph, read with the queries SIB's sparql-editor sends (sh:prefix /
  // sh:namespace; VoID class partitions and their property partitions); an endpoint without
  // that graph (serve --store, --no-service-graph) falls back to the prefix map of the page
  // and to /autocomplete. Entities by label: type "sgid:" then a few letters of a label.
  function sparql(text) {
    return fetch(config.endpoint + "?ac=1&query=" + encodeURIComponent(text),
                 { headers: { Accept: "application/sparql-results+json" } })
      .then(function (r) { return r.ok ? r.json() : { results: { bindings: [] } }; })
      .then(function (j) { return j.results.bindings; })
      .catch(function () { return []; });
  }
  var PREFIXES = "PREFIX sh: <http://www.w3.org/ns/shacl#>\nSELECT DISTINCT ?prefix ?namespace\n" +
    "WHERE { [] sh:namespace ?namespace ; sh:prefix ?prefix}\nORDER BY ?prefix";
  var PARTITIONS = "PREFIX void: <http://rdfs.org/ns/void#>\nSELECT DISTINCT ?class ?property\n" +
    "WHERE { ?cp void:class ?class ; void:propertyPartition ?pp . ?pp void:property ?property }";
  // The same prefixes shorten IRIs in the results table (sgh:desmoid-tumour, not a cut-off
  // <https://w3id.org/sar…>), most specific namespace first: YASR takes the first that fits.
  var resultPrefixes = {};
  var prefixes = sparql(PREFIXES).then(function (rows) {
    var pairs = rows.length ? rows.map(function (b) { return [b.prefix.value, b.namespace.value]; })
      : Object.keys(config.prefixes).map(function (p) { return [p, config.prefixes[p]]; });
    pairs.slice().sort(function (a, b) { return b[1].length - a[1].length; })
      .forEach(function (pair) { resultPrefixes[pair[0]] = pair[1]; });
    return pairs.sort().map(function (pair) { return pair[0] + ": <" + pair[1] + ">"; });
  });
  var partitions = null;
  function described(kind) {
    partitions = partitions || sparql(PARTITIONS);
    return partitions.then(function (rows) {
      var seen = {};
      rows.forEach(function (b) { seen[b[kind].value] = true; });
      return Object.keys(seen).sort();
    });
  }
  Yasqe.forkAutocompleter("prefixes", { name: "sg-prefixes", persistenceId: null,
    get: function () { return prefixes; } }, false);
  ["class", "property"].forEach(function (kind) {
    Yasqe.forkAutocompleter(kind, { name: "sg-" + kind, persistenceId: null,
      get: function (yasqe, token) {
        var text = token && token.autocompletionString ? token.autocompletionString : "";
        return described(kind).then(function (terms) {
          if (!terms.length) {
            return fetchJson(root + "/autocomplete?type=" + kind + "&q=" + encodeURIComponent(text));
          }
          var lower = text.toLowerCase();
          return terms.filter(function (t) { return t.toLowerCase().indexOf(lower) >= 0; })
                      .slice(0, 200);
        });
      } }, false);
  });
  Yasqe.registerAutocompleter({ name: "sg-entity", persistenceId: null, bulk: false, autoShow: true,
    isValidCompletionPosition: function (yasqe) {
      var token = yasqe.getCompleteToken();
      return /^sgid:.{2,}/.test(token.string);
    },
    get: function (yasqe, token) {
      var text = token.string.replace(/^sgid:/, "").replace(/[-_]/g, " ");
      return fetchJson(root + "/autocomplete?type=entity&q=" + encodeURIComponent(text));
    },
    preProcessToken: function (yasqe, token) { return token; },
    postProcessSuggestion: function (yasqe, token, suggestion) { return "<" + suggestion + ">"; }
  }, false);
  Yasqe.defaults.autocompleters = ["variables", "sg-prefixes", "sg-class", "sg-property", "sg-entity"];
  // Read before Yasgui starts: populateFromUrl takes the query out of the address, and a
  // shared link (#query=…) must open on its own query, not on the first example.
  var hash = new URLSearchParams(window.location.hash.slice(1));
  var search = new URLSearchParams(window.location.search);
  // A link may name another endpoint (#endpoint=…): this page queries only this server, so
  // that a crafted link cannot show another server's "facts" under this site's name (review
  // r16 browser F14; the page's Content-Security-Policy allows no other connection anyway).
  var linkedEndpoint = hash.get("endpoint");
  var foreign = linkedEndpoint && linkedEndpoint !== config.endpoint;
  if (foreign) {
    hash.delete("endpoint");
    window.history.replaceState(window.history.state, "", window.location.pathname +
      window.location.search + "#" + hash.toString());
  }
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    yasr: { prefixes: function () { return resultPrefixes; } },
    persistenceId: null,
    populateFromUrl: true
  });
  window.sgYasgui = yasgui;
  if (foreign) {
    var notice = document.createElement("p");
    notice.className = "sg-notice"; notice.setAttribute("role", "status");
    notice.textContent = "This link asked to query another endpoint (" + linkedEndpoint + "). " +
      "This page queries only " + config.endpoint + ": the answers below come from this graph.";
    document.getElementById("yasgui").before(notice);
  }
  // names for a screen reader: the editor's hidden textarea and the endpoint box had none
  // (review r15 browser F14)
  (function nameTheEditor() {
    var area = document.querySelector("#yasgui .CodeMirror textarea");
    if (area) { area.setAttribute("aria-label", "SPARQL query"); }
    var endpoint = document.querySelector("#yasgui .autocompleteWrapper input, #yasgui input.endpoint");
    if (endpoint) { endpoint.setAttribute("aria-label", "SPARQL endpoint"); }
  })();
  // While a query runs: how long it has been running, and how to stop it (the run button
  // cancels a running query; the server drops a query whose client has gone).
  var running = document.getElementById("sg-running"), timer = null;
  function runButton(title) {
    var button = document.querySelector("#yasgui .yasqe_queryButton");
    if (button) { button.title = title; button.setAttribute("aria-label", title); }
  }
  function stopClock(message) {
    clearInterval(timer); timer = null;
    running.textContent = message || "";
    running.hidden = !message;
    runButton("Run query");
  }
  function startClock(cancel) {
    var started = Date.now();
    function tick() {
      var seconds = Math.floor((Date.now() - started) / 1000);
      running.textContent = "Running for " + seconds + " s. " + cancel + (config.timeout ?
        "; the server stops any query after " + config.timeout + " s." : ".");
    }
    stopClock(); tick(); running.hidden = false;
    timer = setInterval(tick, 1000);
  }
  // The answer on screen while another is on its way, or after a value was refused, is not
  // the answer to what the page now shows: it is hidden until the new one comes (review r16
  // browser F10: the 63 rows of the last run stayed under the running form and its refusal).
  function stale(yes) {
    var yasr = document.querySelector("#yasgui .yasr");
    if (yasr) { yasr.classList.toggle("sg-stale", yes); }
  }
  yasgui.on("query", function () {
    startClock("Press the run button (▶) again to cancel");
    runButton("Cancel the query");
  });
  yasgui.on("queryResponse", function () { stopClock(); stale(false); });
  // A query that found nothing: the terms of this graph's ontology it names that the ontology
  // does not define (a typo such as sg:Histotipe otherwise gives 0 rows without a word).
  var hint = document.getElementById("sg-hint"), ontology = config.base + "ontology/";
  function ontologyTerms(text) {
    var names = {}, match, declared = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi;
    while ((match = declared.exec(text))) {
      if (match[2] !== ontology) { continue; }
      var used = new RegExp("(?:^|[\\s(/^|!,;.{])" + (match[1] || "") + ":([A-Za-z_][\\w-]*)", "g"), m;
      while ((m = used.exec(text))) { names[m[1]] = true; }
    }
    var full = /<https:\/\/w3id\.org\/sarcoma-graph\/ontology\/([A-Za-z_][\w-]*)>/g;
    while ((match = full.exec(text))) { names[match[1]] = true; }
    return Object.keys(names);
  }
  yasgui.on("queryResponse", function (instance, tab) {
    hint.hidden = true;
    setTimeout(function () { checkTerms(tab); }, 0);  // YASR takes the response after the event
  });
  // A constant pattern of REGEX(text, "pattern", "flags"): the first argument skipped to its
  // top-level comma (strings and brackets counted).
  function regexCalls(text) {
    var found = [], call = /\bREGEX\s*\(/gi, literal = /^("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')$/, m;
    while ((m = call.exec(text))) {
      var args = [], start = call.lastIndex, depth = 0, quote = null;
      for (var i = start; i < text.length; i++) {
        var c = text[i];
        if (quote) { if (c === "\\") { i++; } else if (c === quote) { quote = null; } continue; }
        if (c === '"' || c === "'") { quote = c; }
        else if (c === "(") { depth++; }
        else if (c === ")" && depth) { depth--; }
        else if ((c === "," || c === ")") && !depth) {
          args.push(text.slice(start, i).trim()); start = i + 1;
          if (c === ")") { break; }
        }
      }
      if (args.length >= 2 && literal.test(args[1]) && (args.length < 3 || literal.test(args[2]))) {
        found.push({ pattern: args[1], flags: args[2] || '""' });
      }
    }
    return found;
  }
  // A probe of this endpoint for a note: its rows, or null when it could not be asked.
  function probeRows(probe) {
    return fetch(root + "/sparql", { method: "POST", body: new URLSearchParams({ query: probe }),
      headers: { Accept: "application/sparql-results+json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) { return (answer && answer.results && answer.results.bindings) || null; });
  }
  // Whether the engine itself takes a pattern: REGEX with a pattern it cannot read is an error,
  // which SPARQL turns into "no match" (so the query finds nothing without a word).
  function badPatterns(text) {
    return Promise.all(regexCalls(text).map(function (call) {
      var probe = "SELECT ?ok WHERE { BIND (REGEX(\"\", " + call.pattern + ", " + call.flags +
        ") AS ?ok) }";
      return probeRows(probe)
        .then(function (rows) {
          return rows && rows.length && !rows[0].ok ? call.pattern + (call.flags === '""' ? "" :
            " (flags " + call.flags + ")") : null;
        }).catch(function () { return null; });
    }));
  }
  // A prefix declared twice: the engine reads the last declaration.
  function redeclared(text) {
    var seen = {}, twice = [], match, declared = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi;
    while ((match = declared.exec(text))) {
      var name = (match[1] || "") + ":";
      if (seen[name] !== undefined && seen[name] !== match[2] && twice.indexOf(name) < 0) {
        twice.push(name);
      }
      seen[name] = match[2];
    }
    return twice.map(function (name) { return name + " (the last one, <" + seen[name] + ">, is used)"; });
  }
  // The dataset's own IRIs a query names (sgh:desmoid-tumor, <…/id/gene/KITT>), as the path
  // under /id/ and the way the query wrote them.
  function entityIris(text) {
    var found = {}, match, ids = config.base + "id/";
    var declared = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi;
    while ((match = declared.exec(text))) {
      if (match[2].indexOf(ids) !== 0) { continue; }
      var space = match[2].slice(ids.length), name = (match[1] || "") + ":";
      var used = new RegExp("(?:^|[\\s(/^|!,;.{])" + name.replace(".", "\\.") + "([A-Za-z0-9_][\\w.-]*[\\w-]|[A-Za-z0-9_])", "g"), m;
      while ((m = used.exec(text))) { found[space + m[1]] = name + m[1]; }
    }
    var full = /<https:\/\/w3id\.org\/sarcoma-graph\/id\/([^>\s]+)>/g;
    while ((match = full.exec(text))) { found[match[1]] = "<" + ids + match[1] + ">"; }
    return found;
  }
  // Plain strings compared with a term of the graph: the object of a triple pattern
  // (?x rdfs:label "imatinib") or one side of = / != in a FILTER (?label = "imatinib"), with
  // the variable when there is one. A plain string is an xsd:string, which never equals a
  // language-tagged label ("imatinib"@en): SPARQL 1.1 §17.4.1.7, RDF 1.1 §3.3.
  var STRING = "(\"(?:[^\"\\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\\n]|\\\\.)*')";
  var UNTAGGED = "(?!\\s*(?:@|\\^\\^))";
  // The query without its comments (strings and IRIs, which may hold a #, kept).
  function withoutComments(text) {
    return text.replace(new RegExp(STRING.slice(0, -1) + "|<[^<>\\s]*>)|#[^\\n]*", "g"),
                        function (all, kept) { return kept || ""; });
  }
  function plainStrings(text) {
    var found = {}, m;
    text = withoutComments(text);
    var object = new RegExp("(?:[A-Za-z][\\w.-]*:[\\w.-]*|<[^<>\\s]*>)\\s+" + STRING + UNTAGGED, "g");
    var left = new RegExp("[?$](\\w+)\\s*!?=\\s*" + STRING + UNTAGGED, "g");
    var right = new RegExp(STRING + UNTAGGED + "\\s*!?=\\s*[?$](\\w+)", "g");
    while ((m = object.exec(text))) { found[m[1]] = found[m[1]] || null; }
    while ((m = left.exec(text))) { found[m[2]] = m[1]; }
    while ((m = right.exec(text))) { found[m[1]] = m[2]; }
    return Object.keys(found).slice(0, 10).map(function (literal) {
      return { literal: literal, variable: found[literal] };
    });
  }
  // Whether the graph holds the same string with a language tag: then the note, with the tag.
  function taggedTwins(text) {
    return Promise.all(plainStrings(text).map(function (found) {
      var probe = "SELECT DISTINCT (LANG(?l) AS ?lang) WHERE { ?s ?p ?l FILTER(isLiteral(?l) && " +
        "LANG(?l) != \"\" && STR(?l) = " + found.literal + ") } ORDER BY ?lang LIMIT 5";
      return probeRows(probe)
        .then(function (rows) {
          var tags = (rows || []).map(function (b) { return b.lang ? b.lang.value : ""; })
            .filter(Boolean);
          if (!tags.length) { return null; }
          var value = '"' + found.literal.slice(1, -1) + '"';
          var tag = tags.indexOf("en") >= 0 ? "en" : tags[0];
          return "the plain string " + found.literal + " never equals the graph's " +
            tags.map(function (t) { return value + "@" + t; }).join(", ") + " (labels here carry " +
            "a language tag): write " + value + "@" + tag + ", or compare " + (found.variable ?
            "STR(?" + found.variable + ") = " + found.literal :
            "the text alone: ?x rdfs:label ?label FILTER(STR(?label) = " + found.literal + ")");
        }).catch(function () { return null; });
    }));
  }
  // Letter case (review r16 browser F6): a string compared with a term of the graph, tagged
  // or not ("Imatinib"@en), or searched for with CONTAINS, STRSTARTS or STRENDS, that the
  // graph has only in another case ("imatinib"@en): string comparison is case-sensitive.
  var TAG = "(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)?(?!\\s*\\^\\^)";
  function comparedStrings(text) {
    var found = [], seen = {}, m;
    text = withoutComments(text);
    function add(literal, how) {
      if (!seen[literal + how]) { seen[literal + how] = true; found.push({ literal: literal, how: how }); }
    }
    var object = new RegExp("(?:[A-Za-z][\\w.-]*:[\\w.-]*|<[^<>\\s]*>)\\s+" + STRING + TAG, "g");
    var left = new RegExp("[?$]\\w+\\s*!?=\\s*" + STRING + TAG, "g");
    var right = new RegExp(STRING + TAG + "\\s*!?=\\s*[?$]\\w+", "g");
    var call = new RegExp("\\b(CONTAINS|STRSTARTS|STRENDS)\\s*\\(((?:[^,()]|\\([^()]*\\))*),\\s*" +
      STRING + TAG + "\\s*\\)", "gi");
    [object, left, right].forEach(function (pattern) {
      while ((m = pattern.exec(text))) { add(m[1], "="); }
    });
    while ((m = call.exec(text))) {
      if (!/\b[LU]CASE\s*\(/i.test(m[2])) { add(m[3], m[1].toUpperCase() + "(" + m[2].trim()); }
    }
    return found.slice(0, 10);
  }
  function shown(b) {
    var l = b.l, value = '"' + l.value.replace(/["\\]/g, "\\$&") + '"';
    return value + (l["xml:lang"] ? "@" + l["xml:lang"] : "");
  }
  function caseTwins(text) {
    return Promise.all(comparedStrings(text).map(function (found) {
      // the graph's strings that match in another case, and whether one matches as written
      // (then letter case is not why nothing was found)
      var fn = found.how.split("(")[0];
      var exact = found.how === "=" ? "STR(?l) = " + found.literal :
        fn + "(STR(?l), " + found.literal + ")";
      var other = found.how === "=" ? "LCASE(STR(?l)) = LCASE(" + found.literal + ")" :
        fn + "(LCASE(STR(?l)), LCASE(" + found.literal + "))";
      var probe = "SELECT ?l ?exact WHERE { { SELECT DISTINCT ?l WHERE { ?s ?p ?l FILTER(isLiteral(?l) " +
        "&& " + other + " && !(" + exact + ")) } ORDER BY STRLEN(STR(?l)) ?l LIMIT 3 } UNION " +
        "{ SELECT (true AS ?exact) WHERE { ?s ?p ?l FILTER(isLiteral(?l) && " + exact + ") } LIMIT 1 } }";
      return probeRows(probe)
        .then(function (answered) {
          var rows = answered || [];
          if (!rows.length || rows.some(function (b) { return b.exact; })) { return null; }
          var has = rows.map(shown).join(", "), lower = found.literal.toLowerCase();
          if (found.how === "=") {
            return "text is compared letter case and all: the graph has " + has + ", not " +
              found.literal + ": write it as the graph does, or compare LCASE(STR(?label)) = " + lower;
          }
          return found.how + ", " + found.literal + ") is case-sensitive, and the graph has " + has +
            ": write it as the graph does, or use " + found.how.replace(/^(\w+)\(/, "$1(LCASE(") +
            "), " + lower + ") or REGEX(…, " + found.literal + ', "i")';
        }).catch(function () { return null; });
    }));
  }
  // An ontology term that the ontology defines in another letter case (sg:histotype).
  function caseTwinTerms(names) {
    return Promise.all(names.map(function (name) {
      var probe = "SELECT DISTINCT ?t WHERE { ?t ?p ?o FILTER(isIRI(?t) && LCASE(STR(?t)) = " +
        JSON.stringify((ontology + name).toLowerCase()) + ") } ORDER BY ?t LIMIT 1";
      return probeRows(probe)
        .then(function (answered) {
          var rows = answered || [];
          return rows.length ? rows[0].t.value.slice(ontology.length) : null;
        }).catch(function () { return null; });
    }));
  }
  // Variables that SELECT or ORDER BY name and the WHERE clause never binds (?lable beside
  // ?label): legal SPARQL (an empty column, an order by nothing), but nearly always a typo.
  // Bound: the WHERE clause's variables, the aliases (AS ?n) and a trailing VALUES block.
  function distance(a, b) {
    var row = [], i, j;
    for (j = 0; j <= b.length; j++) { row.push(j); }
    for (i = 1; i <= a.length; i++) {
      var diagonal = row[0];
      row[0] = i;
      for (j = 1; j <= b.length; j++) {
        var above = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length];
  }
  function variables(text) {
    var found = [], m, name = /[?$](\w+)/g;
    while ((m = name.exec(text))) { if (found.indexOf(m[1]) < 0) { found.push(m[1]); } }
    return found;
  }
  function unboundVariables(text) {
    var code = withoutComments(text).replace(new RegExp(STRING, "g"), '""')
      .replace(/<[^<>\s]*>/g, "<>");
    var select = /\bSELECT\b/i.exec(code);
    var open = select ? code.indexOf("{", select.index) : -1;
    if (open < 0) { return []; }
    var depth = 0, close = -1;
    for (var i = open; i < code.length && close < 0; i++) {
      if (code[i] === "{") { depth++; } else if (code[i] === "}" && !--depth) { close = i; }
    }
    if (close < 0) { return []; }
    var head = code.slice(select.index + 6, open), tail = code.slice(close + 1);
    var order = /\bORDER\s+BY\b([\s\S]*?)(?=\bLIMIT\b|\bOFFSET\b|\bVALUES\b|$)/i.exec(tail);
    var values = /\bVALUES\b[\s\S]*/i.exec(tail);
    var bound = variables(code.slice(open, close + 1)).concat(values ? variables(values[0]) : []);
    var alias = /\bAS\s+[?$](\w+)/gi, m;
    while ((m = alias.exec(head + " " + tail))) { bound.push(m[1]); }
    var used = variables(head.replace(/\bAS\s+[?$]\w+/gi, "")).concat(order ? variables(order[1]) : []);
    var named = [];
    used.forEach(function (v) {
      if (bound.indexOf(v) >= 0 || named.indexOf(v) >= 0) { return; }
      named.push(v);
    });
    return named.map(function (v) {  // a close name: 1 edit from 3 letters, 2 from 5
      var most = v.length >= 5 ? 2 : v.length >= 3 ? 1 : 0;
      var close = bound.filter(function (b) { return distance(v.toLowerCase(), b.toLowerCase()) <= most; })
        .sort(function (a, b) { return distance(v, a) - distance(v, b); })[0];
      return "?" + v + " is never bound in the WHERE clause" + (close ? ": did you mean ?" + close +
        "?" : "");
    });
  }
  function sentence(text) { return /[?.]$/.test(text) ? text : text + "."; }
  function checkTerms(tab) {
    var results = tab.getYasr().results;
    var bindings = results && results.getBindings ? results.getBindings() : null;
    if (!bindings) { return; }
    var text = tab.getQuery(), unbound = unboundVariables(text);
    if (bindings.length) {
      if (unbound.length) { hint.textContent = sentence("Note: " + unbound.join("; ")); hint.hidden = false; }
      return;
    }
    var names = ontologyTerms(text), entities = entityIris(text);
    var unknownTerms = Promise.all(names.map(function (name) {
      return fetch(root + "/ontology/" + encodeURIComponent(name), { method: "HEAD" })
        .then(function (r) { return r.status === 404 ? name : null; });
    }));
    var unknownEntities = Promise.all(Object.keys(entities).slice(0, 20).map(function (path) {
      return fetch(root + "/id/" + path, { method: "HEAD" })
        .then(function (r) { return r.status === 404 ? entities[path] : null; })
        .catch(function () { return null; });
    }));
    var unknownTwins = unknownTerms.then(function (found) {
      var unknown = found.filter(Boolean);
      return caseTwinTerms(unknown).then(function (twins) {
        return unknown.map(function (n, i) {
          return "sg:" + n + (twins[i] ? " (did you mean sg:" + twins[i] + "?)" : "");
        });
      });
    });
    Promise.all([unknownTwins, badPatterns(text), unknownEntities, taggedTwins(text), caseTwins(text)])
      .then(function (found) {
      var unknown = found[0], patterns = found[1].filter(Boolean);
      var missing = found[2].filter(Boolean), untagged = found[3].filter(Boolean);
      var twice = redeclared(text), notes = [];
      untagged.concat(found[4].filter(Boolean), unbound).forEach(function (note) { notes.push(note); });
      if (missing.length) {
        notes.push("the graph has no entity " + missing.join(", ") + ": check the spelling, or " +
          "find it with the search box above (it lists close spellings)");
      }
      if (unknown.length) {
        notes.push("the ontology defines no " + unknown.join(", ") + ": check the spelling (type sg: in the editor for the terms it " +
          "completes, or see the Ontology page)");
      }
      if (patterns.length) {
        notes.push("the regular expression " + patterns.join(", ") + " is not one this engine " +
          "can read, so REGEX matches nothing with it");
      }
      if (twice.length) { notes.push("a prefix is declared twice: " + twice.join(", ")); }
      if (!notes.length) { return; }
      hint.textContent = sentence("Nothing found, and " + notes.join("; "));
      hint.hidden = false;
    });
  }
  yasgui.on("queryAbort", function () { stopClock("Query cancelled."); });
  prefixes.then(function () {  // results drawn before the prefixes came: draw them again
    var yasr = yasgui.getTab().getYasr();
    if (yasr.results) { yasr.draw(); }
  });
  if (hash.get("query")) { yasgui.getTab().setQuery(hash.get("query")); }
  // The page does not take the keyboard: the editor is reached by Tab or a click, not given
  // the focus on load (Tab inside it indents; Esc then Tab leaves it).
  if (document.activeElement && document.activeElement.closest &&
      document.activeElement.closest("#yasgui")) { document.activeElement.blur(); }
  // Blurred, the editor would still be where Tab starts from (half-way down the page): the
  // keyboard starts at the top, on the skip link, then the example picker.
  var top = document.getElementById("sg-top");
  if (top) { top.focus({ preventScroll: true }); top.blur(); }
  // Links to the dataset's IRIs (under config.base) open this server's pages, so a local
  // deployment clicks through. In the results table the address itself is local from the
  // start, so hovering, "copy link" and a middle click agree with a click.
  var base = config.base;
  function localHref(iri) {
    var rest = iri.indexOf(base) === 0 ? iri.slice(base.length) : null;
    return rest !== null && /^(id\/|ontology)/.test(rest) ? root + "/" + rest : null;
  }
  var Table = Yasgui.Yasr.plugins.table;
  var iriLink = Table.prototype.getUriLinkFromBinding;
  Table.prototype.getUriLinkFromBinding = function (binding, prefixes) {
    var html = iriLink.call(this, binding, prefixes), local = localHref(binding.value);
    return local ? html.replace(" href='" + binding.value + "'",
                                " href='" + local.replace(/'/g, "%27") + "'") : html;
  };
  document.addEventListener("click", function (event) {
    var a = event.target.closest && event.target.closest("a[href]");
    if (!a) { return; }
    var local = localHref(a.getAttribute("href"));
    if (local) { a.setAttribute("href", local); }
    // A cut-off results cell expands on a click and cancels it (YASR's ellipsis): a click on
    // a link inside it follows the link instead (the page's CSS lets such links be clicked).
    if (a.closest(".yasr .expandable:not(.expanded)")) { event.stopPropagation(); }
  }, true);
  // The examples, with a form for a query's parameters: values are bound by the REST route
  // /queries/{name}?param=value, whose answer the results view shows.
  var select = document.getElementById("sg-examples");
  var about = document.getElementById("sg-about");
  var form = document.getElementById("sg-params");
  config.queries.forEach(function (query) {
    var option = document.createElement("option");
    option.value = query.name;
    var lacking = query.missingGraphs || [];  // named graphs the query needs, not on this server
    option.textContent = query.title + (lacking.length ? " (needs the " + lacking.join(", ") +
      " graph, not loaded here)" : "");
    select.appendChild(option);
  });
  function showForm(query) {
    form.innerHTML = "";
    if (!query.parameters || !query.parameters.length) { return; }
    var f = document.createElement("form");
    f.className = "sg-param-form";
    query.parameters.forEach(function (p) {
      var label = document.createElement("label"), input = document.createElement("input");
      label.textContent = p.name + " ";
      input.name = p.name; input.value = p.default || ""; input.size = 60; input.title = p.description;
      input.placeholder = p.description;
      label.appendChild(input); f.appendChild(label);
    });
    var run = document.createElement("button");
    run.type = "submit"; run.textContent = "Run with these values";
    f.appendChild(run);
    var problem = document.createElement("p");  // the server's message for a value it refused
    problem.className = "sg-param-problem"; problem.setAttribute("role", "alert"); problem.hidden = true;
    f.appendChild(problem);
    // While it runs, the button cancels the run, as ▶ does for the text (review r16 browser F10).
    var controller = null, results = document.getElementById("yasgui");
    function finished(message) {
      controller = null;
      run.textContent = "Run with these values";
      f.removeAttribute("aria-busy"); results.removeAttribute("aria-busy");
      stopClock(message);
    }
    f.addEventListener("submit", function (event) {
      event.preventDefault();
      if (controller) { controller.abort(); return; }
      var params = new URLSearchParams();
      query.parameters.forEach(function (p) {
        var value = f.elements[p.name].value.trim();
        if (value) { params.set(p.name, value); }
      });
      remember(query.name, params);
      var started = Date.now(), type = "application/sparql-results+json";
      var mine = controller = new AbortController();
      problem.hidden = true; hint.hidden = true; stale(true);
      run.textContent = "Cancel";
      f.setAttribute("aria-busy", "true"); results.setAttribute("aria-busy", "true");
      startClock("Press Cancel beside the values to stop it");
      fetch(root + "/queries/" + query.name + "?" + params.toString(),
            { headers: { Accept: type + ", text/turtle;q=0.9" }, signal: mine.signal })
        .then(function (r) {
          return r.text().then(function (body) {
            finished();
            if (!r.ok) {  // YASR cannot draw a message
              problem.textContent = body.trim(); problem.hidden = false; return;
            }
            yasgui.getTab().getYasr().setResponse({ data: body, status: r.status,
              contentType: (r.headers.get("content-type") || type).split(";")[0] }, Date.now() - started);
            stale(false);
            absentNote(problem, r.headers.get("X-Absent-Values"), params);
          });
        })
        .catch(function () {
          finished(mine.signal.aborted ? "Query cancelled." : "");
          if (!mine.signal.aborted) {
            problem.textContent = "The server could not be reached: try again."; problem.hidden = false;
          }
        });
    });
    form.appendChild(f);
  }
  // The values the server found nothing called (its X-Absent-Values header names their
  // parameters): the note the query's own page gives (review r16 browser F13).
  function absentNote(problem, header, params) {
    var names = (header || "").split(",").map(function (n) { return n.trim(); })
      .filter(function (n) { return params.has(n); });
    if (!names.length) { return; }
    problem.textContent = "Nothing in this graph is called ";
    names.forEach(function (name, i) {
      var value = params.get(name), local = value.replace(/[/#:]+$/, "").split(/[/#:]/).pop()
        .replace(/-/g, " ");
      var code = document.createElement("code"), link = document.createElement("a");
      code.textContent = value;
      link.href = root + "/search?q=" + encodeURIComponent(local); link.textContent = local;
      problem.append(i ? "; nor " : "", code, ": search the labels for ", link);
    });
    problem.append(", so the answer below says nothing about it: check the spelling.");
    problem.hidden = false;
  }
  // The address names the example and the values it was run with (?example=NAME&param=…), so
  // that the Share button's link, which keeps the address's search part, opens the same
  // answer; text of one's own takes them away (review r16 browser F1: a shared link showed
  // the 63 rows of the unbound text, not the sender's 4).
  function remember(name, params) {
    var here = new URLSearchParams(params);
    here.set("example", name);
    window.history.replaceState(window.history.state, "",
      window.location.pathname + "?" + here.toString() + window.location.hash);
  }
  function forget() {
    if (new URLSearchParams(window.location.search).has("example")) {
      window.history.replaceState(window.history.state, "",
        window.location.pathname + window.location.hash);
    }
  }
  function chooseExample(name) {
    select.value = name;
    select.dispatchEvent(new Event("change"));
  }
  select.addEventListener("change", function () {
    var query = config.queries.find(function (q) { return q.name === select.value; });
    forget();
    if (!query) { about.textContent = ""; form.innerHTML = ""; return; }
    var tab = yasgui.getTab();
    tab.setQuery(query.sparql);
    tab.setEndpoint(config.endpoint);
    var lacking = query.missingGraphs || [];
    about.textContent = (lacking.length ? "This server does not hold the " + lacking.join(", ") +
      " graph this query needs: its answer here is empty or misleading. " : "") +
      query.description + (query.parameters && query.parameters.length ?
      " — It has parameters: fill them in above and press “Run with these values” (the ▶ button" +
      " runs the text as it is, parameters unbound)." : "");
    showForm(query);
  });
  // A first visit (no query in the URL) opens on a question about the data, ready to run,
  // rather than the editor's generic default query.
  // The page has one editor (its CSS hides YASGUI's tab bar and "+"): the handlers below are
  // for that one tab; a tab added later would have neither (review r15 browser F7).
  // Once the text is no longer the example's, its description and its parameter form (which
  // runs the example, not the text) are taken away, and the picker says no example is chosen.
  function normalised(text) { return text.replace(/\r\n/g, "\n").trim(); }
  yasgui.getTab().getYasqe().on("change", function (yasqe) {
    var query = config.queries.find(function (q) { return q.name === select.value; });
    if (query && normalised(yasqe.getValue()) !== normalised(query.sparql)) {
      select.value = ""; about.textContent = ""; form.innerHTML = ""; forget();
    }
  });
  // The text being written survives a reload of the tab (kept in this tab's session storage,
  // not shared with other tabs or kept after the tab closes); a link's own query comes first.
  var DRAFT = "sg-editor-draft";
  function storage(action, value) {
    try {
      return action === "get" ? window.sessionStorage.getItem(DRAFT)
        : window.sessionStorage.setItem(DRAFT, value);
    } catch (e) { return null; }  // storage off (private mode, policy): no draft kept
  }
  yasgui.getTab().getYasqe().on("change", function (yasqe) { storage("set", yasqe.getValue()); });
  var draft = storage("get");
  var shared = config.queries.find(function (q) { return q.name === search.get("example"); });
  if (shared && (!hash.get("query") || normalised(hash.get("query")) === normalised(shared.sparql))) {
    chooseExample(shared.name);  // a shared example run: its values filled in, and run
    var sharedForm = form.querySelector("form");
    if (sharedForm) {
      (shared.parameters || []).forEach(function (p) {
        if (search.has(p.name)) { sharedForm.elements[p.name].value = search.get(p.name); }
      });
      sharedForm.requestSubmit();
    }
  } else if (!hash.get("query") && !search.get("query") && config.queries.length) {
    var example = draft && config.queries.find(function (q) {
      return normalised(q.sparql) === normalised(draft); });
    var first = config.queries.find(function (q) { return q.name === config.first; }) ||
      config.queries[0];
    if (draft && !example) { yasgui.getTab().setQuery(draft); }
    else { chooseExample((example || first).name); }
  }
})();
