from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = "社工站"

    def ready(self) -> None:
        from core.scoping import Role, register_station_provider

        from . import actions  # noqa: F401  (declares the station actions with core.actions)
        from .selectors import granted_stations

        # An evaluator reaches the stations granted to it through django-guardian (DOMAIN §1).
        register_station_provider(Role.EVALUATOR, granted_stations)

        from .obligations import register_kinds

        # The station-setup milestones as obligation kinds (obligations/registry.py; no database access).
        register_kinds()
