"""Units, positions and quotas, and the cadre file: every personal field of the 干部任免审批表 and its sections."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
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
    """职级, in their statutory order: leading levels first, then the official ranks (职级序列)."""

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
# 县处级 and above (training and promotion rules distinguish them from 乡科级 and below)
COUNTY_LEVEL_RANKS = (
    Rank.ZHENG_CHU,
    Rank.FU_CHU,
    Rank.XUNSHIYUAN_1,
    Rank.XUNSHIYUAN_2,
    Rank.DIAOYANYUAN_1,
    Rank.DIAOYANYUAN_2,
    Rank.DIAOYANYUAN_3,
    Rank.DIAOYANYUAN_4,
)


class PoliticalStatus(models.TextChoices):
    CPC = "中共党员", "中共党员"
    PROBATIONARY = "中共预备党员", "中共预备党员"
    LEAGUE = "共青团员", "共青团员"
    RCCK = "民革党员", "民革党员"
    CDL = "民盟盟员", "民盟盟员"
    CNDCA = "民建会员", "民建会员"
    CAPD = "民进会员", "民进会员"
    CPWDP = "农工党党员", "农工党党员"
    CZGP = "致公党党员", "致公党党员"
    JIUSAN = "九三学社社员", "九三学社社员"
    TDSGL = "台盟盟员", "台盟盟员"
    NON_PARTY = "无党派人士", "无党派人士"
    MASSES = "群众", "群众"


PARTY_STATUSES = (PoliticalStatus.CPC, PoliticalStatus.PROBATIONARY)


class EducationLevel(models.TextChoices):
    """The highest education as a category (for filters and team structure); entries keep the exact wording."""

    POSTGRADUATE = "研究生", "研究生"
    UNIVERSITY = "大学", "大学"
    COLLEGE = "大专", "大专"
    SECONDARY = "中专", "中专"
    HIGH_SCHOOL = "高中及以下", "高中及以下"


class Position(BaseModel):
    """A post in a unit (e.g. 区财政局局长); the level is what its quota counts."""

    class Role(models.TextChoices):
        HEAD = "head", "正职"
        DEPUTY = "deputy", "副职"
        OTHER = "other", "其他"

    class RotationKind(models.TextChoices):
        LEADER = "leader", "党政领导职务"
        KEY = "key", "重点岗位"
        STAFF = "staff", "部机关干部"
        NONE = "none", "不适用"

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="positions")
    title = models.CharField(_("title"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Rank.choices, blank=True)
    leading = models.BooleanField(_("leading post"), default=True)
    role = models.CharField(_("head or deputy"), max_length=8, choices=Role.choices, default=Role.OTHER)
    rotation_kind = models.CharField(
        _("rotation rule"), max_length=8, choices=RotationKind.choices, default=RotationKind.NONE
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["unit__order", "unit__name", "order", "title"]
        constraints = [models.UniqueConstraint(fields=["unit", "title"], name="position_unique_title_in_unit")]

    def __str__(self):
        return f"{self.unit.name}{self.title}"


class PositionQuota(BaseModel):
    """职数: the approved number of posts of one level in one unit. Occupancy is computed, never stored."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="quotas")
    level = models.CharField(_("level"), max_length=10, choices=Rank.choices)
    approved = models.PositiveSmallIntegerField(_("approved number"))

    class Meta:
        verbose_name = _("position quota")
        verbose_name_plural = _("position quotas")
        ordering = ["unit__order", "unit__name", "level"]
        constraints = [models.UniqueConstraint(fields=["unit", "level"], name="quota_unique_unit_level")]

    def __str__(self):
        return f"{self.unit.name} {self.level} {self.approved}"


def _photo_path(instance, filename):
    # the name never comes from the upload: no path tricks, no personal data in file names
    return f"cadre-photos/{instance.pk or 'new'}-{instance.version}.jpg"


