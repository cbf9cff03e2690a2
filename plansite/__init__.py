"""Plansite: a static site generator for Chinese local five-year plans.

The build is a pipeline of pure stages, each in its own module:

    sources     seed text + checksum + corrections  -> list of SourceLine
    parse       SourceLines                         -> Document (model.Node tree)
    indicators  site_src/indicators/*.yml           -> validated IndicatorTable objects
    pages       Document + tables                   -> HTML pages (Jinja2, templates/)
    api         Document + tables                   -> JSON API and downloads
    search      written HTML                        -> Pagefind index

``plansite.plugin`` plugs the pipeline into MkDocs; ``build.py`` is the command line front.
"""

__version__ = "0.1.0"
