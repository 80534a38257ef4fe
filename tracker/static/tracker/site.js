// Behaviour the pages ask for through data attributes, so that no page carries
// inline script (the Content-Security-Policy allows none):
//   <select data-autosubmit>  submits its form when changed;
//   <a data-back>             goes back one page;
//   <button data-print>       prints the page;
//   <form data-confirm="…">   asks before sending (OK sends, Cancel keeps all);
//   <input type=file data-max-bytes data-too-large="… {size} …">
//                             refuses a file over the limit before it is sent,
//                             with the server's own message, and keeps the form.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.submit();
  });
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
    var file = input.files && input.files[0];
    var limit = Number(input.getAttribute("data-max-bytes"));
    var message = "";
    if (file && file.size > limit) {
      var size = (file.size / 1048576).toLocaleString(document.documentElement.lang || "vi", {
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      });
      message = input.getAttribute("data-too-large").replace("{size}", size);
    }
    input.setCustomValidity(message);
    var box = input.closest(".field");
    var shown = box && box.querySelector(".error.size");
    if (!shown && box && message) {
      shown = document.createElement("div");
      shown.className = "error size";
      shown.setAttribute("role", "alert");
      box.appendChild(shown);
    }
    if (shown) shown.textContent = message;
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var tooLarge = form.querySelector && form.querySelector("input[type=file][data-max-bytes]");
    if (tooLarge && tooLarge.validationMessage) {
      event.preventDefault();
      tooLarge.focus();
      return;
    }
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
})();
