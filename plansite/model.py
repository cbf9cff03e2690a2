"""The document model: what a plan *is*, independent of how it was extracted or will be shown.

A :class:`Document` is a tree of :class:`Node`. Structural nodes (``notice``, ``toc``, ``preface``,
``part``, ``chapter``, ``section``, ``subsection``, ``item``, ``box``) hold block nodes
(``paragraph``, ``table``) and other structural nodes as ``children``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Node kinds that appear in the outline (the JSON API's ``outline``).
OUTLINE_KINDS = ("notice", "toc", "preface", "part", "chapter", "section", "subsection", "item", "box", "table")
#: Block kinds: content, not structure.
BLOCK_KINDS = ("paragraph", "table")


@dataclass
class SourceLine:
    """One line of a plan source after corrections.

    ``number`` is the 1-based line number in the seed file (an inserted correction line carries the
    number of the line it was inserted before); ``text`` has no line terminator; ``corrected`` is
    true when a correction changed or inserted it.
    """

    number: int
    text: str
    corrected: bool = False


@dataclass
class Node:
    """A node of a plan's document tree.

    - ``kind``: one of :data:`OUTLINE_KINDS` or :data:`BLOCK_KINDS`.
    - ``id``: stable, URL-fragment-safe id built from the numbering path (``c5-s2``, ``box-3``), so
      that an edit elsewhere in the document does not change it.
    - ``number``: the marker as printed (``第五章``, ``一、``, ``（三）``, ``12.``), ``""`` when none.
    - ``title``: heading text with wrapped lines joined; ``""`` for blocks.
    - ``text``: the paragraph text (wrapped lines joined); ``""`` for structural nodes.
    - ``rows``: table cells, a list of rows of strings (tables only).
    - ``lines``: (first, last) 1-based line numbers in the seed file, inclusive.
    - ``lead``: for a paragraph, the run-in lead the source printed in bold at its start
      (``——综合实力实现跃升。``), ``""`` when none; ``text`` starts with it.
    """

    kind: str
    id: str = ""
    number: str = ""
    title: str = ""
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    lines: tuple[int, int] = (0, 0)
    children: list["Node"] = field(default_factory=list)
    lead: str = ""

    @property
    def label(self) -> str:
        """``number`` and ``title`` joined as a reader sees the heading."""
        return f"{self.number} {self.title}".strip() if self.number and not self.number.endswith(("、", "）", ".")) \
            else f"{self.number}{self.title}"

    def walk(self):
        """Yield this node and all its descendants, depth first, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def structural_children(self) -> list["Node"]:
        """Children that are themselves structure (not paragraphs or tables)."""
        return [c for c in self.children if c.kind not in BLOCK_KINDS]


@dataclass
class TocEntry:
    """One entry of the printed 目录: ``level`` (``篇``/``章``/``节``/``前言``), marker, title, page, source line."""

    level: str
    number: str
    title: str
    page: str
    line: int


@dataclass
class Dropped:
    """A source line left out of the pages, with the named ``rule`` that dropped it (for the build report)."""

    line: int
    text: str
    rule: str


@dataclass
class FrontFacts:
    """What a plan's front matter states, as printed (white space inside Chinese text removed).

    Filled by the parser from the title block, the adoption line and the issuing notice; read by
    ``build.py add`` to draft the plan's metadata. Empty strings / lists where the text says nothing.

    - ``title``: the plan's title, its lines joined (``中共长沙市委关于制定…的建议``);
      ``title_lines``: the 1-based source lines it was printed on;
    - ``adoption``: the adoption/approval line(s) joined (``（2021年1月14日…会议通过）``),
      ``adoption_lines`` its lines;
    - ``notice_title``: the issuing notice's title (``…关于印发…的通知``), ``notice_lines`` (first, last);
    - ``doc_number``: the document number as printed (``榕政〔2026〕3号``);
    - ``signature`` and ``signed_on``: the notice's signing body and date line as printed;
    - ``metadata``: a web page's 索引号/发布机构/文号/成文日期 block, label → value.
    """

    title: str = ""
    title_lines: list[int] = field(default_factory=list)
    adoption: str = ""
    adoption_lines: list[int] = field(default_factory=list)
    notice_title: str = ""
    notice_lines: tuple[int, int] = (0, 0)
    doc_number: str = ""
    signature: str = ""
    signed_on: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class Document:
    """A parsed plan: ``front`` (notice, toc, preface nodes), ``body`` (top-level structural nodes),
    the parsed ``toc`` entries, ``dropped`` lines, parser ``warnings`` (``Problem`` objects) and the
    front matter's ``facts``, and the ``line_model`` the parser read the text with
    (``paragraph-per-line``, ``blank-after-every-line``, ``hard-wrapped``, ``flattened``), and the
    numbering ``levels`` it read the headings by (the metadata's, or detected)."""

    front: list[Node]
    body: list[Node]
    toc: list[TocEntry] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    warnings: list = field(default_factory=list)
    facts: FrontFacts = field(default_factory=FrontFacts)
    line_model: str = ""
    levels: list = field(default_factory=list)

    def walk(self):
        """All nodes, front matter first, in document order."""
        for node in self.front + self.body:
            yield from node.walk()

    def find(self, node_id: str) -> Node | None:
        """The node with ``node_id``, or ``None``."""
        return next((n for n in self.walk() if n.id == node_id), None)
