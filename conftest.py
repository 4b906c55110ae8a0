"""Collect only the chapters listed in _toc.yml: a half-built chapter is not tested until it is listed."""

from pathlib import Path

import yaml

ROOT = Path(__file__).parent


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {toc["root"]}
    stack = list(toc.get("chapters", [])) + list(toc.get("parts", []))
    while stack:
        entry = stack.pop()
        if "file" in entry:
            files.add(entry["file"])
        stack.extend(entry.get("chapters", []))
        stack.extend(entry.get("sections", []))
    return {str((ROOT / f).with_suffix(".ipynb").resolve()) for f in files}


def pytest_ignore_collect(collection_path, config):
    path = Path(collection_path)
    if path.suffix == ".ipynb":
        return str(path.resolve()) not in _toc_files()
    return None
