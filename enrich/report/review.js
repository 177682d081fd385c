/* arxiv-enrich review page: filters by kind, severity, file and text, no server, no network.
   Filters are preset from the URL (query string or hash: ?kind=..&severity=..&file=..&q=..) and
   written back to the hash, so a filtered view can be bookmarked or opened from a script. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var entries = Array.prototype.slice.call(document.querySelectorAll(".entry"));
  var count = document.getElementById("shown-count");
  var names = ["kind", "severity", "file", "q"];
  var defaults = { kind: "all", severity: "problems", file: "all", q: "" };

  function readParams() {
    var out = {};
    var raw = (location.search.slice(1) + "&" + location.hash.slice(1)).split("&");
    raw.forEach(function (pair) {
      if (!pair) { return; }
      var i = pair.indexOf("=");
      var key = i < 0 ? pair : pair.slice(0, i);
      var value = i < 0 ? "" : pair.slice(i + 1);
      try {
        out[decodeURIComponent(key)] = decodeURIComponent(value.replace(/\+/g, " "));
      } catch (e) { /* a malformed escape: ignore that pair */ }
    });
    return out;
  }

  function setControl(name, value) {
    var control = form.elements[name];
    if (!control) { return; }
    if (control.tagName === "SELECT") {
      var known = Array.prototype.some.call(control.options, function (o) { return o.value === value; });
      control.value = known ? value : defaults[name];
    } else {
      control.value = value;
    }
  }

  function severityMatches(want, severity) {
    if (want === "all") { return true; }
    if (want === "problems") { return severity === "warning" || severity === "error"; }
    return want === severity;
  }

  function matches(el, kind, severity, file, query) {
    if (file !== "all" && el.getAttribute("data-file") !== file) { return false; }
    if (query && el.textContent.toLowerCase().indexOf(query) < 0) { return false; }
    if (kind === "all" && severity === "all") { return true; }
    var items = (el.getAttribute("data-c") || "").split(" ");
    return items.some(function (item) {
      var parts = item.split(":");
      return parts.length === 2 && (kind === "all" || parts[0] === kind) &&
        severityMatches(severity, parts[1]);
    });
  }

  function writeHash(values) {
    var pairs = [];
    names.forEach(function (name) {
      if (values[name] !== defaults[name]) {
        pairs.push(encodeURIComponent(name) + "=" + encodeURIComponent(values[name]));
      }
    });
    var hash = pairs.length ? "#" + pairs.join("&") : " ";
    try {
      history.replaceState(null, "", hash === " " ? location.pathname + location.search : hash);
    } catch (e) { /* file: URLs in some browsers: leave the address as it is */ }
  }

  function apply(write) {
    var values = {};
    names.forEach(function (name) { values[name] = form.elements[name].value; });
    var query = values.q.trim().toLowerCase();
    var shown = 0;
    entries.forEach(function (el) {
      var ok = matches(el, values.kind, values.severity, values.file, query);
      el.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = String(shown);
    document.body.setAttribute("data-shown", String(shown));
    if (write) { writeHash(values); }
  }

  function load() {
    var params = readParams();
    names.forEach(function (name) {
      setControl(name, Object.prototype.hasOwnProperty.call(params, name) ? params[name] : defaults[name]);
    });
    apply(false);
  }

  form.hidden = false;
  form.addEventListener("change", function () { apply(true); });
  form.addEventListener("input", function () { apply(true); });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(true); });
  form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
  window.addEventListener("hashchange", load);
  load();
  document.body.setAttribute("data-ready", "1");
})();
