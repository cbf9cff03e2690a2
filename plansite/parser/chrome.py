"""Page chrome: lines that belong to the web page, e-paper or PDF a plan was copied from, not to
the plan. Each is dropped by a *named rule*, and every drop is listed on the plan page and in its
JSON (``dropped``). A rule matches whole lines of chrome, never prose that mentions a keyword.

Interface used by the parser: :func:`find_chrome` (line index → rule name) and
:data:`RULES` (rule name → what it drops, in Chinese for the public report);
:func:`metadata_block` reads a government portal's 索引号/发布机构/文号/成文日期 block
(label → value) for the metadata draft of ``build.py add``.

The rules follow how the sites are built, not any one file:

- government portals: a breadcrumb (``当前位置：首页 > …``), a byline (``来源：… 发布时间：…
  浏览次数：``), a tool bar (``打印 关闭 分享到``, ``字体：大 中 小``), the 政府信息公开 catalogue
  block (``索引号 … 发布机构 … 文号 … 成文日期 …``), the page's own headline repeating the title;
- newspaper e-paper pages: the page label (``第03版：特刊``, ``A07：要闻``), page navigation
  (``上一版 下一版``, ``上一篇 下一篇``, ``放大 缩小 默认``), continuation marks (``(上接AA01版)``),
  the issue date with its weekday;
- document-sharing sites: page-image captions (``…_第1页``), reading progress (``已阅读5页``),
  ``下载本文档``, the copyright notice, ``文档简介``;
- aggregators: the listing headline (``(安徽省)合肥市庐江县…十四五规划(2022年更新)``);
- any page: lone page numbers, markdown rules, editor credits, image file names, related-article
  links.

Everything is matched on the normalised view (:func:`plansite.parser.normalize.norm`: half-width,
simplified, without spaces inside Chinese text), so ``字體：大 中 小`` and ``放 大 縮 小`` match too.
A document's own apparatus (doc number, 主动公开 stamp, signature, date, 此件公开发布) and its cover
(issuer, date) are never chrome.
"""

from __future__ import annotations

import re

from .normalize import norm

#: Rule name → Chinese description shown to readers next to each dropped line.
RULES: dict[str, str] = {
    "page-number": "页码",
    "markdown-rule": "分隔线",
    "editor-credit": "网页编辑署名",
    "breadcrumb": "网页导航路径（当前位置）",
    "byline": "网页信息栏（来源、作者、发布时间、浏览次数）",
    "page-tools": "网页工具栏（打印、关闭、分享、收藏、字体大小）",
    "site-nav": "网站导航栏",
    "site-footer": "网站页脚（主办单位、备案号、版权）",
    "epaper-nav": "电子报版面信息（版次、上一版/下一版、转版标记、出版日期）",
    "metadata-block": "政府信息公开目录信息（索引号、发布机构、文号、成文日期等）",
    "page-headline": "网页标题（重复文件标题）",
    "running-header": "PDF 页眉（每页重复的标题或文件名）",
    "page-header": "网页页头上导航栏之间的栏目名",
    "doc-site": "文档分享网站信息（页面截图标题、阅读进度、下载、版权说明）",
    "image-file": "图片文件名",
    "related-links": "相关文章、上一篇/下一篇链接",
    "teaser": "转载网站所加的导读、编者按",
    "web-banner": "新闻网站横幅图片上的文字",
    "editor": "编辑记录的非正文行",
}

# -- single-line rules ---------------------------------------------------------------------------

_SENTENCE = re.compile(r"[。，；！？,;!?]")
_DATE_ISO = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?"

_EDITORS = r"(?:责任编辑|责编|编辑|编译|审核|审校|校对|监制|编审|终审|初审|美编|组版|版式|排版|校检|制图|视觉设计)"


class _Lazy:
    """A pattern compiled on its first :meth:`search`. Lines are screened by the joined patterns
    (:data:`_AT_START`, :data:`_ANYWHERE`), which also tell which anchored rule matches first;
    only an unanchored rule is ever searched alone, on the rare line the screening lets through,
    so most rules are never compiled on their own: compiling all of them took about 15 ms of
    every process that parses a plan (measured: README "Speed")."""

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self.flags, self._compiled = pattern, flags, None

    def search(self, text: str) -> re.Match[str] | None:
        """:meth:`re.Pattern.search` of the compiled pattern."""
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled.search(text)


