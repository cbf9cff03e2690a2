"""`build.py add` (plansite.add): the seed copied verbatim, the metadata drafted from the text with
the source line of every fact, unknown facts left "", refusals as one line and exit 1, and a
build that works on the draft with no hand edit."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pytest
import yaml

from plansite.add import add_plan, slug_from
from plansite.cli import build_site
from plansite.errors import PlansiteError
from plansite.plans import check_plan_file

LINE_RE = re.compile(r"^[^\s:][^:]*:\d+: \S")

PROPOSAL = """来源:某某日报 发布时间:2021-01-05 10:00
中共某某市委关于制定某某市国民经济和社会发展
第十四个五年规划和二〇三五年远景目标的建议
（2020年12月29日中国共产党某某市第十三届委员会第十二次全体会议通过）
中国共产党某某市第十三届委员会第十二次全体会议深入分析了国内外形势，提出以下建议。
一、全面建成小康社会，开启全面建设社会主义现代化新征程
1.决胜全面建成小康社会取得决定性成就。“十三五”时期，全市经济实力大幅跃升，人民生活水平显著提高。
2.我市发展环境面临深刻复杂变化。当前和今后一个时期，我市发展仍然处于重要战略机遇期。
二、“十四五”时期经济社会发展指导思想和主要目标
3.指导思想。高举中国特色社会主义伟大旗帜，坚持稳中求进工作总基调。
"""

NOTICE = """某某县人民政府关于印发某某县国民经济和社会发展
第十四个五年规划和二〇三五年远景目标纲要的通知
某政发〔2021〕6号
各乡镇人民政府，县政府各部门：
《某某县国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要》已经县第十七届人民代表大会第五次会议审议通过，现印发给你们，请认真贯彻执行。
某某县人民政府
2021年3月19日
某某县国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要
（2021年1月13日某某县第十七届人民代表大会第五次会议通过）
第一章 发展基础
第一节 发展成就
“十三五”时期，全县经济保持较快发展，综合实力跨上新台阶。
第二节 发展环境
当前和今后一个时期，我县发展仍然处于重要战略机遇期。
"""


def tmp_project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "seeds").mkdir(parents=True)
    (root / "site_src" / "plans").mkdir(parents=True)
    return root


def add(root: Path, path: Path, **kw) -> tuple[dict, str, str, str]:
    out, err = io.StringIO(), io.StringIO()
    meta = add_plan(root, path, out=out, err=err, **kw)
    text = meta.read_text(encoding="utf-8")
    return yaml.safe_load(text), text, out.getvalue(), err.getvalue()


def test_proposal_draft_names_the_source_line_of_each_fact(tmp_path):
    root = tmp_project(tmp_path)
    src = tmp_path / "Mou_14 proposal.txt"
    src.write_text(PROPOSAL, encoding="utf-8")
    data, text, out, err = add(root, src)
    assert (root / "seeds/mou-14-proposal.txt").read_bytes() == src.read_bytes()
    assert data["title"] == "中共某某市委关于制定某某市国民经济和社会发展第十四个五年规划和二〇三五年远景目标的建议"
    assert data["kind"] == "proposal"
    assert data["period"] == {"start": 2021, "end": 2025, "vision": 2035}
    assert data["region"] == "某某市" and data["short_title"] == "某某“十四五”规划建议"
    assert data["issuer"] == "中共某某市委"
    assert data["approved_on"] == "2020-12-29"
    assert data["approved_by"] == "中国共产党某某市第十三届委员会第十二次全体会议"
    assert data["doc_number"] == "" and data["issued_on"] == ""      # not stated: never invented
    assert data["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert data["source"] == "seeds/mou-14-proposal.txt"
    # each inferred line is preceded by a comment naming its source line(s)
    lines = text.splitlines()
    assert lines[lines.index(f"title: {data['title']}") - 1].startswith("# from lines 2, 3: 中共某某市委")
    assert lines[lines.index("approved_on: '2020-12-29'") - 1].startswith("# from line 4: （2020年12月29日")
    # the draft validates as a plan file, and the report shows the structure and the dropped byline
    assert check_plan_file(root, root / "site_src/plans/mou-14-proposal.yml")[1] == []
    assert "encoding    UTF-8" in out and "line model" in out and "dropped     1 lines" in out
    assert "[byline]" in out
    assert "level of 某某市 assumed to be prefecture" in err  # a bare 市 is a doubt, said so


def test_outline_with_notice_and_gb18030(tmp_path):
    """A GB18030 source with an issuing notice: seed copied byte for byte, doc number, issuer and
    issue date from the notice, approval from the adoption line."""
    root = tmp_project(tmp_path)
    src = tmp_path / "mou-county.txt"
    src.write_bytes(NOTICE.replace("\n", "\r\n").encode("gb18030"))
    data, text, out, _ = add(root, src, slug="mou-14th")
    assert (root / "seeds/mou-14th.txt").read_bytes() == src.read_bytes()
    assert data["title"] == "某某县国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"
    assert (data["kind"], data["level"], data["region"]) == ("outline", "county", "某某县")
    assert data["doc_number"] == "某政发〔2021〕6号"
    assert data["issuer"] == "某某县人民政府"
    assert data["issued_on"] == "2021-03-19"
    assert data["approved_on"] == "2021-01-13"
    assert "GB18030" in out and "CRLF" in out


def test_kind_given_and_unstated_title(tmp_path):
    """No title printed: a composed title marked TODO and a warning; --kind wins over the text."""
    root = tmp_project(tmp_path)
    src = tmp_path / "x.txt"
    src.write_text("（2020年12月9日中国共产党某某省第十二届委员会第八次全体会议通过）\n"
                   "中共某某省委就制定“十四五”规划和二〇三五年远景目标提出以下建议。\n一、发展成就\n某某时期取得成就。\n",
                   encoding="utf-8")
    data, text, _, err = add(root, src, slug="mou-province", kind="outline")
    assert data["kind"] == "outline"
    assert "--kind outline given, but the text reads as a proposal" in err
    assert data["title"] == "某某省国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"
    assert "# TODO: not printed in the text" in text
    assert "no title printed in the text" in err
    assert (data["region"], data["level"]) == ("某某省", "province")
    assert data["issuer"] == ""  # an outline (as --kind says) is not issued by the adopting committee
    assert "read from the text, check it" in err  # the period is not the title's


def test_slug_from_file_name():
    assert slug_from(Path("Changsha_15 proposal.txt")) == "changsha-15-proposal"
    assert slug_from(Path("长沙.txt")) == ""


@pytest.mark.parametrize("content, slug, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), None, "garbled"),
    (b"", None, "empty"),
    (b"hello world\n", None, "no Chinese text"),
    ("第一章 总则\n".encode(), "Bad_Slug", "lowercase letters"),
    ("第一章 总则\n加快发展。\n".encode(), None, "no plan period in the text"),
])
def test_bad_input_one_line_exit_1(tmp_path, build_py, content, slug, message):
    root = tmp_project(tmp_path)
    src = tmp_path / "plan.txt"
    src.write_bytes(content)
    result = build_py("--root", root, "add", src, *(["--slug", slug] if slug else []))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and LINE_RE.match(result.stderr)
    assert message in result.stderr
    assert list((root / "seeds").iterdir()) == [] and list((root / "site_src/plans").iterdir()) == []


def test_refuses_to_overwrite(tmp_path, build_py):
    root = tmp_project(tmp_path)
    src = tmp_path / "mou-14.txt"
    src.write_text(PROPOSAL, encoding="utf-8")
    assert build_py("--root", root, "add", src).returncode == 0
    before = (root / "site_src/plans/mou-14.yml").read_bytes()
    again = build_py("--root", root, "add", src)
    assert again.returncode == 1 and len(again.stderr.strip().splitlines()) == 1
    assert again.stderr.startswith("site_src/plans/mou-14.yml:0: plan 'mou-14' exists already")
    assert (root / "site_src/plans/mou-14.yml").read_bytes() == before
    other = tmp_path / "other.txt"
    other.write_text(NOTICE, encoding="utf-8")
    clash = build_py("--root", root, "add", other, "--slug", "mou-14")
    assert clash.returncode == 1


def test_build_works_after_add_with_the_drafted_title(project):
    """The README recipe: `add`, then `build` with no hand edit; the plan's JSON title is the draft's."""
    src = project.parent / "mou-14.txt"
    src.write_text(PROPOSAL, encoding="utf-8")
    meta = add_plan(project, src, out=io.StringIO(), err=io.StringIO())
    drafted = yaml.safe_load(meta.read_text(encoding="utf-8"))
    site = project / "site"
    build_site(project, site, quiet=True)
    detail = json.loads((site / "api/plans/mou-14.json").read_text(encoding="utf-8"))
    assert detail["title"] == drafted["title"]
    assert any(d["rule"] == "byline" for d in detail["dropped"])


def test_add_plan_raises_plansite_error_for_missing_file(tmp_path):
    with pytest.raises(PlansiteError) as info:
        add_plan(tmp_project(tmp_path), tmp_path / "nope.txt")
    assert str(info.value).endswith(":0: no such file")


def test_portal_metadata_block_feeds_the_draft(tmp_path):
    """A government portal's 索引号 block (chrome on the page) gives doc number, issuer and date."""
    root = tmp_project(tmp_path)
    src = tmp_path / "portal.txt"
    src.write_text("当前位置：首页 > 政府信息公开 > 规划计划\n"
                   "索引号：11350100/2021-00012 主题分类：国民经济管理\n"
                   "发文机关：某某市人民政府 成文日期：2021年05月12日\n"
                   "文号：某政综〔2021〕12号 发布日期：2021年05月14日\n"
                   "某某市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要\n"
                   "第一章 发展基础\n“十三五”时期，全市经济保持较快发展。\n", encoding="utf-8")
    data, text, out, _ = add(root, src, slug="mou-portal")
    assert data["doc_number"] == "某政综〔2021〕12号"
    assert data["issuer"] == "某某市人民政府"
    assert data["issued_on"] == "2021-05-12"
    assert "# from line 3 (the page's 发文机关)" in text
    assert out.count("[metadata-block]") == 3 and "[breadcrumb]" in out


