// nmf-teach-rise-myst: a hand-written JupyterLab federated extension (no build step).
//
// jupyterlab-rise 0.43.1 presents a notebook in an application of its own (/rise/<path>), built
// with a subset of JupyterLab's packages. Its shared scope has no @jupyterlab/markdownviewer and no
// @jupyterlab/console and no @jupyterlab/attachments, so jupyterlab-myst 2.7.0 ("Shared module
// @jupyterlab/markdownviewer doesn't exist in shared scope default") and the widget manager (same,
// for @jupyterlab/console) fail to load there: the slides show raw MyST and no live widget. They use
// the first two only for an optional token (the markdown viewer's and the console's trackers, which
// nothing provides in the slideshow) and the third for one small class. This extension adds the three
// modules to the shared scope when (and only when) they are missing: in JupyterLab itself it does
// nothing. It provides no plugin.
var _JUPYTERLAB;
(_JUPYTERLAB = window._JUPYTERLAB = window._JUPYTERLAB || {})["nmf-teach-rise-myst"] = (function () {
  // jupyterlab-myst's markdown cell resolves its images through @jupyterlab/attachments'
  // AttachmentsResolver: the same behaviour, written out (attachment:name -> a data URL, any
  // other address -> the notebook's own resolver).
  function AttachmentsResolver(options) {
    this._parent = options.parent || null;
    this._model = options.model;
  }
  AttachmentsResolver.prototype._own = function (path) {
    return !this._parent || path.indexOf("attachment:") === 0;
  };
  AttachmentsResolver.prototype.resolveUrl = function (url) {
    return this._own(url) ? Promise.resolve(url) : this._parent.resolveUrl(url);
  };
  AttachmentsResolver.prototype.getDownloadUrl = function (path) {
    if (!this._own(path)) {
      return this._parent.getDownloadUrl(path);
    }
    var attachment = this._model && this._model.get(path.slice("attachment:".length));
    if (!attachment) {
      return Promise.resolve(path);
    }
    var mime = Object.keys(attachment.data)[0];
    return Promise.resolve("data:" + mime + ";base64," + attachment.data[mime]);
  };
  AttachmentsResolver.prototype.isLocal = function (path) {
    if (this._own(path)) {
      return true;
    }
    return this._parent.isLocal ? this._parent.isLocal(path) : true;
  };
  AttachmentsResolver.prototype.resolvePath = function (path) {
    if (!this._own(path) && this._parent.resolvePath) {
      return this._parent.resolvePath(path);
    }
    return Promise.resolve(null);
  };

  var MISSING = {
    "@jupyterlab/markdownviewer": {
      IMarkdownViewerTracker: { name: "@jupyterlab/markdownviewer:IMarkdownViewerTracker" }
    },
    "@jupyterlab/console": {
      IConsoleTracker: { name: "@jupyterlab/console:IConsoleTracker" }
    },
    "@jupyterlab/attachments": { AttachmentsResolver: AttachmentsResolver }
  };
  return {
    init: function (scope) {
      Object.keys(MISSING).forEach(function (name) {
        if (scope[name]) {
          return;
        }
        var exports = Object.assign({ __esModule: true }, MISSING[name]);
        scope[name] = {
          "4.99.0": {
            get: function () { return Promise.resolve(function () { return exports; }); },
            from: "nmf-teach-rise-myst",
            eager: false,
            loaded: 1
          }
        };
        console.log("nmf-teach-rise-myst: provided " + name + ", missing from this application");
      });
    },
    get: function (module) {
      return Promise.resolve(function () { return { __esModule: true, default: [] }; });
    }
  };
})();
