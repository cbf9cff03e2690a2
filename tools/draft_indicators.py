"""Draft ``site_src/indicators/<slug>.yml`` from the seed texts.

Usage::

    .venv/bin/python tools/draft_indicators.py SLUG [--write] [--force]

Prints the draft (or writes it with ``--write``; an existing file is kept unless ``--force``).
The drafts are a starting point: the committed YAML files are the reviewed truth, checked row
by row against the seed. Tab-separated tables are split on tabs; the 台商 table, which the PDF
extraction broke cell by cell, and the 福清 proposal's prose targets are transcribed below by
hand (with their source lines) and only parsed here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plansite.indicators import (  # noqa: E402
    ATTRIBUTES, parse_growth_cell, parse_value_cell, split_markers, split_numbering)

# --- table specs -----------------------------------------------------------------------------
# Each TSV table: rows are the non-blank lines in row_lines; cells = tab fields aligned to
# columns (``insert_blank`` inserts an empty cell at that index for rows one field short).

TSV_TABLES: dict[str, list[dict[str, Any]]] = {
    "fuzhou-15th": [
        {
            "id": "completion-14th", "kind": "completion",
            "title": "福州市“十四五”时期经济社会主要指标完成情况表",
            "lines": [175, 212], "row_lines": [179, 203], "base_year": None,
            "target_year": 2025,
            "columns": ["序号", "指标名称", "单位", "规划目标 2025年", "规划目标 年均增长 [累计]",
                        "完成情况 2025年", "完成情况 年均增长 [累计]", "属性"],
            "layout": {"seq": 0, "name": 1, "unit": 2, "planned_value": 3, "planned_growth": 4,
                       "achieved_value": 5, "achieved_growth": 6, "attribute": 7},
            "footnotes": [(f"{i}.", 206 + i) for i in range(1, 7)],
        },
        {
            "id": "main", "kind": "targets",
            "title": "福州市“十五五”时期经济社会发展主要指标表",
            "lines": [290, 321], "row_lines": [293, 319], "base_year": 2025, "target_year": 2030,
            "columns": ["序号", "类别", "指标名称", "", "单位", "2025年", "2030年目标",
                        "年均增长 [累计]", "属性"],
            "insert_blank": 3,
            "layout": {"seq": 0, "category": 1, "name": 2, "subname": 3, "unit": 4,
                       "baseline": 5, "target": 6, "growth": 7, "attribute": 8},
            "footnotes": [("注", 321)],
        },
    ],
    "cangshan-14th": [
        {
            "id": "main", "kind": "targets", "title": "“十四五”时期主要经济社会发展指标",
            "lines": [176, 200], "row_lines": [179, 198], "base_year": 2020, "target_year": 2025,
            "columns": ["类别", "指标", "单位", "2020年", "2025年", "年均增长/累计", "属性"],
            "layout": {"category": 0, "name": 1, "unit": 2, "baseline": 3, "target": 4,
                       "growth": 5, "attribute": 6},
            "footnotes": [("（1）", 200), ("（2）", 200), ("（3）", 200)],
        },
    ],
    "taijiang-14th": [
        {
            "id": "completion-13th", "kind": "completion",
            "title": "表 1 “十三五”时期经济社会发展主要指标完成情况",
            "lines": [115, 140], "row_lines": [119, 136], "base_year": 2015, "target_year": 2020,
            "columns": ["分类", "序号", "指标名称", "单位", "2015年", "规划目标 2020年",
                        "规划目标 年均增长/[累计]", "完成情况 2020年", "完成情况 年均增长/[累计]"],
            "layout": {"category": 0, "seq": 1, "name": 2, "unit": 3, "base": 4,
                       "planned_value": 5, "planned_growth": 6, "achieved_value": 7,
                       "achieved_growth": 8},
            "footnotes": [("1.", 138), ("2.", 138, 140)],
        },
        {
            "id": "main", "kind": "targets", "title": "表2 “十四五”时期经济社会发展指标",
            "lines": [242, 264], "row_lines": [245, 262], "base_year": 2020, "target_year": 2025,
            "columns": ["分类", "指标", "单位", "2020年", "2025年 预期", "年均增长 /[累计]",
                        "属性"],
            "layout": {"category": 0, "name": 1, "unit": 2, "baseline": 3, "target": 4,
                       "growth": 5, "attribute": 6},
            "footnotes": [("(1)", 264), ("(2)", 264)],
        },
    ],
}

# Hand patches applied after parsing: (slug, table id, row no[, subname]) -> fields to set.
PATCHES: dict[tuple, dict[str, Any]] = {
    # 福州 completion: footnotes 2-6 concern starred rows; 2, 3, 4 say the achieved value is
    # 2024 data (错年值).
    ("fuzhou-15th", "completion-14th", "6"): {"notes": ["2."], "achieved.value.year": 2024},
    ("fuzhou-15th", "completion-14th", "8"): {"notes": ["3."], "achieved.value.year": 2024},
    ("fuzhou-15th", "completion-14th", "9"): {"notes": ["4."], "achieved.value.year": 2024,
                                              "note": "完成情况为规上工业战略性新兴产业产值占规上工业总产值比重（统计口径改变）"},
    ("fuzhou-15th", "completion-14th", "12"): {"notes": ["5."]},
    ("fuzhou-15th", "completion-14th", "14"): {"notes": ["6."]},
    ("fuzhou-15th", "completion-14th", "20"): {
        "note": "完成情况年均增长栏 0.24 未加 [ ]，按表头记为年均增长；可能是累计变化（百分点）"},
    ("fuzhou-15th", "completion-14th", "21"): {
        "note": "完成情况年均增长栏 2.13 未加 [ ]，按表头记为年均增长；可能是累计变化（百分点）"},
    # 福州 main: "*为2024年数据" (note at line 321)
    ("fuzhou-15th", "main", "7"): {"baseline.year": 2024, "notes": ["注"]},
    ("fuzhou-15th", "main", "10"): {"baseline.year": 2024, "notes": ["注"]},
    ("fuzhou-15th", "main", "22"): {
        "note": "2025年栏印的是另一口径（地表水达到或好于Ⅲ类水体比例为100%），不是优良水体比例的数值"},
    ("fuzhou-15th", "main", "15"): {"note": "单位为百分点：入托率五年累计提高 6.1 个百分点"},
    # 台江 表1: footnote 2 explains rows 5 and 8
    ("taijiang-14th", "completion-13th", "5"): {"notes": ["2."]},
    ("taijiang-14th", "completion-13th", "8"): {
        "notes": ["2."],
        "note": "规划目标为五年累计亿美元，完成情况 7.8 亿元人民币（2017 年起统计币种改为人民币），不可比"},
}

# 台商: (no, first line, last line, extra line ranges, cells) transcribed from lines 571-776.
TAISHANG_COLUMNS = ["分类", "序号", "指标", "单位", "2020年实绩", "“十三五”年均增长（%）",
                    "2025年目标", "年均增长（%）[累计]", "属性"]
_E, _C, _K = "预期性", "约束性", "控制在市下达指标内"
_W = "完成市级控制指标"
TAISHANG_ROWS = [
    (606, 606, [[598, 604]], ["经济发展", "1", "地区生产总值", "亿元", "307.51", "5.4", "440", "6.5", _E]),
    (608, 608, [], ["", "2", "人均地区生产总值", "万元", "11.6", "5.5", "16.7", "5.9", _E]),
    (610, 610, [], ["", "3", "规模以上工业增加值", "亿元", "—", "3.2", "240", "6.0", _E]),
    (612, 612, [], ["", "4", "第三产业增加值", "亿元", "81.1", "11.2", "130", "8.5", _E]),
    (614, 614, [], ["", "5", "社会消费品零售额", "亿元", "126.6", "8.6", "155", "10.0", _E]),
    (616, 619, [], ["", "6", "全社会固定资产投资额", "亿元", "—", "0.2", "—", "8.0", _E]),
    (621, 625, [], ["", "7", "进出口总额", "亿美元", "4.8", "8.4", "5.35", "3.0", _E]),
    (627, 634, [], ["", "8", "实际利用外资（五年累计）", "亿美元", "2.8", "—", "3", "—", _E]),
    (636, 636, [], ["", "9", "一般公共预算总收入", "亿元", "20.29", "9.9", "30", "8.0", _E]),
    (638, 638, [], ["", "10", "一般公共预算收入", "亿元", "12.72", "10.5", "18.5", "8.0", _E]),
    (648, 651, [[640, 646]], ["创新转型", "11", "R&D经费投入占 GDP比重", "%", "1.69", "26.1", "2", "3.4", _E]),
    (653, 656, [], ["", "12", "每万人口发明专利拥有量", "件", "23", "71.3", "32", "6.8", _E]),
    (658, 658, [], ["", "13", "高新技术企业数量", "家", "40", "32.0", "60", "8.4", _E]),
    (660, 663, [], ["", "14", "国际标准和国家标准数量", "家", "5", "—", "11", "17.1", _E]),
    (665, 665, [], ["", "15", "国际商标数量", "个", "42", "5.6", "52", "4.4", _E]),
    (667, 667, [], ["", "16", "上市和总部企业数量", "家", "11", "—", "22", "14.9", _E]),
    (669, 669, [], ["", "17", "技术合同交易额", "万元", "300", "—", "500", "10.6", _E]),
    (671, 671, [], ["", "18", "第三产业占 GDP比重", "%", "26.4", "—", "30", "[3.6]", _E]),
    (680, 680, [[672, 678]], ["民生福祉", "19", "城镇调查失业率", "%", "5.5", "—", "5", "—", _E]),
    (682, 682, [], ["", "20", "普惠性幼儿园覆盖率", "%", "91.5", "—", "92.5", "—", _C]),
    (684, 687, [], ["", "21", "每千人口拥有执业（助理）医师数", "人", "1.17", "1.6", "2.5", "16.4", _E]),
    (689, 689, [], ["", "22", "基本养老保险参保率", "%", "90.8", "—", "95", "—", _E]),
    (691, 694, [], ["", "23", "每千人口拥有 3岁以下婴幼儿托位数", "个", "0.25", "—", "0.54", "16.7", _E]),
    (696, 696, [], ["", "24", "常住人口城镇化率", "%", "58.5", "—", "70", "—", _E]),
    (698, 701, [], ["", "25", "居民人均可支配收入增长率", "%", "—", "7.5", "—", "6.5", _E]),
    (703, 706, [], ["", "26", "主要劳动年龄人口平均受教育年限", "年", "12", "—", "12.5", "0.8", _E]),
    (708, 711, [], ["", "27", "新增劳动力平均受教育年限", "年", "14.2", "—", "14.5", "0.4", _E]),
    (721, 721, [[713, 719]], ["绿色发展", "28", "单位 GDP能耗降幅", "%", _W, "", _K, "", _C]),
    (723, 730, [], ["", "29", "单位 GDP二氧化碳排放降低", "%", _W, "", _K, "", _C]),
    (732, 735, [[728, 728]], ["", "30", "单位 GDP二氧化硫排放降低", "%", _W, "", _K, "", _C]),
    (737, 740, [], ["", "31", "地区及以上城市空气质量优良天数比率", "%", "97以上", "—", "97以上", "—", _C]),
    (742, 742, [], ["", "32", "PM2.5平均浓度", "ug/m³", _W, "", _K, "", _C]),
    (744, 747, [], ["", "33", "地表水达到或好于 III类水体比例", "%", _W, "", _K, "", _C]),
    (749, 749, [], ["", "34", "森林覆盖率", "%", "20.8", "—", "持平", "", _C]),
    (751, 751, [], ["", "35", "耕地保有量", "万亩", "5.56", "—", _K, "", _C]),
    (761, 765, [[753, 759]], ["安全保障", "36", "生产安全事故", "起", _W, "", _K, "", _C]),
    (767, 770, [[763, 763]], ["", "37", "生产安全事故死亡人数", "人", _W, "", _K, "", _C]),
    (772, 772, [[763, 763]], ["", "38", "重特大事故起数", "起", _W, "", _K, "", _C]),
    (774, 774, [[763, 763]], ["", "39", "重特大事故死亡人数", "人", _W, "", _K, "", _C]),
    (776, 776, [], ["", "40", "粮食综合生产能力", "万吨", "0.79", "—", "持平", "", _C]),
]
TAISHANG_NOTES = {
    "8": "指标名称注明五年累计：2020年实绩 2.8 与 2025年目标 3 均为五年累计数（未加 [ ]）",
    "30": "与第 29 行合并单元格（第 728 行）：完成市级控制指标 / 控制在市下达指标内",
    "37": "与第 36 行合并单元格（第 763 行）",
    "38": "与第 36 行合并单元格（第 763 行）",
    "39": "与第 36 行合并单元格（第 763 行）",
}

# 福清 建议 item 5 "主要目标" (lines 67-103): (line, category, quote, name, unit, fields)
FUQING_CATS = {75: "经济综合实力得到进一步增强", 79: "城乡统筹发展得到进一步深化",
               93: "生态环境环境得到进一步优化", 99: "人民群众生活水平得到进一步提高",
               103: "县域治理体系得到进一步完善"}
FUQING_ROWS = [
    (75, "地区生产总值力争达到2000亿元", "地区生产总值", "亿元",
     {"target": {"value": 2000, "strive": True}}),
    (75, "在全国综合实力百强县市排名力争进入前十", "全国综合实力百强县市排名", "位",
     {"target": {"value": 10, "qualifier": "at_most", "strive": True, "text": "进入前十"}}),
    (75, "电子、化工、食品三大产业分别突破千亿", "电子、化工、食品三大产业规模（各）", "亿元",
     {"target": {"value": 1000, "qualifier": "above", "text": "分别突破千亿"}}),
    (75, "战略性新兴产业占规上工业比重达40%以上", "战略性新兴产业占规上工业比重", "%",
     {"target": {"value": 40, "qualifier": "at_least"}}),
    (75, "三产年均增速较GDP增速高出1个百分点", "三产年均增速高于GDP年均增速", "百分点",
     {"target": {"value": 1}}),
    (79, "乡村振兴中级版、高级版占比提高到15%以上", "乡村振兴中级版、高级版占比", "%",
     {"target": {"value": 15, "qualifier": "at_least"}}),
    (93, "龙江流域水质稳定提升到三类以上", "龙江流域水质", None,
     {"target": {"text": "稳定提升到三类以上"}}),
    (93, "小流域三类以上水质比例提高到90%以上", "小流域三类以上水质比例", "%",
     {"target": {"value": 90, "qualifier": "at_least"}}),
    (99, "力争每年新增就业1.85万人左右", "每年新增就业", "万人",
     {"target": {"value": 1.85, "qualifier": "about", "strive": True},
      "note": "每年（2021—2025年各年）"}),
    (99, "城乡居民人均可支配收入年均增长8.5%以上", "城乡居民人均可支配收入", None,
     {"growth": {"kind": "annual", "value": 8.5, "qualifier": "at_least"}}),
    (99, "新改扩建学校84所", "新改扩建学校", "所",
     {"target": {"value": 84, "cumulative": True}, "note": "五年合计"}),
    (99, "每千名常住人口医疗机构床位数达4.7张以上", "每千名常住人口医疗机构床位数", "张",
     {"target": {"value": 4.7, "qualifier": "at_least"}}),
    (99, "每千名老年人养老床位数达38张以上", "每千名老年人养老床位数", "张",
     {"target": {"value": 38, "qualifier": "at_least"}}),
    (103, "亿元GDP生产安全事故年死亡率较“十三五”期间同比下降35%", "亿元GDP生产安全事故年死亡率降幅",
     "%", {"target": {"value": 35}, "note": "较“十三五”期间下降的幅度"}),
]


# --- drafting ------------------------------------------------------------------------------


def _num(x: float, printed: str) -> float | int:
    return int(x) if float(x).is_integer() and "." not in printed else x


def _value(cell: str, year: int | None) -> dict | None:
    text, _ = split_markers(cell)
    v = parse_value_cell(text)
    if v is None:
        return None
    out: dict[str, Any] = {}
    if year is not None:
        out["year"] = year
    for k in ("value", "text", "qualifier", "cumulative", "unit", "strive"):
        if k in v:
            out[k] = _num(v[k], text) if k == "value" else v[k]
    return out


def _growth(cell: str) -> dict | None:
    text, _ = split_markers(cell)
    g = parse_growth_cell(text)
    if g is None:
        return None
    return {k: (_num(g[k], text) if k == "value" else g[k])
            for k in ("kind", "value", "text", "qualifier", "strive") if k in g}


def draft_row(spec: dict, cells: list[str], line: int, carry: dict) -> dict:
    """Parsed row dict from aligned cells using the table spec's layout."""
    lay = spec["layout"]
    row: dict[str, Any] = {"line": line, "cells": cells}
    markers: list[str] = []
    name_cell = cells[lay["name"]]
    if name_cell.strip():
        text, m = split_markers(" ".join(name_cell.split()))
        markers += m
        no, name = split_numbering(text)
        carry["name"], carry["no_from_name"] = name, no
    name = carry["name"]
    no = cells[lay["seq"]].strip() if "seq" in lay else carry.get("no_from_name")
    if "seq" in lay and not no:
        no = carry.get("seq")
    carry["seq"] = no
    row["seq"] = no
    if "category" in lay:
        cat = "".join(cells[lay["category"]].split())
        if cat:
            carry["category"] = cat
        row["category"] = carry.get("category")
    row["name"] = name
    if "subname" in lay and cells[lay["subname"]].strip():
        row["subname"] = cells[lay["subname"]].strip()
    row["unit"] = cells[lay["unit"]].strip() or None
    by, ty = spec.get("base_year"), spec.get("target_year")
    for k in ("base", "baseline", "target", "growth", "past_growth"):
        if k in lay:
            c = cells[lay[k]]
            markers += split_markers(c)[1]
            year = by if k in ("base", "baseline") else ty
            v = _growth(c) if "growth" in k else _value(c, year)
            if v is not None:
                row[k] = v
    for side in ("planned", "achieved"):
        o = {}
        if f"{side}_value" in lay:
            c = cells[lay[f"{side}_value"]]
            markers += split_markers(c)[1]
            v = _value(c, ty)
            if v is not None:
                o["value"] = v
        if f"{side}_growth" in lay:
            c = cells[lay[f"{side}_growth"]]
            markers += split_markers(c)[1]
            g = _growth(c)
            if g is not None:
                o["growth"] = g
        if f"{side}_value" in lay:
            row[side] = o or None
    if "attribute" in lay:
        row["attribute"] = ATTRIBUTES.get(cells[lay["attribute"]].strip())
    row["markers"] = markers
    return row


