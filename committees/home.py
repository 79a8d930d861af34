"""The committees app's sections of the home page (being built)."""


def committee_sections(user):
    return []
