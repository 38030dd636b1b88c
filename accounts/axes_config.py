"""django-axes under a Chinese section name in the admin (its strings are translated in locale/zh_Hans).

A module of its own: two AppConfig classes in accounts/apps.py would stop Django from picking AccountsConfig.
"""

from axes.apps import AppConfig as AxesAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = "登录锁定"
