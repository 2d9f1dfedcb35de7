"""What the package's metadata shows: its licence, and a description whose links work.

PyPI and other indexes show the package's description (the README) away from the
repository, where a relative link or picture leads nowhere. The build makes them
absolute (``tool.hatch.metadata.hooks.fancy-pypi-readme`` in ``pyproject.toml``);
these tests build the metadata from the source with hatchling, as ``pip`` does.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REPOSITORY = "https://github.com/adlearn/adlearn"
LINK = re.compile(r"(!?)\[[^\]]*\]\(([^)\s]+)\)")


@pytest.fixture(scope="module")
def core():
    from hatchling.metadata.core import ProjectMetadata
    from hatchling.plugin.manager import PluginManager

    return ProjectMetadata(str(ROOT), PluginManager()).core


def test_the_licence_file_is_the_mit_licence_the_metadata_names(core):
    assert core.license_expression == "MIT"
    assert core.license_files == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text


def test_the_description_is_the_readme(core):
    assert core.readme_content_type == "text/markdown"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # the same text, link targets aside
    assert LINK.sub("LINK", core.readme) == LINK.sub("LINK", readme)


def test_every_link_and_picture_of_the_description_is_absolute(core):
    links = LINK.findall(core.readme)
    assert len(links) >= 10
    for is_picture, target in links:
        assert re.match(r"https?://", target), f"relative link left: {target}"
        if is_picture:  # the file itself, not its page on GitHub
            assert not target.startswith(f"{REPOSITORY}/blob/"), target


def test_absolute_links_into_the_repository_name_files_that_exist(core):
    readme_targets = [t for _p, t in LINK.findall((ROOT / "README.md").read_text(encoding="utf-8"))]
    relative = [t for t in readme_targets if not re.match(r"[a-z]+:|#", t)]
    assert relative, "the README links files of the repository"
    for target in relative:
        assert (ROOT / target.split("#")[0]).exists(), f"the README links a missing file: {target}"
        assert (
            f"{REPOSITORY}/blob/main/{target}" in core.readme
            or f"https://raw.githubusercontent.com/adlearn/adlearn/main/{target}" in core.readme
        ), target
