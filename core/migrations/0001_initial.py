# The audit trail moves from accounts to core (issue 6): state only, the table keeps its name and trigger.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0004_audit_fk_no_constraint"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="AuditLog",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="时间")),
                        ("username", models.CharField(blank=True, max_length=150, verbose_name="用户名")),
                        ("organisation_id", models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name="机构编号")),
                        ("event", models.CharField(choices=[("create", "新增"), ("update", "修改"), ("delete", "删除"), ("login", "登录"), ("login_failed", "登录失败"), ("logout", "退出"), ("export", "导出"), ("import", "导入")], max_length=16, verbose_name="事件")),
                        ("object_type", models.CharField(blank=True, max_length=60, verbose_name="对象类型")),
                        ("object_id", models.CharField(blank=True, max_length=64, verbose_name="对象编号")),
                        ("object_repr", models.CharField(blank=True, max_length=200, verbose_name="对象")),
                        ("division_code", models.CharField(blank=True, db_index=True, max_length=12, verbose_name="所属区划")),
                        ("changes", models.JSONField(blank=True, default=dict, verbose_name="变更内容")),
                        ("ip", models.GenericIPAddressField(blank=True, null=True, verbose_name="IP")),
                        ("success", models.BooleanField(default=True, verbose_name="结果")),
                        ("user", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="用户")),
                    ],
                    options={
                        "verbose_name": "审计日志",
                        "verbose_name_plural": "审计日志",
                        "ordering": ["-at", "-id"],
                        "db_table": "accounts_auditlog",
                    },
                ),
            ],
        ),
    ]
