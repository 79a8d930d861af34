"""Values as rosters, forms and .lrmx files write them, turned into what the cadre file stores.

Each parser returns the stored value or raises ValueError with a Chinese message for the user.
"""

from __future__ import annotations

import re

from .models import EducationLevel, PoliticalStatus, Rank

# full-width ASCII (！ to ～) and the ideographic space fold to their half-width forms
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def fold_width(text: str) -> str:
    return text.translate(_WIDTH)


def clean_text(value) -> str:
    """A cell or field as trimmed text with full-width digits and letters folded."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", fold_width(str(value))).strip()


def clean_name(value) -> str:
    """A person's name; spaces padding a Chinese name (王　伟, 王  伟) are removed."""
    text = clean_text(value)
    if _CJK.search(text):
        text = _SPACES.sub("", text)
    return text


_RANKS = {value: value for value in Rank.values}
_RANKS.update({value.removesuffix("级"): value for value in Rank.values if value.endswith("级")})


def parse_rank(value) -> str:
    """A 职级; "正处" is read as "正处级". Blank stays blank."""
    text = clean_text(value).replace(" ", "")
    if not text:
        return ""
    try:
        return _RANKS[text]
    except KeyError:
        raise ValueError(f"未知的职级“{text}”") from None


_POLITICAL_ALIASES = {
    "党员": PoliticalStatus.CPC,
    "中共": PoliticalStatus.CPC,
    "中国共产党党员": PoliticalStatus.CPC,
    "预备党员": PoliticalStatus.PROBATIONARY,
    "团员": PoliticalStatus.LEAGUE,
    "共青团员": PoliticalStatus.LEAGUE,
    "无党派": PoliticalStatus.NON_PARTY,
    "民革": PoliticalStatus.RCCK,
    "民盟": PoliticalStatus.CDL,
    "民建": PoliticalStatus.CNDCA,
    "民进": PoliticalStatus.CAPD,
    "农工党": PoliticalStatus.CPWDP,
    "致公党": PoliticalStatus.CZGP,
    "九三学社": PoliticalStatus.JIUSAN,
    "台盟": PoliticalStatus.TDSGL,
}


def parse_political_status(value) -> str:
    text = clean_text(value).replace(" ", "")
    if not text:
        return ""
    if text in PoliticalStatus.values:
        return text
    try:
        return _POLITICAL_ALIASES[text]
    except KeyError:
        raise ValueError(f"未知的政治面貌“{text}”") from None


def parse_gender(value) -> str:
    text = clean_text(value).upper()
    if not text:
        return ""
    if text in ("男", "M", "男性"):
        return "M"
    if text in ("女", "F", "女性"):
        return "F"
    raise ValueError(f"性别应为“男”或“女”，而不是“{text}”")


def clean_ethnicity(value) -> str:
    text = clean_text(value).replace(" ", "")
    if text and _CJK.search(text) and not text.endswith(("族", "人")):
        text += "族"  # 汉 → 汉族
    return text


# checked in this order: the first keyword found decides
_EDUCATION_KEYWORDS = [
    (("博士", "硕士", "研究生"), EducationLevel.POSTGRADUATE),
    (("大学", "本科"), EducationLevel.UNIVERSITY),
    (("大专", "专科", "高职"), EducationLevel.COLLEGE),
    (("中专", "中师", "中技", "技校", "职高"), EducationLevel.SECONDARY),
    (("高中", "初中", "小学"), EducationLevel.HIGH_SCHOOL),
]
_EDUCATION_RANK = {level: i for i, level in enumerate(EducationLevel.values)}


def education_level(value) -> str:
    """The category of an education entry (大学本科 → 大学); blank when it names none."""
    text = clean_text(value)
    for keywords, level in _EDUCATION_KEYWORDS:
        if any(k in text for k in keywords):
            return level
    return ""


def highest_education(*values) -> str:
    levels = [education_level(v) for v in values]
    levels = [level for level in levels if level]
    return min(levels, key=_EDUCATION_RANK.__getitem__) if levels else ""
