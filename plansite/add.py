"""``build.py add PATH [--slug SLUG] [--kind outline|proposal]``: add a new plan from its source text.

1. The file is read and decoded (:mod:`plansite.parser.decode`); a file that is not text, or not
   in a supported encoding, is one ``path:line: message`` and exit 1.
2. It is copied byte for byte to ``seeds/<slug>.txt`` (the slug comes from the file name unless
   given; lowercase letters, digits and hyphens).
3. The text is parsed with a provisional plan, and ``site_src/plans/<slug>.yml`` is drafted from
   the front matter's facts (:class:`~plansite.model.FrontFacts`, read by the fact readers of
   :mod:`plansite.parser.facts`): every fact is preceded by a YAML comment naming the source line
   it came from; facts the text does not state stay ``""``. A required field the text does not
   state (a title, a region) gets a value composed from what it does state, or ``待定``, marked
   ``# TODO`` and reported as a warning.
4. The detected structure is printed (encoding, line model, levels, counts, 目录 entries, dropped
   lines) with the parser's warnings, so an editor knows what to check.

An existing plan is never overwritten (exit 1). The draft is validated like any plan file before
``add`` returns, so ``build`` works on it with no hand edit.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import PlansiteError, Problem
from .model import Document, FrontFacts, SourceLine
from .parser import facts as F
from .parser import parse_document
from .parser.chrome import metadata_block
from .parser.decode import decode_bytes
from .parser.normalize import norm
from .plans import KINDS, SLUG_RE, Period, Plan, check_plan_file

PLACEHOLDER = "待定"


@dataclass
class Fact:
    """One drafted metadata value with where it came from: ``lines`` (1-based source lines, empty
    when derived), ``note`` (how it was read, for the YAML comment) and ``todo`` (a required value
    the text does not state, to be checked)."""

    value: object
    lines: list[int] = field(default_factory=list)
    note: str = ""
    todo: bool = False


def slug_from(path: Path) -> str:
    """A slug from a file name: ``Changsha_15 proposal.txt`` → ``changsha-15-proposal``; ``""``
    when nothing of the name is usable."""
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")


def _quote(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _find_line(lines: list[SourceLine], wanted: str, start: int = 0) -> int:
    """The first source line (1-based) whose text, spaces removed, is ``wanted`` (spaces removed),
    else the first that contains it (a signature is its own line, not the site name that
    contains it); 0 when none does."""
    key = re.sub(r"\s+", "", wanted)
    if not key:
        return 0
    texts = [(sl.number, re.sub(r"\s+", "", sl.text)) for sl in lines[start:]]
    return next((n for n, t in texts if t == key), next((n for n, t in texts if key in t), 0))


class Drafter:
    """Reads the metadata facts of one parsed source; ``warnings`` collects the doubts."""

    def __init__(self, shown: str, lines: list[SourceLine], doc: Document, kind_given: str | None,
                 given_path: str = ""):
        self.shown, self.lines, self.doc = shown, lines, doc
        self.given_path = given_path or shown
        self.facts: FrontFacts = doc.facts
        self.kind_given = kind_given
        self.warnings: list[Problem] = []
        self.values: dict[str, Fact] = {}
        self.dropped = {d.line for d in doc.dropped}
        # the page's 索引号/发文机关/文号/成文日期 block, when the parser did not record it
        self.metadata = dict(doc.facts.metadata) or metadata_block([sl.text.strip() for sl in lines])

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Problem(self.shown, line, message))

    def text_lines(self, limit: int = 60):
        """The first ``limit`` non-blank source lines that are not dropped chrome."""
        out = [sl for sl in self.lines if sl.text.strip() and sl.number not in self.dropped]
        return out[:limit]

    def draft(self) -> dict[str, Fact]:
        ff, v = self.facts, self.values
        title_lines = list(ff.title_lines) or ([ff.title and _find_line(self.lines, ff.title)] if ff.title else [])
        adoption = F.adoption_of(ff.adoption) if ff.adoption else F.Adoption("", "")
        adoption_lines = list(ff.adoption_lines)

        kind = self._kind(ff, title_lines, adoption_lines)
        region = F.region_of(ff.title) if ff.title else None
        region_lines = title_lines
        if region is None:
            for text, where in ((adoption.body, adoption_lines), (ff.signature, [_find_line(self.lines, ff.signature)])):
                region = F.region_named(F.region_in_body(text)) if text else None
                if region:
                    region_lines = [w for w in where if w]
                    break
        period, period_lines = self._period(ff, title_lines)
        vision, vision_lines = self._vision(ff, title_lines)

        # title
        if ff.title:
            v["title"] = Fact(ff.title, title_lines)
        elif region and period:
            v["title"] = Fact(F.compose_title(region.name, period[0], vision, kind.value), [],
                              "not printed in the text: composed from region, period and kind", True)
            self.warn(0, f"no title printed in the text; drafted {v['title'].value!r} from region, period and kind: check it")
        else:
            v["title"] = Fact(PLACEHOLDER, [], "not printed in the text", True)
            self.warn(0, "no title printed in the text: title left as 待定, fill it in")
        # region, level, parent
        if region:
            level, note = region.level, ""
            line0 = region_lines[0] if region_lines else 0
            if not _level_accepted(level):
                level = "district" if level == "town" else "zone"
                note = f"{region.level} is not accepted by this project's plan schema yet: {level} written instead"
                self.warn(line0, f"level {region.level} of {region.name}: {note}; check it")
            stated = None
            if _level_accepted(level) and not region.certain:
                texts = self.text_lines(limit=len(self.lines))
                stated = F.city_level(region.name, [sl.text for sl in texts])
                if stated:
                    said = texts[stated.index].number
                    level = stated.level
            if stated:
                v["region"] = Fact(region.name, region_lines)
                v["level"] = Fact(level, [said], stated.reason)
                parent = region.parent or stated.parent
                v["parent_region"] = Fact(parent, (region_lines if region.parent else [said]) if parent else [],
                                          "" if parent else "not stated")
            else:
                if _level_accepted(level) and not region.certain:
                    note = ("assumed: a 市 with no parent 市 printed, and the text does not say which level it is "
                            "(县级市, a higher 市委, its own 县), is taken for prefecture level; a county-level city is `county`")
                    self.warn(line0, f"level of {region.name} assumed to be prefecture (a county-level city would be "
                                     f"county; the text does not say): check it")
                v["region"] = Fact(region.name, region_lines)
                v["level"] = Fact(level, region_lines, note, bool(note))
                v["parent_region"] = Fact(region.parent, region_lines if region.parent else [],
                                          "" if region.parent else "not stated")
        else:
            v["region"] = Fact(PLACEHOLDER, [], "not stated in the text", True)
            v["level"] = Fact("district", [], "not stated in the text: a placeholder", True)
            v["parent_region"] = Fact("", [], "not stated")
            self.warn(0, "no region found in the title or front matter: region left as 待定 and level as district, fill them in")
        short = F.short_title(region.name, period[0], kind.value) if region and period else PLACEHOLDER
        if "计划" in (ff.title or "") and "规划" not in (ff.title or ""):
            short = short.replace("”规划", "”计划")  # a 计划 (十五 and before) is not called a 规划
        v["short_title"] = Fact(short,
                                [], "derived from region, period and kind", not (region and period))
        if not period:
            raise PlansiteError.at(self.given_path, 0, "no plan period in the text (十四五, 第十四个五年 or 2021—2025年): "
                                                  "cannot draft the metadata, write it by hand")
        from_title = bool(period_lines) and period_lines == title_lines
        v["period"] = Fact({"start": period[0], "end": period[1], **({"vision": vision} if vision else {})},
                           sorted(set(period_lines + vision_lines)),
                           "" if from_title else "the first period the text names, not the title's", not from_title)
        if not from_title:
            self.warn(period_lines[0], f"no title states the period: {period[0]}–{period[1]} read from the text, check it")
        v["kind"] = kind
        # issuer, doc number, approval, issue date
        issuer = F.issuer_of_title(ff.title) if ff.title and kind.value == "proposal" else ""
        committee = F.committee_of(adoption.body) if kind.value == "proposal" else ""
        if issuer:
            v["issuer"] = Fact(issuer, title_lines[:1])
        elif committee:
            v["issuer"] = Fact(committee, adoption_lines, "the committee that adopted it")
        elif ff.signature:
            v["issuer"] = Fact(ff.signature, [_find_line(self.lines, ff.signature)],
                               "the signature under the notice or the title")
        elif self.metadata.get("发文机关"):
            v["issuer"] = Fact(self.metadata["发文机关"], [self._meta_line("发文机关")], "the page's 发文机关")
        else:
            v["issuer"] = Fact("", [], "not stated")
        number = ff.doc_number or self.metadata.get("文号") or self.metadata.get("发文字号") or ""
        v["doc_number"] = Fact(number, [_find_line(self.lines, number)] if number else [], "" if number else "not stated")
        v["approved_by"] = Fact(adoption.body, adoption_lines if adoption.body else [], "" if adoption.body else "not stated")
        v["approved_on"] = Fact(adoption.date, adoption_lines if adoption.date else [], "" if adoption.date else "not stated")
        issued = F.date_iso(ff.signed_on) if ff.signed_on else ""
        issued_line = _find_line(self.lines, ff.signed_on) if issued else 0
        if not issued and self.metadata.get("成文日期"):
            issued = F.date_iso(self.metadata["成文日期"])
            issued_line = self._meta_line("成文日期")
        v["issued_on"] = Fact(issued, [issued_line] if issued else [], "" if issued else "not stated")
        if ff.signed_on and not issued:
            self.warn(_find_line(self.lines, ff.signed_on), f"the date {ff.signed_on!r} under the notice or title is not a full date: issued_on left empty")
        return v

    def _meta_line(self, label: str) -> int:
        return next((sl.number for sl in self.lines if norm(sl.text).lstrip().startswith(label)
                     or f" {label}" in norm(sl.text)), 0) or _find_line(self.lines, label)

    def _kind(self, ff: FrontFacts, title_lines: list[int], adoption_lines: list[int]) -> Fact:
        found, lines, note = "", [], ""
        if ff.title and F.kind_of(ff.title):
            found, lines = F.kind_of(ff.title), title_lines
        elif ff.adoption and F.kind_of_adoption(ff.adoption):
            found, lines, note = F.kind_of_adoption(ff.adoption), adoption_lines, "adopted by whom"
        else:
            for sl in self.text_lines(20):
                if re.search(r"提出(?:以下|如下)建议", norm(sl.text)):
                    found, lines, note = "proposal", [sl.number], "提出以下建议"
                    break
        if self.kind_given:
            if found and found != self.kind_given:
                self.warn(lines[0] if lines else 0, f"--kind {self.kind_given} given, but the text reads as a {found}")
            return Fact(self.kind_given, [], "given with --kind")
        if found:
            return Fact(found, lines, note)
        self.warn(0, "kind not stated (no 建议/纲要 title, no adoption line): outline assumed, check it")
        return Fact("outline", [], "not stated: outline assumed", True)

    def _period(self, ff: FrontFacts, title_lines: list[int]) -> tuple[tuple[int, int] | None, list[int]]:
        if ff.title and F.period_of(ff.title):
            return F.period_of(ff.title), title_lines
        for sl in self.text_lines(limit=len(self.lines)):
            found = F.period_of(sl.text)
            if found:
                return found, [sl.number]
        return None, []

    def _vision(self, ff: FrontFacts, title_lines: list[int]) -> tuple[int | None, list[int]]:
        if ff.title:
            return F.vision_of(ff.title), title_lines if F.vision_of(ff.title) else []
        for sl in self.text_lines(10):
            year = F.vision_of(sl.text)
            if year and F.cycle_of(sl.text):
                return year, [sl.number]
        return None, []


def _level_accepted(level: str) -> bool:
    """Whether the project's plan schema accepts ``level`` (``town`` is newer than some checkouts)."""
    from . import plans

    known = getattr(plans, "LEVELS", None)
    return known is None or level in known


