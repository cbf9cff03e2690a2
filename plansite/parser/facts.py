"""Fact readers: a plan's metadata (region, level, period, kind, dates, bodies) read from the
strings its front matter prints. Pure functions over strings; ``build.py add`` (:mod:`plansite.add`)
applies them to :class:`~plansite.model.FrontFacts` and names the source line of each fact.

The rules are those of Chinese plan titles and front matter:

- a title names the region before ``国民经济和社会发展`` (after ``关于制定`` in a 建议), its units
  from the outermost (``福州市仓山区`` = 仓山区 under 福州市); the last unit's suffix gives the
  administrative level (省 → province, 市 → prefecture — or county when it sits under another 市 —,
  县/旗 → county, 区 → district, 开发区/高新区/投资区… → zone, 镇/乡/街道 → town);
- the cycle is ``十四五`` / ``第十四个五年`` (the Nth five-year plan starts in 1966 + 5·(N − 3): 十一五 =
  2006–2010 … 十五五 = 2026–2030) or printed years ``2021—2025``; the vision year is
  ``二〇三五年远景目标`` / ``2035年远景目标``;
- a title ending in 建议 is a proposal; 纲要/规划/计划 an outline; without a title, an adoption by a
  Party committee's 全体会议 means a proposal and one by a 人民代表大会 an outline;
- the adoption line ``（2021年1月14日…会议通过）`` gives the approval date and body.

Every reader returns ``""`` / ``None`` when the text does not say (never a guess), except
:func:`region_of`'s ``certain`` flag, which says when the level of a bare ``…市`` was assumed.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .normalize import norm

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
#: Municipalities directly under the central government: province level although named 市.
MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
_ZONE = r"(?:经济技术开发区|高新技术产业开发区|开发区|高新区|新区|投资区|示范区|试验区|实验区|保税区|合作区|园区|经济区|管理区)"
_UNIT = re.compile(rf"(.+?(?:特别行政区|自治区|自治州|自治县|{_ZONE}|省|市|盟|地区|县|旗|区|镇|乡|街道))"
                   r"(\([^()]{1,12}\))?")


def cn_int(text: str) -> int | None:
    """A number written in Chinese numerals (``十四`` → 14, ``二十一`` → 21) or digits; ``None``
    when ``text`` is not one. Handles 1–99."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def cycle_years(n: int) -> tuple[int, int]:
    """Calendar years (first, last) of the ``n``-th five-year plan (n ≥ 3): 11 → (2006, 2010)."""
    start = 1966 + 5 * (n - 3)
    return start, start + 4


def cycle_name(start: int) -> str:
    """The plan cycle's short name from its first year: 2021 → ``十四五``, 2001 → ``十五``."""
    n = (start - 1966) // 5 + 3
    digits = "〇一二三四五六七八九"
    if n == 10:
        return "十五"
    if n > 10:
        return f"十{digits[n - 10]}五" if n < 20 else f"{digits[n // 10]}十{digits[n % 10] if n % 10 else ''}五"
    return f"{digits[n]}五"


def cycle_of(text: str) -> int | None:
    """The plan cycle named in ``text``: ``第十四个五年`` or ``“十四五”`` → 14; ``None`` when none."""
    t = norm(text)
    m = re.search(r"第([一二三四五六七八九十]{1,3})个五年", t)
    if m:
        return cn_int(m.group(1))
    m = re.search(r"十([一二三四五六七八九])五", t)
    if m:
        return 10 + _CN_DIGITS[m.group(1)]
    return None


def period_of(text: str) -> tuple[int, int] | None:
    """Plan years (first, last) that ``text`` states: from the cycle (``十四五``, ``第十四个五年``)
    or from printed years five apart (``2021—2025年``, ``2011至2015年``); ``None`` when neither."""
    n = cycle_of(text)
    if n and n >= 3:
        return cycle_years(n)
    t = norm(text)
    for m in re.finditer(r"(\d{4})\s*年?\s*(?:[-—–~～至到]+)\s*(\d{4})\s*年", t):
        first, last = int(m.group(1)), int(m.group(2))
        if last - first == 4 and (first - 1966) % 5 == 0:
            return first, last
    return None


def year_of(text: str) -> int | None:
    """A year printed in digits or Chinese numerals (``二〇三五`` → 2035); a lost 〇 (``二三五``,
    ``二��三五``) is restored for years 2000–2099; ``None`` otherwise."""
    t = text.strip()
    if re.fullmatch(r"\d{4}", t):
        return int(t)
    digits = "".join(str(_CN_DIGITS[ch]) for ch in t if ch in _CN_DIGITS)
    if len(digits) == 4:
        return int(digits)
    if len(digits) == 3 and digits[0] == "2":
        return int("20" + digits[1:])
    return None


