"""Front matter (plansite.parser.front): title block, adoption, notice, preface, and the facts."""

from __future__ import annotations

from plansite.model import SourceLine
from plansite.parser import parse_document
from plansite.plans import Period, Plan


def _doc(texts, kind="outline"):
    plan = Plan(slug="t", title="t", short_title="t", region="r", level="city", parent_region="",
                period=Period(2021, 2025), kind=kind, source="seeds/t.txt")
    return parse_document(plan, [SourceLine(i + 1, t) for i, t in enumerate(texts)])


def test_multi_line_proposal_title_and_two_line_adoption():
    doc = _doc(["中共某某市委", "关于制定某某市国民经济和社会发展", "第十五个五年规划的建议", "(2025年12月15日中国共产党某某市",
                "第十四届委员会第十次全体会议通过)", "全会认真贯彻落实党的精神,提出如下建议。",
                "一、“十五五”时期的形势", "1.发展成就。“十四五”时期……"], kind="proposal")
    assert doc.facts.title == "中共某某市委关于制定某某市国民经济和社会发展第十五个五年规划的建议"
    assert doc.facts.title_lines == [1, 2, 3]
    assert doc.facts.adoption == "(2025年12月15日中国共产党某某市第十四届委员会第十次全体会议通过)"
    assert doc.facts.adoption_lines == [4, 5]
    assert [n.kind for n in doc.front] == ["notice", "preface"] and doc.front[1].title == "引言"


def test_title_in_brackets_with_draft_status_kept_as_printed():
    doc = _doc(["《某市国民经济和社会发展第十四个", "五年规划和二〇三五年远景目标纲要(草案)》", "", "“十四五”时期是关键时期。"])
    assert doc.facts.title == "《某市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要(草案)》"


def test_notice_facts_and_title_after_it():
    doc = _doc(["某府〔2021〕6号", "", "某市人民政府关于印发某市国民", "经济和社会发展第十四个五年规划", "纲要的通知", "",
                "各区人民政府,市政府各部门:", "《某市…纲要》已经审议通过,现印发给你们,请遵照执行。", "某市人民政府",
                "2021年4月6日", "(此件主动公开)", "某市国民经济和社会发展第十四个", "五年规划纲要",
                "(2021年2月5日某市第十五届人民代表大会", "第六次会议通过)", "前 言", "本规划纲要是……的行动纲领。",
                "第一章 发展成就", "第一节 发展基础", "正文。"])
    f = doc.facts
    assert f.doc_number == "某府〔2021〕6号" and f.notice_title == "某市人民政府关于印发某市国民经济和社会发展第十四个五年规划纲要的通知"
    assert f.notice_lines == (3, 5) and f.signature == "某市人民政府" and f.signed_on == "2021年4月6日"
    assert f.title == "某市国民经济和社会发展第十四个五年规划纲要" and f.title_lines == [12, 13]
    assert f.adoption_lines == [14, 15]
    assert [(n.kind, n.title) for n in doc.front] == [("notice", "印发通知"), ("preface", "前言")]


def test_letter_spaced_preface_label_and_traditional():
    doc = _doc(["某市國民經濟和社會發展第十四個五年規劃綱要", "序  言", "這是序言。", "第一章 發展基礎", "正文。"])
    assert doc.facts.title == "某市國民經濟和社會發展第十四個五年規劃綱要"
    assert [(n.kind, n.title) for n in doc.front][-1] == ("preface", "序言")


def test_no_title_is_a_warning():
    doc = _doc(["这是一段没有标题的序言。", "第一章 总则", "正文。"])
    assert doc.facts.title == "" and any("no plan title" in w.message for w in doc.warnings)


def test_a_notice_title_is_not_the_plan_title_but_names_it():
    """A page with only the issuing notice: its title names the plan (warned)."""
    doc = _doc(["某区人民政府关于印发某区国民经济和社会发展第十四个五年规划和2035年远景目标纲要的通知", "各乡镇人民政府:",
                "《某区…纲要》已经审议通过,现印发给你们,请认真贯彻执行。", "某区人民政府", "2021年9月23日"])
    assert doc.facts.notice_title.endswith("的通知")
    assert doc.facts.title == "某区国民经济和社会发展第十四个五年规划和2035年远景目标纲要"
    assert any("issuing notice" in w.message for w in doc.warnings)
    doc = _doc(["某市人民政府关于印发某市国民经济和社会发展第十四个五年规划纲要的通知", "各区人民政府:", "现印发给你们。",
                "某市国民经济和社会发展第十四个五年规划纲要", "第一章 总则", "正文。"])
    assert doc.facts.title_lines == [4]


