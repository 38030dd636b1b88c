from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "服务协议"

    def ready(self) -> None:
        from core.scoping import Role, register_station_provider

        from . import actions  # noqa: F401  (declares the contract actions with core.actions)
        from .obligations import register_kinds
        from .selectors import agency_scope_stations

        # An agency reaches the stations of its contracts in force (DOMAIN §1).
        register_station_provider(Role.AGENCY, agency_scope_stations)
        # Filing, deployment and task-book confirmations in 待办, reminded by the daily sweep.
        register_kinds()
