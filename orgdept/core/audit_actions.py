"""Readable names of audit actions; apps register theirs in AppConfig.ready()."""

_labels: dict[str, str] = {
    "user.groups.granted": "授予角色",
    "user.groups.revoked": "撤销角色",
    "user.groups.cleared": "清除全部角色",
    "user.permissions.granted": "授予权限",
    "user.permissions.revoked": "撤销权限",
    "user.permissions.cleared": "清除全部权限",
    "group.permissions.granted": "角色增加权限",
    "group.permissions.revoked": "角色撤销权限",
    "group.permissions.cleared": "角色清除权限",
    "role.permission_granted": "角色基线权限授予",
    "permission.granted": "授予对象权限",
    "permission.revoked": "撤销对象权限",
    "auth.two_factor_enabled": "启用双因素登录",
    "auth.two_factor_disabled": "停用双因素登录",
    "auth.two_factor_passed": "双因素验证通过",
    "auth.two_factor_failed": "双因素验证失败",
    "auth.two_factor_locked": "双因素验证已锁定",
    "backup.created": "创建备份",
    "backup.restored": "恢复备份",
    "document.requested": "申请生成文件",
    "document.downloaded": "下载文件",
    "calendar.imported": "导入节假日安排",
    "unit.created": "新建单位",
    "cadre.created": "新建干部档案",
    "cadre.viewed": "查看干部档案",
    "committee.created": "新建委员会",
    "term.created": "新建届次",
    "term_member.added": "增加委员",
}


def register_audit_action(code: str, label: str) -> None:
    _labels[code] = label


def audit_action_label(code: str) -> str:
    return _labels.get(code, code)


def audit_action_choices() -> list[tuple[str, str]]:
    return sorted(_labels.items(), key=lambda item: item[0])
