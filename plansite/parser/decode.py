"""Decoding a seed: bytes as received → text and lines, with the encoding reported.

Seeds are kept byte for byte (the checksum is over the bytes); this module is the one place that
turns them into text. Plan texts come as UTF-8 (with or without a byte-order mark), GB18030/GBK
(Chinese Windows and older government sites) or UTF-16 (Word "Unicode text" exports).

- A byte-order mark decides (UTF-8, UTF-16 LE/BE).
- Text that is valid UTF-8 is UTF-8.
- Text that is *mostly* UTF-8 (valid multi-byte sequences with a few broken bytes) is garbled
  UTF-8, an error at the first broken byte: decoding it as GB18030 would turn it into nonsense.
- Anything else goes to charset-normalizer, restricted to GB18030 and UTF-16; its best guess is
  used only when it finds the result coherent, else the source is reported as garbled.

:func:`split_lines` is the one line-splitting rule of every stage (parser, source view, indicator
checks, corrections): LF, CRLF and a lone CR each end a line, so line numbers agree everywhere.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ..errors import PlansiteError

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 (with BOM)"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
]
#: Encodings charset-normalizer may choose among, besides UTF-8 (tried first, exactly).
CANDIDATES = ["gb18030", "utf_16_le", "utf_16_be"]
_NAMES = {"gb18030": "GB18030", "utf_16_le": "UTF-16 LE", "utf_16_be": "UTF-16 BE"}
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Decoded:
    """A decoded seed.

    ``text``: the whole text (line ends as received); ``lines``: :func:`split_lines` of it;
    ``encoding``: the reader-facing name of the encoding used (``"UTF-8"``, ``"UTF-8 (with BOM)"``,
    ``"GB18030"``, ``"UTF-16 LE"`` …); ``newline``: ``"LF"``, ``"CRLF"``, ``"CR"``, ``"mixed"`` or
    ``"none"`` (a one-line text).
    """

    text: str
    lines: list[str]
    encoding: str
    newline: str

    @property
    def is_utf8(self) -> bool:
        """True for UTF-8 without a byte-order mark, the form the project recommends."""
        return self.encoding == "UTF-8"


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` without terminators; LF, CRLF and CR each end a line.

    A final terminator does not open an empty last line: ``"a\\r\\nb\\n"`` → ``["a", "b"]``,
    ``"a\\n\\n"`` → ``["a", ""]``, ``""`` → ``[]``.
    """
    if not text:
        return []
    parts = _NEWLINE.split(text) if "\r" in text else text.split("\n")  # the same, faster
    if parts[-1] == "":
        parts.pop()
    return parts


def newline_style(text: str) -> str:
    """``"LF"``, ``"CRLF"``, ``"CR"``, ``"mixed"`` or ``"none"``: how ``text`` ends its lines."""
    crlf = text.count("\r\n")  # counted in C: the seeds have tens of thousands of lines
    counts = {"CRLF": crlf, "CR": text.count("\r") - crlf, "LF": text.count("\n") - crlf}
    found = {kind for kind, n in counts.items() if n}
    if not found:
        return "none"
    return found.pop() if len(found) == 1 else "mixed"


def _line_at(data: bytes, offset: int) -> int:
    """1-based line (by :func:`split_lines`' rule) of byte ``offset`` in ASCII-compatible ``data``."""
    head = data[:offset]
    return len(_NEWLINE.findall(head.decode("latin-1"))) + 1


def _mostly_utf8(data: bytes) -> bool:
    """Whether ``data`` reads as UTF-8 with a few broken bytes (not another encoding)."""
    text = data.decode("utf-8", errors="replace")
    wide = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    broken = text.count("\ufffd")
    return wide >= 8 and broken * 20 <= wide


def decode_bytes(data: bytes, shown: str) -> Decoded:
    """Decode the seed bytes ``data`` (file shown as ``shown`` in messages).

    Returns a :class:`Decoded`. Raises :class:`PlansiteError` ``shown:line: message`` when the
    bytes are not text in a supported encoding (the line of the first bad byte where it can be
    told) or the text holds a NUL character.
    """
    text = encoding = None
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text, encoding = data[len(bom):].decode(codec.removesuffix("-sig") if codec == "utf-8-sig"
                                                        else codec), name
            except UnicodeDecodeError as exc:
                line = _line_at(data, exc.start + len(bom)) if codec.startswith("utf-8") else 0
                raise PlansiteError.at(shown, line, f"not valid {name} text despite its byte-order mark "
                                                    f"({exc.reason}); the source is garbled") from None
            break
    if text is None:
        try:
            text, encoding = data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError as exc:
            if _mostly_utf8(data):
                raise PlansiteError.at(shown, _line_at(data, exc.start),
                                       f"not valid UTF-8 ({exc.reason}); the source is garbled") from None
            text, encoding = _detect(data, shown, exc)
    if "\x00" in text:
        line = len(split_lines(text[: text.index("\x00")] + "x"))
        raise PlansiteError.at(shown, line, "NUL byte in the source; the source is garbled")
    return Decoded(text, split_lines(text), encoding, newline_style(text))


def _detect(data: bytes, shown: str, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    """Text and encoding name of non-UTF-8 ``data`` as charset-normalizer reads it."""
    import charset_normalizer

    best = charset_normalizer.from_bytes(data, cp_isolation=CANDIDATES, threshold=0.1).best()
    if best is None or best.encoding not in _NAMES:
        raise PlansiteError.at(shown, _line_at(data, utf8_error.start),
                               f"not valid UTF-8 ({utf8_error.reason}) and not readable as GB18030 or "
                               f"UTF-16 either; the source is garbled") from None
    return str(best), _NAMES[best.encoding]