FIELDS = ["title", "short_title", "region", "level", "parent_region", "period", "kind", "issuer", "doc_number",
          "approved_by", "approved_on", "issued_on"]


def _scalar(value: object) -> str:
    """``value`` as one YAML scalar (``""`` for the empty string, quoted where YAML needs it)."""
    if value == "":
        return '""'
    return yaml.safe_dump(value, allow_unicode=True, width=10 ** 6).removesuffix("\n...\n").rstrip("\n")


def render_yaml(values: dict[str, Fact], lines: list[SourceLine], source: str, sha: str, schema: bool) -> str:
    """The metadata draft as YAML text: each fact preceded by a comment naming its source line(s)."""
    by_number = {sl.number: sl.text for sl in lines}
    out = []
    if schema:
        out.append("# yaml-language-server: $schema=../schemas/plan.schema.json")
    out.append(f"# Drafted by `build.py add` from {source}: every fact below names the line it was read from;")
    out.append("# \"\" means the text does not say. Check each fact against the text, and the lines marked TODO.")
    title_lines = [n for n in values["title"].lines if n]
    for key in FIELDS:
        fact = values[key]
        shown = [n for n in fact.lines if n]
        if shown and key != "title" and shown == title_lines:
            span = f"line {shown[0]}" if len(shown) == 1 else f"lines {shown[0]}–{shown[-1]}"
            note = f" ({fact.note})" if fact.note else ""
            out.append(f"# {'TODO ' if fact.todo else ''}from the title, {span}{note}")
        elif shown:
            where = f"line {shown[0]}" if len(shown) == 1 else f"lines {', '.join(map(str, shown))}"
            quote = " / ".join(_quote(by_number.get(n, ""), 48 if len(shown) == 1 else 24) for n in shown[:4])
            note = f" ({fact.note})" if fact.note else ""
            out.append(f"# {'TODO ' if fact.todo else ''}from {where}{note}: {quote}")
        elif fact.note and (fact.todo or fact.note not in ("not stated",)):
            out.append(f"# {'TODO: ' if fact.todo else ''}{fact.note}")
        if key == "period":
            value = fact.value
            inner = ", ".join(f"{k}: {value[k]}" for k in ("start", "end", "vision") if k in value)
            out.append(f"period: {{{inner}}}")
        else:
            out.append(f"{key}: " + _scalar(fact.value))
    out.append(f"source: {source}")
    out.append(f"sha256: {sha}")
    return "\n".join(out) + "\n"


