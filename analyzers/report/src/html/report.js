// nova report: sorting, filtering and evidence, all offline.
(function () {
  "use strict";
  var select = document.getElementById("service-filter");
  var text = document.getElementById("table-filter");
  var matrix = document.getElementById("matrix");
  var evidence = document.getElementById("evidence");

  function applyFilters() {
    var svc = select.value;
    var q = text.value.trim().toLowerCase();
    matrix.querySelectorAll("[data-service]").forEach(function (c) {
      c.classList.toggle("hidden", svc !== "" && c.getAttribute("data-service") !== svc);
    });
    matrix.querySelectorAll("tbody tr").forEach(function (row) {
      var services = (row.getAttribute("data-services") || "").split(" ");
      var okSvc = svc === "" || services.indexOf(svc) >= 0;
      var okText = q === "" || row.getAttribute("data-table").toLowerCase().indexOf(q) >= 0;
      row.classList.toggle("hidden", !(okSvc && okText));
    });
    document.querySelectorAll(".finding").forEach(function (f) {
      var services = (f.getAttribute("data-services") || "").split(" ");
      f.classList.toggle("hidden", svc !== "" && services.indexOf(svc) < 0);
    });
    document.querySelectorAll("#graph-box .node").forEach(function (n) {
      var name = n.getAttribute("data-name");
      n.classList.toggle("selected", svc !== "" && n.getAttribute("data-kind") === "service" && name === svc);
    });
    document.querySelectorAll("#graph-box .edge").forEach(function (e) {
      var id = "service:" + svc;
      var touches = e.getAttribute("data-from") === id || e.getAttribute("data-to") === id;
      e.classList.toggle("dim", svc !== "" && !touches);
    });
    var shown = matrix.querySelectorAll("tbody tr:not(.hidden)").length;
    document.getElementById("matrix-count").textContent = shown + " of " +
      matrix.querySelectorAll("tbody tr").length + " tables";
  }

  select.addEventListener("change", applyFilters);
  text.addEventListener("input", applyFilters);

  document.querySelectorAll("#graph-box .node").forEach(function (n) {
    n.addEventListener("click", function () {
      if (n.getAttribute("data-kind") !== "service") { return; }
      var name = n.getAttribute("data-name");
      select.value = select.value === name ? "" : name;
      applyFilters();
    });
  });

  matrix.querySelectorAll("td.ops").forEach(function (cell) {
    cell.addEventListener("click", function () {
      var id = cell.getAttribute("data-evidence");
      var tpl = id ? document.getElementById(id) : null;
      if (!tpl) { return; }
      evidence.innerHTML = "";
      evidence.appendChild(tpl.content.cloneNode(true));
      evidence.classList.remove("hidden");
    });
  });

  matrix.querySelectorAll("thead th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      matrix.querySelectorAll("thead th").forEach(function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = matrix.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort") || a.cells[col].textContent;
        var y = b.cells[col].getAttribute("data-sort") || b.cells[col].textContent;
        var nx = Number(x), ny = Number(y);
        var c = (!isNaN(nx) && !isNaN(ny) && x !== "" && y !== "") ? nx - ny : x.localeCompare(y);
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });

  applyFilters();
})();