_PATTERNS: list[tuple[str, _Lazy]] = [
    ("page-number", _Lazy(r"^(?:(?:[-—–]\s*)?\d{1,3}(?:\s*[-—–])?$|第\d{1,4}页$|\d{1,4}\s*/\s*\d{1,4}$|"
                          r"[·•]\s*\d{1,3}\s*[·•]$|"
                          r"[-—–]\s*[IVXLivxl]{1,6}\s*[-—–]$|[-—–]\s*[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ]\s*[-—–]$)")),
    ("markdown-rule", _Lazy(r"^(?:-{3,}|\*{3,}|_{3,}|={3,})$")),
    ("editor-credit", _Lazy(rf"^[(\[【]?(?:本版)?{_EDITORS}\s*[/:]\s*[^\s,。;:]{{1,10}}"
                            rf"(?:\s*{_EDITORS}\s*[/:]\s*[^\s,。;:]{{1,10}})*[)\]】]?$")),
    ("breadcrumb", _Lazy(r"^(?:您|你)?(?:现在|当前|目前)?(?:所在|所处)?的?位置\s*[:>]|^(?:当前页面|当前栏目)\s*[:>]")),
    ("breadcrumb", _Lazy(r"^(?:网站)?首页\s*(?:>|>>|»|›|/|-{1,2}|→)")),
    # a news site's column path: ``人民网>>地方>>湖南``, ``中国共产党新闻网>>高层动态``
    ("breadcrumb", _Lazy(r"^[^。,;!?>]{1,14}(?:网|频道|首页|主页)\s*(?:>>|»|›)\s*[^。,;!?]{1,16}(?:\s*(?:>>|»|›)\s*[^。,;!?]{1,16}){0,6}$")),
    ("epaper-nav", _Lazy(r"^[(\[【]?(?:上接|下转|接上|转下|紧接|接|转|转至|续)第?\s*[A-Z]{0,2}\s*"
                         r"[0-9一二三四五六七八九十]{1,3}\s*(?:版|页)[)\]】]?$")),
    ("epaper-nav", _Lazy(r"^[A-Z]{1,2}\d{1,3}$")),
    ("epaper-nav", _Lazy(r"^(?:当前版|当前版面|本版|版面)[:]?\s*第?[A-Z]{0,2}\d{1,3}版?(?:[:]\s*[\u4e00-\u9fff]{1,8})?$")),
    ("epaper-nav", _Lazy(r"^[^。,;!?]{0,16}\d{4}年\d{1,2}月\d{1,2}日[^。,;!?]{0,12}第\s*[A-Z]{0,2}\s*\d{1,3}\s*版"
                         r"[^。,;!?]{0,12}$")),
    ("epaper-nav", _Lazy(r"^[A-Z]{1,2}\d{1,3}\s*[:]\s*[\u4e00-\u9fff]{1,8}$")),
    ("doc-site", _Lazy(r"^.{1,60}_第\d{1,4}页$|^(?!第[一二三四五六七八九十百\d]+[篇章节]|前言|序言|引言|目录)[^。,;!?…·.]{2,60}第\d{1,4}页$")),
    # (patterns anchored as a whole, ``^(?:a|b)``, are tried at the line start only: ``^a|^b`` would
    # be tried at every character; words found anywhere in a line are patterns of their own)
    ("doc-site", _Lazy(r"^(?:(?:已阅读|已读)\d+页|(?:继续)?免费阅读|下载本文档$|文档简介$|"
                       r"(?:版权说明|版权声明|免责声明)[:].{0,120}$|本文档由用户提供并上传)")),
    ("doc-site", _Lazy(r"还剩\d+页未读")),
    ("doc-site", _Lazy(r"^(?:第\d{1,4}页\s*/\s*共\d{1,5}页$|点击查看更多>*$|(?:下载资源|资源描述|文档描述|下载\s*相关\s*举报)$|"
                       r"上传人[:].{0,60}(?:文档编号|上传时间)[:])")),
    ("doc-site", _Lazy(r"由(?:会员|用户|网友)(?:上传)?分享.{0,30}(?:在线阅读|免费阅读)|请在.{1,12}上搜索。?$")),
    ("doc-site", _Lazy(r"^(?:(?:文档页数|页数|下载积分|所需积分|文档格式|文件格式|上传时间|上传者|上传人|贡献者|文档大小|"
                       r"文件大小|下载次数|下载量)[:]|\d+人(?:已)?下载|(?:VIP|会员)?免费下载$)")),
    ("doc-site", _Lazy(r"预览已结束")),  # (全文)预览已结束
    ("site-footer", _Lazy(r"^(?:(?:地址|通讯地址|联系地址)[:].{0,60}(?:邮编|邮政编码|电话)[:]|"
                          r"(?:新闻热线|联系电话|咨询电话|值班电话|投稿邮箱|邮箱|传真)[:]\s*[\w@.\-()（）\s]{5,40}$)")),
    ("page-tools", _Lazy(r"^(?:预览时标签不可点$|微信扫一扫(?:关注该公众号|可打开此内容.{0,20})?$|(?:继续|向上)滑动看下一个$|"
                         r"轻触阅读原文$|知道了$|打开微信.{0,40}扫一扫.{0,30}$)")),
    ("page-tools", _Lazy(r"轻点两下取消(?:赞|在看)")),
    ("site-footer", _Lazy(r"ICP备|公网安备|网站标识码|网站识别码", re.IGNORECASE)),
    ("site-footer", _Lazy(r"^(?:版权所有|Copyright|©|(?:主办单位|承办单位|"
                          r"技术支持|维护单位)[:][^。]{1,40}$|(?:主办|承办|协办)[:][^。,;]{1,60}$|Produced\s*By)",
                          re.IGNORECASE)),
    ("doc-site", _Lazy(r"^\S.{0,80}\.(?:pdf|docx?|wps|txt|rtf|caj)$", re.IGNORECASE)),
    ("image-file", _Lazy(r"^\S{1,80}\.(?:jpe?g|png|gif|bmp|webp|tiff?)$", re.IGNORECASE)),
    ("image-file", _Lazy(r"^[\[【](?:图片|图|photo|image)[\]】]$|^[(]?图片[)]?$|^点击(?:查看)?大图$|^资料图(?:片)?$|^图片来源[:].{0,30}$", re.IGNORECASE)),
    ("page-tools", _Lazy(r"^(?:微信|手机)?扫(?:一扫|码).{0,16}(?:手机|查看|打开|阅读|分享).{0,8}$")),
    ("page-tools", _Lazy(r"^点击(?:上方|下方|蓝字|右上角).{0,12}(?:关注|分享)|^长按.{0,10}二维码")),
    ("page-tools", _Lazy(r"^[【\[]?(?:字[体号][:]?)?大中小[】\]]?$|^(?:用|使用)?(?:微信|手机)“?扫一扫”?.{0,12}$|^微信号[:]\s*\S{1,30}$|"
                         r"^点击(?:图片)?(?:查看)?大图$")),
    ("page-tools", _Lazy(r"^(?=.*(?:上一页|下一页))(?:共\d+页[:]?\s*)?(?:(?:上一页|下一页|首页|尾页|末页|\[?\d{1,3}\]?)\s*){2,}$|"
                         r"^第\d{1,4}页\s*共\d{1,4}页$")),
    ("editor-credit", _Lazy(r"^[【\[]\s*(?:纠错|我要纠错)\s*[】\]]\s*[【\[]?\s*(?:责任编辑|责编|编辑)\s*[:/]\s*[^\s,。;:]{1,12}\s*[】\]]?$")),
    ("related-links", _Lazy(r"^(?:相关(?:新闻|阅读|链接|文章|报道|稿件|文件|附件|解读)|延伸阅读|推荐阅读|热点推荐|"
                            r"热门推荐|热门文章|猜你喜欢|往期(?:推荐|回顾|精彩)|网友评论|发表评论|评论区|(?:查看)?更多(?:>+|»)?)[:]?$")),
    ("related-links", _Lazy(r"^收录于(?:话题|合集)\S{0,20}$|^[▼▲↓⬇]{1,3}$")),
    # reposting platforms: ``返回搜狐，查看更多``, the platform's disclaimer, ``举报/反馈``, a read counter
    ("byline", _Lazy(r"^返回\S{1,6}[,，]?查看更多$|^举报/?反馈$|^阅读\s*\(?\d+(?:\.\d+)?万?\)?$|"
                     r"^(?:特别)?声明[:].{0,80}(?:仅代表作者|信息存储空间|信息发布平台|自媒体平台|仅提供信息存储).{0,80}$")),
    # reporter credits of a news page: ``本报记者 张三``, ``新华社记者 张三 摄``, ``（新华社发）``
    ("byline", _Lazy(r"^(?:[■□●◆]|[■□●◆]?[\u4e00-\u9fff]{0,8}(?:报|社|网|台|刊))(?:全媒体|特约|首席)?(?:记者|通讯员)"
                     r"[\u4e00-\u9fff、]{2,12}?(?:摄影?|报道)?$|^[(（]?(?:新华社|中新社|人民网|[\u4e00-\u9fff]{2,8}(?:报|社))发[)）]?$")),
    ("byline", _Lazy(r"^来源[:]\s*[^。,;:]{0,16}(?:报|网|社|电视台|广播电视台|发布|客户端|公众号|头条号|融媒体中心|融媒)$|"
                     r"^(?:浏览|阅读|点击|访问)(?:次数|量|数)?[:]\s*\d+次?$")),
    ("related-links", _Lazy(r"^[【\[]?(?:上一篇|下一篇|上一条|下一条)[】\]]?[:].{1,80}$")),
    ("teaser", _Lazy(r"^(?:[【\[](?:导读|编者按|核心提示|内容导读|阅读提示)[】\]]|(?:导读|编者按|核心提示|内容导读|阅读提示)[:])")),
    ("teaser", _Lazy(r"^[【\[]?(?:摘要|内容摘要|内容提要|摘\s?要)[】\]]?[:]?$")),
    ("byline", _Lazy(r"^[(（【\[]?来源[:][^。,;:]{1,20}[)）】\]]$")),
    ("byline", _Lazy(r"^[(（]?(?:原标题|原文链接|原文地址|本文来源|转自|转载自)[:].{1,120}$")),
    ("byline", _Lazy(rf"^{_DATE_ISO}(?:\s*{_TIME})?$")),
    ("byline", _Lazy(rf"^[^\s。,;:!?()]{{2,16}}\s*{_DATE_ISO}(?:\s*{_TIME})?$")),
    # a news site or paper named with the date of the repost: ``文匯網　2020年12月10日``
    ("byline", _Lazy(rf"^[\u4e00-\u9fffA-Za-z]{{1,12}}(?:网|报|刊|在线|客户端|新闻|发布|头条|日报|晚报|电视台|融媒)"
                     rf"\s*\d{{4}}年\d{{1,2}}月\d{{1,2}}日(?:\s*{_TIME})?(?:\s*星期[一二三四五六日天])?$")),
]

