"""The build's garbage-collector policy: rare collections during a build, the default after."""

from __future__ import annotations

import gc

import pytest


def test_rare_collections_raises_the_thresholds_and_restores_them_even_on_error():
    from plansite.gcpolicy import BUILD_THRESHOLD, rare_collections

    before = gc.get_threshold()
    assert before != BUILD_THRESHOLD
    with rare_collections():
        assert gc.get_threshold() == BUILD_THRESHOLD
        assert gc.isenabled()  # rarer, not off: young garbage cycles are still collected
    assert gc.get_threshold() == before
    with pytest.raises(ValueError), rare_collections():
        raise ValueError("a failed build")
    assert gc.get_threshold() == before


def test_build_py_builds_with_rare_collections(tmp_path, monkeypatch):
    import plansite.cli as cli
    import plansite.mkdocs_run as mkdocs_run
    from plansite.gcpolicy import BUILD_THRESHOLD

    seen = []

    def fake_build_site(root, site, config, quiet=False, inputs=None, own_record=None):
        seen.append(gc.get_threshold())
        return {"site": str(site), "plans": 0, "pages": 0, "files": 0, "warnings": [], "seconds": 0.0}

    monkeypatch.setattr(mkdocs_run, "build_site", fake_build_site)
    monkeypatch.setattr(cli, "format_summary", lambda summary: "built")
    before = gc.get_threshold()
    assert cli.main(["--root", str(tmp_path), "build", "--force", "--quiet", "--site", str(tmp_path / "site")]) == 0
    assert seen == [BUILD_THRESHOLD]
    assert gc.get_threshold() == before
