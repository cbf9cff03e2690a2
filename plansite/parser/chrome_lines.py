"""Single-line chrome rules (see :mod:`plansite.parser.chrome`): the patterns, word lists and
label lists matched on one normalised line, and :func:`line_rule`, which names the first rule
matching a line. The label/value readers (:func:`label_fields`, :func:`metadata_fields`) and a
few of the tables (:data:`SENTENCE`, :data:`NAV_WORDS`, :data:`STRONG`, :data:`BYLINE_RE`) are
also used by the whole-document rules of :mod:`plansite.parser.chrome`.
"""

from __future__ import annotations

import re

# -- single-line rules ---------------------------------------------------------------------------

SENTENCE = re.compile(r"[。，；！？,;!?]")
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
    # ``ICP备`` in any case, written from its 备 (the look-behind reads the ICP before it) so that
    # every word found anywhere starts with a fixed character: see :data:`_ANYWHERE`
    ("site-footer", _Lazy(r"备(?<=(?i:ICP)备)|公网安备|网站标识码|网站识别码")),
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
    # a pager (``共5页 上一页 1 2 3 下一页``); its first character is checked before the look-ahead
    # reads the whole line for 上一页/下一页
    ("page-tools", _Lazy(r"^(?=[共上下首尾末\[\d])(?=.*(?:上一页|下一页))(?:共\d+页[:]?\s*)?"
                         r"(?:(?:上一页|下一页|首页|尾页|末页|\[?\d{1,3}\]?)\s*){2,}$|"
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
NAV_WORDS = ["站群导航", "网站导航", "网站首页", "返回首页", "返回主页", "回到首页", "设为首页", "加入收藏",
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
_ALL_WORDS = sorted(set(_EPAPER_WORDS + NAV_WORDS + _TOOL_WORDS), key=len, reverse=True)
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
    if any(w in NAV_WORDS for w in words):
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
    return (len(cells) >= 3 and all(len(c) <= 10 and not SENTENCE.search(c) for c in cells)
            and any(_word_bar(c) for c in cells))


# -- bylines and metadata blocks: label/value lines -----------------------------------------------

_BYLINE_LABELS = ["信息来源", "文章来源", "新闻来源", "稿件来源", "来源", "稿源", "作者", "发布者", "发布人", "发布时间",
                  "更新时间", "发表时间", "发表于", "发布于", "发布日期", "更新日期", "时间", "日期", "浏览次数", "点击次数",
                  "阅读次数", "阅读人次", "访问量", "访问次数", "浏览量", "阅读量", "点击数", "点击量", "点击率",
                  "点击", "浏览", "字体", "字号", "供稿", "录入", "撰稿", "摄影", "通讯员", "记者", "版次", "版名"]
_COUNTERS = {"浏览次数", "点击次数", "阅读次数", "阅读人次", "访问量", "访问次数", "浏览量", "阅读量", "点击数", "点击量", "点击率"}
_WEB_TIMES = {"发布时间", "更新时间", "发表时间", "发表于", "发布于", "发布日期", "更新日期"}
BYLINE_RE = re.compile("(" + "|".join(sorted(_BYLINE_LABELS, key=len, reverse=True)) + r")\s*:")

#: Labels of the 政府信息公开 catalogue block printed above documents on government portals.
METADATA_LABELS = ["索引号", "主题分类", "主题词", "分类词", "体裁分类", "组配分类", "服务对象", "信息分类", "发文机关",
                   "发文单位", "发布机构", "发布单位", "所属机构", "成文日期", "发文日期", "印发日期", "生成日期",
                   "公开日期", "发布日期", "发文字号", "文件编号", "文号", "有效性", "效力状况", "时效性", "公开形式",
                   "公开方式", "公开范围", "公开时限", "公开程序", "关键词", "统一编号", "登记号", "内容概况", "主题",
                   "体裁", "分类", "标题", "名称", "信息来源", "来源"]
STRONG = {"索引号", "发文机关", "发布机构", "发文字号", "文号", "成文日期", "发文日期", "公开方式", "公开范围",
           "公开时限", "效力状况", "文件编号", "生成日期", "公开日期", "统一编号"}
_META_RE = re.compile(r"(" + "|".join(sorted(METADATA_LABELS, key=len, reverse=True)) + r")(?:\([一二三四五]\))?\s*:?")


def label_fields(text: str, regex: re.Pattern[str]) -> list[tuple[str, str]] | None:
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
    fields = label_fields(text, BYLINE_RE)
    if not fields:
        return False
    labels = {label for label, _ in fields}
    dated = any(re.search(rf"{_DATE_ISO}|\d{{4}}年\d{{1,2}}月", value) for _, value in fields)
    if any(re.search(rf"(?:{_DATE_ISO}|\d{{4}}年\d{{1,2}}月\d{{1,2}}日)\s*{_TIME}", value) for _, value in fields):
        return True  # a value holding a date and time: ``来源：新华网 | 2021年03月13日 09:40``
    empty = all(not value for _, value in fields)  # ``发布日期:`` with nothing after it
    return (len(fields) >= 2 or bool(labels & _COUNTERS) or bool(labels & _WEB_TIMES and dated) or empty
            or lead_date and all(len(value) <= 20 for _, value in fields))


def metadata_fields(text: str) -> list[tuple[str, str]] | None:
    """``text`` (normalised) as the ``[(label, value), …]`` of a 政府信息公开 catalogue line
    (:data:`METADATA_LABELS`; also copied as a table, ``| 索引号 | … |``), or ``None``
    (:func:`label_fields`)."""
    if text.startswith(("|", "｜")):  # the block copied as a table: ``| 索引号 | … | 文 号 | … |``
        text = re.sub(r"\s*[|｜]\s*", " ", text).strip()
    return label_fields(text, _META_RE)


#: The patterns above that start with ``^`` (each anchored in every branch: a test checks),
#: joined, each followed by an empty group named ``r<index in _PATTERNS>``: one attempt at the
#: line start tells whether any of them matches and, the alternatives being tried in order, which
#: is the first (the group closes only when its pattern has matched: a group around each pattern
#: instead was opened, and undone, for every pattern on every line); the others (words found
#: anywhere) are joined in :data:`_ANYWHERE` and searched one by one only when it matches.
_AT_START = re.compile("|".join(f"(?{'i' if p.flags & re.IGNORECASE else ''}:{p.pattern})(?P<r{k}>)"
                                for k, (_, p) in enumerate(_PATTERNS) if p.pattern.startswith("^")))
#: The patterns above found anywhere in a line, joined as they are written (no flags: a test
#: checks), so that each branch of the search starts with a fixed character: the search then
#: skips in C to the next character that can start one of them, instead of trying every branch
#: at every character of every line (that took about a third of the single-line rules' time).
_ANYWHERE = re.compile("|".join(p.pattern for _, p in _PATTERNS if not p.pattern.startswith("^")))
_EPAPER_PAGE = re.compile(r"^第?[A-Z]{0,2}\d{1,3}版\s*[:]?")
_EPAPER_LABEL = re.compile(r"^第?[A-Z]{0,2}\d{1,3}版\s*[:]?\s*[\u4e00-\u9fff]{0,8}")


def line_rule(text: str) -> str | None:
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