def _structure(doc: Document, decoded, drafter_warnings: list[Problem], out) -> None:
    """Print what the parser found: encoding, line model, levels, counts, 目录, dropped lines."""
    print(f"  encoding    {decoded.encoding}, {decoded.newline} line ends, {len(decoded.lines)} lines", file=out)
    print(f"  line model  {getattr(doc, 'line_model', '') or 'one paragraph per line'}", file=out)
    kinds = Counter(n.kind for n in doc.walk())
    examples: dict[str, str] = {}
    for node in doc.walk():
        if node.kind in ("part", "chapter", "section", "subsection", "item", "box") and node.number:
            examples.setdefault(node.kind, node.number)
    levels = ", ".join(f"{examples[k]} → {k}" for k in ("part", "chapter", "section", "subsection", "item", "box")
                       if k in examples)
    print(f"  levels      {levels or 'none found'}", file=out)
    counts = ", ".join(f"{kinds[k]} {k}{'s' if kinds[k] != 1 else ''}" for k in
                       ("part", "chapter", "section", "subsection", "item", "box", "table", "paragraph") if kinds[k])
    print(f"  counts      {counts or 'no text'}", file=out)
    front = ", ".join(n.kind + (f" ({n.title})" if n.title else "") for n in doc.front)
    print(f"  front       {front or 'none'}", file=out)
    if doc.toc:
        by_level = Counter(e.level or "unnumbered" for e in doc.toc)
        detail = ", ".join(f"{level} {count}" for level, count in by_level.items())
        print(f"  目录        {len(doc.toc)} entries ({detail}), first: {doc.toc[0].number} {doc.toc[0].title}".rstrip(),
              file=out)
    else:
        print("  目录        none", file=out)
    print(f"  dropped     {len(doc.dropped)} lines", file=out)
    for d in doc.dropped:
        print(f"    line {d.line} [{d.rule}] {_quote(d.text, 60)}", file=out)


