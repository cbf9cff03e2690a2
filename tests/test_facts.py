"""Fact readers (plansite.parser.facts) on strings as the corpus and the seeds print them."""

from __future__ import annotations

import pytest

from plansite.parser.facts import (Adoption, Region, adoption_of, compose_title, cycle_name, cycle_of,
                                   cycle_years, date_iso, issuer_of_title, kind_of, kind_of_adoption,
                                   period_of, region_in_body, region_of, short_title, vision_of, year_of)


@pytest.mark.parametrize("n, years, name", [
    (11, (2006, 2010), "十一五"), (12, (2011, 2015), "十二五"), (13, (2016, 2020), "十三五"),
    (14, (2021, 2025), "十四五"), (15, (2026, 2030), "十五五"), (10, (2001, 2005), "十五"),
])
def test_cycles(n, years, name):
    assert cycle_years(n) == years
    assert cycle_name(years[0]) == name


@pytest.mark.parametrize("text, period", [
    ("福州市国民经济和社会发展第十五个五年规划纲要", (2026, 2030)),
    ("关于制定福清市“十四五”规划和二〇三五年远景目标的建议", (2021, 2025)),
    ("「十三五」時期", (2016, 2020)),                        # traditional quotes and characters
    ("第 十 一 个 五 年 规 划", (2006, 2010)),                # letter-spaced
    ("2011至2015年是国民经济和社会发展第十二个五年规划时期", (2011, 2015)),
    ("“十四五”时期(2021—2025年)", (2021, 2025)),
    ("规划期为2021-2025年", (2021, 2025)),
    ("2020年全市地区生产总值", None),
    ("2021年至2023年", None),                              # not a five-year span
])
def test_period(text, period):
    assert period_of(text) == period


def test_cycle_of_none():
    assert cycle_of("五年来，我们坚持创新") is None


@pytest.mark.parametrize("text, year", [
    ("第十四个五年规划和二〇三五年远景目标纲要", 2035), ("和2035 年远景目标", 2035),
    ("二○三五年远景目标", 2035), ("二三五年远景目标", 2035), ("二\ufffd\ufffd三五年远景目标", 2035),
    ("第十五个五年规划的建议", None),
])
def test_vision(text, year):
    assert vision_of(text) == year


def test_year_of():
    assert year_of("2035") == 2035 and year_of("二〇二一") == 2021 and year_of("二二一") == 2021
    assert year_of("三五") is None


@pytest.mark.parametrize("title, kind", [
    ("中共长沙市委关于制定长沙市国民经济和社会发展第十五个五年规划的建议", "proposal"),
    ("福州市国民经济和社会发展第十五个五年规划纲要", "outline"),
    ("《宜兴市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要(草案)》", "outline"),
    ("某县国民经济和社会发展第十一个五年计划", "outline"),
    ("关于印发某某的通知", ""),
])
def test_kind(title, kind):
    assert kind_of(title) == kind


def test_kind_of_adoption():
    assert kind_of_adoption("(2020年12月9日中國共産黨貴州省第十二屆委員會第八次全體會議通過)") == "proposal"
    assert kind_of_adoption("(2021年2月5日佛山市第十五届人民代表大会第六次会议通过)") == "outline"
    assert kind_of_adoption("2021年5月") == ""


@pytest.mark.parametrize("title, region", [
    ("中共长沙市委关于制定长沙市国民经济和社会发展第十五个五年规划的建议", Region("长沙市", "", "prefecture", False)),
    ("福州市仓山区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", Region("仓山区", "福州市", "district")),
    ("东莞市大朗镇国民经济和社会发展第十四个五年规划和2035年远景目标纲要", Region("大朗镇", "东莞市", "town")),
    ("高新区(新市区)国民经济和社会发展第十四个五年规划和2035年远景目标纲要", Region("高新区(新市区)", "", "zone")),
    ("中共上海市杨浦区委关于制定杨浦区国民经济和社会发展第十三个五年规划的建议", Region("杨浦区", "上海市", "district")),
    ("中共贵州省委关于制定贵州省国民经济和社会发展第十四个五年规划和二〇三五年远景目标的建议", Region("贵州省", "", "province")),
    ("上海市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", Region("上海市", "", "province")),
    ("庐江县国民经济和社会发展第十四个五年规划和2035 年远景目标纲要", Region("庐江县", "", "county")),
    ("苏州市昆山市国民经济和社会发展第十四个五年规划纲要", Region("昆山市", "苏州市", "county")),
    ("泉州台商投资区国民经济和社会发展第十四个五年规划纲要", Region("泉州台商投资区", "", "zone")),
    ("常州市国民经济和社会发展第十四个五年规划和二��三五年远景目标纲要", Region("常州市", "", "prefecture", False)),
    ("关于印发某某工作方案的通知", None),
])
def test_region(title, region):
    assert region_of(title) == region


