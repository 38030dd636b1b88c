from django.core.management.base import BaseCommand

from home.demo import DEMO_PASSWORD, demo_accounts


class Command(BaseCommand):
    help = "列出演示账号"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for a in demo_accounts():
            self.stdout.write(f"  {a.username:<16} {a.role:<10} {a.organisation}")
