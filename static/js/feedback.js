/* Feedback inbox: "tick all" for the bulk actions. Loaded as a file (the CSP forbids inline scripts). */
(function () {
  "use strict";
  var all = document.getElementById("feedback-select-all");
  if (!all) { return; }
  all.addEventListener("change", function () {
    document.querySelectorAll("input.feedback-select").forEach(function (box) { box.checked = all.checked; });
  });
})();
