// Berth panel: small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll('input[name="names"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  }
});
