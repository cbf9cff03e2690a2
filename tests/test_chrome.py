"""Page chrome rules (plansite.parser.chrome): every residue line of the development corpus is
dropped by a named rule and no line of a document is; each rule on synthetic lines of the kind of
site it is for, in printed variants (half-width, traditional, letter-spaced); prose that merely
mentions a keyword, a notice's own apparatus and cover lines stay text.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from plansite.parser.chrome import RULES, find_chrome, metadata_block

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SEEDS = ["fuzhou-15th", "fuqing-14th-proposal", "cangshan-14th", "taijiang-14th", "taishang-14th"]


def corpus() -> dict:
    if not (CORPUS / "expected.json").exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CORPUS} missing: the corpus (shared/corpus) must sit beside the checkout under CI")
        pytest.skip(f"{CORPUS} absent (the shared corpus is not beside this checkout)")
    return json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def printed(lines: list[str]) -> list[str]:
    """Lines as the parser hands them over: markup removed, outer white space stripped."""
    return [re.sub(r"\*\*|</?b>", "", line).strip() for line in lines]


def rule_of(line: str, before: list[str] | None = None, after: list[str] | None = None) -> str | None:
    lines = (before or []) + [line] + (after or [])
    return find_chrome(lines).get(len(before or []))


def test_corpus_residue_dropped_and_nothing_else():
    """All 68 residue lines of expected.json dropped; no other line of any corpus file dropped."""
    missed, extra, total = [], [], 0
    for name, exp in sorted(corpus().items()):
        lines = (CORPUS / exp["file"]).read_text(encoding="utf-8").split("\n")
        found = find_chrome(printed(lines))
        residue = set(exp["residue_lines"])
        total += len(residue)
        missed += [f"{name}:{n}" for n in sorted(residue) if n - 1 not in found]
        extra += [f"{name}:{i + 1} ({rule})" for i, rule in found.items() if i + 1 not in residue]
    assert total == 68
    assert not missed, f"residue kept: {missed}"
    assert not extra, f"document lines dropped: {extra}"


def test_seeds_only_page_numbers_credit_and_rule():
    """The five seeds: only the lone page numbers (taishang), the editor credit (fuqing) and a
    markdown rule (taijiang)."""
    rules = {}
    for slug in SEEDS:
        lines = (ROOT / "seeds" / f"{slug}.txt").read_text(encoding="utf-8").splitlines()
        for i, rule in find_chrome(printed(lines)).items():
            rules[f"{slug}:{i + 1}"] = rule
    assert rules == {"fuqing-14th-proposal:407": "editor-credit", "taijiang-14th:7": "markdown-rule",
                     "taishang-14th:477": "page-number", "taishang-14th:960": "page-number",
                     "taishang-14th:1887": "page-number"}


@pytest.mark.parametrize("line, rule", [
    ("当前位置：首页 > 政务公开 > 规划计划", "breadcrumb"),
    ("您现在的位置: 首页 >> 新闻中心", "breadcrumb"),
    ("首页 > 政府信息公开 > 发展规划", "breadcrumb"),
    ("當前位置：首頁 > 規劃計劃", "breadcrumb"),
    ("打印 关闭 分享到", "page-tools"),
    ("【打印本页】【关闭窗口】", "page-tools"),
    ("字体:大 中 小", "page-tools"),
    ("【字體：大 中 小】 【打印】 【關閉】", "page-tools"),
    ("放 大 缩 小 默 认", "page-tools"),
    ("扫一扫在手机打开当前页", "page-tools"),
    ("分享到：微信 微博 QQ空间", "page-tools"),
    ("发布时间：2021-02-10 11:53 信息来源：市发改委 阅读人次：1024", "byline"),
    ("来源:红网 更新时间:2012-04-14", "byline"),
    ("作者：時間：2020-12-14", "byline"),
    ("浏览次数：", "byline"),
    ("[规划计划] 发表于:2022-08-11 12:19:39", "byline"),
    ("（来源：福州日报）", "byline"),
    ("长沙晚报 2025-12-28 11:07:35", "byline"),
    ("上一版 下一版", "epaper-nav"),
    ("3 上一篇   下一篇 4", "site-nav"),
    ("(上接AA01版)", "epaper-nav"),
    ("（下转第3版）", "epaper-nav"),
    ("第03版：特刊", "epaper-nav"),
    ("A07:要闻", "epaper-nav"),
    ("2021年01月13日 星期三 返回首页", "epaper-nav"),
    ("返回主页 | 郑州晚报 | 标题导航 | 郑州日报", "site-nav"),
    ("设为首页 | 加入收藏 | 手机版", "site-nav"),
    ("|", "site-nav"),
    ("苏州市十一五规划_第3页", "doc-site"),
    ("实施方案编制指南 第4页", "doc-site"),
    ("已阅读5页,还剩55页未读 继续免费阅读", "doc-site"),
    ("版权说明：本文档由用户提供并上传，收益归属内容提供方", "doc-site"),
    ("W020210311.jpg", "image-file"),
    ("相关阅读：", "related-links"),
    ("【编者按】近日，某某市“十四五”规划纲要正式发布。", "teaser"),
    ("导读：一图读懂规划纲要", "teaser"),
    ("下一篇：关于印发某某工作方案的通知", "related-links"),
    ("责任编辑：张三", "editor-credit"),
    ("编辑/晶晶", "editor-credit"),
    ("（编辑：李四 审核：王五）", "editor-credit"),
    ("字号：T|T", "page-tools"),
    ("【我要打印】【关闭窗口】", "page-tools"),
    ("扫一扫在手机上查看当前页面", "page-tools"),
    ("【发布时间：2021-03-04】", "byline"),
    ("2021-03-04 10:21", "byline"),
    ("2021-02-25 来源：某某省人民政府", "byline"),
    ("人民日报 2021年03月13日 星期六 第 01 版", "epaper-nav"),
    ("某某日报 2021年03月13日 第A03版：要闻", "epaper-nav"),
    ("原标题：某某市“十四五”规划纲要全文发布", "byline"),
    ("版次：A03 版名：要闻", "byline"),
    ("主办单位：某某市人民政府办公室 网站标识码：3501000001 闽ICP备05000000号", "site-footer"),
    ("版权所有：某某市人民政府", "site-footer"),
    ("文档页数：60页 下载积分：5", "doc-site"),
    ("某某县“十四五”规划纲要.pdf", "doc-site"),
    ("当前版:01版", "epaper-nav"),
    ("通版阅读请点击:", "epaper-nav"),
    ("发布日期:", "byline"),
    ("(编译:杨佳祺 审核:戚易斌 李小华)", "editor-credit"),
    ("资料图", "image-file"),
    ("展开全文 立即下载", "page-tools"),
    ("打印该页 | 关闭页面", "page-tools"),
    ("点击上方蓝字关注我们", "page-tools"),
    ("- 12 -", "page-number"),
    ("返回搜狐，查看更多", "byline"),               # reposting platforms
    ("声明：该文观点仅代表作者本人，某某号系信息发布平台，某某仅提供信息存储空间服务。", "byline"),
    ("举报/反馈", "byline"),
    ("阅读 (1234)", "byline"),
    ("收录于话题", "related-links"),
    ("往期推荐", "related-links"),
    ("本报记者 张三 李四", "byline"),               # news credits
    ("某某日报全媒体记者 张三", "byline"),
    ("（新华社发）", "byline"),
    ("来源： 某某日报", "byline"),
    ("来源：某某发布微信公众号", "byline"),
    ("（本文来源：某某日报）", "byline"),
    ("浏览：1234次", "byline"),
    ("点击次数：1200 更新时间：2021-03-04", "byline"),
    ("【纠错】 【责任编辑:张三 】", "editor-credit"),
    ("【大 中 小】", "page-tools"),
    ("用微信“扫一扫”", "page-tools"),
    ("点击图片查看大图", "page-tools"),
    ("上一页 1 2 3 下一页 尾页", "page-tools"),      # pagination of a long article
    ("第 1 页 共 3 页", "page-tools"),
    ("«上一篇", "site-nav"),
    ("主办：某某市人民政府办公室 承办：某某市大数据中心", "site-footer"),
    ("Produced By 某某网络 某某发布系统", "site-footer"),
    ("本版责编：张三 美编：李四 校对：王五", "editor-credit"),
    ("地址：某某市某某路1号 邮编：123456 电话：0123-1234567", "site-footer"),
    ("新闻热线：0123-4567890", "site-footer"),
    ("预览时标签不可点", "page-tools"),             # a WeChat article's tail
    ("继续滑动看下一个", "page-tools"),
    ("：，。视频小程序赞，轻点两下取消赞在看，轻点两下取消在看", "page-tools"),
    ("某某网>>地方>>某某", "breadcrumb"),
    ("首页 → 政务公开 → 规划计划", "breadcrumb"),
    ("2021年01月13日 08:30 来源：某某网－某某日报", "byline"),
    ("来源：某某网 | 2021年03月13日 09:40", "byline"),
    ("2021-03-13 09:40 | 来源：某某网", "byline"),
    ("网站首页 政务公开 政务服务 互动交流", "site-nav"),
    ("返回列表", "page-tools"),
    ("视频加载中...", "page-tools"),
    ("— II —", "page-number"),                     # a front-matter page of a PDF, Roman numeral
    ("— Ⅳ —", "page-number"),
    ("摘要:", "teaser"),                           # an aggregator's empty summary label
    ("某某網　2020年12月10日", "byline"),           # a repost's site name and date
    ("某某日报 2021年1月8日 10:30", "byline"),
    ("第 3 页", "page-number"),
    ("·12·", "page-number"),  # a PDF page number between middle dots
    ("12 / 86", "page-number"),
    ("---", "markdown-rule"),
])
def test_line_rules(line, rule):
    assert rule_of(line) == rule
    assert rule in RULES


@pytest.mark.parametrize("line", [
    "资料来源：市统计局。",                       # a table note of the document
    "来源：市统计局",                              # a note without the brackets of a repost credit
    "本规划纲要主要来源于各部门的专项规划，打印成册后关闭征求意见渠道。",
    "加快建设数字政府，推进政务信息公开、分享和收藏。",
    "主动公开",                                    # the notice's disclosure stamp
    "（此件主动公开）",
    "(此件公开发布)",
    "佛府〔2021〕6号",
    "榕政〔2026〕3号",
    "福州市人民政府",
    "2021年4月6日",
    "2021 年 5 月",
    "各区人民政府，市政府各部门、直属各机构：",
    "第一章 发展基础",
    "一、指导思想",
    "前言",
    "序 言",
    "专栏 3 重大项目",
    "表1 主要指标",
    "2035年",
    "第一章 发展基础 第4页",                       # a 目录 entry with its page
    "第一章 发展基础……第4页",
    "2025",
    "时间：2021年",                                # a date label in running text, not a byline
    "综合实力大幅跃升。",
    "上一轮规划实施以来，全市下一步重点放在……",
    "| 指标 | 单位 | 2020年 | 2025年 |",                # a markdown table row
    "数字经济 | 智能制造 | 现代物流",                   # a list of three industries
    "导读机制不断完善，阅读推广活动深入开展。",
    "某某市人民政府 2021年4月6日",                  # a signature with its date is the notice's own
    "记者站建设全面完成",
    "科技研发→成果转化→产业化",
    "数字经济 智能制造 现代物流",
    "...",
    "来源：市统计局，2020年",
    "地址：某某路以东",
    "通讯员队伍不断壮大",
    "新华社发布的数据显示，全市经济持续增长。",
    "大中小企业融通发展",
    "声明：本规划由市人民政府负责解释。",
    "网友评论机制不断完善。",
    "1 2 3",
    "摘要和说明见附件。",
    "I",
])
def test_document_lines_are_not_chrome(line):
    """Inside a document, and after a breadcrumb too (the page-header rule needs chrome on both
    sides, and single 来源/时间 labels count only above the document)."""
    document = ["某某市国民经济和社会发展第十四个五年规划纲要", "“十四五”时期是我市发展的关键时期。"]
    assert rule_of(line, before=document, after=document) is None
    assert rule_of(line, before=["当前位置：首页 > 规划"] + document, after=document) is None


def test_page_header_labels_between_bars():
    """Site name and column labels between navigation bars and the headline are page header; the
    same short line after the document began is text."""
    lines = ["站群导航", "|", "手机版", "", "某某区人民政府", "", "政府信息公开", "",
             "某某区国民经济和社会发展第十四个五年规划纲要(公布稿)", "来源: 发布时间:2022-02-10 浏览次数:",
             "某某区国民经济和社会发展第十四个五年规划纲要", "（2021年1月23日某某区第十四届人民代表大会第六次会议通过）",
             "前言", "“十四五”时期，是……的关键时期。", "政府信息公开", "第一章 发展基础"]
    found = find_chrome(lines)
    assert found.get(4) == "page-header" and found.get(6) == "page-header"
    assert found.get(8) == "page-headline" and found.get(9) == "byline"
    assert not {10, 11, 12, 13, 14, 15} & set(found)


def test_site_name_above_the_breadcrumb():
    lines = ["某某市人民政府门户网站", "当前位置：首页 > 规划", "某某市国民经济和社会发展第十四个五年规划纲要", "前言"]
    assert find_chrome(lines) == {0: "page-header", 1: "breadcrumb"}
    assert find_chrome(["主动公开", "当前位置：首页 > 规划"]) == {1: "breadcrumb"}


def test_headline_repeating_the_title():
    """A page headline repeating the title (one line, at the top) is chrome; the document's own
    title (later, possibly over several lines) is kept; the only occurrence is kept."""
    lines = ["您的位置:首页 > 规划计划", "", "中共某市委关于制定某市国民经济和社会发展第十四个五年规划和二〇三五年远景目标的建议",
             "发布时间:2021-02-10 11:53 信息来源:中共某市委", "中共某市委关于制定", "某市国民经济和社会发展",
             "第十四个五年规划和二○三五年远景目标的建议", "（2020年12月23日中国共产党某市第七届委员会第十次全体会议通过）"]
    assert find_chrome(lines) == {0: "breadcrumb", 2: "page-headline", 3: "byline"}
    only = ["长沙市国民经济和社会发展第十一个五年规划纲要", "来源:红网 更新时间:2012-04-14", "",
            "“十一五”期间，是……的关键时期。《长沙市国民经济和社会发展第十一个五年规划纲要》主要阐述……"]
    assert find_chrome(only) == {1: "byline"}


def test_only_notice_title_and_wrapped_title_are_kept():
    """Under a breadcrumb, the page's only notice title is the document's (the plan title that follows
    does not make it a headline); the first line of a title wrapped over two lines is not a headline."""
    notice = ["当前位置：首页 > 政府文件", "某某市人民政府关于印发某某市国民经济和社会发展第十四个五年规划纲要的通知",
              "某政发〔2021〕12号", "各县（市、区）人民政府：", "现将《规划纲要》印发给你们。", "某某市人民政府",
              "2021年5月12日", "某某市国民经济和社会发展第十四个五年规划纲要"]
    assert find_chrome(notice) == {0: "breadcrumb"}
    wrapped = ["无锡市滨湖区国民经济和社会发展第十四个五年规划和二〇", "三五年远景目标纲要",
               "（2021年2月5日区四届人民代表大会第五次会议批准）", "序 言",
               "“十四五”时期，是无锡市滨湖区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要的起步期。"]
    assert find_chrome(wrapped) == {}


def test_news_headline_of_a_repost():
    lines = ["当前位置：首页 > 要闻", "重磅！某某市“十四五”规划纲要全文发布", "2021-03-04 10:00 来源：某某发布",
             "某某市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", "前言"]
    assert find_chrome(lines) == {0: "breadcrumb", 1: "page-headline", 2: "byline"}


def test_aggregator_headline_and_cover_title():
    """An aggregator's listing headline naming the same region and cycle is chrome; a cover title
    followed by the issuer and date is the document's, even when an inner title repeats it."""
    lines = ["(安徽省)合肥市某某县国民经济和社会发展十四五规划(2022年更新)",
             "某某县国民经济和社会发展第十四个五年规划和2035年远景目标纲要", "某某县人民政府", "2021年5月",
             "某某县国民经济和社会发展第十四个五年规划和2035年远景目标纲要", "某某县人民政府", "2021 年 5 月",
             "根据《中共某某县委关于制定…的建议》，编制本纲要。"]
    assert find_chrome(lines) == {0: "page-headline"}


