"""The printable 分工 table (being built)."""


def register():
    pass