# Words of web-page tool bars and navigation bars; a line made only of these (with separators,
# digits, an issue date and its weekday) is chrome. Longest first, so that 加入收藏 wins over 收藏.
_EPAPER_WORDS = ["通版阅读请点击", "展开通版", "收缩通版", "通版阅读", "本版列表新闻", "本版新闻", "版面导航",
                 "标题导航", "上一版", "下一版", "上一期", "下一期", "往期回顾", "往期查询", "本期目录", "返回目录", "版面概览", "版面", "PDF版", "PDF下载"]
_NAV_WORDS = ["站群导航", "网站导航", "网站首页", "返回首页", "返回主页", "回到首页", "设为首页", "加入收藏",
              "收藏本站", "手机版", "移动版", "无障碍浏览", "无障碍", "长者模式", "关怀版", "全文检索", "站内搜索",
              "高级搜索", "搜索", "网站地图", "English", "简体版", "繁体版", "繁體", "简体", "繁体", "登录", "注册",
              "网站支持IPv6", "支持IPv6", "IPv6", "上一篇", "下一篇", "上一条", "下一条", "首页", "尾页", "返回",
              "返回顶部", "回到顶部", "顶部", "网站纠错", "我要纠错", "纠错", "政务微博", "政务微信"]
_TOOL_WORDS = ["打印本页", "打印此页", "打印文章", "打印正文", "打印", "关闭本页", "关闭窗口", "关闭", "分享到",
               "分享", "收藏本页", "收藏", "字号", "字体", "放大", "缩小", "默认", "还原", "复位", "大", "中",
               "小", "扫一扫在手机打开当前页", "在手机打开当前页", "手机扫一扫", "扫一扫", "微信扫一扫",
               "微信", "朋友圈", "微博", "新浪微博", "腾讯微博", "QQ空间", "QQ好友", "QQ", "人人网", "豆瓣",
               "文件下载", "附件下载", "下载附件", "下载", "详情", "查看详情", "评论", "点赞", "保存本页",
               "保存", "复制链接", "链接", "我要打印", "我要评论", "A+", "A-", "T", "打印该页", "打印页面",
               "关闭该页", "关闭页面", "护眼模式", "视力保护色", "背景色", "阅读原文", "写留言", "在看", "展开全文",
               "阅读全文", "查看全文", "立即下载", "下载文档", "下载全文", "分享至", "举报", "返回列表", "关闭文章",
               "收藏文章", "打印文章", "视频加载中...", "视频加载中…", "视频加载中", "点击播放"]