def test_notice_title_first_on_the_page_is_the_documents():
    """An issuing notice's title at the very top is the document's own, though the plan title it
    names follows; under a breadcrumb and repeated by the document it is the page's headline."""
    doc = ["某某市人民政府关于印发某某市国民经济和社会发展第十四个五年规划纲要的通知", "某政发〔2021〕6号",
           "各县（市、区）人民政府：", "现将《某某市国民经济和社会发展第十四个五年规划纲要》印发给你们。",
           "某某市人民政府", "2021年3月19日", "某某市国民经济和社会发展第十四个五年规划纲要"]
    assert find_chrome(doc) == {}
    # under a breadcrumb, and printed again by the document: the page's headline
    assert find_chrome(["当前位置：首页 > 规划"] + doc[:1] + doc) == {0: "breadcrumb", 1: "page-headline"}


def test_headline_with_short_name_and_full_text_note():
    """A headline naming the same plan by its short name (region, cycle, kind) with 全文 is chrome."""
    lines = ["当前位置：首页 > 规划计划", "某某市“十四五”规划纲要（全文）", "发布时间：2021-03-04 来源：市发改委",
             "某某市国民经济和社会发展第十四个五年", "规划和二〇三五年远景目标纲要", "前言", "“十四五”时期是关键时期。"]
    assert find_chrome(lines) == {0: "breadcrumb", 1: "page-headline", 2: "byline"}
    other = ["当前位置：首页 > 规划计划", "某某市“十四五”规划建议（全文）", "发布时间：2021-03-04 来源：市发改委",
             "某某市国民经济和社会发展第十四个五年规划纲要", "前言"]
    assert 1 not in find_chrome(other)  # a proposal's headline does not repeat an outline's title


