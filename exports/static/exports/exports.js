/* The exports page: follow each unfinished job's progress by polling its API endpoint.
   A static file (the Content-Security-Policy allows no inline script); no library. */
(function () {
  "use strict";

  var table = document.getElementById("export-jobs");
  if (!table || !window.fetch) {
    return;
  }
  var INTERVAL = 1000;
  var UNFINISHED = { queued: true, running: true };

  function label(name) {
    return table.getAttribute("data-label-" + name) || name;
  }

  function show(row, job) {
    var percent = job.progress.percent;
    row.setAttribute("data-status", job.status);
    row.querySelector(".export-progress").value = percent;
    row.querySelector(".export-progress").textContent = percent + "%";
    row.querySelector(".export-percent").textContent = percent + "%";
    var status = label(job.status);
    row.querySelector(".export-status").textContent = job.error ? status + ": " + job.error : status;
    var cell = row.querySelector(".export-file");
    if (job.download_url && !cell.querySelector("a")) {
      var link = document.createElement("a");
      link.href = job.download_url;
      link.setAttribute("download", "");
      link.textContent = label("download");
      cell.appendChild(link);
    }
  }

  function poll(row) {
    fetch(row.getAttribute("data-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (job) {
        show(row, job);
        if (UNFINISHED[job.status]) {
          window.setTimeout(poll, INTERVAL, row);
        }
      })
      .catch(function () {
        // A lost connection or a restarting server: try again, more slowly.
        window.setTimeout(poll, INTERVAL * 5, row);
      });
  }

  var rows = table.querySelectorAll("tr.export-job");
  for (var i = 0; i < rows.length; i += 1) {
    if (UNFINISHED[rows[i].getAttribute("data-status")]) {
      poll(rows[i]);
    }
  }
})();
