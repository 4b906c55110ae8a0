"""Sphinx extension: SVG images become PDF for the LaTeX build (the PDF edition), with rsvg-convert.

LaTeX cannot include SVG. Sphinx's own converter (``sphinx.ext.imgconverter``, which
sphinx-jupyterbook-latex loads by default) calls ImageMagick's ``convert``; this one calls
``rsvg-convert`` (Debian's librsvg2-bin, 1.6 MB, installed by ``make pdf``), which keeps the
drawing vector and its text as text. HTML builds keep the SVG: converters run only for
builders that cannot show it.
"""

import shutil
import subprocess

from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms.images import ImageConverter


class RsvgConverter(ImageConverter):
    conversion_rules = [("image/svg+xml", "application/pdf")]

    def is_available(self):
        return shutil.which("rsvg-convert") is not None

    def convert(self, _from, _to):
        result = subprocess.run(["rsvg-convert", "--format=pdf", f"--output={_to}", _from],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise ExtensionError(f"rsvg-convert could not convert {_from}: {result.stderr.strip()}")
        return True


def setup(app):
    app.add_post_transform(RsvgConverter)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