def vision_of(text: str) -> int | None:
    """The 远景 (long-range vision) year ``text`` names: ``二〇三五年远景目标`` → 2035; ``None``."""
    t = norm(text)
    m = re.search(r"([\d〇○零一二三四五六七八九O\ufffd]{3,6})\s*年\s*远景", t)
    return year_of(m.group(1)) if m else None


def kind_of(title: str) -> str:
    """``proposal`` for a title ending in 建议, ``outline`` for 纲要/规划/计划 (a trailing
    ``(草案)`` or ``》`` aside); ``""`` otherwise."""
    t = re.sub(r"[《》\s]", "", norm(title))
    t = re.sub(r"\([^()]{1,8}\)$", "", t)
    if t.endswith("建议"):
        return "proposal"
    if re.search(r"(纲要|规划|计划)$", t):
        return "outline"
    return ""


def kind_of_adoption(adoption: str) -> str:
    """The kind implied by who adopted the text: a Party committee plenum (``委员会…全体会议``)
    adopts a proposal, a people's congress (``人民代表大会``) approves an outline; ``""``."""
    t = norm(adoption)
    if "人民代表大会" in t or "人大" in t:
        return "outline"
    if re.search(r"委员会.*全体会议|全会", t):
        return "proposal"
    return ""


@dataclass(frozen=True)
class Region:
    """A region as a title names it: ``name`` (the innermost unit, ``仓山区``), ``parent`` (the unit
    above it when printed, ``福州市``, else ``""``), ``level`` (a plan ``level`` value) and
    ``certain`` (false when the level was assumed: a ``…市`` with no parent printed is taken for a
    prefecture-level city though it may be a county-level one)."""

    name: str
    parent: str
    level: str
    certain: bool = True


def _units(text: str) -> list[str]:
    units, pos = [], 0
    while pos < len(text):
        m = _UNIT.match(text, pos)
        if not m:
            break
        units.append(m.group(0))
        pos = m.end()
    if pos < len(text):
        units.append(text[pos:])
    return units


def region_text(title: str) -> str:
    """The region part of a title (whitespace removed): ``中共长沙市委关于制定长沙市国民经济…`` →
    ``长沙市``; ``福州市仓山区国民经济…`` → ``福州市仓山区``; ``""`` when the title has no
    ``国民经济和社会发展``."""
    t = re.sub(r"\s+", "", norm(title)).lstrip("《")
    cut = t.find("国民经济和社会发展")
    if cut < 0:
        return ""
    head = t[:cut]
    if "关于制定" in head:
        head = head.split("关于制定", 1)[1]
    return re.sub(r"^中共", "", head)


def level_of(unit: str, parent: str = "") -> tuple[str, bool]:
    """(level, certain) of the administrative ``unit`` under ``parent`` (see :class:`Region`)."""
    bare = re.sub(r"\([^()]*\)$", "", unit)
    if bare.endswith(("省", "自治区", "特别行政区")) or bare in MUNICIPALITIES:
        return "province", True
    if re.search(rf"{_ZONE}$", bare):
        return "zone", True
    if bare.endswith(("镇", "乡", "街道")):
        return "town", True
    if bare.endswith(("县", "旗", "自治县")):
        return "county", True
    if bare.endswith("区"):
        return "district", True
    if bare.endswith(("州", "盟", "地区")):
        return "prefecture", True
    if bare.endswith("市"):
        if parent and re.sub(r"\([^()]*\)$", "", parent).endswith(("市", "州", "盟", "地区")):
            return "county", True
        return "prefecture", False  # county-level cities exist directly under provinces too
    return "", False


def region_of(title: str) -> Region | None:
    """The :class:`Region` a plan title names, or ``None`` when it names none."""
    text = region_text(title)
    if not text:
        return None
    units = _units(text)
    issuer = re.sub(r"^中共", "", issuer_of_title(norm(title)))
    issuer = re.sub(r"委(?:员会)?$", "", issuer)
    if len(units) == 1 and issuer.endswith(text) and len(issuer) > len(text):
        units = _units(issuer)  # 中共上海市杨浦区委关于制定杨浦区…: the issuer names the parent
    return _region(units)


def _region(units: list[str]) -> Region | None:
    name = units[-1]
    parent = units[-2] if len(units) > 1 else ""
    level, certain = level_of(name, parent)
    return Region(name, parent, level, certain) if level else None