_ALL_WORDS = sorted(set(_EPAPER_WORDS + _NAV_WORDS + _TOOL_WORDS), key=len, reverse=True)
_WORD_RE = re.compile("|".join(re.escape(w) for w in _ALL_WORDS))
_FILLER = re.compile(rf"(?:\s|[|:/·•>»«‹›【】\[\]()<>\-—]|\d{{4}}年\d{{1,2}}月\d{{1,2}}日|{_DATE_ISO}|"
                     rf"星期[一二三四五六日天]|周[一二三四五六日天]|\d{{1,3}})+")


def _word_bar(text: str) -> str | None:
    """Rule name when ``text`` (normalised) consists only of tool/navigation words, separators,
    digits and an issue date with its weekday; ``None`` otherwise."""
    words, pos = [], 0
    while pos < len(text):
        filler = _FILLER.match(text, pos)
        if filler:
            pos = filler.end()
            continue
        word = _WORD_RE.match(text, pos)
        if not word:
            return None
        words.append(word.group())
        pos = word.end()
    weekday = re.search(r"星期[一二三四五六日天]", text)
    if not words and not weekday:
        return None
    if words and max(len(w) for w in words) < 2 and not weekday:
        return None  # ``大 中 小`` alone is too little to go on
    if weekday or any(w in _EPAPER_WORDS for w in words):
        return "epaper-nav"
    if any(w in _NAV_WORDS for w in words):
        return "site-nav"
    return "page-tools"


def _pipe_bar(text: str) -> bool:
    """A ``|``-separated bar of at least three short labels, one of them a navigation or tool word
    (``返回主页 | 郑州晚报 | 标题导航``), or a lone ``|``. A markdown table row (``| 指标 | 单位 |``)
    is not one."""
    if "|" not in text and "｜" not in text:  # most lines
        return False
    if re.fullmatch(r"[|｜]+", text):
        return True
    if text.startswith(("|", "｜")) and text.endswith(("|", "｜")):
        return False
    cells = [c.strip() for c in re.split(r"[|｜]", text)]
    cells = [c for c in cells if c]
    return (len(cells) >= 3 and all(len(c) <= 10 and not _SENTENCE.search(c) for c in cells)
            and any(_word_bar(c) for c in cells))


# -- bylines and metadata blocks: label/value lines -----------------------------------------------

_BYLINE_LABELS = ["信息来源", "文章来源", "新闻来源", "稿件来源", "来源", "稿源", "作者", "发布者", "发布人", "发布时间",
                  "更新时间", "发表时间", "发表于", "发布于", "发布日期", "更新日期", "时间", "日期", "浏览次数", "点击次数",
                  "阅读次数", "阅读人次", "访问量", "访问次数", "浏览量", "阅读量", "点击数", "点击量", "点击率",
                  "点击", "浏览", "字体", "字号", "供稿", "录入", "撰稿", "摄影", "通讯员", "记者", "版次", "版名"]
_COUNTERS = {"浏览次数", "点击次数", "阅读次数", "阅读人次", "访问量", "访问次数", "浏览量", "阅读量", "点击数", "点击量", "点击率"}
_WEB_TIMES = {"发布时间", "更新时间", "发表时间", "发表于", "发布于", "发布日期", "更新日期"}
_BYLINE_RE = re.compile("(" + "|".join(sorted(_BYLINE_LABELS, key=len, reverse=True)) + r")\s*:")

