"""Units, positions and quotas, the cadre file (every personal field of the 干部任免审批表 and its sections), and
the appointment procedure: proposals and their steps, reserve cadres and competitive selections."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
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
    # 地域回避: the heads of the district's party committee, government, discipline commission, organization
    # department, court, procuratorate and police may not be natives of the district
    # 选举产生的职务 (区长, 乡镇长 …): a promotion into one has no probation
    elected = models.BooleanField(
        _("elected post"), default=False, help_text=_("Filled by election: a promotion into it has no probation.")
    )
    home_area_avoidance = models.BooleanField(
        _("home-area avoidance"),
        default=False,
        help_text=_("A head post that a native of the district may not hold."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["unit__order", "unit__name", "order", "title"]
        constraints = [models.UniqueConstraint(fields=["unit", "title"], name="position_unique_title_in_unit")]

    def __str__(self):
        # the post with its unit, without naming the unit twice when the title already starts with it
        unit = self.unit
        if self.title.startswith(unit.name) or (unit.short_name and self.title.startswith(unit.short_name)):
            return self.title
        return f"{unit.name}{self.title}"


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
    # 基层工作经历, in months; blank while unknown (no roster or .lrmx field carries it)
    grassroots_months = models.PositiveSmallIntegerField(_("grassroots experience (months)"), null=True, blank=True)
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


# --- appointment proposals: the statutory selection procedure ---------------------------------------------------


class ProposalRound(BaseModel):
    """A batch (批次) of appointment proposals prepared together for one meeting."""

    title = models.CharField(_("title"), max_length=200)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("proposal round")
        verbose_name_plural = _("proposal rounds")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class Recommendation(BaseModel):
    """民主推荐 for one post: by interview (谈话调研推荐) or at a meeting (会议推荐), with the votes each candidate
    received. Its result is valid for a year, and only for that post."""

    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("interview recommendation")
        MEETING = "meeting", _("meeting recommendation")

    kind = models.CharField(_("form of recommendation"), max_length=10, choices=Kind.choices)
    position = models.ForeignKey(
        Position, verbose_name=_("post"), on_delete=models.PROTECT, related_name="recommendations"
    )
    posts = models.PositiveSmallIntegerField(_("posts to fill"), default=1)
    held_on = models.DateField(_("recommended on"))
    participants = models.PositiveIntegerField(_("participants"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("democratic recommendation")
        verbose_name_plural = _("democratic recommendations")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(posts__gt=0), name="recommendation_posts_positive"),
            models.CheckConstraint(condition=Q(participants__gt=0), name="recommendation_participants_positive"),
        ]

    def __str__(self):
        return f"{self.position} {self.get_kind_display()} {self.held_on}"


class RecommendationCandidate(models.Model):
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="candidates")
    cadre = models.ForeignKey(Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="+")
    votes = models.PositiveIntegerField(_("votes"))

    class Meta:
        verbose_name = _("recommended candidate")
        verbose_name_plural = _("recommended candidates")
        ordering = ["recommendation", "-votes", "id"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "cadre"], name="recommendation_candidate_once")
        ]

    def __str__(self):
        return f"{self.cadre} {self.votes}"


class AppointmentProposal(BaseModel):
    """One cadre, one action, moved through 动议 → 民主推荐 → 考察 → 讨论决定 → 任前公示 → 任职 → 试用期 → 转正.
    Which steps an action needs is in `proposal_steps`; the table below says which moves exist at all."""

    class Action(models.TextChoices):
        APPOINT = "appoint", _("appointment")
        REMOVE = "remove", _("removal")
        APPOINT_REMOVE = "appoint_remove", _("appointment and removal")
        EXCHANGE = "exchange", _("exchange")
        TRANSFER = "transfer", _("transfer")
        CONFIRM = "confirm", _("confirmation after probation")

    class NoticeExemption(models.TextChoices):
        """The cases the 条例 takes out of the pre-appointment notice of a promotion."""

        SPECIAL_POST = "special_post", "特殊岗位"
        ELECTION = "election", "换届考察时已进行过公示"

    class Status(models.TextChoices):
        INITIATED = "initiated", _("initiated")
        RECOMMENDED = "recommended", _("recommended")
        INSPECTED = "inspected", _("inspected")
        SUBMITTED = "submitted", _("before the committee")
        DEFERRED = "deferred", _("deferred")
        DECIDED = "decided", _("decided")
        REJECTED = "rejected", _("not passed")
        NOTICE = "notice", _("pre-appointment notice")
        APPOINTED = "appointed", _("appointed")
        CONFIRMED = "confirmed", _("confirmed")
        RETURNED = "returned", _("returned to the former level")
        WITHDRAWN = "withdrawn", _("withdrawn")

    TRANSITIONS = {
        # an action that needs no recommendation goes straight to inspection, one that needs neither to the
        # committee; the service refuses a step the action requires
        Status.INITIATED: {Status.RECOMMENDED, Status.INSPECTED, Status.SUBMITTED, Status.WITHDRAWN},
        Status.RECOMMENDED: {Status.INSPECTED, Status.WITHDRAWN},
        Status.INSPECTED: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.SUBMITTED: {Status.DECIDED, Status.REJECTED, Status.DEFERRED, Status.INSPECTED, Status.WITHDRAWN},
        Status.DEFERRED: {Status.SUBMITTED, Status.WITHDRAWN},
        # a removal or a notice exempted goes straight to the appointment; a confirmation (转正) decided is done
        Status.DECIDED: {Status.NOTICE, Status.APPOINTED, Status.CONFIRMED, Status.WITHDRAWN},
        # an objection upheld during the notice stops the appointment
        Status.NOTICE: {Status.APPOINTED, Status.WITHDRAWN},
        Status.APPOINTED: {Status.CONFIRMED, Status.RETURNED},
        Status.REJECTED: set(),
        Status.CONFIRMED: set(),
        Status.RETURNED: set(),
        Status.WITHDRAWN: set(),
    }
    OPEN_STATUSES = (
        Status.INITIATED,
        Status.RECOMMENDED,
        Status.INSPECTED,
        Status.SUBMITTED,
        Status.DEFERRED,
        Status.DECIDED,
        Status.NOTICE,
    )

    round = models.ForeignKey(
        ProposalRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="proposals"
    )
    cadre = models.ForeignKey(Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="proposals")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    target_position = models.ForeignKey(
        Position,
        verbose_name=_("post proposed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals_to",
    )
    current_position = models.ForeignKey(
        Position,
        verbose_name=_("post to leave"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals_from",
    )
    status = models.CharField(
        _("stage"), max_length=12, choices=Status.choices, default=Status.INITIATED, db_index=True
    )
    # judged at 动议 from the cadre's level then: a promotion (提拔) needs the whole procedure; the former level is
    # where a cadre not confirmed after probation returns
    promotion = models.BooleanField(_("promotion"), default=False)
    former_level = models.CharField(_("level at initiation"), max_length=10, choices=Rank.choices, blank=True)
    stage_since = models.DateTimeField(_("in this stage since"), default=timezone.now)
    # 动议
    initiated_on = models.DateField(_("initiated on"))
    initiated_by = models.CharField(_("proposed by"), max_length=100)
    reason = models.TextField(_("reason"))
    # 民主推荐: the result this proposal relies on
    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("democratic recommendation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    # 破格提拔: flagged, with the reason and the higher department's approval
    exceptional = models.BooleanField(_("exceptional promotion"), default=False)
    exceptional_reason = models.CharField(_("reason for the exception"), max_length=500, blank=True)
    exceptional_approved_on = models.DateField(_("approved by the higher department on"), null=True, blank=True)
    exceptional_approval_ref = models.CharField(_("approval reference"), max_length=100, blank=True)
    # 讨论决定
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.CharField(_("decided by (meeting)"), max_length=100, blank=True)
    decided_at_plenary = models.BooleanField(_("decided by the plenary"), default=False)
    # 任前公示
    notice_starts_on = models.DateField(_("notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice until"), null=True, blank=True)
    notice_exempt_ground = models.CharField(
        _("ground for no notice"), max_length=16, choices=NoticeExemption.choices, blank=True
    )
    notice_exempt_reason = models.CharField(_("reason for no notice"), max_length=300, blank=True)
    # 任职 and 试用期
    appointed_on = models.DateField(_("appointed on"), null=True, blank=True)
    probation_ends_on = models.DateField(_("probation ends on"), null=True, blank=True)
    closed_on = models.DateField(_("confirmed or returned on"), null=True, blank=True)
    # the level, and since when, the appointment took the cadre from: where a failed probation returns them
    former_level_since = models.DateField(_("at the former level since"), null=True, blank=True)
    # 试用期满转正 decided by the committee: the appointment whose probation it ends
    confirms = models.ForeignKey(
        "self",
        verbose_name=_("appointment confirmed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="confirmations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("appointment proposal")
        verbose_name_plural = _("appointment proposals")
        ordering = ["round", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action__in=["appoint", "appoint_remove", "exchange", "transfer"])
                | Q(target_position__isnull=False),
                name="proposal_target_post_needed",
            ),
            models.CheckConstraint(
                condition=~Q(action__in=["remove", "appoint_remove", "confirm"]) | Q(current_position__isnull=False),
                name="proposal_current_post_needed",
            ),
            models.CheckConstraint(
                condition=Q(exceptional=False) | ~Q(exceptional_reason=""), name="proposal_exception_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(notice_exempt_ground="") | ~Q(notice_exempt_reason=""),
                name="proposal_notice_exemption_explained",
            ),
            models.CheckConstraint(
                condition=~Q(action="confirm") | Q(confirms__isnull=False),
                name="proposal_confirmation_names_appointment",
            ),
            models.CheckConstraint(
                condition=Q(notice_ends_on__isnull=True) | Q(notice_ends_on__gt=F("notice_starts_on")),
                name="proposal_notice_dates",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["appointed", "confirmed", "returned"]) | Q(appointed_on__isnull=False),
                name="proposal_appointed_has_date",
            ),
            # one open proposal per cadre and action target at a time
            models.UniqueConstraint(
                fields=["cadre", "target_position"],
                condition=Q(
                    status__in=["initiated", "recommended", "inspected", "submitted", "deferred", "decided", "notice"]
                ),
                name="proposal_one_open_per_cadre_and_post",
            ),
        ]
        indexes = [models.Index(fields=["status", "stage_since"])]

    def __str__(self):
        return f"{self.cadre} {self.get_action_display()}"

    @property
    def notice_exemption(self) -> str:
        """免予公示: the ground the 条例 allows, and the particulars."""
        if not self.notice_exempt_ground:
            return self.notice_exempt_reason
        return f"{self.get_notice_exempt_ground_display()}（{self.notice_exempt_reason}）"


class ProposalTransition(models.Model):
    """History of a proposal's stages: who moved it, when, from where to where and why."""

    proposal = models.ForeignKey(AppointmentProposal, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=12, choices=AppointmentProposal.Status.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=AppointmentProposal.Status.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("proposal stage change")
        verbose_name_plural = _("proposal stage changes")
        ordering = ["proposal", "at", "id"]

    def __str__(self):
        return f"{self.proposal} {self.from_status} → {self.to_status}"


def _proposal_document_path(instance, filename):
    # never the uploaded name: no path tricks, nothing personal in the file system
    return f"proposal-documents/{instance.proposal_id}/{uuid.uuid4().hex}.pdf"


class ProposalDocument(BaseModel):
    """A document of one step of a proposal (a recommendation record, an inspection report, a check's result)."""

    class Step(models.TextChoices):
        INITIATION = "initiation", _("initiation")
        RECOMMENDATION = "recommendation", _("democratic recommendation")
        INSPECTION = "inspection", _("inspection")
        CHECKS = "checks", _("mandatory checks")
        EXCEPTION = "exception", _("exceptional promotion")
        DECISION = "decision", _("decision")
        NOTICE = "notice", _("pre-appointment notice")
        APPOINTMENT = "appointment", _("appointment")
        PROBATION = "probation", _("probation")

    proposal = models.ForeignKey(AppointmentProposal, on_delete=models.CASCADE, related_name="documents")
    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(_("file"), upload_to=_proposal_document_path, max_length=200)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("checksum"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("proposal document")
        verbose_name_plural = _("proposal documents")
        ordering = ["proposal", "step", "id"]

    def __str__(self):
        return self.name


class Inspection(BaseModel):
    """考察: the inspection team, its dates, report and conclusion."""

    proposal = models.OneToOneField(AppointmentProposal, on_delete=models.CASCADE, related_name="inspection")
    team = models.CharField(_("inspection team"), max_length=200)
    started_on = models.DateField(_("inspection started on"))
    ended_on = models.DateField(_("inspection ended on"))
    report = models.TextField(_("report"))
    conclusion = models.CharField(_("conclusion"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__gte=F("started_on")), name="inspection_dates"),
        ]

    def __str__(self):
        return f"{self.proposal} {self.conclusion}"


class MandatoryCheck(BaseModel):
    """凡提四必: each of the four checks, with its date, result and who made it."""

    class Kind(models.TextChoices):
        ARCHIVE = "archive", _("personnel file reviewed")
        PERSONAL_MATTERS = "personal_matters", _("personal matters report verified")
        DISCIPLINE = "discipline", _("discipline inspection opinion heard")
        PETITIONS = "petitions", _("specific reports and complaints investigated")

    proposal = models.ForeignKey(AppointmentProposal, on_delete=models.CASCADE, related_name="mandatory_checks")
    kind = models.CharField(_("check"), max_length=16, choices=Kind.choices)
    done_on = models.DateField(_("done on"))
    done_by = models.CharField(_("done by"), max_length=100)
    result = models.CharField(_("result"), max_length=500)
    clear = models.BooleanField(_("no problem found"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("mandatory check")
        verbose_name_plural = _("mandatory checks")
        ordering = ["proposal", "kind"]
        constraints = [models.UniqueConstraint(fields=["proposal", "kind"], name="mandatory_check_once")]

    def __str__(self):
        return f"{self.proposal} {self.get_kind_display()}"


class NoticeObjection(BaseModel):
    """An objection received during the pre-appointment notice; each is resolved before the appointment."""

    proposal = models.ForeignKey(AppointmentProposal, on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField(_("received on"))
    source = models.CharField(_("from"), max_length=100, blank=True)
    content = models.TextField(_("content"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    upheld = models.BooleanField(_("upheld"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("notice objection")
        verbose_name_plural = _("notice objections")
        ordering = ["proposal", "received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | ~Q(resolution=""), name="objection_resolution_written"
            ),
        ]

    def __str__(self):
        return f"{self.proposal} {self.received_on}"


class ReserveCadre(BaseModel):
    """后备干部: a cadre in the reserve pool for a level, from a date, until removed (with the reason)."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="reserve_entries")
    target_level = models.CharField(_("level reserved for"), max_length=10, choices=Rank.choices)
    added_on = models.DateField(_("added on"))
    reason = models.CharField(_("reason"), max_length=300)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_reason = models.CharField(_("reason for removal"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("reserve cadre")
        verbose_name_plural = _("reserve cadres")
        ordering = ["-added_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"], condition=Q(removed_on__isnull=True), name="reserve_one_active_per_cadre"
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | (Q(removed_on__gte=F("added_on")) & ~Q(removal_reason="")),
                name="reserve_removal_dated_with_reason",
            ),
        ]

    def __str__(self):
        return f"{self.cadre} {self.target_level}"


class CompetitiveSelection(BaseModel):
    """竞争上岗 (seed 003): posts, applicants outnumbering them, and weighted scores."""

    title = models.CharField(_("title"), max_length=200)
    position = models.ForeignKey(Position, verbose_name=_("post"), on_delete=models.PROTECT, related_name="selections")
    posts = models.PositiveSmallIntegerField(_("posts"), default=1)
    held_on = models.DateField(_("held on"))
    # weights in percent; they add up to 100
    weight_speech = models.PositiveSmallIntegerField(_("speech weight (%)"), default=30)
    weight_written = models.PositiveSmallIntegerField(_("written test weight (%)"), default=40)
    weight_evaluation = models.PositiveSmallIntegerField(_("democratic evaluation weight (%)"), default=30)
    # closing fixes the winners (SelectionApplicant.selected); a tie for the last place is decided by the leadership
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tie_reason = models.CharField(_("how a tie was decided"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("competitive selection")
        verbose_name_plural = _("competitive selections")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(posts__gt=0), name="selection_posts_positive"),
            models.CheckConstraint(
                condition=Q(weight_speech__lte=100) & Q(weight_written__lte=100) & Q(weight_evaluation__lte=100),
                name="selection_weights_percent",
            ),
        ]

    def __str__(self):
        return self.title


class SelectionApplicant(models.Model):
    selection = models.ForeignKey(CompetitiveSelection, on_delete=models.CASCADE, related_name="applicants")
    cadre = models.ForeignKey(Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="+")
    speech = models.DecimalField(_("speech score"), max_digits=5, decimal_places=2, null=True, blank=True)
    written = models.DecimalField(_("written test score"), max_digits=5, decimal_places=2, null=True, blank=True)
    evaluation = models.DecimalField(
        _("democratic evaluation score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    selected = models.BooleanField(_("selected"), default=False)

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ["selection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "cadre"], name="selection_applicant_once"),
            models.CheckConstraint(
                condition=(Q(speech__isnull=True) | Q(speech__gte=0, speech__lte=100))
                & (Q(written__isnull=True) | Q(written__gte=0, written__lte=100))
                & (Q(evaluation__isnull=True) | Q(evaluation__gte=0, evaluation__lte=100)),
                name="selection_scores_range",
            ),
        ]

    def __str__(self):
        return f"{self.selection} {self.cadre}"