def test_region_named():
    from plansite.parser.facts import region_named

    assert region_named("上海市杨浦区") == Region("杨浦区", "上海市", "district")
    assert region_named("貴州省") == Region("贵州省", "", "province")
    assert region_named("") is None and region_named("某某") is None


@pytest.mark.parametrize("body, region", [
    ("中国共产党长沙市第十四届委员会第十次全体会议", "长沙市"),
    ("中國共産黨貴州省第十二屆委員會第八次全體會議", "贵州省"),
    ("庐江县第十七届人民代表大会第五次会议", "庐江县"),
    ("福州市人民政府", "福州市"),
    ("区四届人民代表大会第五次会议", ""),                   # the region is not named
])
def test_region_in_body(body, region):
    assert region_in_body(body) == region


@pytest.mark.parametrize("text, iso", [
    ("2021年4月6日", "2021-04-06"), ("二〇二〇年十二月二十九日", "2020-12-29"), ("2021-01-11 14:21:29", "2021-01-11"),
    ("2021 年 1 月 13 日", "2021-01-13"), ("2021年5月", ""), ("202133", ""), ("2021年2月30日", ""),
])
def test_date_iso(text, iso):
    assert date_iso(text) == iso


@pytest.mark.parametrize("line, adoption", [
    ("(2025年12月15日中国共产党长沙市第十四届委员会第十次全体会议通过)",
     Adoption("2025-12-15", "中国共产党长沙市第十四届委员会第十次全体会议")),
    ("( 2021 年 1 月 13 日庐江县第十七届人民代表大会第五次会议", Adoption("2021-01-13", "庐江县第十七届人民代表大会第五次会议")),
    ("（2021年2月5日区四届人民代表大会第五次会议批准）", Adoption("2021-02-05", "区四届人民代表大会第五次会议")),
    ("——2020年12月29日中国共产党福清市第十三届委员会第十二次全体会议通过",
     Adoption("2020-12-29", "中国共产党福清市第十三届委员会第十二次全体会议")),
    ("五年来的发展成就", Adoption("", "")),
])
def test_adoption(line, adoption):
    assert adoption_of(line) == adoption


def test_committee_of():
    from plansite.parser.facts import committee_of

    assert committee_of("中国共产党长沙市第十四届委员会第十次全体会议") == "中国共产党长沙市第十四届委员会"
    assert committee_of("中國共産黨貴州省第十二屆委員會第八次全體會議") == "中國共産黨貴州省第十二屆委員會"
    assert committee_of("庐江县第十七届人民代表大会第五次会议") == ""


def test_issuer_short_and_composed_titles():
    assert issuer_of_title("中共长沙市委关于制定长沙市国民经济和社会发展第十五个五年规划的建议") == "中共长沙市委"
    assert issuer_of_title("福州市国民经济和社会发展第十五个五年规划纲要") == ""
    assert short_title("长沙市", 2026, "proposal") == "长沙“十五五”规划建议"
    assert short_title("仓山区", 2021, "outline") == "仓山区“十四五”规划纲要"
    assert short_title("贵州省", 2021, "proposal") == "贵州“十四五”规划建议"
    assert compose_title("贵州省", 2021, 2035, "proposal") == \
        "中共贵州省委关于制定贵州省国民经济和社会发展第十四个五年规划和二〇三五年远景目标的建议"
    assert compose_title("湘潭县", 2011, None, "outline") == "湘潭县国民经济和社会发展第十二个五年规划纲要"