def region_named(name: str) -> Region | None:
    """The :class:`Region` of a place name as printed (``上海市杨浦区`` → 杨浦区 under 上海市), or
    ``None`` when its last unit has no administrative suffix."""
    return _region(_units(re.sub(r"\s+", "", norm(name)))) if name.strip() else None


def region_in_body(body: str) -> str:
    """The region named by an adopting or signing body: ``中国共产党长沙市第十四届委员会…`` →
    ``长沙市``; ``庐江县第十七届人民代表大会…`` → ``庐江县``; ``福州市人民政府`` → ``福州市``; ``""``."""
    t = re.sub(r"\s+", "", norm(body))
    t = re.sub(r"^[(]?[\d〇○一二三四五六七八九十]{4}年[\d一二三四五六七八九十]{1,2}月[\d一二三四五六七八九十]{1,3}日", "", t)
    t = re.sub(r"^(?:中国共产党|中共)", "", t)
    m = re.match(r"(.{2,16}?)(?:第[一二三四五六七八九十\d]{1,3}届|人民政府|人民代表大会|委员会|[一二三四五六七八九十]{1,3}届)", t)
    if not m or "届" in m.group(1):
        return ""
    last = _units(m.group(1))[-1]
    return m.group(1) if len(last) >= 2 and level_of(last)[0] else ""


