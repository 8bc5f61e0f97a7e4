"""Who may read a report's history: whoever may read the report."""

from __future__ import annotations

from core.history import register_history
from stakeholders.access import actor_for

from .models import ReportJob
from .selectors import report_list_for

register_history(ReportJob, lambda request: report_list_for(actor_for(request)))
