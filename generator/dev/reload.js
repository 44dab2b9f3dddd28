// Dev server only: a published build never contains this file (issue #5).
// livereload.js picks up every window.LiveReloadPlugin* when it starts, so this
// file is loaded before it. The server decides, page by page, what to send: a
// page path means "go there" (saving a scenario shows that scenario); anything
// else is left to livereload.js (reload the page, or swap a changed stylesheet).
(function () {
  "use strict";

  function LiveReloadPluginNavigate(window) {
    this.window = window;
  }
  LiveReloadPluginNavigate.identifier = "navigate";
  LiveReloadPluginNavigate.version = "1.0";
  // Sent to the server when the page connects: the generation of the site this page
  // shows, so a page that loaded during a rebuild is told to reload at once.
  LiveReloadPluginNavigate.prototype.analyze = function () {
    var meta = this.window.document.querySelector('meta[name="dev-generation"]');
    return { generation: meta ? meta.getAttribute("content") : null };
  };
  LiveReloadPluginNavigate.prototype.reload = function (path) {
    if (!/^\/[^?#]*\.html$/.test(path)) {
      return false;
    }
    this.window.location.assign(path);
    return true;
  };

  window.LiveReloadPluginNavigate = LiveReloadPluginNavigate;
})();