def test_single_source_line_only_in_the_page_header():
    """``来源：人民网`` above the document is the page's byline; under a table it is the document's."""
    lines = ["来源：人民网", "某某市国民经济和社会发展第十四个五年规划纲要", "第一章 发展基础", "表1 主要指标",
             "来源：市统计局", "“十三五”时期，全市经济保持较快发展。"]
    assert find_chrome(lines) == {0: "byline"}


def test_footer_rules_leave_prose_alone():
    assert rule_of("加强知识产权保护，版权所有者的合法权益得到保障。") is None
    assert rule_of("技术支持单位包括高校和科研院所，形成协同创新体系。") is None


def test_traditional_and_halfwidth_variants():
    lines = ["您當前所在位置: 首頁 > 發展規劃", "訪問量:", "【 字體：  ", "分享到:"]
    assert find_chrome(lines) == {0: "breadcrumb", 1: "byline", 2: "page-tools", 3: "page-tools"}


def test_metadata_block_rule_and_facts():
    """A 索引号 block (labels with or without colons) is chrome and read as label → value."""
    lines = ["索引号 014046317/2021-07485 生成日期 2021-01-11 公开日期 2021-01-11",
             "文件编号 公开时限 长期公开", "发布机构 某市发展和改革委员会 公开形式 网站、文件",
             "文号：某政发〔2021〕6号", "成文日期：2021年03月19日", "", "某市国民经济和社会发展第十四个五年规划纲要"]
    assert find_chrome(lines) == {0: "metadata-block", 1: "metadata-block", 2: "metadata-block",
                                  3: "metadata-block", 4: "metadata-block"}
    facts = metadata_block(lines)
    assert facts["索引号"] == "014046317/2021-07485"
    assert facts["发布机构"] == "某市发展和改革委员会"
    assert facts["文号"] == "某政发〔2021〕6号"
    assert facts["成文日期"] == "2021年03月19日"
    assert "文件编号" not in facts  # empty values are left out
    assert metadata_block(["主题教育成果转化为发展成效，文号管理规范。"]) == {}


