"""Units and cadre records (the fields every other area relies on; the full 任免审批表 file extends them)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orgdept.core.idnumbers import validate_id_number
from orgdept.core.models import BaseModel


class Unit(BaseModel):
    class Kind(models.TextChoices):
        PARTY = "party", "党委部门"
        GOVERNMENT = "government", "政府部门"
        TOWNSHIP = "township", "乡镇街道"
        INSTITUTION = "institution", "事业单位"
        ENTERPRISE = "enterprise", "国有企业"
        OTHER = "other", "其他"

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Rank(models.TextChoices):
    ZHENG_CHU = "正处级", "正处级"
    FU_CHU = "副处级", "副处级"
    ZHENG_KE = "正科级", "正科级"
    FU_KE = "副科级", "副科级"
    XUNSHIYUAN_1 = "一级巡视员", "一级巡视员"
    XUNSHIYUAN_2 = "二级巡视员", "二级巡视员"
    DIAOYANYUAN_1 = "一级调研员", "一级调研员"
    DIAOYANYUAN_2 = "二级调研员", "二级调研员"
    DIAOYANYUAN_3 = "三级调研员", "三级调研员"
    DIAOYANYUAN_4 = "四级调研员", "四级调研员"
    ZHUREN_KEYUAN_1 = "一级主任科员", "一级主任科员"
    ZHUREN_KEYUAN_2 = "二级主任科员", "二级主任科员"
    ZHUREN_KEYUAN_3 = "三级主任科员", "三级主任科员"
    ZHUREN_KEYUAN_4 = "四级主任科员", "四级主任科员"
    KEYUAN_1 = "一级科员", "一级科员"
    KEYUAN_2 = "二级科员", "二级科员"


LEADING_RANKS = (Rank.ZHENG_CHU, Rank.FU_CHU, Rank.ZHENG_KE, Rank.FU_KE)


class Cadre(BaseModel):
    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class Education(models.TextChoices):
        POSTGRADUATE = "研究生", "研究生"
        UNIVERSITY = "大学", "大学"
        COLLEGE = "大专", "大专"
        SECONDARY = "中专", "中专"
        HIGH_SCHOOL = "高中", "高中"

    class PoliticalStatus(models.TextChoices):
        CPC = "中共党员", "中共党员"
        PROBATIONARY = "中共预备党员", "中共预备党员"
        OTHER_PARTY = "民主党派", "民主党派"
        NONE = "群众", "群众"

    name = models.CharField(_("full name"), max_length=50, db_index=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=20, blank=True, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True, validators=[validate_id_number])
    birth_month = models.DateField(_("date of birth (year-month)"), help_text=_("Stored as the first of the month."))
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    native_place = models.CharField(_("native place"), max_length=50, blank=True)
    political_status = models.CharField(
        _("political status"), max_length=10, choices=PoliticalStatus.choices, default=PoliticalStatus.CPC
    )
    party_joined_month = models.DateField(_("joined the Party (year-month)"), null=True, blank=True)
    work_started_month = models.DateField(_("started work (year-month)"), null=True, blank=True)
    education = models.CharField(_("education"), max_length=10, choices=Education.choices, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cadres")
    current_post = models.CharField(_("current post"), max_length=200, blank=True)
    rank = models.CharField(_("rank"), max_length=10, choices=Rank.choices, blank=True, db_index=True)
    post_since_month = models.DateField(_("in current post since (year-month)"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre",
    )

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["unit__order", "name"]

    def __str__(self):
        return self.name
