"""nmf_teach.shown: numbers kept by the cells and shown, formatted, in the prose."""

import numpy as np
import pytest

from nmf_teach.shown import glue, glued


def test_shown_formats_what_was_glued():
    assert glue("gap", np.float64(3.14159e-9)) is None, "a cell ending with glue(...) prints nothing"
    assert repr(glued("gap", ".1e")) == "3.1e-09" and str(glued("gap", ".3g")) == "3.14e-09"
    glue("count", 1000, display=False)
    assert repr(glued("count", ",")) == "1,000" and repr(glued("count")) == "1000"


def test_unknown_names_and_bad_names_are_refused():
    with pytest.raises(KeyError, match="run the cell"):
        glued("never_glued")
    with pytest.raises(ValueError, match="letters, digits"):
        glue("not a name", 1)