def test_single_metadata_label_in_prose_is_text():
    lines = ["关键词是高质量发展", "主题：推动高质量发展"]
    assert find_chrome(lines) == {}


def test_metadata_block_one_label_a_line():
    """A portal's catalogue block rendered as a two-column table: one label a line."""
    lines = ["索引号:11430000-006-01/2021-00123", "发布机构:某省人民政府", "文号:某政发〔2021〕5号",
             "成文日期:2021年03月20日", "某省国民经济和社会发展第十四个五年规划纲要"]
    assert find_chrome(lines) == {0: "metadata-block", 1: "metadata-block", 2: "metadata-block",
                                  3: "metadata-block"}
    # one labelled line alone, inside the text, is not a block
    assert find_chrome(["第一章 总则", "文号:某政发〔2021〕5号", "本规划是全省人民的行动纲领。"]) == {}


@pytest.mark.parametrize("line", ["图片", "(图片)", "点击查看大图"])
def test_image_placeholder_lines(line):
    assert find_chrome(["某市关于制定某市第十四个五年规划的建议", "", line, "", "一、总体要求"]) == {2: "image-file"}


def test_metadata_block_copied_as_a_table():
    """The 索引号 block of a portal copied as a markdown table (label and value cells side by
    side, a 来源 row beside it) is one block; its facts feed the metadata draft."""
    lines = printed(["| 索引号 | 000000000/2021-00012 | 文     号 | 某府发〔2021〕8号 |",
                     "| 来   源 | 市发展改革委 | 公开日期 | 2021-04-02 |",
                     "某某市国民经济和社会发展第十四个五年规划纲要",
                     "“十四五”时期是我市发展的关键时期。"])
    found = find_chrome(lines)
    assert found.get(0) == found.get(1) == "metadata-block" and 3 not in found
    assert metadata_block(lines)["文号"] == "某府发〔2021〕8号"
    assert rule_of("| 指标 | 单位 | 2020年 | 2025年 |", before=["表1 主要指标"], after=["| 地区生产总值 | 亿元 | 100 | 150 |"]) is None


