"""Seed the smart-library risk templates (risk.domain_templates) in Chinese and English."""

from django.db import migrations

from risk.domain_templates import TEMPLATES, install


def seed(apps, schema_editor):
    install(apps.get_model("risk", "RiskTemplate"))


def unseed(apps, schema_editor):
    RiskTemplate = apps.get_model("risk", "RiskTemplate")
    RiskTemplate.objects.filter(code__in=[t[0] for t in TEMPLATES], adoptions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
