"""What the building process keeps in memory: no seed text of a plan it does not build.

At a thousand plans the seed lines of every plan, kept by the validation, held about 150 MiB in
the parent and in each forked worker. The validation keeps only each seed's number of lines; a
plan's seed is decoded where the plan is parsed (the worker), and a plan taken from the cache
has its seed hashed (checksum, remembered validation) but never decoded.
"""

from __future__ import annotations

import pytest

from conftest import update_checksum
from plansite import sources
from plansite.cache import BuildCache
from plansite.check import validate_inputs
from plansite.errors import PlansiteError
from plansite.incremental import build_plans


@pytest.fixture
def decoded(monkeypatch):
    """The seeds decoded (their ``source`` paths, in order) from the moment the fixture is used."""
    seen: list[str] = []
    real = sources.decode_bytes

    def counting(data, shown):
        seen.append(shown)
        return real(data, shown)

    monkeypatch.setattr(sources, "decode_bytes", counting)
    return seen


def test_a_build_decodes_only_the_seeds_of_the_plans_it_builds(project, tmp_path, monkeypatch, decoded):
    monkeypatch.setenv("PLANSITE_JOBS", "1")  # the worker's reads happen in this process, counted
    cache = BuildCache(tmp_path / "cache")
    first = build_plans(project, project / "templates", cache)
    assert first.built and set(decoded) >= {f"seeds/{slug}.txt" for slug in first.built}
    decoded.clear()
    again = build_plans(project, project / "templates", cache)
    assert again.built == [] and decoded == []  # every plan from the cache: no seed decoded
    slug = sorted(first.built)[1]
    seed = project / "seeds" / f"{slug}.txt"
    seed.write_text(seed.read_text(encoding="utf-8").replace("，", "；", 1), encoding="utf-8")
    update_checksum(project, slug)
    edited = build_plans(project, project / "templates", cache)
    assert edited.built == [slug]
    assert set(decoded) == {f"seeds/{slug}.txt"}  # validated, then parsed: this seed only


def test_validated_inputs_keep_the_number_of_seed_lines_not_the_lines(project):
    inputs = validate_inputs(project)
    assert inputs.plans and not inputs.problems
    for item in inputs.plans:
        assert "seed" not in vars(item)
        assert not any(isinstance(v, list) and v and isinstance(v[0], str) for v in vars(item).values())
        lines = item.seed
        assert item.seed_lines == len(lines) > 0
        assert lines == sources.decode_bytes((project / item.plan.source).read_bytes(), item.plan.source).lines


def test_a_seed_saved_after_validation_is_refused_not_built(project, tmp_path, monkeypatch):
    inputs = validate_inputs(project)
    item = inputs.plans[0]
    seed = project / item.plan.source
    seed.write_text(seed.read_text(encoding="utf-8") + "\n新增一行。\n", encoding="utf-8")
    with pytest.raises(PlansiteError) as caught:
        item.seed
    (problem,) = caught.value.problems
    assert problem.path == item.plan.meta_path and problem.line > 0
    assert "checksum mismatch" in problem.message and "changed during the build" in problem.message


def test_cards_keep_their_tables_in_the_cache_entry(project, tmp_path):
    cache = BuildCache(tmp_path / "cache")
    first = build_plans(project, project / "templates", cache)
    again = build_plans(project, project / "templates", cache)
    inputs = {item.plan.slug: item.tables for item in validate_inputs(project).plans}
    assert any(inputs.values())
    for result in (first, again):  # built now, and taken from the cache
        for card in result.cards:
            assert "tables" not in vars(card) and "tables_json" not in vars(card)
            assert card.tables == inputs[card.plan.slug]
            assert (card.tables_json is None) == (not card.tables)


def test_cross_plan_texts_kept_in_the_cache_are_not_held(project, tmp_path):
    from plansite.incremental import build_outputs

    cache = BuildCache(tmp_path / "cache")
    for _ in range(2):  # made now, then taken from the cache
        result = build_outputs(project, project / "templates", cache)
        stored = [path for path in result.cross if result.cross.source(path)]
        assert "downloads/all-indicators.json" in stored and "assets/t2s.json" in stored
        assert set(stored) == set(result.cross)  # the home page too: the set is remembered whole
        for path in stored:
            source = result.cross.source(path)
            assert source.startswith(str(tmp_path / "cache" / "cross"))
            assert result.cross[path] == open(source, encoding="utf-8", newline="").read()
        assert not set(stored) & set(vars(result.cross)["_texts"])
    with pytest.raises(KeyError):
        result.cross.source("no/such/file.html")