def test_running_header_of_a_pdf():
    """The title printed at the head of every page (after each page number) is a running header;
    the first printing (the cover) is the document's own, and a heading line repeated once (目录
    and body) is not."""
    title = "某某区国民经济和社会发展第十四个五年规划纲要"
    lines = printed([title, "第一章 发展基础", "正文一段，", "- 1 -", title, "接上页正文。", "第二章 总体要求",
                     "- 2 -", title, "第一节 指导思想", "正文。"])
    found = find_chrome(lines)
    assert found.get(4) == found.get(8) == "running-header"
    assert 0 not in found and 1 not in found and 6 not in found
    # a chapter title printed at the foot of two pages, each time beside the page number
    lines = printed(["第一章 发展基础", "正文。", "发展基础与发展环境", "- 3 -", "正文。", "发展基础与发展环境", "- 4 -", "正文。"])
    found = find_chrome(lines)
    assert found.get(5) == "running-header" and 0 not in found
    # a line repeated without page numbers and without naming a plan stays text
    lines = printed(["第一章 发展基础", "综合实力显著增强", "正文。", "第二章 总体要求", "综合实力显著增强", "正文。"])
    assert not find_chrome(lines)


def test_portal_notice_of_a_draft_is_a_headline():
    """A portal's 关于…（草案）的公示 headline names the plan printed under it: chrome; the
    attachment link at the foot too."""
    lines = printed(["关于某某市国民经济和社会发展第十五个五年规划纲要（草案）的公示", "", "发布时间：2026-01-20 09:00　来源：市发改委", "",
                     "某某市国民经济和社会发展第十五个五年规划纲要（草案）", "", "前　言", "", "“十五五”时期是关键时期。", "",
                     "附件：某某市国民经济和社会发展第十五个五年规划纲要（草案）.pdf"])
    assert find_chrome(lines) == {0: "page-headline", 2: "byline", 10: "doc-site"}


