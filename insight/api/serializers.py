from __future__ import annotations

from rest_framework import serializers

from ..models import ReportJob


class SynergySerializer(serializers.Serializer):  # type: ignore[type-arg]
    index = serializers.FloatField(allow_null=True, help_text="√(entropy × density); null when a part is unknown.")
    entropy = serializers.FloatField(allow_null=True, help_text="Normalised Shannon entropy across the 5 party kinds.")
    density = serializers.FloatField(allow_null=True, help_text="Interacting pairs / possible pairs of members.")


class AllianceSummarySerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()
    lead_library = serializers.IntegerField()
    period = serializers.CharField()
    synergy = SynergySerializer()
    members = serializers.IntegerField()
    possible_pairs = serializers.IntegerField()
    interacting_pairs = serializers.IntegerField()
    activities = serializers.IntegerField()
    by_kind = serializers.DictField(child=serializers.IntegerField())
    loop = serializers.DictField(help_text="Loop totals: rounds, days per round, deviations, feedback figures.")


class ReportSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = ("id", "alliance", "period", "status", "progress", "download_url", "error", "created_at",
                  "started_at", "finished_at")  # fmt: skip
        read_only_fields = fields

    def get_download_url(self, job: ReportJob) -> str | None:
        from django.urls import reverse

        return reverse("insight:report-download", args=[job.pk]) if job.status == "done" else None


class ReportCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    alliance = serializers.IntegerField()
    period = serializers.CharField(max_length=8, help_text="A year (2026) or a quarter (2026Q3).")
