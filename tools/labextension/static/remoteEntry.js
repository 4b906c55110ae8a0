// nmf-teach-lab: a hand-written JupyterLab federated extension (no build step; plain JavaScript).
// Installed by `make lab` (and Binder's postBuild) into the environment's share/jupyter/labextensions.
//
// 1. The slideshow. jupyterlab-rise 0.43.1 presents a notebook in an application of its own
//    (/rise/<path>), built with a subset of JupyterLab's packages: its shared scope has no
//    @jupyterlab/markdownviewer, @jupyterlab/console or @jupyterlab/attachments, so jupyterlab-myst
//    2.7.0 ("Shared module @jupyterlab/markdownviewer doesn't exist in shared scope default") and the
//    widget manager (same, for @jupyterlab/console) fail to load there: the slides showed raw MyST
//    and no live widget. They use the first two only for an optional token (the markdown viewer's
//    and the console's trackers, which nothing provides in the slideshow) and the third for one
//    small class. This extension adds the three to the shared scope when (and only when) they are
//    missing: in JupyterLab itself it adds nothing.
// 2. Folded solutions stay folded. JupyterLab shows a cell's outputs again whenever it runs it
//    (CodeCell.execute sets outputHidden = false), so after Run All the results of the folded
//    solutions were in plain view. A code cell whose source is hidden (jupyter.source_hidden, set by
//    tools/notebooks.py on the solutions and the install cell) gets its outputs folded again after
//    it ran; a reader who unfolds the source sees the outputs of the next run.
// 3. The book's citations and cross-references. jupyterlab-myst cannot read a bibliography nor see
//    another notebook's labels: it shows the bare key (ponte2024nmf) or label (eq-objective,
//    thm-agd-modes) with a warning sign. Where it does, this shows what the book shows
//    ([Ponte, 2024], (2.1), Theorem 3.2),
//    linked to that place in the online book (static/book-index.json, written by
//    tools/notebooks.py). Within a notebook, its equations and theorems get the book's numbers
//    ((5.2) for jupyterlab-myst's (2)). Only attributes and a class are added to jupyterlab-myst's
//    elements (the text is drawn by CSS), so its own rendering is left intact.
var _JUPYTERLAB;
(_JUPYTERLAB = window._JUPYTERLAB = window._JUPYTERLAB || {})["nmf-teach-lab"] = (function () {
  "use strict";
  var NAME = "nmf-teach-lab";
  var shared = null;

  // @jupyterlab/attachments' AttachmentsResolver (jupyterlab-myst resolves a cell's images with it),
  // written out: attachment:name -> a data URL, any other address -> the notebook's own resolver.
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

  // The application's own copy of a shared package (the one its plugins use).
  function sharedModule(name) {
    var versions = shared && shared[name];
    if (!versions) {
      return Promise.reject(new Error(NAME + ": no shared " + name));
    }
    var keys = Object.keys(versions);
    var own = keys.filter(function (v) { return versions[v].from === "_JUPYTERLAB.CORE_OUTPUT"; });
    var entry = versions[(own.length ? own : keys)[0]];
    return entry.get().then(function (factory) { return factory(); });
  }

  var foldedOutputs = {
    id: NAME + ":folded-outputs",
    autoStart: true,
    activate: function () {
      sharedModule("@jupyterlab/notebook").then(function (notebook) {
        notebook.NotebookActions.executed.connect(function (sender, args) {
          var cell = args.cell;
          var jupyter = cell.model.getMetadata("jupyter") || {};
          if (cell.model.type === "code" && jupyter.source_hidden) {
            cell.outputHidden = true;
          }
        });
      }).catch(function (reason) { console.error(reason); });
    }
  };

  var STYLE = [
    ".nmf-teach-ref { font-size: 0 !important; color: var(--jp-content-link-color, #1976d2) !important;",
    "  cursor: pointer; }",
    ".nmf-teach-ref > svg { display: none; }",
    ".nmf-teach-ref::after { content: attr(data-nmf-teach-text); font-size: var(--nmf-teach-size); }",
    ".nmf-teach-number { font-size: 0 !important; }",
    ".nmf-teach-number::after { content: attr(data-nmf-teach-text); font-size: var(--nmf-teach-size); }",
    ".nmf-teach-unnumbered { visibility: hidden; }"
  ].join("\n");

  // jupyterlab-myst numbers a notebook's equations (1), (2), ... (all of them) and its theorems
  // Theorem 1, ...; the book numbers by chapter ((5.2), Theorem 5.1) and leaves an equation without
  // a label unnumbered. A link to a label of this notebook (the equation's own number, or a reference
  // to it) shows the book's number; an unlabelled equation's number is hidden.
  function renumber(link, index) {
    var label = decodeURIComponent(link.getAttribute("href").slice(1));
    var text = link.textContent.trim();
    if (link.getAttribute("data-nmf-teach-key") === label + "|" + text) {
      return;
    }
    link.setAttribute("data-nmf-teach-key", label + "|" + text);
    link.classList.remove("nmf-teach-number", "nmf-teach-unnumbered");
    var ref = index.ref[label.toLowerCase()];
    var number = /^\(\d+\)$/.test(text);
    var named = /^[A-Z][a-z]+ \d+$/.test(text);
    if (ref && ((number && ref.text.charAt(0) === "(") || (named && ref.text.split(" ")[0] === text.split(" ")[0]))) {
      link.setAttribute("data-nmf-teach-text", ref.text);
      link.style.setProperty("--nmf-teach-size", getComputedStyle(link.parentElement).fontSize);
      link.classList.add("nmf-teach-number");
    } else if (number && link.getAttribute("title") === "Link to this Equation") {
      link.classList.add("nmf-teach-unnumbered");
    }
  }

  function configOption(name) {
    var node = document.getElementById("jupyter-config-data");
    return node ? JSON.parse(node.textContent)[name] : undefined;
  }

  var bookTexts = {
    id: NAME + ":book-texts",
    autoStart: true,
    activate: function () {
      var base = configOption("fullLabextensionsUrl") || "/lab/extensions";
      fetch(base.replace(/\/$/, "") + "/" + NAME + "/static/book-index.json")
        .then(function (response) { return response.json(); })
        .then(function (index) {
          var labels = {};  // jupyterlab-myst lower-cases a label in its links: look labels up without case
          Object.keys(index.ref).forEach(function (label) { labels[label.toLowerCase()] = index.ref[label]; });
          index.ref = labels;
          var style = document.createElement("style");
          style.textContent = STYLE;
          document.head.appendChild(style);
          var kinds = [
            ["Citation Not Found", function (key) {
              return key in index.cite ? [index.cite[key], index.url + index.references] : null;
            }],
            ["Cross Reference Not Found", function (label) {
              var ref = index.ref[label.toLowerCase()];
              return ref ? [ref.text, index.url + ref.page] : null;
            }]
          ];
          function scan() {
            document.querySelectorAll('.jp-MarkdownCell a[href^="#"]').forEach(function (link) {
              renumber(link, index);
            });
            kinds.forEach(function (kind) {
              var spans = document.querySelectorAll('span[title="' + kind[0] + '"], span[data-nmf-teach-title="' +
                                                    kind[0] + '"]');
              spans.forEach(function (span) {
                var key = span.textContent.trim();
                if (span.getAttribute("data-nmf-teach-key") === key) {
                  return;
                }
                var found = kind[1](key);
                span.setAttribute("data-nmf-teach-key", key);
                if (!found) {
                  span.classList.remove("nmf-teach-ref");
                  return;
                }
                span.setAttribute("data-nmf-teach-title", kind[0]);
                span.setAttribute("data-nmf-teach-text", found[0]);
                span.setAttribute("data-nmf-teach-href", found[1]);
                span.setAttribute("title", found[0] + " in the book: " + found[1]);
                span.style.setProperty("--nmf-teach-size", getComputedStyle(span.parentElement).fontSize);
                span.classList.add("nmf-teach-ref");
              });
            });
          }
          var pending = false;
          new MutationObserver(function () {
            if (!pending) {
              pending = true;
              requestAnimationFrame(function () { pending = false; scan(); });
            }
          }).observe(document.body, { childList: true, subtree: true, characterData: true });
          scan();
          document.addEventListener("click", function (event) {
            var ref = event.target.closest && event.target.closest(".nmf-teach-ref");
            if (ref) {
              window.open(ref.getAttribute("data-nmf-teach-href"), "_blank", "noopener");
            }
          });
        })
        .catch(function (reason) { console.error(NAME + ": no book index", reason); });
    }
  };

  return {
    init: function (scope) {
      shared = scope;
      Object.keys(MISSING).forEach(function (name) {
        if (scope[name]) {
          return;
        }
        var exports = Object.assign({ __esModule: true }, MISSING[name]);
        scope[name] = {
          "4.99.0": {
            get: function () { return Promise.resolve(function () { return exports; }); },
            from: NAME,
            eager: false,
            loaded: 1
          }
        };
        console.log(NAME + ": provided " + name + ", missing from this application");
      });
    },
    get: function () {
      return Promise.resolve(function () { return { __esModule: true, default: [foldedOutputs, bookTexts] }; });
    }
  };
})();