def add_plan(root: Path, path: Path, slug: str | None = None, kind: str | None = None,
             out=None, err=None) -> Path:
    """Add the plan source at ``path`` to the project at ``root``; return the metadata file written.

    Prints the structure report to ``out`` and ``warning: path:line: message`` lines to ``err``.
    Raises :class:`PlansiteError` (one problem, exit 1) for a missing, empty, non-text or
    undecodable file, a bad slug, an existing plan, or a text that names no plan period;
    nothing is written then.
    """
    out, err = out or sys.stdout, err or sys.stderr
    root = Path(root).resolve()
    shown = str(path)
    if not path.is_file():
        raise PlansiteError.at(shown, 0, "no such file" if not path.exists() else "not a regular file")
    data = path.read_bytes()
    if not data.strip():
        raise PlansiteError.at(shown, 0, "the file is empty")
    decoded = decode_bytes(data, shown)
    if not re.search(r"[\u4e00-\u9fff]", decoded.text):
        raise PlansiteError.at(shown, 0, "no Chinese text in the file: not a plan source")
    if kind is not None and kind not in KINDS:
        raise PlansiteError.at(shown, 0, f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    slug = slug if slug is not None else slug_from(path)
    if not slug:
        raise PlansiteError.at(shown, 0, "cannot derive a slug from the file name: give --slug")
    if not SLUG_RE.match(slug):
        raise PlansiteError.at(shown, 0, f"slug {slug!r} must be lowercase letters, digits and hyphens")
    meta = root / "site_src" / "plans" / f"{slug}.yml"
    seed = root / "seeds" / f"{slug}.txt"
    if meta.exists():
        raise PlansiteError.at(f"site_src/plans/{slug}.yml", 0, f"plan {slug!r} exists already: add never overwrites it")
    if seed.exists() and seed.read_bytes() != data:
        raise PlansiteError.at(f"seeds/{slug}.txt", 0, f"a different seed named {slug!r} exists already: choose another --slug")

    source = f"seeds/{slug}.txt"
    sha = hashlib.sha256(data).hexdigest()
    lines = [SourceLine(i, text) for i, text in enumerate(decoded.lines, start=1)]
    def parsed(as_kind: str) -> Document:
        plan = Plan(slug=slug, title="", short_title="", region="", level="", parent_region="",
                    period=Period(0, 0), kind=as_kind, source=source, sha256=sha)
        return parse_document(plan, lines)

    doc = parsed(kind or "outline")
    drafter = Drafter(source, lines, doc, kind, shown)
    values = drafter.draft()
    if values["kind"].value != (kind or "outline"):
        doc = parsed(values["kind"].value)
        drafter = Drafter(source, lines, doc, kind, shown)
        values = drafter.draft()
    schema = (root / "site_src" / "schemas" / "plan.schema.json").exists()
    text = render_yaml(values, lines, source, sha, schema)

    created_seed = not seed.exists()
    seed.parent.mkdir(parents=True, exist_ok=True)
    meta.parent.mkdir(parents=True, exist_ok=True)
    if created_seed:
        seed.write_bytes(data)
    meta.write_text(text, encoding="utf-8")
    plan, problems = check_plan_file(root, meta)
    if problems:  # the draft must always validate: anything else is a bug here
        meta.unlink()
        if created_seed:
            seed.unlink()
        raise RuntimeError("drafted metadata does not validate: " + "; ".join(str(p) for p in problems))

    print(f"added {source} and site_src/plans/{slug}.yml", file=out)
    print(f"  title       {values['title'].value}", file=out)
    _structure(doc, decoded, drafter.warnings, out)
    for problem in list(doc.warnings) + drafter.warnings:
        print(f"warning: {problem}", file=err)
    todo = [k for k in FIELDS if values[k].todo]
    if todo:
        print(f"  to check    {', '.join(todo)} (marked TODO in site_src/plans/{slug}.yml)", file=out)
    return meta