def _patch(row: dict, patch: dict) -> None:
    for k, v in patch.items():
        parts = k.split(".")
        d = row
        for p in parts[:-1]:
            d = d.get(p)
            if d is None:
                break
        else:
            d[parts[-1]] = v


def _footnotes(src: list[str], specs: list[tuple]) -> list[dict]:
    out = []
    for spec in specs:
        marker, line = spec[0], spec[1]
        last = spec[2] if len(spec) > 2 else line
        text = "".join(src[line - 1:last]).strip()
        if marker == "注":
            text = text.split("：", 1)[1]
        elif marker in ("1.", "2.") and text.startswith("注："):  # 台江 表1: "注：1.… 2.…"
            body = text[2:]
            i = body.index("2.")
            text = body[2:i] if marker == "1." else body[i + 2:]
        elif marker.endswith(".") and text.startswith(marker):
            text = text[len(marker):].strip()
        elif marker.startswith(("（", "(")):
            body = text.split("：", 1)[1]
            close = "）" if marker.startswith("（") else ")"
            start = body.index(marker) + len(marker)
            nxt = [body.find(o + str(int(marker[1:-1]) + 1) + close, start)
                   for o in ("（", "(")]
            nxt = [n for n in nxt if n > 0]
            text = body[start:min(nxt)] if nxt else body[start:]
            text = text.strip().rstrip("；;").strip()
        fn = {"marker": marker, "text": text.strip(), "line": line}
        if last != line:
            fn["last_line"] = last
        out.append(fn)
    return out