#: Labels of the 政府信息公开 catalogue block printed above documents on government portals.
METADATA_LABELS = ["索引号", "主题分类", "主题词", "分类词", "体裁分类", "组配分类", "服务对象", "信息分类", "发文机关",
                   "发文单位", "发布机构", "发布单位", "所属机构", "成文日期", "发文日期", "印发日期", "生成日期",
                   "公开日期", "发布日期", "发文字号", "文件编号", "文号", "有效性", "效力状况", "时效性", "公开形式",
                   "公开方式", "公开范围", "公开时限", "公开程序", "关键词", "统一编号", "登记号", "内容概况", "主题",
                   "体裁", "分类", "标题", "名称", "信息来源", "来源"]
_STRONG = {"索引号", "发文机关", "发布机构", "发文字号", "文号", "成文日期", "发文日期", "公开方式", "公开范围",
           "公开时限", "效力状况", "文件编号", "生成日期", "公开日期", "统一编号"}
_META_RE = re.compile(r"(" + "|".join(sorted(METADATA_LABELS, key=len, reverse=True)) + r")(?:\([一二三四五]\))?\s*:?")


def _fields(text: str, regex: re.Pattern[str]) -> list[tuple[str, str]] | None:
    """``text`` as ``[(label, value), …]`` when it starts with a label of ``regex`` and values
    (the text between labels) are short and hold no sentence; ``None`` otherwise."""
    if not regex.match(text):  # most lines: no label at the start, no need to find the others
        return None
    matches = list(regex.finditer(text))
    out = []
    for k, m in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        value = text[m.end():end].strip(" |·")
        limit = 80 if m.group(1) in ("内容概况", "标题", "名称") else 40
        if len(value) > limit or re.search(r"[。;!?]", value):
            return None
        out.append((m.group(1), value))
    return out


_LEAD_DATE = re.compile(rf"^(?:{_DATE_ISO}|\d{{4}}年\d{{1,2}}月\d{{1,2}}日)(?:\s*{_TIME})?\s*[|｜]?\s*")
_LEAD_CATEGORY = re.compile(r"^[\[【][^\]】]{1,30}[\]】]\s*")
_BRACKETS = re.compile(r"[【】\[\]]")


def _byline(text: str) -> bool:
    """A web byline: ``来源:… 发布时间:… 浏览次数:`` (optionally after a ``[category]``)."""
    if ":" not in text:  # every label is followed by one (most lines: no label, no colon)
        return False
    undated = _LEAD_DATE.sub("", text)  # a date first
    lead_date, text = undated != text and bool(undated), undated or text
    rest = _LEAD_CATEGORY.sub("", text)
    text = _BRACKETS.sub(" ", rest if rest else text).strip()
    fields = _fields(text, _BYLINE_RE)
    if not fields:
        return False
    labels = {label for label, _ in fields}
    dated = any(re.search(rf"{_DATE_ISO}|\d{{4}}年\d{{1,2}}月", value) for _, value in fields)
    if any(re.search(rf"(?:{_DATE_ISO}|\d{{4}}年\d{{1,2}}月\d{{1,2}}日)\s*{_TIME}", value) for _, value in fields):
        return True  # a value holding a date and time: ``来源：新华网 | 2021年03月13日 09:40``
    empty = all(not value for _, value in fields)  # ``发布日期:`` with nothing after it
    return (len(fields) >= 2 or bool(labels & _COUNTERS) or bool(labels & _WEB_TIMES and dated) or empty
            or lead_date and all(len(value) <= 20 for _, value in fields))


def _metadata_fields(text: str) -> list[tuple[str, str]] | None:
    if text.startswith(("|", "｜")):  # the block copied as a table: ``| 索引号 | … | 文 号 | … |``
        text = re.sub(r"\s*[|｜]\s*", " ", text).strip()
    return _fields(text, _META_RE)


#: The patterns above that start with ``^`` (each anchored in every branch: a test checks),
#: joined, each in a group named ``r<index in _PATTERNS>``: one attempt at the line start tells
#: whether any of them matches and, the alternatives being tried in order, which is the first;
#: the others (words found anywhere) are joined in :data:`_ANYWHERE` and searched one by one
#: only when it matches.
_AT_START = re.compile("|".join(f"(?P<r{k}>(?{'i' if p.flags & re.IGNORECASE else ''}:{p.pattern}))"
                                for k, (_, p) in enumerate(_PATTERNS) if p.pattern.startswith("^")))
_ANYWHERE = re.compile("|".join(f"(?{'i' if p.flags & re.IGNORECASE else ''}:{p.pattern})"
                                for _, p in _PATTERNS if not p.pattern.startswith("^")))
_EPAPER_PAGE = re.compile(r"^第?[A-Z]{0,2}\d{1,3}版\s*[:]?")
_EPAPER_LABEL = re.compile(r"^第?[A-Z]{0,2}\d{1,3}版\s*[:]?\s*[\u4e00-\u9fff]{0,8}")


