// Keyboard use of the search box: ArrowDown enters the results, ArrowUp/ArrowDown move
// between them, Escape goes back to the box. Enter on a result is the link's own behaviour.
(function () {
  "use strict";
  function links() {
    return Array.prototype.slice.call(document.querySelectorAll("#search-results a.hit"));
  }
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("q");
    if (!box) { return; }
    var items = links();
    var index = items.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && (document.activeElement === box || index >= 0)) {
      if (items.length === 0) { return; }
      event.preventDefault();
      items[Math.min(index + 1, items.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      if (index === 0) { box.focus(); } else { items[index - 1].focus(); }
    } else if (event.key === "Escape" && (index >= 0 || document.activeElement === box)) {
      document.getElementById("search-results").innerHTML = "";
      box.focus();
    } else if (event.key === "Enter" && document.activeElement === box && items.length > 0) {
      // Enter in the box opens the first result when the list is showing.
      event.preventDefault();
      items[0].click();
    }
  });
})();
