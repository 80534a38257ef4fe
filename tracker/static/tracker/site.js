// Behaviour the pages ask for through data attributes, so that no page carries
// inline script (the Content-Security-Policy allows none):
//   <select data-autosubmit>  submits its form when changed;
//   <a data-back>             goes back one page.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.submit();
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
