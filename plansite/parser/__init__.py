"""Structure recovery from plan text, one module per concern.

- :mod:`plansite.parser.decode`: bytes → text (encoding detection) and the one line-splitting rule;
- :mod:`plansite.parser.normalize`: the normalised view used for recognition (width, spaces,
  traditional → simplified), with positions back into the printed text;
- :mod:`plansite.parser.chrome`: named rules for web-page, e-paper and PDF chrome lines.
"""