def test_county_level_city_read_from_the_text(tmp_path):
    """A bare …市 is drafted as county level, with its parent, when the text says so (a higher
    city's Party committee beside the province's); the comment names the line and the words; no
    TODO and no doubt. A notice addressed to its counties makes it a prefecture, also without a
    doubt."""
    root = tmp_project(tmp_path)
    src = tmp_path / "county-city.txt"
    src.write_text(PROPOSAL.replace("深入分析了国内外形势，", "按照省委和某州市委部署要求，"), encoding="utf-8")
    data, text, out, err = add(root, src)
    assert (data["level"], data["parent_region"]) == ("county", "某州市")
    lines = text.splitlines()
    comment = lines[lines.index("level: county") - 1]
    assert comment.startswith("# from line 5 (a higher city's Party committee beside the province's (省委和某州市委))")
    assert "TODO" not in comment and "level of" not in err
    prefecture = NOTICE.replace("某某县", "某某市").replace("各乡镇人民政府，县政府各部门：", "各县（市、区）人民政府，市政府各部门：")
    src2 = tmp_path / "prefecture.txt"
    src2.write_text(prefecture, encoding="utf-8")
    data, text, _, err = add(root, src2)
    assert (data["level"], data["parent_region"]) == ("prefecture", "")
    assert "level of" not in err and "# from line 4 (the city's own counties named" in text