def _line_rule(text: str) -> str | None:
    """The single-line rule matching the normalised line ``text``, or ``None``."""
    start = _AT_START.match(text)
    anywhere = _ANYWHERE.search(text)
    if start or anywhere:  # most lines: neither
        # the first rule in order that matches: the joined anchored rules are tried in order at
        # the line start, so none before ``first`` matches; the unanchored ones before it are
        # searched one by one (compiled on first use)
        first = int(start.lastgroup[1:]) if start else len(_PATTERNS)
        if anywhere:
            for name, pattern in _PATTERNS[:first]:
                if not pattern.pattern.startswith("^") and pattern.search(text):
                    return name
        if start:
            return _PATTERNS[first][0]
    bar = _word_bar(text)
    if bar:
        return bar
    if _pipe_bar(text):
        return "site-nav"
    if _EPAPER_PAGE.match(text):
        rest = _EPAPER_LABEL.sub("", text)
        if not rest or _word_bar(rest):
            return "epaper-nav"
    if _byline(text):
        return "byline"
    return None


# -- whole-document rules -------------------------------------------------------------------------

_PLAN_WORDS = re.compile(r"规划|纲要|建议|计划")


def _key(text: str) -> str:
    """A title for comparison: normalised, without 《》, quotes and spaces, 〇/○/零 alike."""
    key = re.sub(r"[《》“”\"'\s]", "", text)
    return re.sub(r"[〇○零Oo０]|\ufffd", "〇", key)


def _bare(key: str) -> str:
    """``key`` without a notice wrapper (关于印发…的通知) and bracketed notes at either end."""
    key = re.sub(r"^.{0,20}?关于印发", "", key)
    key = re.sub(r"的通知$", "", key)
    key = re.sub(r"^关于(.{6,}?)的(?:公示|公告|通告)$", r"\1", key)  # a portal's notice of the draft
    key = re.sub(r"^[(【\[][^()【】\[\]]{1,10}[)】\]]", "", key)
    key = re.sub(r"^[^,。]{1,8}[!|丨]", "", key)  # 重磅！… / 全文丨…
    key = re.sub(r"\([^()]{1,12}\)$", "", key)
    key = re.sub(r"(纲要|建议|规划|计划)[-_|丨—–]+[\u4e00-\u9fffA-Za-z0-9.]{2,16}$", r"\1", key)  # …纲要 - 某某文库
    return re.sub(r"(?:全文|正文|摘要|发布|公布|出炉|来了)+$", "", key)


def _cycle(key: str) -> str:
    m = re.search(r"第([一二三四五六七八九十]{1,3})个五年|[“\"]?十([一二三四五六七八九])五[”\"]?", key)
    if not m:
        return ""
    return m.group(1) if m.group(1) else "十" + m.group(2)


def _same_plan(headline: str, title: str) -> bool:
    """Whether ``headline`` names the plan ``title`` names (both keys): equal once notice wrappers and
    bracketed notes are removed, or the same region (the headline's may add its parents) and cycle."""
    a, b = _bare(headline), _bare(title)
    if a == b:
        return True
    ra, rb = _region_key(a), _region_key(b)
    return (bool(rb) and ra.endswith(rb) and _cycle(a) != "" and _cycle(a) == _cycle(b)
            and _kind_key(a) == _kind_key(b))


def _region_key(key: str) -> str:
    """The region a plan title or headline names: the text before ``国民经济和社会发展`` or the
    cycle, without ``中共…委关于制定`` and a leading bracketed province."""
    m = re.match(r"^(.*?)(?:国民经济和社会发展|[“\"]?十[一二三四五六七八九]五|第[一二三四五六七八九十]{1,3}个五年)", key)
    if not m:
        return ""
    region = re.sub(r"^(?:中共)?(.*?)(?:委)?关于(?:制定)?", r"\1", m.group(1))
    return re.sub(r"^\([^()]{1,10}\)", "", region)


def _kind_key(key: str) -> str:
    return "建议" if key.endswith("建议") else "纲要"


_DOC_APPARATUS = re.compile(r"〔|\[\d{4}\]|\d号$|^[(（]?此件|^[(（]?(?:主动|依申请|不予)公开[)）]?$|^各.{1,30}[:：]?$|^\d{4}年")


def _document_begins(text: str) -> bool:
    """Whether ``text`` can only be the document's own (prose, a doc number, a 主动公开 stamp, an
    addressee, a date): the page header is over."""
    return len(text) > 16 or bool(_SENTENCE.search(text)) or bool(_DOC_APPARATUS.search(text))


def _title_like(text: str) -> bool:
    """A line that could be a plan's title or a headline: names a plan, no sentence punctuation
    (a headline's ``重磅！`` lead aside)."""
    text = re.sub(r"^[^,。]{1,8}[!！|丨]", "", text)
    return bool(_PLAN_WORDS.search(text)) and not _SENTENCE.search(text) and len(text) <= 90


def _cover_follows(texts: list[str], i: int, found: dict[int, str]) -> bool:
    """Whether the line after ``i`` (chrome aside) is a cover's issuer or date (so ``i`` is a
    cover title)."""
    nxt = next((t for j, t in enumerate(texts[i + 1:], i + 1) if t and j not in found), "")
    return bool(re.search(r"(人民政府|委员会|市委|县委|区委|省委|办公室)$", nxt)
                or re.fullmatch(r"[\d〇○一二三四五六七八九十]{4}年(?:[\d一二三四五六七八九十]{1,2}月)?"
                                r"(?:[\d一二三四五六七八九十]{1,3}日)?", nxt))


