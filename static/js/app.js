/* The few things plain HTML cannot do; every page works without this file (phones with JavaScript off). */
"use strict";

/* A refused form: its summary and the first bad field come into view (issue 16.5). Without JavaScript the
   form's action ends in #<summary id>, so the browser still opens the answer at the summary. */
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (!summary) return;
  var scope = summary.closest("form") || document;
  var field = scope.querySelector("[aria-invalid='true']");
  summary.scrollIntoView({block: "start"});
  if (field && field.getBoundingClientRect().bottom > window.innerHeight) {
    field.scrollIntoView({block: "center"});
  }
  summary.focus({preventScroll: true});  // read out by screen readers; no phone keyboard pops up
});