def draft(slug: str) -> dict:
    """The draft document for one plan, as plain data."""
    src = (ROOT / "seeds" / f"{slug}.txt").read_text(encoding="utf-8").split("\n")
    doc: dict[str, Any] = {"plan": slug, "source": f"seeds/{slug}.txt", "tables": []}
    if slug == "taishang-14th":
        spec = {"id": "main", "kind": "targets", "title": "“十四五”时期经济社会发展主要目标",
                "lines": [571, 776], "base_year": 2020, "target_year": 2025,
                "columns": TAISHANG_COLUMNS,
                "layout": {"category": 0, "seq": 1, "name": 2, "unit": 3, "baseline": 4,
                           "past_growth": 5, "target": 6, "growth": 7, "attribute": 8}}
        carry: dict = {}
        rows = []
        for first, last, extra, cells in TAISHANG_ROWS:
            r = draft_row(spec, cells, first, carry)
            if last != first:
                r["lines"] = [first, last]
            if extra:
                r["extra_lines"] = extra
            if r["seq"] in TAISHANG_NOTES:
                r["note"] = TAISHANG_NOTES[r["seq"]]
            rows.append(r)
        doc["tables"].append(_table(spec, [], rows))
        return doc
    if slug == "fuqing-14th-proposal":
        spec = {"id": "main-targets", "kind": "targets", "title": "“十四五”时期发展的主要目标",
                "lines": [67, 103], "base_year": None, "target_year": 2025, "columns": [],
                "layout": {}}
        rows = []
        for i, (line, quote, name, unit, fields) in enumerate(FUQING_ROWS):
            r: dict[str, Any] = {"line": line, "quote": quote, "seq": str(i + 1),
                                 "category": FUQING_CATS[line], "name": name, "unit": unit}
            for k in ("target", "growth"):
                if k in fields:
                    v = dict(fields[k])
                    if k == "target" and "value" in v:
                        v = {"year": 2025, **v}
                    r[k] = v
            if "note" in fields:
                r["note"] = fields["note"]
            r["markers"] = []
            rows.append(r)
        doc["tables"].append(_table(spec, [], rows))
        return doc
    for spec in TSV_TABLES[slug]:
        a, b = spec["row_lines"]
        carry = {}
        rows = []
        width = len(spec["columns"])
        for line in range(a, b + 1):
            text = src[line - 1]
            if not text.strip():
                continue
            cells = text.split("\t")
            ins = spec.get("insert_blank")
            while cells and cells[-1] == "":
                cells.pop()
            if ins is not None and len(cells) == width - 1:
                cells.insert(ins, "")
            while len(cells) < width:
                cells.append("")
            r = draft_row(spec, cells, line, carry)
            key = (slug, spec["id"], r["seq"])
            if key in PATCHES:
                _patch(r, PATCHES[key])
            rows.append(r)
        doc["tables"].append(_table(spec, _footnotes(src, spec.get("footnotes", [])), rows))
    return doc


