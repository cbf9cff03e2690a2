"""Structure recovery from plan text, one module per concern.

- :mod:`plansite.parser.decode`: bytes → text (encoding detection) and the one line-splitting rule;
- :mod:`plansite.parser.normalize`: the normalised view used for recognition (width, spaces,
  traditional → simplified), with positions back into the printed text;
- :mod:`plansite.parser.lines`: the line model and cleaned lines;
- :mod:`plansite.parser.chrome`: named rules for web-page, e-paper and PDF chrome lines;
- :mod:`plansite.parser.toc`: the 目录; :mod:`plansite.parser.front`: title block, adoption,
  notice, preface and their facts;
- :mod:`plansite.parser.levels`: numbering markers and levels; :mod:`plansite.parser.headings`:
  heading lines and run-in titles; :mod:`plansite.parser.paragraphs`: sentence ends and
  re-joining; :mod:`plansite.parser.tables`: tables; :mod:`plansite.parser.body`: the tree;
- :mod:`plansite.parser.document`: :func:`parse_document`, the whole pipeline.

Import :func:`parse_document` from here (``from plansite.parser import parse_document``).
"""


def parse_document(plan, lines):
    """Parse ``lines`` (corrected :class:`~plansite.model.SourceLine` s) of ``plan``; see
    :func:`plansite.parser.document.parse_document`."""
    from .document import parse_document as parse

    return parse(plan, lines)