def test_title_broken_after_guihua_is_joined():
    """A cover printing ``…第十四个五年规划`` / ``和二〇三五年远景目标纲要``: one title, then issuer and date."""
    doc = _doc(["某某县国民经济和社会发展第十四个五年规划", "和二〇三五年远景目标纲要", "", "某某县人民政府", "2021年3月", "",
                "本纲要是全县人民共同的行动纲领。", "第一章 总体要求", "正文。"])
    assert doc.facts.title == "某某县国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"
    assert doc.front[0].lines == (1, 5) and doc.front[1].kind == "preface"


def test_draft_status_on_its_own_line_belongs_to_the_title():
    doc = _doc(["某市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", "（草案）", "", "“十四五”时期是关键时期。"])
    assert doc.facts.title == "某市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要（草案）"


def test_a_notice_numbering_its_points_is_not_the_body():
    doc = _doc(["某市人民政府关于印发某市国民经济和社会发展第十四个五年规划纲要的通知", "各区人民政府:",
                "现将《纲要》印发给你们,请认真贯彻执行,并做好以下工作。", "一、加强组织领导", "二、强化考核评估",
                "某市人民政府", "2021年3月1日", "某市国民经济和社会发展第十四个五年规划纲要", "一、发展基础",
                "“十三五”时期成就显著。", "二、发展环境", "机遇和挑战并存。"])
    assert doc.facts.title == "某市国民经济和社会发展第十四个五年规划纲要"
    assert [(n.number, n.lines[0]) for n in doc.body] == [("一、", 9), ("二、", 11)]
    assert doc.front[0].kind == "notice" and doc.front[0].lines == (1, 8)


def test_notice_headline_with_doc_number_and_date_glued_on():
    """A mobile page prints the notice title, its doc number and the posting date on one line:
    the title ends at 的通知, the doc number is a fact, the plan title is the one it names."""
    doc = _doc(["某某省人民政府 关于印发某某省国民经济和社会发展 第十四个五年规划和2035年远景 目标纲要的通知(某政发〔2021〕5号)2021.04.27512",
                "各市人民政府,省政府各部门:", "《某某省国民经济和社会发展第十四个五年规划和2035年远景目标纲要》已经审查批准,现印发给你们,请认真贯彻实施。",
                "某某省人民政府", "2021年4月6日", "(此件公开发布)"])
    f = doc.facts
    assert f.notice_title == "某某省人民政府关于印发某某省国民经济和社会发展第十四个五年规划和2035年远景目标纲要的通知"
    assert f.doc_number == "某政发〔2021〕5号"
    assert f.title == "某某省国民经济和社会发展第十四个五年规划和2035年远景目标纲要"


def test_title_with_pinyin_glosses_of_a_mirror_site():
    """A mirror site glosses characters with pinyin (``發(fā)展``): recognition and the titles shown
    ignore the glosses; a bracketed Latin note without tone marks stays."""
    doc = _doc(["某某縣國(guó)民經(jīng)濟(jì)和社會(huì)發(fā)展", "第十三個(gè)五年規(guī)劃綱要", "(送審稿)",
                "“十三五”時(shí)期是關(guān)鍵五年。", "一、發(fā)展背景", "(一)發(fā)展基礎(chǔ)", "正文(GDP)。"])
    assert doc.facts.title == "某某縣國民經濟和社會發展第十三個五年規劃綱要(送審稿)"
    assert [(n.number, n.title) for n in doc.body] == [("一、", "發展背景")]
    assert doc.body[0].children[0].title == "發展基礎"


