from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = "社工站"

    def ready(self) -> None:
        from core.audit import register_change_key, register_object_type
        from core.scoping import Role, register_station_provider

        from . import (
            actions,  # noqa: F401  (declares the station actions with core.actions)
            signals,  # noqa: F401  (evaluator grant-group membership; touches no database)
        )
        from .selectors import granted_stations

        # An evaluator reaches the stations granted to it through django-guardian (DOMAIN §1).
        register_station_provider(Role.EVALUATOR, granted_stations)
        register_object_type("stations.StationGrant", "评估授权")
        register_change_key("station", "站点")
        register_change_key("evaluator", "评估机构")

        from .obligations import register_kinds

        # The station-setup milestones as obligation kinds (obligations/registry.py; no database access).
        register_kinds()
