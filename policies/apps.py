from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def load_reference_data(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After ``migrate``: the five presets (as templates) and the service catalogues, on every install."""
    from policies.actions import load_presets
    from services.actions import load_catalogues

    load_presets()
    load_catalogues()


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "政策方案"

    def ready(self) -> None:
        # No database here: the loader runs on the post_migrate signal, once per migrate (sender = this app).
        post_migrate.connect(load_reference_data, sender=self, dispatch_uid="policies.load_reference_data")