def _table(spec: dict, footnotes: list[dict], rows: list[dict]) -> dict:
    t = {k: spec[k] for k in ("id", "kind", "title", "lines")}
    for k in ("base_year", "target_year"):
        if spec.get(k) is not None:
            t[k] = spec[k]
    t["columns"] = spec["columns"]
    t["layout"] = spec["layout"]
    t["footnotes"] = footnotes
    t["rows"] = rows
    return t


# --- YAML output ---------------------------------------------------------------------------


def _flow(x: Any) -> str:
    return yaml.safe_dump(x, default_flow_style=True, allow_unicode=True, sort_keys=False,
                          width=10 ** 6).strip().removesuffix("...").strip()


ROW_ORDER = ["line", "lines", "extra_lines", "cells", "quote", "seq", "category", "name",
             "subname", "unit", "base", "baseline", "target", "growth", "past_growth",
             "planned", "achieved", "attribute", "markers", "notes", "note"]


def to_yaml(doc: dict) -> str:
    """Readable YAML: one key per line, values and cells in flow style."""
    out = ["# yaml-language-server: $schema=../schemas/indicators.schema.json",
           f"# Indicator tables of {doc['source']}. Drafted by tools/draft_indicators.py and",
           "# checked row by row against the source; this file is the reviewed truth.",
           f"plan: {doc['plan']}", f"source: {doc['source']}", "tables:"]
    for t in doc["tables"]:
        out.append(f"  - id: {t['id']}")
        for k in ("kind", "title", "lines", "base_year", "target_year", "columns", "layout"):
            if k in t:
                out.append(f"    {k}: {_flow(t[k])}")
        out.append("    footnotes:" + ("" if t["footnotes"] else " []"))
        for f in t["footnotes"]:
            out.append(f"      - {_flow(f)}")
        out.append("    rows:")
        for r in t["rows"]:
            first = True
            for k in ROW_ORDER:
                if k not in r or (r[k] is None and k not in ("attribute",)) or (
                        k in ("notes",) and not r[k]):
                    continue
                prefix = "      - " if first else "        "
                first = False
                out.append(f"{prefix}{k}: {_flow(r[k])}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("slug")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args(argv)
    text = to_yaml(draft(args.slug))
    if not args.write:
        sys.stdout.write(text)
        return 0
    path = ROOT / "site_src" / "indicators" / f"{args.slug}.yml"
    if path.exists() and not args.force:
        print(f"{path} exists (use --force to overwrite)", file=sys.stderr)
        return 1
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