class Cadre(BaseModel):
    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    # kept for callers that name the choices through the model
    PoliticalStatus = PoliticalStatus
    Education = EducationLevel

    name = models.CharField(_("full name"), max_length=50, db_index=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=60, blank=True, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True, validators=[validate_id_number])
    birth_month = models.DateField(_("date of birth (year-month)"), help_text=_("Stored as the first of the month."))
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True, default="汉族")
    native_place = models.CharField(_("native place"), max_length=50, blank=True)
    birthplace = models.CharField(_("birthplace"), max_length=50, blank=True)
    political_status = models.CharField(
        _("political status"), max_length=10, choices=PoliticalStatus.choices, default=PoliticalStatus.CPC, blank=True
    )
    party_joined_month = models.DateField(_("joined the Party (year-month)"), null=True, blank=True)
    work_started_month = models.DateField(_("started work (year-month)"), null=True, blank=True)
    health = models.CharField(_("health"), max_length=20, blank=True)
    professional_title = models.CharField(_("professional title"), max_length=50, blank=True)
    expertise = models.CharField(_("expertise"), max_length=100, blank=True)
    education = models.CharField(
        _("highest education"), max_length=10, choices=EducationLevel.choices, blank=True, db_index=True
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cadres")
    current_post = models.CharField(_("current post"), max_length=200, blank=True)
    rank = models.CharField(_("rank"), max_length=10, choices=Rank.choices, blank=True, db_index=True)
    post_since_month = models.DateField(_("in current post since (year-month)"), null=True, blank=True)
    rank_since_month = models.DateField(_("at current rank since (year-month)"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    remarks = models.CharField(_("remarks"), max_length=500, blank=True)
    photo = models.ImageField(_("photo"), upload_to=_photo_path, blank=True)
    # raised by every change: an edit made on a stale copy is refused instead of silently overwriting
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
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
        indexes = [models.Index(fields=["unit", "name"]), models.Index(fields=["birth_month"])]

    def __str__(self):
        return self.name


class Education(models.Model):
    """学历学位: one entry for 全日制教育 and one for 在职教育, as on the form."""

    class Kind(models.TextChoices):
        FULL_TIME = "full_time", "全日制教育"
        IN_SERVICE = "in_service", "在职教育"

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="educations")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    education = models.CharField(_("education"), max_length=30, blank=True)
    degree = models.CharField(_("degree"), max_length=30, blank=True)
    school_major = models.CharField(_("school, department and major"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("education")
        verbose_name_plural = _("education")
        ordering = ["cadre", "kind"]
        constraints = [models.UniqueConstraint(fields=["cadre", "kind"], name="education_one_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.education} {self.degree}"


class ResumeLine(models.Model):
    """One line of the 简历: from, to (blank while current) and what the cadre did."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="resume_lines")
    start_month = models.DateField(_("from (year-month)"))
    end_month = models.DateField(_("to (year-month)"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("resume line")
        verbose_name_plural = _("resume lines")
        ordering = ["cadre", "order", "start_month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(end_month__gte=F("start_month")), name="resume_line_dates"
            )
        ]

    def __str__(self):
        return self.description


class RewardPunishment(models.Model):
    class Kind(models.TextChoices):
        REWARD = "reward", "奖励"
        PUNISHMENT = "punishment", "惩处"

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="rewards_punishments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    month = models.DateField(_("date (year-month)"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("reward or punishment")
        verbose_name_plural = _("rewards and punishments")
        ordering = ["cadre", "order", "month"]

    def __str__(self):
        return self.description


class FamilyMember(models.Model):
    """家庭主要成员及重要社会关系."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="family_members")
    relation = models.CharField(_("relation"), max_length=20)
    name = models.CharField(_("full name"), max_length=50)
    birth_month = models.DateField(_("date of birth (year-month)"), null=True, blank=True)
    political_status = models.CharField(_("political status"), max_length=20, blank=True)
    work_and_post = models.CharField(_("employer and post"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members and social relations")
        ordering = ["cadre", "order"]

    def __str__(self):
        return f"{self.relation} {self.name}"


class PositionTenure(models.Model):
    """Position history: who held which post from when to when (open while current)."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="tenures")
    position = models.ForeignKey(Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="tenures")
    start_month = models.DateField(_("from (year-month)"), null=True, blank=True)
    end_month = models.DateField(_("to (year-month)"), null=True, blank=True)
    is_current = models.BooleanField(_("current"), default=True)

    class Meta:
        verbose_name = _("position held")
        verbose_name_plural = _("position history")
        ordering = ["cadre", "-is_current", "-start_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "position"], condition=Q(is_current=True), name="tenure_one_current_per_position"
            ),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(start_month__isnull=True) | Q(end_month__gte=F("start_month")),
                name="tenure_dates",
            ),
            models.CheckConstraint(
                condition=Q(is_current=False) | Q(end_month__isnull=True), name="tenure_current_open"
            ),
        ]
        indexes = [models.Index(fields=["position", "is_current"])]

    def __str__(self):
        return f"{self.cadre} {self.position}"
