"""The mutation harness itself (tools/mutants.py): its list, its sites, and how it plants and verifies a mistake.

The harness runs the chapters (``make mutants``); these tests only check its
machinery, fast, on the current package and on a toy package.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "mutants.py"


def _load():
    spec = importlib.util.spec_from_file_location("mutants", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mutants = _load()


def test_list_prints_every_mutant():
    completed = subprocess.run([sys.executable, str(SCRIPT), "--list"], capture_output=True, text=True,
                               check=True, timeout=60)
    lines = completed.stdout.splitlines()
    assert lines[-1] == f"{len(mutants.MUTANTS)} mutants"
    for mutant in mutants.MUTANTS:
        assert any(line.startswith(mutant.name + " ") for line in lines), mutant.name


def test_at_least_25_mutants_with_unique_names_known_chapters_and_probes():
    names = [m.name for m in mutants.MUTANTS]
    assert len(names) >= 25 and len(set(names)) == len(names)
    for m in mutants.MUTANTS:
        assert m.chapters and set(m.chapters) <= set(mutants.CHAPTERS), m.name
        assert "result" in m.probe and m.description, m.name
        assert all(old != new for old, new in m.edits), m.name
    for path in mutants.CHAPTERS.values():
        assert (ROOT / path).is_file(), path


@pytest.mark.parametrize("mutant", mutants.MUTANTS, ids=lambda m: m.name)
def test_every_old_text_occurs_exactly_once_in_the_current_package(mutant):
    text = (ROOT / "nmf_teach" / mutant.file).read_text(encoding="utf-8")
    for old, _ in mutant.edits:
        assert text.count(old) == 1, f"{mutant.name}: {old.strip()[:60]!r} occurs {text.count(old)} times"
    changed = mutants.apply_edits(text, mutant)
    assert changed != text
    compile(changed, mutant.file, "exec")  # the mutated module is still Python


def _toy(tmp_path):
    """A toy 'nmf_teach' package with one formula, f(x) = 2x, in a fake repository."""
    package = tmp_path / "repo" / "nmf_teach"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from .objective import objective\n")
    (package / "objective.py").write_text("def objective(x):\n    return 2 * x\n")
    return tmp_path / "repo"


def _mutant(old, new, name="toy"):
    return mutants.Mutant(name, "objective.py", ((old, new),), ("05",), "toy", "result = nt.objective(3.0)")


def test_a_site_that_is_gone_or_repeated_fails_loudly():
    text = "return 2 * x\nreturn 2 * x\n"
    with pytest.raises(mutants.HarnessError, match="mutant gone no longer applies: the code changed"):
        mutants.apply_edits(text, _mutant("return 3 * x", "return 4 * x", name="gone"))
    with pytest.raises(mutants.HarnessError, match="occurs 2 times"):
        mutants.apply_edits(text, _mutant("return 2 * x", "return 3 * x"))


def test_the_copy_is_mutated_and_the_working_tree_is_not(tmp_path):
    repo = _toy(tmp_path)
    copy = mutants.make_copy(repo, tmp_path / "copy", _mutant("2 * x", "3 * x"))
    assert "3 * x" in (copy / "nmf_teach" / "objective.py").read_text()
    assert "2 * x" in (repo / "nmf_teach" / "objective.py").read_text()


def test_probes_tell_a_real_mutant_from_one_that_changes_nothing_or_crashes(tmp_path):
    repo = _toy(tmp_path)
    real = _mutant("2 * x", "3 * x", name="real")
    same = _mutant("2 * x", "x * 2", name="same")
    crash = _mutant("2 * x", "2 * y", name="crash")
    original = mutants.run_probes(mutants.make_copy(repo, tmp_path / "original"), [real])["real"]
    results = {}
    for m in (real, same, crash):
        package_dir = mutants.make_copy(repo, tmp_path / m.name, m)
        results[m.name] = mutants.run_probes(package_dir, [m])[m.name]
        # the probe really imported the copy: a copy elsewhere would not give these numbers
    assert original[0] == 6.0 and results["real"][0] == 9.0
    mutants.check_installed(real, original, results["real"])
    with pytest.raises(mutants.HarnessError, match="changes nothing"):
        mutants.check_installed(same, original, results["same"])
    with pytest.raises(mutants.HarnessError, match="not installed.*NameError"):
        mutants.check_installed(crash, original, results["crash"])


def test_a_package_that_does_not_import_is_not_installed(tmp_path):
    repo = _toy(tmp_path)
    broken = _mutant("    return 2 * x\n", "    return 2 *\n", name="broken")
    package_dir = mutants.make_copy(repo, tmp_path / "broken", broken)
    result = mutants.run_probes(package_dir, [broken])["broken"]
    assert isinstance(result, str) and "import failed" in result
    with pytest.raises(mutants.HarnessError, match="not installed"):
        mutants.check_installed(broken, [6.0], result)


def test_the_failing_line_is_read_from_an_ipython_traceback():
    traceback = ["\x1b[0;31mAssertionError\x1b[0m  Traceback (most recent call last)",
                 "Cell \x1b[0;32mIn[4], line 3\x1b[0m", "      1 x = 1",
                 "\x1b[0;32m----> 3\x1b[0m \x1b[38;5;28;01massert\x1b[39;00m x \x1b[38;5;241m==\x1b[39m 2",
                 "\x1b[0;31mAssertionError\x1b[0m: "]
    assert mutants._failing_line(traceback) == "assert x == 2"
