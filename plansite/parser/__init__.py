"""Structure recovery from plan text, one module per concern.

- :mod:`plansite.parser.decode`: bytes → text (encoding detection) and the one line-splitting rule.
"""