def date_iso(text: str) -> str:
    """The first full date in ``text`` as ``YYYY-MM-DD``: ``2021年4月6日``, ``二〇二一年三月三日``,
    ``2021-01-11``; ``""`` when there is none or it is not a real date (``2021年5月``, ``202133``)."""
    t = re.sub(r"\s+", "", norm(text))
    m = (re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", t)
         or re.search(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", t)
         or re.search(r"([〇○零一二三四五六七八九O]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日", t))
    if not m:
        return ""
    year, month, day = year_of(m.group(1)), cn_int(m.group(2)), cn_int(m.group(3))
    try:
        return datetime.date(year, month, day).isoformat() if year and month and day else ""
    except ValueError:
        return ""


@dataclass(frozen=True)
class Adoption:
    """What an adoption line states: ``date`` (``YYYY-MM-DD`` or ``""``) and ``body`` (the adopting
    meeting as printed, whitespace removed, or ``""``)."""

    date: str
    body: str


def adoption_of(text: str) -> Adoption:
    """Read an adoption/approval line: ``（2021年1月14日福州市仓山区第十七届人民代表大会第五次会议通过）``
    → ``Adoption("2021-01-14", "福州市仓山区第十七届人民代表大会第五次会议")``. A line cut before
    ``通过)`` still gives its date and body; ``——…全体会议通过`` works too."""
    printed = re.sub(r"\s+", "", text)
    t = norm(printed)  # character for character the same positions as ``printed``
    if len(t) != len(printed):
        t = printed
    m = re.match(r"^(?:——|—|-)?[(【\[]?(?P<date>[\d〇○零一二三四五六七八九十O]{4}年[\d一二三四五六七八九十]{1,2}月"
                 r"[\d一二三四五六七八九十]{1,3}日)(?:在)?(?P<body>.*?)(?:审议|审查)?(?:通过|批准)?[)】\]]?$", t)
    if not m:
        return Adoption("", "")
    body = printed[m.start("body"):m.end("body")]
    return Adoption(date_iso(m.group("date")), body if re.search(r"会议|全会|大会", norm(body)) else "")


def issuer_of_title(title: str) -> str:
    """The issuing Party committee a 建议's title names: ``中共长沙市委关于制定…`` → ``中共长沙市委``;
    ``""`` for titles without ``…委关于``."""
    t = re.sub(r"\s+", "", title).lstrip("《")
    m = re.match(r"^(.{2,20}?委(?:员会)?)关于", t)
    return m.group(1) if m else ""


def committee_of(body: str) -> str:
    """The Party committee of an adopting plenum, as printed: ``中国共产党长沙市第十四届委员会第十次全体会议``
    → ``中国共产党长沙市第十四届委员会``; ``""`` when ``body`` is not a committee's meeting."""
    printed = re.sub(r"\s+", "", body)
    t = norm(printed)
    if len(t) != len(printed):
        t = printed
    m = re.match(r"^((?:中国共产党|中共).{2,30}?委员会)第.{1,4}次全体会议", t)
    return printed[:m.end(1)] if m else ""


def short_region(name: str) -> str:
    """The region as short titles print it: a city without 市 (``长沙市`` → ``长沙``), a province
    without 省; districts, counties, zones and towns keep their suffix."""
    bare = re.sub(r"\([^()]*\)$", "", name)
    if len(bare) > 2 and bare.endswith(("市", "省")):
        return bare[:-1]
    return name


def short_title(region: str, start: int, kind: str) -> str:
    """The customary short title: ``长沙“十五五”规划建议``, ``仓山区“十四五”规划纲要``."""
    return f"{short_region(region)}“{cycle_name(start)}”规划{'建议' if kind == 'proposal' else '纲要'}"


def compose_title(region: str, start: int, vision: int | None, kind: str) -> str:
    """The standard full title of a plan that does not print its own (for a draft only, always
    flagged): ``中共贵州省委关于制定贵州省国民经济和社会发展第十四个五年规划和二〇三五年远景目标的建议``."""
    n = (start - 1966) // 5 + 3
    digits = "〇一二三四五六七八九"
    nth = f"十{digits[n - 10]}" if 10 < n < 20 else ("十" if n == 10 else digits[n])
    vision_part = f"和{''.join(digits[int(d)] for d in str(vision))}年远景目标" if vision else ""
    core = f"{region}国民经济和社会发展第{nth}个五年规划{vision_part}"
    return f"中共{region}委关于制定{core}的建议" if kind == "proposal" else f"{core}纲要"


@dataclass(frozen=True)
class CityLevel:
    """What a text says about the level of a city named ``…市`` with no parent in its title:
    ``level`` (``county`` for a county-level city, ``prefecture``), ``parent`` (the city above it
    when the text names one, else ``""``), ``index`` (0-based index of the line that says so) and
    ``reason`` (the words that say so, for the draft's comment)."""

    level: str
    parent: str
    index: int
    reason: str


_ALL_COUNTIES = re.compile(r"(?:各|全市)县(?:\((?:市|区|市、区|区、市|市区)\)|、?区|、?市)")


def city_level(name: str, texts: list[str]) -> CityLevel | None:
    """The level of the city ``name`` (``昆山市``) as its own text ``texts`` (lines, in order)
    states it, or ``None`` when it does not, or when the statements disagree.

    County level: ``昆山市(县级)`` / ``县级昆山市`` / ``昆山市是县级市``; ``撤县设市`` / ``撤销昆山县，设立昆山市``;
    a higher city's Party committee named beside the province's (``按照省委和苏州市委部署要求``:
    the parent is 苏州市); an issuing notice addressed to towns and sub-districts but no county
    (``各镇人民政府，各街道办事处：``). Prefecture level: the city's counties named as its own
    (``各县（市）区``, ``全市各县区``) or a notice addressed to them (``各县（市、区）人民政府：``).
    A document-number prefix (``某政〔2021〕``) is not evidence: prefectures use it too (``榕政``).
    """
    bare = re.sub(r"\([^()]*\)$", "", name)
    if not bare.endswith("市") or len(bare) < 3:
        return None
    short = re.escape(bare[:-1])
    own = re.escape(bare)
    county = [
        (re.compile(rf"{own}\(县级市?\)|县级{own}|{own}(?:是|为|系)?(?:一个)?县级市"), "the text calls it a 县级市"),
        (re.compile(rf"{short}(?:撤县设市|撤县建市)|撤销{short}县[,，]?(?:设立|建立){own}"), "撤县设市: a county made a city"),
    ]
    found: list[CityLevel] = []
    for k, text in enumerate(texts):
        t = re.sub(r"\s+", "", norm(text))
        if not t:
            continue
        for pattern, reason in county:
            m = pattern.search(t)
            if m:
                found.append(CityLevel("county", "", k, f"{reason} ({m.group(0)})"))
        m = re.search(r"省委(?:和|、|及|与)([\u4e00-\u9fff]{2,5}?)市委", t)
        if m and m.group(1) != bare[:-1]:
            found.append(CityLevel("county", m.group(1) + "市", k,
                                   f"a higher city's Party committee beside the province's ({m.group(0)})"))
        m = _ALL_COUNTIES.search(t)
        if m:
            found.append(CityLevel("prefecture", "", k, f"the city's own counties named ({m.group(0)})"))
        if re.match(r"^各.{1,60}[:]$", t) and re.search(r"人民政府|办事处|管委会|部门|单位", t):
            if "县" in t:
                found.append(CityLevel("prefecture", "", k, f"a notice addressed to counties ({t})"))
            elif re.search(r"镇|乡|街道", t):
                found.append(CityLevel("county", "", k, f"a notice addressed to towns, no county ({t})"))
    if not found or len({f.level for f in found}) > 1:
        return None
    parent = next((f for f in found if f.parent), None)
    return parent or found[0]
