"""Front matter: the title block, the adoption line, the issuing notice and the preface, with or
without a 目录, and the facts they state (:class:`~plansite.model.FrontFacts`).

Rules (on the normalised view; values kept as printed, white space inside Chinese removed):

- **title**: lines that together read as a plan title — they end in 纲要/建议/规划/计划 (an
  optional ``(草案)``-style status and closing ``》`` allowed), name a five-year cycle (第X个五年,
  “十X五”) and a plan (规划/计划), and start where a title starts (中共…委, 《, a region). A title
  printed over several lines (``中共长沙市委`` / ``关于制定长沙市…`` / ``第十五个五年规划的建议``,
  blank lines between allowed) is joined from its last line upwards while it is incomplete. A
  notice title (…的通知) is not the plan title. When the title is printed more than once (a cover
  and an inner title page, a web headline and the document), the last one before the 目录 /
  preface / body is taken (all carry the same words).
- **adoption**: a bracketed line ``(2021年1月14日…会议通过)`` or ``——…通过``, which may go on over a
  second line; a bracket never closed is kept as printed.
- **notice**: a 关于印发…的通知 title, a document number (``榕政〔2026〕3号``, mangled ``佛府20216``),
  addressees (各…：), ``印发给你们``, a signature and date, ``此件公开发布``.
- **preface**: a ``前言``/``序言``/``引言`` heading (letter-spaced or not) after the title block,
  else the unlabelled text between the title block (or 目录) and the first heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import FrontFacts
from .levels import display, match_marker
from .lines import Line, display_width
from .normalize import squash

PREFACE_LABELS = ("前言", "序言", "引言", "导言")
_TITLE_END = re.compile(r"(纲要|建议|规划|计划)(\((草案|征求意见稿|送审稿|公布稿|修订稿|全文|摘要|摘登|"
                        r"\d{4}[-—–~至]+\d{4}年?)\))?》?$")
_STATUS = re.compile(r"^\((草案|征求意见稿|送审稿|公布稿|修订稿)\)$|\((草案|征求意见稿|送审稿|公布稿|修订稿)\)》?$")
_CYCLE = re.compile(r"五年|十[一二三四五六七八九]五|[\d]{4}[-—–~至]+[\d]{4}")
_INCOMPLETE_START = ("关于", "第", "和", "五年", "规划", "计划", "远景", "经济", "社会", "国民", "十", "“十",
                     "发展", "年", "的", "二〇", "二○", "2035")
_SENTENCE = re.compile(r"[。，,;；:：!！?？]")
_DATE = re.compile(r"^(\d{4}年\d{1,2}月(\d{1,2}日)?|[〇○零一二三四五六七八九]{2,4}年[一二三四五六七八九十]{1,2}月"
                   r"([一二三四五六七八九十]{1,3}日)?|\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{5,8})$")
_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,10}(〔|\[|\(|【)?\d{4}(〕|\]|\)|】)?\d{0,4}号?$")
_ADDRESSEE = re.compile(r"^各.{1,60}(人民政府|部门|单位|机构|管委会|委办局|公司\))[,:、;]?.{0,40}$")
_NOTICE_BODY = re.compile(r"印发给你们|遵照执行|贯彻执行|认真贯彻|请认真")
_DISCLOSURE = re.compile(r"^\(?此件(主动)?公开(发布)?\)?$|^主动公开$")
_SIGNATURE = re.compile(r"(人民政府|委员会|办公室|管理委员会|市委|县委|区委)$")
_ADOPTION = re.compile(r"^(\(|【|\[|——|—)")
#: A notice title followed on the same line by its doc number or a date (a web headline).
_NOTICE_GLUED = re.compile(r"的通知(?=[(〔\[【]?[\u4e00-\u9fff]{1,10}[〔\[(]\d{4}[〕\])]\d{1,4}号|\(?\d{4}[-./年])")
_GLUED_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[(]\d{4}[〕\])]\d{1,4}号")
_UNBRACKETED = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日.{4,60}(通过|批准)$")


@dataclass
class FrontSplit:
    """Indexes into the parser's lines: ``[0, notice_end)`` title block / notice,
    ``[toc_start, toc_end)`` 目录 (``-1`` when absent), ``[preface_start, body_start)`` preface
    (``-1`` when absent; ``preface_labelled`` when it opens with a 前言/序言 heading)."""

    notice_end: int
    toc_start: int
    toc_end: int
    preface_start: int
    preface_labelled: bool
    body_start: int
    is_notice: bool
    #: ``[inner_start, inner_end)``: the title printed again after the 目录 (an inner title page,
    #: with its adoption line), ``-1`` when absent
    inner_start: int = -1
    inner_end: int = -1


def _view(line: Line) -> str:
    return squash(line.norm)


def _title_ish(line: Line) -> bool:
    v = _view(line)
    return bool(v) and not _SENTENCE.search(v) and display_width(line.text) <= 100 and not _DATE.match(v) \
        and "通知" not in v and "决议" not in v and not v.startswith(("(", "（")) and not re.search(r"(纲要|建议)》?$", v)


def _complete(joined: str) -> bool:
    """Whether a title read from its last line upwards has reached its first line: it starts where
    titles start, and a proposal (…的建议) starts with its issuing Party committee (中共…委)."""
    if joined.endswith("建议") and not joined.lstrip("《").startswith(("中共", "中国共产党")):
        return False
    return not joined.startswith(_INCOMPLETE_START)


def _valid_title(joined: str) -> bool:
    return bool(_TITLE_END.search(joined) and _CYCLE.search(joined) and re.search("规划|计划", joined)
                and "印发" not in joined and "通知" not in joined and "《" not in joined.lstrip("《")[:-1]
                and len(joined) <= 90)


def find_titles(lines: list[Line], start: int, end: int) -> list[list[int]]:
    """Every title (as lists of line indexes) among ``lines[start:end]``, in order."""
    found = []
    for i in range(start, end):
        v = _view(lines[i])
        if not v or not _TITLE_END.search(v) or _SENTENCE.search(v) or "通知" in v or match_marker(lines[i].text):
            continue
        group = [i]
        joined = v
        k = i - 1
        while (not _complete(joined) or not _valid_title(joined)) and k >= start:
            if not lines[k].text:
                k -= 1
                continue
            if not _title_ish(lines[k]) or len(group) >= 5:
                break
            group.insert(0, k)
            joined = _view(lines[k]) + joined
            k -= 1
        if _valid_title(joined) and not joined.startswith(_INCOMPLETE_START):
            k = i + 1
            while k < end and not lines[k].text:
                k += 1
            if k < end and _STATUS.match(_view(lines[k])) and not _STATUS.search(joined):
                group.append(k)  # (草案) printed on a line of its own
            found.append(group)
    return [g for g in found if not any(set(g) < set(h) for h in found)]


def find_adoption(lines: list[Line], start: int, end: int) -> list[int]:
    """Line indexes of the adoption/approval line(s) among ``lines[start:end]``, or ``[]``.

    A line opening with ``(`` (also ``【`` or ``[``) or ``——`` that holds a date, completed by the next line when the
    bracket is not closed there and that line ends the adoption (``…通过)``); the joined text
    names a meeting or an approval (会议, 大会, 全会, 通过, 批准, 审议). An unbracketed
    ``2021年1月14日…会议批准`` line counts too.
    """
    for i in range(start, end):
        v = _view(lines[i])
        if _UNBRACKETED.match(v):
            return [i]
        if not _ADOPTION.match(v) or not re.search(r"\d{4}年|[〇○零一二三四五六七八九]{4}年", v):
            continue
        group, joined = [i], v
        if not v.endswith((")", "）", "】", "]")) and len(v) <= 80:
            k = i + 1
            while k < end and not lines[k].text:
                k += 1
            if k < end and re.search(r"(通过|批准|审议)[)】\]]?$", _view(lines[k])) and len(_view(lines[k])) <= 40:
                group, joined = [i, k], v + _view(lines[k])
        if re.search(r"通过|批准|会议|审议|大会|全会", joined):
            return group
    return []


def split_front(lines: list[Line], toc: tuple[int, int, int] | None, body_start: int,
                facts: FrontFacts) -> FrontSplit:
    """Where title block/notice, 目录 and preface lie before ``body_start``; fills ``facts``."""
    toc_label, toc_start, toc_end = toc if toc else (-1, -1, -1)
    toc_first = toc_label if toc_label >= 0 else toc_start
    head_end = toc_first if toc else body_start
    titles = find_titles(lines, 0, head_end)
    if not titles and toc:
        titles = find_titles(lines, toc_end, body_start)
    title = titles[-1] if titles else []
    adoption = find_adoption(lines, 0, head_end)
    notice = _notice(lines, 0, title[0] if title else head_end, facts)
    if title:
        facts.title = "".join(display(lines[i].text) for i in title).replace(" ", "")
        facts.title_lines = sorted({lines[j].number for g in titles for j in g if
                                    "".join(display(lines[x].text) for x in g).replace(" ", "") == facts.title})
    if not title and facts.notice_title:
        facts.title = title_from_notice(facts.notice_title)
        facts.title_lines = list(range(facts.notice_lines[0], facts.notice_lines[1] + 1)) if facts.title else []
    if adoption:
        facts.adoption = "".join(display(lines[i].text) for i in adoption).replace(" ", "")
        facts.adoption_lines = [lines[i].number for i in adoption]
    block_end = max([i + 1 for i in title + adoption + notice] or [0])
    if block_end:  # issuer and date printed under the title (a cover page)
        k = block_end
        while k < head_end and (not lines[k].text or (_SIGNATURE.search(_view(lines[k]))
                                                      and display_width(lines[k].text) <= 40)
                                or _DATE.match(_view(lines[k]))):
            k += 1
            if lines[k - 1].text:
                block_end = k
                if not notice and _SIGNATURE.search(_view(lines[k - 1])) and not facts.signature:
                    facts.signature = display(lines[k - 1].text).replace(" ", "")  # the cover's issuer
                elif not notice and _DATE.match(_view(lines[k - 1])) and not facts.signed_on:
                    facts.signed_on = display(lines[k - 1].text).replace(" ", "")
    notice_end = toc_first if toc else block_end
    after = toc_end if toc else block_end
    inner_start = inner_end = -1
    first = next((i for i in range(after, body_start) if lines[i].text), -1)
    if toc and title and first >= 0:
        inner = [g for g in find_titles(lines, first, body_start) if g[0] == first]
        if inner:  # the title printed again after the 目录: a title page of its own
            inner_start, inner_end = first, inner[0][-1] + 1
            facts.title_lines = sorted(set(facts.title_lines) | {lines[i].number for i in inner[0]})
            again = find_adoption(lines, inner_end, body_start)
            if again and again[0] == next((i for i in range(inner_end, body_start) if lines[i].text), -1):
                inner_end = again[-1] + 1
                if not adoption:
                    facts.adoption = "".join(display(lines[i].text) for i in again).replace(" ", "")
                    facts.adoption_lines = [lines[i].number for i in again]
            after = inner_end
    preface_start, labelled = -1, False
    for i in range(after, body_start):
        if _view(lines[i]) in PREFACE_LABELS:
            preface_start, labelled = i, True
            break
    if labelled and not toc:
        notice_end = preface_start  # everything above the 前言 belongs to the title block
    elif any(ln.text for ln in lines[after:body_start]):
        preface_start = after
    return FrontSplit(notice_end, toc_first, toc_end, preface_start, labelled, body_start, bool(notice),
                      inner_start, inner_end)


def _previous(lines: list[Line], i: int, start: int) -> int:
    """Index of the last non-blank line before ``i`` (not before ``start``), or ``-1``."""
    return next((k for k in range(i - 1, start - 1, -1) if lines[k].text), -1)


def title_from_notice(notice_title: str) -> str:
    """The plan title an issuing notice names (``…关于印发《X》的通知`` → ``X``, brackets removed), or
    ``""`` when what it names is not a plan title."""
    m = re.search(r"关于印发(.+?)的通知$", notice_title)
    if not m:
        return ""
    named = m.group(1).strip("《》")
    return named if _valid_title(squash(named)) else ""


def _notice(lines: list[Line], start: int, end: int, facts: FrontFacts) -> list[int]:
    """Indexes of issuing-notice lines among ``lines[start:end]`` (filling the notice facts), or
    ``[]`` when nothing there reads as a notice."""
    found: list[int] = []
    strong = False
    title: list[int] = []
    for i in range(start, end):
        v = _view(lines[i])
        if not v:
            continue
        if not title and ("关于印发" in v or (v.startswith("关于") and "通知" in v)) or (title and not facts.notice_title):
            k = _previous(lines, i, start)
            if not title and v.startswith("关于") and k >= 0 and _SIGNATURE.search(_view(lines[k])) \
                    and display_width(lines[k].text) <= 40:
                title.append(k)  # the issuer printed on the line above: ``某某县人民政府`` / ``关于印发…``
                if k not in found:
                    found.append(k)
            title.append(i)
            glued = _NOTICE_GLUED.search(v)
            if v.endswith("通知") or glued or len(title) > 4:
                shown = [display(lines[k].text) for k in title]
                if glued and not v.endswith("通知"):
                    # a web headline with the doc number and date glued on: ``…的通知(鲁政发〔2021〕5号)2021.04.27``
                    shown[-1] = shown[-1][:glued.end()]
                    number = _GLUED_NUMBER.search(v[glued.end():])
                    if number:
                        facts.doc_number = facts.doc_number or number.group()
                facts.notice_title = "".join(shown).replace(" ", "")
                facts.notice_lines = (lines[title[0]].number, lines[title[-1]].number)
                strong = True
            found.append(i)
        elif _DOC_NUMBER.match(v) and not _DATE.match(v):
            facts.doc_number = facts.doc_number or display(lines[i].text).replace(" ", "")
            found.append(i)
        elif _ADDRESSEE.match(v) or _DISCLOSURE.match(v):
            found.append(i)
        elif _NOTICE_BODY.search(v):
            strong = True
            found.append(i)
        elif _DATE.match(v) and found:
            facts.signed_on = display(lines[i].text).replace(" ", "")
            prev = max((k for k in found if k < i), default=-1)
            for k in range(i - 1, start - 1, -1):
                if lines[k].text:
                    if _SIGNATURE.search(_view(lines[k])) and display_width(lines[k].text) <= 40:
                        facts.signature = display(lines[k].text).replace(" ", "")
                        found.append(k)
                    break
            found.append(i)
            del prev
        elif _SIGNATURE.search(v) and found and display_width(lines[i].text) <= 40:
            found.append(i)
    return sorted(found) if strong or facts.doc_number else []
