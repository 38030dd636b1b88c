# Models arrive with their issues (DOMAIN §4, §6, §7).
from evaluation.reports.models import *  # noqa: F401,F403