def test_source_line_right_under_the_title_of_a_copy():
    """A copy (markdown too) prints the page's ``来源：`` right under the document's title: the
    page's byline; under a heading or a table it stays text."""
    lines = printed(["# 某某市国民经济和社会发展第十四个五年规划纲要", "", "> 来源：某某市人民政府网站", "", "## 前言",
                     "“十四五”时期是关键时期。"])
    assert find_chrome([re.sub(r"^#+\s*", "", t) for t in lines]) == {2: "byline"}
    lines = ["某某市国民经济和社会发展第十四个五年规划纲要", "第一章 发展基础", "来源：市统计局", "正文。"]
    assert find_chrome(lines) == {}


def test_document_sharing_site_page_and_breadcrumb_variants():
    """A document-sharing site's page (uploader line, page images, 第1页 / 共58页, 由会员分享…请在…上搜索)
    and the 您当前的位置 breadcrumb (simplified or traditional) are chrome; the document under them is not."""
    lines = printed(["某县十四五规划纲要.docx", "上传人:b****3 文档编号:2231456 上传时间:2022-10-08 格式:DOCX 页数:58",
                     "下载 相关 举报", "某县十四五规划纲要.docx_第1页", "第1页 / 共58页", "点击查看更多>>", "下载资源", "资源描述",
                     "《某县十四五规划纲要.docx》由会员分享,可在线阅读,更多相关《某县十四五规划纲要.docx(58页珍藏版)》请在某某网上搜索。",
                     "某县十四五规划纲要", "某县国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", "第一章 发展基础",
                     "“十三五”时期，全县经济社会发展取得显著成就。"])
    found = find_chrome(lines)
    assert set(found) == set(range(10)) and found[9] == "page-headline"
    assert rule_of("您当前的位置：首页 > 政务公开") == rule_of("您當前的位置：首頁 > 政務公開") == "breadcrumb"
    assert rule_of("当前栏目：规划计划") == "breadcrumb"
    assert rule_of("本规划的位置：在全省发展大局中定位。") is None


def test_title_repeated_inside_the_body_is_a_running_header():
    """Two pages of a PDF without page numbers: the title printed again after the body began is the
    second page's header, and the first printing stays the document's title (no page headline); a
    title printed again after the 目录 (an inner title page) is kept."""
    title = "某某区国民经济和社会发展第十四个五年规划纲要"
    lines = [title, "第一章 发展基础", "第一节 发展成就", "“十三五”时期，全区经济社会发展取得显著成效，", title, "综合实力显著增强。"]
    assert find_chrome(lines) == {4: "running-header"}
    lines = [title, "目 录", "第一章 发展基础", "第二章 总体要求", title, "前言", "正文，一段。", "第一章 发展基础", "正文。"]
    assert find_chrome(lines) == {}