def test_notice_title_with_its_issuer_on_the_line_above():
    """公文 layout: the issuer on one line, 关于印发…的通知 on the next ones; both are the notice title."""
    for head in (["某府发〔2021〕15号", ""], []):
        doc = _doc(head + ["某某县人民政府", "关于印发某某县国民经济和社会发展第十四个", "五年规划纲要的通知", "各乡镇人民政府：",
                           "现将《纲要》印发给你们，请认真贯彻落实。", "某某县人民政府", "2021年3月18日",
                           "某某县国民经济和社会发展第十四个五年规划纲要", "第一章 发展基础", "正文。"])
        assert doc.facts.notice_title == "某某县人民政府关于印发某某县国民经济和社会发展第十四个五年规划纲要的通知"
        assert doc.facts.title == "某某县国民经济和社会发展第十四个五年规划纲要"


def test_numbered_list_of_a_box_is_no_evidence_of_levels():
    """``1.``/``（1）`` lines inside a 专栏 are the box's list: a 章/节 plan keeps two levels."""
    doc = _doc(["某某县国民经济和社会发展第十四个五年规划纲要", "第一章 发展基础", "第一节 发展成就", "正文。", "专栏1 重大成就",
                "1.综合实力。地区生产总值突破200亿元。", "2.脱贫攻坚。贫困人口全部脱贫。", "第二节 发展环境", "正文。"])
    assert doc.levels == ["章", "节"]
    assert [n.kind for n in doc.walk() if n.kind in ("chapter", "section", "item")] == ["chapter", "section", "section"]


def test_title_page_after_the_toc():
    """Cover title, 目录, the title printed again on an inner page with its adoption line, 前言: the
    inner title page is a title block of its own (not the preface), the 前言 heads the preface."""
    title = "某某区国民经济和社会发展第十四个五年规划纲要"
    doc = _doc([title, "目 录", "第一章 发展基础", "第二章 总体要求", title, "（2021年1月8日某某区第五届人民代表大会第六次会议批准）",
                "前言", "正文，一段。", "第一章 发展基础", "正文。", "第二章 总体要求", "正文。"])
    assert [(n.kind, n.id, n.title, n.lines) for n in doc.front] == [
        ("notice", "notice", "标题", (1, 1)), ("toc", "toc", "目录", (2, 4)), ("notice", "notice-2", "标题", (5, 6)),
        ("preface", "preface", "前言", (7, 8))]
    assert doc.facts.title == title and doc.facts.title_lines == [1, 5] and doc.facts.adoption_lines == [6]


def test_cover_issuer_and_date_are_facts():
    """A cover prints the issuer and the month under the title: they are the draft's issuer and
    date (a notice's signature, when there is a notice, is read from the notice instead)."""
    doc = _doc(["某某高新技术产业开发区", "国民经济和社会发展第十四个五年规划", "和二〇三五年远景目标纲要", "",
                "某某高新技术产业开发区管理委员会", "二〇二一年三月", "", "“十四五”时期是关键时期。",
                "第一章 发展基础", "全区经济较快发展。"])
    assert doc.facts.title == "某某高新技术产业开发区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"
    assert (doc.facts.signature, doc.facts.signed_on) == ("某某高新技术产业开发区管理委员会", "二〇二一年三月")
    bare = _doc(["某某县国民经济和社会发展第十四个五年规划纲要", "“十四五”时期是关键时期。", "第一章 发展基础", "正文。"])
    assert (bare.facts.signature, bare.facts.signed_on) == ("", "")


def test_adoption_line_in_square_brackets():
    """A repost may print the adoption line in 【】 or [] (over two lines too): it is the adoption
    line, not preface text, and its date and meeting are facts."""
    from plansite.parser.facts import adoption_of

    for left, right in ("【】", "[]"):
        doc = _doc(["中共某某市委关于制定某某市国民经济和社会发展第十四个五年规划和二〇三五年远景目标的建议",
                    f"{left}2020年12月28日中国共产党某某市第十二届委员会", f"第十三次全体会议通过{right}",
                    "全会提出如下建议。", "一、决胜全面建成小康社会", "1.发展成就。全市经济大幅跃升。"], kind="proposal")
        assert doc.facts.adoption_lines == [2, 3]
        got = adoption_of(doc.facts.adoption)
        assert (got.date, got.body) == ("2020-12-28", "中国共产党某某市第十二届委员会第十三次全体会议")