def test_signature_line_of_the_issuer(tmp_path):
    """The issuer read from a notice's signature names the signature's own line, not an earlier
    line containing the same words (the notice title, a portal's site name)."""
    root = tmp_project(tmp_path)
    src = tmp_path / "mou-county.txt"
    src.write_text("某某县人民政府门户网站\n" + NOTICE, encoding="utf-8")
    data, text, _, _ = add(root, src, slug="mou-14th")
    lines = text.splitlines()
    assert data["issuer"] == "某某县人民政府"
    assert lines[lines.index("issuer: 某某县人民政府") - 1].startswith("# from line 7 (the signature under the notice or the title)")


def test_short_title_of_a_jihua(tmp_path):
    """A 计划 (the 十五 plans and before) keeps 计划 in its short title."""
    root = tmp_project(tmp_path)
    src = tmp_path / "mou-10.txt"
    src.write_text("某某区国民经济和社会发展第十个五年计划纲要\n（2001年3月16日某某区第二届人民代表大会第三次会议通过）\n"
                   "第一部分 发展回顾\n一、主要成就\n“九五”期间，全区经济较快增长。\n", encoding="utf-8")
    data, _, _, _ = add(root, src, slug="mou-10th")
    assert data["period"] == {"start": 2001, "end": 2005}
    assert data["short_title"] == "某某区“十五”计划纲要"
