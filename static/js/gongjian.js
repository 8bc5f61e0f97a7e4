// Small behaviours shared by every page (CSP forbids inline scripts).
document.addEventListener("htmx:responseError", function (evt) {
  var box = document.getElementById("htmx-error");
  if (!box) {
    box = document.createElement("div");
    box.id = "htmx-error";
    box.className = "alert alert-danger position-fixed bottom-0 end-0 m-3";
    box.setAttribute("role", "alert");
    document.body.appendChild(box);
  }
  var text = evt.detail.xhr.responseText || "";
  try { text = JSON.parse(text).error.message; } catch (e) { text = evt.detail.xhr.statusText; }
  box.textContent = text;
});
document.addEventListener("change", function (evt) {
  var el = evt.target;
  if (el && el.dataset && el.dataset.autosubmit !== undefined && el.form) { el.form.requestSubmit(); }
});
