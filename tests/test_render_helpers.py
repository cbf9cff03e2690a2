"""The HTML helpers written in Python for speed (``plansite.blocks``) write what the Jinja2
markup they replaced wrote, character for character, escaping included."""

from __future__ import annotations

import random

import jinja2

from plansite.blocks import column_labels, row_cells, source_lines
from plansite.cells import plain, rich

# the indicator table row as templates/indicator_table.html wrote it before row_cells
ROW_CELLS = ("{% for cell in cells %}<td data-label=\"{{ columns[loop.index0] | plain if loop.index0 < columns"
             " | length else '' }}\">{{ cell | rich }}</td>{% endfor %}{% for _ in range(columns | length - cells"
             " | length) %}<td></td>{% endfor %}")
PIECES = ["地区生产总值", "<script>", "PM <sub>2.5</sub> ", " _{2.5}", "&", "\"'", "", "5.5", "亿元", "≥"]


def test_row_cells_write_what_the_template_loop_wrote():
    env = jinja2.Environment(autoescape=True)
    env.filters.update(rich=rich, plain=plain)
    template = env.from_string(ROW_CELLS)
    rng = random.Random(3)
    for _ in range(500):
        columns = ["".join(rng.choices(PIECES, k=rng.randint(1, 3))) for _ in range(rng.randint(0, 6))]
        cells = [rng.choice([None, 0, 12]) if rng.random() < 0.1 else "".join(rng.choices(PIECES, k=rng.randint(0, 3)))
                 for _ in range(rng.randint(0, 8))]
        assert str(row_cells(cells, column_labels(columns))) == template.render(cells=cells, columns=columns)


def test_source_lines_escape_each_line_and_mark_corrected_ones():
    seed = ["第一行 <b>", "A & B", "", "“引号”'x'"]
    html = str(source_lines(seed, {2}))
    assert html == ('<li id="L1">第一行 &lt;b&gt;</li>\n<li id="L2" class="corrected">A &amp; B</li>\n'
                    '<li id="L3"></li>\n<li id="L4">“引号”&#39;x&#39;</li>\n')
    assert str(source_lines(["a\nb", "<"], set())) == '<li id="L1">a\nb</li>\n<li id="L2">&lt;</li>\n'
    assert str(source_lines([], set())) == ""


def test_md_escape_is_the_three_substitutions():
    """:func:`plansite.texts.md_escape` skips substitutions that cannot match: the same text as
    applying all three, on random text made of markup, spaces (also full-width) and digits."""
    from plansite.texts import _MD_LINE_START, _MD_ORDERED, _MD_SPECIAL, md_escape

    def reference(text: str) -> str:
        text = _MD_SPECIAL.sub(r"\\\1", text)
        text = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
        return _MD_ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), text)

    rng = random.Random(11)
    alphabet = list(" \t\u3000#>+-=1２٣.)*_[]<>|\\`a中\n")
    for _ in range(20000):
        text = "".join(rng.choices(alphabet, k=rng.randint(0, 8)))
        assert md_escape(text) == reference(text), text
    assert md_escape("  1. 发展") == "  1\\. 发展" and md_escape("> 引") == "\\> 引"


def test_esc_and_rich_text_escape_as_markupsafe_does():
    # the plain-str escaping of the HTML written in Python: the text of markupsafe.escape (and of
    # the rich filter) for every mix of the five characters escaped, markup kept as it is
    from markupsafe import Markup, escape

    from plansite.cells import esc, rich_text
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choices(PIECES + ["<", ">", "&amp;", "'", '"', "<b>"], k=rng.randint(0, 5)))
        assert esc(text) == str(escape(text))
        assert type(esc(text)) is str
        assert rich_text(text) == str(rich(text))
    assert esc("<b>&'\"") == "&lt;b&gt;&amp;&#39;&#34;"
    assert esc(Markup("<b>x</b>")) == "<b>x</b>"
    assert esc(12) == "12" and rich_text(None) == "" and rich_text(0) == ""


def test_page_toc_and_mention_items_write_what_the_template_loops_wrote():
    # templates/chapter.html listed the page's sections and the indicators it mentions by loops
    from types import SimpleNamespace as NS

    from plansite.blocks import mention_items, page_toc
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(rich=rich)
    toc = env.from_string('{% for n in contents %}\n<li><a href="#{{ n.id }}">{% if n.number %}{{ n.number }} '
                          '{% endif %}{{ n.title or "目录" }}</a></li>\n{% endfor %}\n')
    mentions = env.from_string('{% for m in mentions %}\n<li data-indicator="{{ m.id }}"><a href="{{ link(m.url) }}">'
                               '{{ m.name | rich }}</a></li>\n{% endfor %}\n')
    env.globals.update(page_toc=page_toc, mention_items=mention_items)
    helpers = env.from_string("{{ page_toc(contents) }}|{{ mention_items(mentions) }}")
    rng = random.Random(9)
    for _ in range(300):
        contents = [NS(id=rng.choice(["s-1", "a&b", "<x>"]), number=rng.choice(["", "一、", "第二节", "<1>"]),
                       title=rng.choice(["", "发展\"目标\"", "PM <sub>2.5</sub>"])) for _ in range(rng.randint(0, 4))]
        found = [NS(id=rng.choice(["gdp", "a'b"]), name="".join(rng.choices(PIECES, k=rng.randint(1, 3))),
                    url=rng.choice(["indicators/gdp/", "plans/a/indicators/t/#r-1&x"])) for _ in range(rng.randint(0, 4))]
        link = "../{}".format
        assert helpers.render(contents=contents, mentions=found, link=link) == \
            f"{toc.render(contents=contents)}|{mentions.render(mentions=found, link=link)}"