def _headlines(texts: list[str], found: dict[int, str]) -> None:
    """Mark page headlines: a single title-like line in the page header (before it only chrome,
    short labels or other headlines) whose plan is named again by a later title (one to four
    lines joined). The last occurrence is the document's own; cover titles, the first line of a
    wrapped title and a page's only notice title are kept."""
    for i, text in enumerate(texts):
        if not text or i in found:
            continue
        if not (_title_like(text) or text.endswith("的通知")):
            if _document_begins(text):
                break  # the document has begun: no headline after this
            continue
        if _cover_follows(texts, i, found):
            continue
        notice = bool(re.search(r"关于印发.*的通知$", text))
        if notice and not any(k in found for k in range(i)):
            continue  # a notice title first on the page is the document's own
        key = _key(text)
        if not re.search(r"(纲要|建议|规划|计划)$", _bare(key)):
            continue  # not a whole title: the first line of a title wrapped over several lines
        later = []
        for j in range(i + 1, len(texts)):
            if texts[j] and j not in found:
                if _BODY_HEADING.match(texts[j]) and not (texts[j].startswith("一、") and any(
                        "印发" in texts[x] for x in later)):
                    break  # the body has begun: a title printed in it is no repetition of the headline
                later.append(j)
        for s in range(len(later)):
            joined = ""
            for j in later[s:s + 4]:
                if not _title_like(texts[j]) and _SENTENCE.search(texts[j]):
                    break
                joined += _key(texts[j])
                if notice and "关于印发" not in joined:
                    continue  # a notice title repeats only another notice title (not the plan's)
                if _PLAN_WORDS.search(joined) and _same_plan(key, joined):
                    found[i] = "page-headline"
                    break
            if i in found:
                break


def _metadata(texts: list[str], found: dict[int, str]) -> None:
    """Mark the 政府信息公开 catalogue block: lines of label/value pairs with at least two labels,
    or one label next to another block line, and at least one line with a distinctive label."""
    fields = {i: _metadata_fields(t) for i, t in enumerate(texts) if t and i not in found}
    fields = {i: f for i, f in fields.items() if f}
    nonblank = [i for i, t in enumerate(texts) if t]
    pos = {i: k for k, i in enumerate(nonblank)}

    def neighbours(i: int) -> list[int]:
        k = pos[i]
        return [nonblank[x] for x in (k - 1, k + 1) if 0 <= x < len(nonblank)]

    block: set[int] = set()
    for i, f in fields.items():
        labels = {label for label, _ in f}
        if len(f) >= 2 and labels & _STRONG:
            block.add(i)
        # the block printed as a two-column table: one label a line, two strong labels side by side
        elif labels & _STRONG and any(n in fields and {lb for lb, _ in fields[n]} & _STRONG
                                      for n in neighbours(i)):
            block.add(i)
    # grow the block over adjacent label lines, forwards then backwards (linear in the lines)
    for order in (sorted(fields), sorted(fields, reverse=True)):
        for i in order:
            if i not in block and any(n in block for n in neighbours(i)):
                block.add(i)
    for i in block:
        found[i] = "metadata-block"


def _page_header(texts: list[str], found: dict[int, str]) -> None:
    """Mark short labels between chrome lines at the top of the page (site name, column name, a
    tab label): a run of lines of at most 16 characters without sentence punctuation, preceded
    only by chrome and followed by chrome."""
    i = 0
    n = len(texts)
    while i < n:
        if not texts[i] or i in found:
            i += 1
            continue
        run, j = [], i
        while j < n and (not texts[j] or j not in found):
            if texts[j]:
                if _document_begins(texts[j]) or _title_like(texts[j]):
                    return
                run.append(j)
            j += 1
        if j >= n:
            return
        if not any(k in found for k in range(i)) and found[j] not in ("breadcrumb", "site-nav", "epaper-nav", "page-tools"):
            return  # at the very top only before a navigation bar (the site's name)
        for k in run:
            found[k] = "page-header"
        i = j


_SITE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,24}(?:门户网站|政府网站|政府网|官方网站|官网|新闻网|网站)$")


def _site_name(texts: list[str], found: dict[int, str]) -> None:
    """The first line of the page naming a website (``某某县人民政府门户网站``) is the page's header,
    also with no navigation bar after it."""
    first = next((i for i, t in enumerate(texts) if t), None)
    if first is not None and first not in found and _SITE_NAME.match(texts[first]):
        found[first] = "page-header"


def _header_bylines(texts: list[str], found: dict[int, str]) -> None:
    """In the page header (before the document begins), a single ``来源：…`` / ``作者：…`` line is
    the page's byline too (elsewhere such a line may be a table's note)."""
    titled = False
    for i, text in enumerate(texts):
        if not text or i in found:
            continue
        fields = _fields(text, _BYLINE_RE)
        if fields and all(len(value) <= 20 for _, value in fields):
            found[i] = "byline"
            continue
        if titled:
            return  # only right under the title
        if _title_like(text) and re.search(r"(纲要|建议|规划|计划)\)?$", text):
            titled = True  # the title, printed above the page's byline
        elif _document_begins(text):
            return


#: A line opening a body heading (第X篇/章/节/部分, 一、): the document's body has begun.
_BODY_HEADING = re.compile(r"^第[一二三四五六七八九十百\d]{1,5}(?:篇|章|节|部分)|^一、")

