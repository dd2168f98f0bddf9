// The SPARQL editor page: YASGUI on this server's /sparql, the named queries as examples.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sg-config").textContent);
  // Autocompleters that fetch vocabularies from the web are left out: the page works offline.
  Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters.filter(
    function (name) { return ["prefixes", "property", "class"].indexOf(name) < 0; });
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    persistenceId: null,
    populateFromUrl: true
  });
  window.sgYasgui = yasgui;
  var select = document.getElementById("sg-examples");
  var about = document.getElementById("sg-about");
  config.queries.forEach(function (query) {
    var option = document.createElement("option");
    option.value = query.name;
    option.textContent = query.title;
    select.appendChild(option);
  });
  select.addEventListener("change", function () {
    var query = config.queries.find(function (q) { return q.name === select.value; });
    if (!query) { about.textContent = ""; return; }
    var tab = yasgui.getTab();
    tab.setQuery(query.sparql);
    tab.setEndpoint(config.endpoint);
    about.textContent = query.description;
  });
})();
