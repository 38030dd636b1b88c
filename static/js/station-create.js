// New station page: picking a place sets the station level to that place's usual level
// (县 → 县级社工总站, 乡镇 → 乡镇（街道）社工站, 村 → 村（社区）社工服务点). The server applies the same default
// when the level is left on "按所选地点自动确定", so the page works without this script.
document.addEventListener("change", function (event) {
  var radio = event.target;
  if (!radio.matches || !radio.matches('input[type="radio"][name="division"]')) return;
  var level = document.getElementById("id_level");
  if (level && radio.getAttribute("data-default-level")) {
    level.value = radio.getAttribute("data-default-level");
  }
});