#: A line opening with a numbering marker, a box or a table/figure label: never a running header
#: (a numbered line printed twice is a 目录 entry and its heading).
_NUMBERED = re.compile(r"^(?:第[一二三四五六七八九十百\d]{1,5}(?:篇|章|节|部分)|[一二三四五六七八九十]{1,3}、|"
                       r"\([一二三四五六七八九十\d]{1,3}\)|\d{1,3}[.、]|专栏|表|图)")
_RUNNING_TITLE = re.compile(r"(纲要|建议|规划|计划)(\([^()]{1,8}\))?》?$")


def _running_headers(texts: list[str], found: dict[int, str]) -> None:
    """Mark the running header of a PDF: a line without sentence punctuation or numbering marker
    printed again and again at the head (or foot) of its pages ("next to a page number" means the
    line before or after it, blank lines aside, is one). Two readings, in this order:

    1. a line of 6+ characters printed again: a repeat of the plan's title counts when it stands
       next to a page number, inside the body, or the title is printed three times or more; any
       other line when it stands next to page numbers on at least two pages. The first occurrence
       is the document's own (its cover, or a heading);
    2. a short line (4–40 characters) next to a page number at least twice: every occurrence is
       the header, but one that opens the document away from a page number (the title the header
       repeats, printed at the top of the first page)."""
    nonblank = [i for i, t in enumerate(texts) if t]

    def beside_page_number(i: int) -> bool:
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(texts) and not texts[j]:
                j += step
            if 0 <= j < len(texts) and found.get(j) == "page-number":
                return True
        return False

    def header_like(text: str) -> bool:
        return not _SENTENCE.search(text) and not _NUMBERED.match(text)

    seen: dict[str, list[int]] = {}
    for i in nonblank:
        if i not in found and len(texts[i]) >= 6 and header_like(texts[i]):
            seen.setdefault(texts[i], []).append(i)
    # the body begins at a heading followed by prose (目录 entries are followed by entries)
    body = next((i for i, j in zip(nonblank, nonblank[1:]) if _BODY_HEADING.match(texts[i])
                 and _SENTENCE.search(texts[j]) and not _BODY_HEADING.match(texts[j])), len(texts))
    for text, where in seen.items():
        if len(where) < 2:
            continue
        titled = bool(_RUNNING_TITLE.search(text))
        paged = sum(beside_page_number(i) for i in where) >= 2
        for i in where[1:]:
            if titled and (len(where) >= 3 or beside_page_number(i) or where[0] < body < i) \
                    or paged and beside_page_number(i):
                found[i] = "running-header"

    opening = next((i for i in nonblank if i not in found), -1)
    short: dict[str, list[int]] = {}
    for i in nonblank:
        if 4 <= len(texts[i]) <= 40 and header_like(texts[i]):
            short.setdefault(texts[i], []).append(i)
    for where in short.values():
        near = [beside_page_number(i) for i in where]
        if sum(near) >= 2:
            for i, beside in zip(where, near):
                if i != opening or beside:
                    found.setdefault(i, "running-header")


def _space_bar(printed: str) -> bool:
    """A navigation bar printed as short labels separated by white space, one of them a navigation
    word (``网站首页 政务公开 政务服务 互动交流``); three industries in a row are not one."""
    cells = printed.split()
    return (len(cells) >= 3 and all(len(c) <= 8 and not _SENTENCE.search(c) for c in cells)
            and any(norm(c) in _NAV_WORDS for c in cells))


_QUOTE = re.compile(r"^>\s*")


def find_chrome(lines: list[str]) -> dict[int, str]:
    """Chrome lines of a document: ``{0-based index: rule name}`` (names are keys of :data:`RULES`).

    ``lines`` are the document's lines as printed (markup such as ``**`` already removed, outer white
    space stripped; blank lines included so that neighbours can be seen). Rules look at single lines
    first, then at blocks (the metadata block) and at the page header (headlines, labels between
    navigation bars), so the whole document is passed at once. Pure; never raises.
    """
    texts = [_QUOTE.sub("", s) if (s := norm(t).strip()).startswith(">") else s  # a markdown quote: ``> 来源：…``
             for t in lines]
    found: dict[int, str] = {}
    for i, text in enumerate(texts):
        if text:
            rule = _line_rule(text) or ("site-nav" if _space_bar(lines[i]) else None)
            if rule:
                found[i] = rule
    _metadata(texts, found)
    _running_headers(texts, found)
    _header_bylines(texts, found)
    _headlines(texts, found)
    _page_header(texts, found)
    _site_name(texts, found)
    return dict(sorted(found.items()))


def metadata_block(lines: list[str]) -> dict[str, str]:
    """The 政府信息公开 catalogue block of a page (索引号, 发布机构, 文号, 成文日期 …) as
    ``{label: value}``, values in the normalised view (half-width, no spaces inside Chinese text);
    ``{}`` when there is none.

    ``lines`` as for :func:`find_chrome`. Labels are normalised (``主题(一)`` → ``主题``; the first
    occurrence of a label wins); empty values are left out.
    """
    texts = [norm(t).strip() for t in lines]
    found: dict[int, str] = {}
    _metadata(texts, found)
    out: dict[str, str] = {}
    for i in sorted(k for k, rule in found.items() if rule == "metadata-block"):
        for label, value in _metadata_fields(texts[i]) or []:
            if value and label not in out:
                out[label] = value
    return out
