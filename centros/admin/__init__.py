"""Admin of `centros`, the base app, one module per group of records; it imports nothing from
the other apps. The rules shared with other apps' admins for rows of a month live in
`centros.admin_del_mes`, so that those apps need not import this package."""

from . import beneficiarios, centros, mensual

__all__ = ["beneficiarios", "centros", "mensual"]
