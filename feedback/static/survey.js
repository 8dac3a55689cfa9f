// Progressive enhancement: hide follow-up questions until the answer they depend on is given.
// Without JavaScript every question shows and the server ignores irrelevant follow-ups.
(function () {
  document.documentElement.classList.add("js");
  var form = document.getElementById("answers");  // not the language switch above it
  if (!form) return;
  var dependants = form.querySelectorAll("[data-show-if]");
  function update() {
    dependants.forEach(function (fs) {
      var source = form.querySelector('input[name="' + fs.dataset.showIf + '"]:checked');
      var wanted = fs.dataset.showValues.split(" ");
      var show = !!source && wanted.indexOf(source.value) !== -1;
      fs.hidden = !show;
      fs.querySelectorAll("input, textarea").forEach(function (el) { el.disabled = !show; });
    });
  }
  // A question answered after a failed submit loses its red mark at once (the server still checks).
  function clearError(event) {
    var fs = event.target.closest("fieldset.has-error");
    if (!fs) return;
    fs.classList.remove("has-error");
    fs.removeAttribute("aria-describedby");
    var message = fs.querySelector("p.error");
    if (message) message.hidden = true;
  }
  form.addEventListener("change", update);
  form.addEventListener("change", clearError);
  update();
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