def test_numbered_toc_entry_beside_its_page_is_no_running_header():
    """A 目录 with pages on their own lines, then the body: ``第一章 发展基础`` printed twice, each
    time next to a lone number, is an entry and its heading, not a page header."""
    lines = ["某市国民经济和社会发展第十四个五年规划纲要", "第一章 发展基础", "3", "第二章 发展环境", "8",
             "第一章 发展基础", "正文，一段。", "第二章 发展环境", "正文。"]
    assert "running-header" not in find_chrome(lines).values()


def test_headline_with_a_site_name_after_it():
    """A document site's page title is the plan title followed by `` - site name``: a headline when
    the document prints the title again; the title itself is kept."""
    lines = ["某某新区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要 - 某某文库",
             "上传者：abc   下载积分：5", "某某新区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", "前言"]
    assert find_chrome(lines) == {0: "page-headline", 1: "doc-site"}
    assert find_chrome(lines[2:]) == {}


def test_site_name_first_on_the_page():
    """The page's first line naming a website is chrome with no navigation bar after it; the same
    words later, or a document line mentioning a website, are text."""
    lines = ["某某畲族自治县人民政府门户网站", "某某畲族自治县人民政府关于印发某某畲族自治县国民经济和社会发展第十四个五年规划纲要的通知",
             "某政发〔2021〕12号", "各乡镇人民政府，县政府各部门：", "现印发给你们，请认真组织实施。"]
    assert find_chrome(lines) == {0: "page-header"}
    assert find_chrome(lines[1:] + ["某某县人民政府门户网站"]) == {}
    assert find_chrome(["加快建设政府门户网站。", "正文。"]) == {}


def test_running_header_next_to_page_numbers():
    """A PDF's running header (the same short line next to page numbers at least twice) is chrome
    everywhere it is printed; a short line repeated away from page numbers, or repeated next to one
    page number only, is text."""
    wrapped = "发展基础进一步夯实，创新能力持续增强，"
    lines = ["某某高新区“十四五”规划纲要", wrapped, wrapped, "- 1 -", "某某高新区“十四五”规划纲要", wrapped,
             "第一节 发展目标", "- 2 -", "", "某某高新区“十四五”规划纲要", wrapped]
    assert find_chrome(["某某高新技术产业开发区管理委员会"] + lines) == {
        1: "running-header", 4: "page-number", 5: "running-header", 8: "page-number", 10: "running-header"}
    # an occurrence opening the document is the title the header repeats
    titled = ["某某市国民经济和社会发展第十三个五年规划纲要", "（2016年2月20日某某市人民代表大会通过）", "某某市国民经济和社会发展第十三个五年规划纲要",
              "第一章 发展基础", wrapped, "·1·", "某某市国民经济和社会发展第十三个五年规划纲要", wrapped, "·2·",
              "某某市国民经济和社会发展第十三个五年规划纲要", wrapped]
    assert find_chrome(titled) == {2: "running-header", 5: "page-number", 6: "running-header", 8: "page-number",
                                   9: "running-header"}
    once = ["主要指标", wrapped, "- 1 -", "主要指标", wrapped, "主要指标"]
    assert find_chrome(once) == {2: "page-number"}
    numbered = ["第一节 发展目标", "- 1 -", "第一节 发展目标", "- 2 -"]
    assert find_chrome(numbered) == {1: "page-number", 3: "page-number"}


def test_patterns_starting_with_a_caret_are_anchored_in_every_branch():
    """``chrome_lines.line_rule`` tries the patterns that start with ``^`` joined, at the line start only: a
    pattern ``^a|b`` (``b`` found anywhere) would be missed there, so none may be written so."""
    from re import _constants as sre, _parser

    from plansite.parser import chrome_lines

    def anchored(items) -> bool:
        items = list(items)
        if not items:
            return False
        op, arg = items[0]
        if (op, arg) == (sre.AT, sre.AT_BEGINNING):
            return True
        if op is sre.BRANCH and len(items) == 1:
            return all(anchored(branch) for branch in arg[1])
        if op is sre.SUBPATTERN and len(items) == 1:
            return anchored(arg[3])
        return False

    starting = [p for _, p in chrome_lines._PATTERNS if p.pattern.startswith("^")]
    assert len(starting) > 30
    assert [p.pattern for p in starting if not anchored(_parser.parse(p.pattern, p.flags))] == []
    assert not anchored(_parser.parse("^a|b"))  # the check itself catches a stray branch
    # the joined pattern says no exactly when none of them matches
    for text in ["第3页", "发展目标", "ICP备12345号", "版权所有 某某", "copyright 2021", "知道了", "- 5 -"]:
        assert bool(chrome_lines._AT_START.match(text)) == any(p.search(text) for p in starting)


