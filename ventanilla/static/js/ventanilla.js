/* Ventanilla: the few behaviours the pages need on top of Bootstrap. */
(function () {
  "use strict";

  // The unit switcher submits as soon as a post is chosen.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Destructive buttons ask first.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // A form that uploads a file shows how much of it has been sent, then that the server is
  // at work; the page the server answers with replaces this one.
  document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
    var box = form.querySelector("[data-upload-box]");
    var bar = form.querySelector("[data-upload-bar]");
    var status = form.querySelector("[data-upload-status]");
    var button = form.querySelector("button[type=submit]");
    if (!box || !bar || !status || !window.FormData) { return; }
    function show(percent, text, working) {
      box.hidden = false;
      bar.style.width = percent + "%";
      bar.parentNode.setAttribute("aria-valuenow", String(percent));
      bar.classList.toggle("progress-bar-striped", working);
      bar.classList.toggle("progress-bar-animated", working);
      status.textContent = text;
    }
    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]");
      if (!file || !file.files.length) { return; }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var percent = Math.floor(100 * e.loaded / e.total);
          show(percent, status.getAttribute("data-sending") + " " + percent + " %", false);
        }
      });
      xhr.upload.addEventListener("load", function () {
        show(100, status.getAttribute("data-working"), true);
      });
      xhr.addEventListener("load", function () {
        if (xhr.responseURL) { window.history.replaceState(null, "", xhr.responseURL); }
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        show(0, status.getAttribute("data-failed"), false);
        if (button) { button.disabled = false; }
      });
      if (button) { button.disabled = true; }
      show(0, status.getAttribute("data-sending") + " 0 %", false);
      xhr.send(new FormData(form));
    });
  });

  // Org tree: unfold or fold every branch.
  document.querySelectorAll("[data-tree]").forEach(function (button) {
    button.addEventListener("click", function () {
      var open = button.getAttribute("data-tree") === "expand";
      document.querySelectorAll(".org-tree details").forEach(function (d) { d.open = open; });
    });
  });
})();