def test_the_pager_rule_checks_its_first_character_before_reading_the_line():
    """The pager rule (``共5页 上一页 1 2 3 下一页``) tests the line's first character before its
    look-ahead reads the whole line: it matches exactly the lines it matched without that test,
    and ``_AT_START`` names it for them."""
    import re

    from plansite.parser import chrome_lines

    pager = next(p for name, p in chrome_lines._PATTERNS if name == "page-tools" and "上一页|下一页" in p.pattern)
    guard = "(?=[共上下首尾末\\[\\d])"
    assert guard in pager.pattern
    unguarded = re.compile(pager.pattern.replace(guard, ""))
    texts = ["共5页 上一页 1 2 3 下一页", "共12页: 首页 上一页 下一页 尾页", "上一页 下一页", "1 2 3 下一页",
             "[1] [2] [3] 下一页", "首页 上一页", "首页 尾页", "1 2 3", "下一页", "第3页 共5页", "上一页：发展目标",
             "共5页", " 上一页 下一页", "２ ３ 下一页"]
    for text in texts:
        assert bool(pager.search(text)) == bool(unguarded.search(text)), text
    assert [t for t in texts if pager.search(t)] == texts[:6] + ["第3页 共5页", "２ ３ 下一页"]
    assert chrome_lines.line_rule("共5页 上一页 1 2 3 下一页") == "page-tools"


def test_the_words_found_anywhere_are_joined_with_a_fixed_first_character():
    """``chrome_lines._ANYWHERE`` joins the unanchored single-line patterns as written: none may
    carry flags (they would be lost), every branch starts with a fixed character (so that the
    search skips to where one can start), and it finds a line exactly when one of them does;
    ``ICP备`` is found in any case, as ``re.IGNORECASE`` found it."""
    import re
    from re import _constants as sre, _parser

    from plansite.parser import chrome_lines

    anywhere = [p for _, p in chrome_lines._PATTERNS if not p.pattern.startswith("^")]
    assert anywhere and [p.pattern for p in anywhere if p.flags] == []
    first_ops = _parser.parse(chrome_lines._ANYWHERE.pattern)[0]
    assert first_ops[0] is sre.BRANCH
    assert {branch[0][0] for branch in first_ops[1][1]} == {sre.LITERAL}
    for text in ["京ICP备05070218号", "闽icp备1234号", "Icp备", "ICP 备", "ICP", "公网安备 35010002000123号",
                 "网站标识码3501000001", "还剩5页未读", "预览已结束", "请在百度文库上搜索。", "轻点两下取消赞",
                 "由会员上传分享，免费在线阅读", "发展目标", "备案"]:
        assert bool(chrome_lines._ANYWHERE.search(text)) == any(p.search(text) for p in anywhere)
    footer = next(p for name, p in chrome_lines._PATTERNS if name == "site-footer" and p in anywhere)
    for text in ["京ICP备05070218号", "闽icp备1234号", "Icp备", "ıcp备", "İCP备", "ICP 备", "ICP", "备案", "设备"]:
        was = re.search(r"ICP备|公网安备|网站标识码|网站识别码", text, re.IGNORECASE)
        assert bool(footer.search(text)) == bool(was)
    assert chrome_lines.line_rule("京ICP备05070218号") == chrome_lines.line_rule("京icp备05070218号") == "site-footer"
    assert chrome_lines.line_rule("设备更新") is None


def test_the_single_line_rules_answer_as_when_tried_one_by_one_in_order():
    """``chrome_lines.line_rule`` compiles a single-line rule only when needed: the joined anchored rules tell
    which of them is the first to match (they are tried in order), the unanchored ones before it
    are searched one by one. Its answer is the first rule in order whose pattern matches, as when
    every pattern is compiled and tried: checked on every line of the seeds and every string of
    this file (with the lines whose rule comes from the patterns counted)."""
    import ast

    from plansite.parser import chrome, chrome_lines
    from plansite.parser.normalize import norm

    texts = set()
    for slug in SEEDS:
        texts.update((ROOT / "seeds" / f"{slug}.txt").read_text(encoding="utf-8").split("\n"))
    for node in ast.walk(ast.parse(Path(__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.update(node.value.split("\n"))
    compiled = [(name, re.compile(p.pattern, p.flags)) for name, p in chrome_lines._PATTERNS]
    by_pattern = 0
    for printed in texts:
        text = chrome._QUOTE.sub("", norm(printed.strip()).strip())
        if not text:
            continue
        expected = next((name for name, p in compiled if p.search(text)), None)
        if expected is not None:
            by_pattern += 1
            assert chrome_lines.line_rule(text) == expected, text
    assert by_pattern > 100
